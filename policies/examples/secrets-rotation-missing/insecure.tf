# The payment provider's API key: no rotation schedule names it, so a leaked
# value stays valid for good.
resource "aws_secretsmanager_secret" "payment_api_key" {
  name        = "orders/payment-api-key"
  description = "API key of the payment provider"
}

# The database login is rotated: not reported.
resource "aws_secretsmanager_secret" "db_login" {
  name = "orders/db-login"
}

resource "aws_secretsmanager_secret_rotation" "db_login" {
  secret_id           = aws_secretsmanager_secret.db_login.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate-db-login"

  rotation_rules {
    automatically_after_days = 30
  }
}
