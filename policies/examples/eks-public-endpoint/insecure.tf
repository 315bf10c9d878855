# Left unset, the Kubernetes API endpoint is public (endpoint_public_access
# defaults to true) and open to 0.0.0.0/0 (public_access_cidrs' default).
resource "aws_eks_cluster" "platform" {
  name     = "platform"
  role_arn = "arn:aws:iam::123456789012:role/eks-cluster"
  version  = "1.30"

  vpc_config {
    subnet_ids              = ["subnet-0a1b2c3d4e5f60001", "subnet-0a1b2c3d4e5f60002"]
    endpoint_private_access = true
  }
}
