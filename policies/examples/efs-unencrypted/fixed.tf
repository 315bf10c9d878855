# Both file systems encrypt their files at rest: with the AWS managed key, and
# with a customer managed key.
resource "aws_efs_file_system" "uploads" {
  creation_token   = "uploads"
  performance_mode = "generalPurpose"
  encrypted        = true
}

resource "aws_efs_file_system" "reports" {
  creation_token = "reports"
  encrypted      = true
  kms_key_id     = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}

# Not known before deployment: no finding either way.
variable "encrypt_scratch" {
  type = bool
}

resource "aws_efs_file_system" "scratch" {
  creation_token = "scratch"
  encrypted      = var.encrypt_scratch
}
