# Customer uploads land here, but S3 records nothing about who read, wrote or
# deleted them: the bucket has no server access logging.
resource "aws_s3_bucket" "uploads" {
  bucket = "example-corp-customer-uploads"
}
