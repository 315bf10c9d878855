# The api, audit and authenticator logs go to CloudWatch Logs, kept for a year.
resource "aws_cloudwatch_log_group" "platform" {
  name              = "/aws/eks/platform/cluster"
  retention_in_days = 365
}

resource "aws_eks_cluster" "platform" {
  name                      = "platform"
  role_arn                  = "arn:aws:iam::123456789012:role/eks-cluster"
  version                   = "1.30"
  enabled_cluster_log_types = ["api", "audit", "authenticator"]

  vpc_config {
    subnet_ids              = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
    endpoint_private_access = true
    endpoint_public_access  = false
  }

  depends_on = [aws_cloudwatch_log_group.platform]
}
