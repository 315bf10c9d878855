# Every hop encrypts: a KMS key for the topic and the stream, SSE-SQS left at its default, TLS
# only between Kafka clients and brokers.
resource "aws_kms_key" "events" {
  description         = "Order events"
  enable_key_rotation = true
}

resource "aws_sns_topic" "orders" {
  name              = "orders"
  kms_master_key_id = aws_kms_key.events.arn
}

resource "aws_sqs_queue" "fulfilment" {
  name = "fulfilment"
}

resource "aws_kinesis_stream" "clickstream" {
  name             = "clickstream"
  shard_count      = 2
  retention_period = 48
  encryption_type  = "KMS"
  kms_key_id       = aws_kms_key.events.arn
}

resource "aws_msk_cluster" "events" {
  cluster_name           = "events"
  kafka_version          = "3.6.0"
  number_of_broker_nodes = 3

  broker_node_group_info {
    instance_type   = "kafka.m5.large"
    client_subnets  = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002", "subnet-0a1b2c3d4e5f60003"]
    security_groups = ["sg-0123456789abcdef0"]
  }

  encryption_info {
    encryption_at_rest_kms_key_arn = aws_kms_key.events.arn

    encryption_in_transit {
      client_broker = "TLS"
      in_cluster    = true
    }
  }
}
