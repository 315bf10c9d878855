# The security baseline applied to every account: a strict password policy,
# EBS encryption by default and GuardDuty. It sets the account up, yet defines
# no CloudTrail trail: nobody could later tell who changed what, or prove it.
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
