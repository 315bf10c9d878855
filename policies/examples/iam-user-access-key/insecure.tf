# A deploy user with a long-lived key: the secret is in the state, and the
# output hands it to whoever runs `terraform output`.
resource "aws_iam_user" "deploy" {
  name = "ci-deploy"
}

resource "aws_iam_access_key" "deploy" {
  user = aws_iam_user.deploy.name
}

output "deploy_secret_access_key" {
  value     = aws_iam_access_key.deploy.secret
  sensitive = true
}
