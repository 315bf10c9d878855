# The same module shape, with secrets envelope-encrypted under a customer managed KMS key.
resource "aws_kms_key" "eks" {
  description         = "EKS secrets encryption"
  enable_key_rotation = true
}

variable "cluster_encryption_config" {
  description = "Configuration block with encryption configuration for the cluster"
  type        = any
  default = {
    resources = ["secrets"]
  }
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

  dynamic "encryption_config" {
    for_each = length(var.cluster_encryption_config) > 0 ? [var.cluster_encryption_config] : []

    content {
      provider {
        key_arn = aws_kms_key.eks.arn
      }
      resources = encryption_config.value.resources
    }
  }
}
