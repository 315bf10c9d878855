# A webhook receiver published through a Lambda function URL.
resource "aws_lambda_function" "webhook" {
  function_name = "webhook-receiver"
  role          = "arn:aws:iam::123456789012:role/webhook-receiver"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "webhook.zip"
}

# No authentication: anyone who learns the URL can invoke the function.
resource "aws_lambda_function_url" "webhook" {
  function_name      = aws_lambda_function.webhook.function_name
  authorization_type = "NONE"
}

# The statement that lets everyone through the URL: named in the URL's finding.
resource "aws_lambda_permission" "webhook_url" {
  statement_id           = "PublicFunctionUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.webhook.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

# Any AWS account may invoke the function directly: nothing confines the caller.
resource "aws_lambda_permission" "webhook_any_account" {
  statement_id  = "AnyAccount"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.webhook.function_name
  principal     = "*"
}
