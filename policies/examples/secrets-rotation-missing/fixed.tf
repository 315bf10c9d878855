# Both secrets are rotated every 30 days by a rotation function.
resource "aws_secretsmanager_secret" "payment_api_key" {
  name        = "orders/payment-api-key"
  description = "API key of the payment provider"
}

resource "aws_secretsmanager_secret_rotation" "payment_api_key" {
  secret_id           = aws_secretsmanager_secret.payment_api_key.id
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate-payment-key"

  rotation_rules {
    automatically_after_days = 30
  }
}

resource "aws_secretsmanager_secret" "db_login" {
  name = "orders/db-login"
}

resource "aws_secretsmanager_secret_rotation" "db_login" {
  secret_id           = aws_secretsmanager_secret.db_login.arn
  rotation_lambda_arn = "arn:aws:lambda:eu-west-1:123456789012:function:rotate-db-login"

  rotation_rules {
    automatically_after_days = 30
  }
}
