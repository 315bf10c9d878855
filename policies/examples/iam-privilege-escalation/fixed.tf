# The role CI assumes to deploy Lambda functions. It may pass only the
# functions' execution role, and only to Lambda; it may attach only the basic
# execution policy (iam:PolicyARN), so it cannot grant itself anything more.
resource "aws_iam_role" "deploy" {
  name = "functions-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "codebuild.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "deploy" {
  name = "deploy-functions"
  role = aws_iam_role.deploy.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["lambda:CreateFunction", "lambda:UpdateFunctionCode"]
        Resource = "arn:aws:lambda:eu-west-1:111122223333:function:orders-*"
      },
      {
        Effect    = "Allow"
        Action    = "iam:PassRole"
        Resource  = "arn:aws:iam::111122223333:role/orders-function"
        Condition = { StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } }
      },
      {
        Effect   = "Allow"
        Action   = "iam:AttachRolePolicy"
        Resource = "*"
        Condition = {
          ArnEquals = {
            "iam:PolicyARN" = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
          }
        }
      }
    ]
  })
}
