# Order events fan out through a topic, a queue, a stream and a Kafka cluster, and each one
# leaves the messages unencrypted somewhere.

# No kms_master_key_id: SNS does not encrypt messages at rest by default.
resource "aws_sns_topic" "orders" {
  name = "orders"
}

# SSE-SQS is on by default; this queue turns it off and names no KMS key.
resource "aws_sqs_queue" "fulfilment" {
  name                    = "fulfilment"
  sqs_managed_sse_enabled = false
}

# encryption_type defaults to NONE: records are stored unencrypted.
resource "aws_kinesis_stream" "clickstream" {
  name             = "clickstream"
  shard_count      = 2
  retention_period = 48
}

# Clients may still connect in plaintext.
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
    encryption_in_transit {
      client_broker = "TLS_PLAINTEXT"
      in_cluster    = true
    }
  }
}
