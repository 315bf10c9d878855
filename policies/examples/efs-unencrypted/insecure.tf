# Shared uploads of the web tier. encrypted is not written: EFS then stores
# the files unencrypted (the API's default), and it cannot be turned on later.
resource "aws_efs_file_system" "uploads" {
  creation_token   = "uploads"
  performance_mode = "generalPurpose"
}

# A key given without encrypted = true is not used: still unencrypted.
resource "aws_efs_file_system" "reports" {
  creation_token = "reports"
  encrypted      = false
  kms_key_id     = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
}
