# Shaped like terraform-aws-modules/eks: the encryption configuration is a dynamic block over
# a variable. This configuration sets the variable to {}, so no block is made and Kubernetes
# secrets are only encrypted with a key AWS owns, which the account can neither audit nor revoke.
variable "cluster_encryption_config" {
  description = "Configuration block with encryption configuration for the cluster"
  type        = any
  default     = {}
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
        key_arn = encryption_config.value.provider_key_arn
      }
      resources = encryption_config.value.resources
    }
  }
}
