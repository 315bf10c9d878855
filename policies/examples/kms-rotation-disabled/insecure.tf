# The key that encrypts the orders table. Rotation is off (the AWS default when
# enable_key_rotation is not written): every order ever stored depends on the
# same key material for as long as the key lives.
resource "aws_kms_key" "orders" {
  description             = "Encrypts the orders table"
  deletion_window_in_days = 30
}

# Asymmetric keys cannot rotate automatically: not this control's concern.
resource "aws_kms_key" "signing" {
  description              = "Signs release artifacts"
  key_usage                = "SIGN_VERIFY"
  customer_master_key_spec = "ECC_NIST_P256"
}
