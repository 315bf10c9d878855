# The bucket's name says nothing about who owns it.
resource "aws_s3_bucket" "reports" {
  bucket = "quarterly-reports"
}
