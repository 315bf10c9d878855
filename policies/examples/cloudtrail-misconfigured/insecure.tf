# The account's trail records only the region it is created in, does not sign
# its log files and leaves them encrypted with S3-managed keys only.
resource "aws_cloudtrail" "account" {
  name                       = "account-trail"
  s3_bucket_name             = "acme-log-archive"
  is_multi_region_trail      = false
  enable_log_file_validation = false
}
