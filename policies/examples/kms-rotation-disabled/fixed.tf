# Automatic rotation replaces the key material every year; the key id, ARN and
# policy stay, and data encrypted earlier still decrypts.
resource "aws_kms_key" "orders" {
  description             = "Encrypts the orders table"
  deletion_window_in_days = 30
  enable_key_rotation     = true
}

# Asymmetric keys cannot rotate automatically: not this control's concern.
resource "aws_kms_key" "signing" {
  description              = "Signs release artifacts"
  key_usage                = "SIGN_VERIFY"
  customer_master_key_spec = "ECC_NIST_P256"
}
