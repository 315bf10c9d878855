resource "aws_s3_bucket" "reports" {
  bucket = "acme-finance-quarterly-reports"
}
