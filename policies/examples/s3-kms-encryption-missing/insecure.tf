# Payroll exports encrypted with S3-managed keys only: anyone allowed to read
# the bucket reads the data, with no key policy or key audit trail in between.
resource "aws_s3_bucket" "payroll" {
  bucket = "example-corp-payroll-exports"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "payroll" {
  bucket = aws_s3_bucket.payroll.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}
