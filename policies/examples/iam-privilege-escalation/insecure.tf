# The role CI assumes to deploy Lambda functions. It may pass ANY role to a
# function it creates, and attach any policy to any role: whoever can run a
# build can create a function running as an administrator role, or attach
# AdministratorAccess to this very role.
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
        Effect   = "Allow"
        Action   = ["iam:PassRole", "iam:AttachRolePolicy"]
        Resource = "*"
      }
    ]
  })
}
