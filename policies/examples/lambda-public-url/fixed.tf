# A webhook receiver published through a Lambda function URL.
resource "aws_lambda_function" "webhook" {
  function_name = "webhook-receiver"
  role          = "arn:aws:iam::123456789012:role/webhook-receiver"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "webhook.zip"
}

# Callers sign their requests (SigV4) with credentials allowed to invoke the URL.
resource "aws_lambda_function_url" "webhook" {
  function_name      = aws_lambda_function.webhook.function_name
  authorization_type = "AWS_IAM"
}

# Only the partner's account may call the URL.
resource "aws_lambda_permission" "webhook_url" {
  statement_id           = "PartnerFunctionUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.webhook.function_name
  principal              = "210987654321"
  function_url_auth_type = "AWS_IAM"
}

# A service principal, confined to the one EventBridge rule that may invoke it.
resource "aws_lambda_permission" "webhook_schedule" {
  statement_id  = "NightlyReplay"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.webhook.function_name
  principal     = "events.amazonaws.com"
  source_arn    = "arn:aws:events:us-east-1:123456789012:rule/webhook-replay"
}
