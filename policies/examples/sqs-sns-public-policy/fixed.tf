# Uploads to the acme-ingest bucket are announced on a queue, and failures on a
# topic. The queue accepts messages from S3 only on behalf of this bucket
# (aws:SourceArn); the topic is open to principals of this account only
# (aws:PrincipalAccount).
resource "aws_sqs_queue" "uploads" {
  name = "ingest-uploads"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "S3Notifications"
      Effect    = "Allow"
      Principal = { Service = "s3.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:111122223333:ingest-uploads"
      Condition = { ArnEquals = { "aws:SourceArn" = "arn:aws:s3:::acme-ingest" } }
    }]
  })
}

resource "aws_sns_topic" "failures" {
  name = "ingest-failures"
}

resource "aws_sns_topic_policy" "failures" {
  arn = aws_sns_topic.failures.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["sns:Publish", "sns:Subscribe"]
      Resource  = aws_sns_topic.failures.arn
      Condition = { StringEquals = { "aws:PrincipalAccount" = "111122223333" } }
    }]
  })
}
