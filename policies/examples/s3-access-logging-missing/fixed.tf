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
