# Server access logs go to a dedicated log bucket. The log bucket needs no
# logging of its own (it would only log the log writes).
resource "aws_s3_bucket" "uploads" {
  bucket = "example-corp-customer-uploads"
}

resource "aws_s3_bucket" "access_logs" {
  bucket = "example-corp-s3-access-logs"
}

resource "aws_s3_bucket_logging" "uploads" {
  bucket        = aws_s3_bucket.uploads.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "uploads/"
}

# A bucket receiving other logs is recognised by what delivers to them (here a
# VPC flow log), or by its own settings: a log-delivery-write ACL, a grant to
# the LogDelivery group, a policy for a log delivery service.
resource "aws_s3_bucket" "flow_logs" {
  bucket = "example-corp-vpc-flow-logs"
}

resource "aws_flow_log" "vpc" {
  vpc_id               = "vpc-0123456789abcdef0"
  traffic_type         = "REJECT"
  log_destination_type = "s3"
  log_destination      = aws_s3_bucket.flow_logs.arn
}
