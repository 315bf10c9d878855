# Only the api log is sent: who did what (audit) and which IAM principal each Kubernetes user
# is (authenticator) leave no trace.
resource "aws_eks_cluster" "platform" {
  name                      = "platform"
  role_arn                  = "arn:aws:iam::123456789012:role/eks-cluster"
  version                   = "1.30"
  enabled_cluster_log_types = ["api"]

  vpc_config {
    subnet_ids              = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
    endpoint_private_access = true
    endpoint_public_access  = false
  }
}
