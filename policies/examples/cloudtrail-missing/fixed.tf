# The security baseline applied to every account, now with a trail that records
# every region and signs its log files. The logs go to the organization's log
# archive bucket (in another account), encrypted with its KMS key.
resource "aws_iam_account_password_policy" "strict" {
  minimum_password_length        = 14
  require_symbols                = true
  require_numbers                = true
  require_uppercase_characters   = true
  require_lowercase_characters   = true
  allow_users_to_change_password = true
  password_reuse_prevention      = 24
}

resource "aws_ebs_encryption_by_default" "this" {
  enabled = true
}

resource "aws_guardduty_detector" "this" {
  enable = true
}

resource "aws_cloudtrail" "account" {
  name                       = "account-trail"
  s3_bucket_name             = "acme-log-archive"
  is_multi_region_trail      = true
  enable_log_file_validation = true
  kms_key_id                 = "arn:aws:kms:eu-west-1:111122223333:key/8c1e2f6a-3b4d-4e5f-9a0b-1c2d3e4f5a6b"
}
