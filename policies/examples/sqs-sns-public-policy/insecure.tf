# Uploads to the acme-ingest bucket are announced on a queue, and failures on a
# topic. Both policies were meant for one sender but name Principal "*" with no
# condition: any AWS account can inject fake upload events into the queue, and
# anyone can subscribe to the topic and read every alert.
resource "aws_sqs_queue" "uploads" {
  name = "ingest-uploads"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "S3Notifications"
      Effect    = "Allow"
      Principal = "*"
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:111122223333:ingest-uploads"
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
    }]
  })
}
