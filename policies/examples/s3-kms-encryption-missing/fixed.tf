# SSE-KMS with a customer managed key: reading also needs kms:Decrypt on this
# key, and every use of it is logged.
resource "aws_kms_key" "payroll" {
  description         = "Payroll exports"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "payroll" {
  bucket = "example-corp-payroll-exports"
}

resource "aws_s3_bucket_server_side_encryption_configuration" "payroll" {
  bucket = aws_s3_bucket.payroll.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.payroll.arn
    }
    bucket_key_enabled = true
  }
}
