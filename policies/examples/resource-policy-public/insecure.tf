# Resource policies that let anyone act on the resource: Principal "*" with no
# condition confining the caller.

data "aws_caller_identity" "current" {}

# Anyone may decrypt with the key (and re-encrypt, generate data keys).
resource "aws_kms_key" "orders" {
  description         = "Encrypts the orders table"
  enable_key_rotation = true
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "Owner"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "Everyone"
        Effect    = "Allow"
        Principal = { AWS = "*" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
      },
    ]
  })
}

# Anyone may read the secret, through its policy resource.
resource "aws_secretsmanager_secret" "payment_api_key" {
  name = "orders/payment-api-key"
}

resource "aws_secretsmanager_secret_policy" "payment_api_key" {
  secret_arn = aws_secretsmanager_secret.payment_api_key.arn
  policy     = data.aws_iam_policy_document.secret.json
}

data "aws_iam_policy_document" "secret" {
  statement {
    sid       = "ReadFromAnywhere"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

# Anyone may push images: a negated condition admits every other account.
resource "aws_ecr_repository" "api" {
  name                 = "orders-api"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_ecr_repository_policy" "api" {
  repository = aws_ecr_repository.api.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Push"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]
      Condition = { StringNotEquals = { "aws:PrincipalAccount" = "111122223333" } }
    }]
  })
}

# Anyone may mount and write the file system.
resource "aws_efs_file_system" "uploads" {
  creation_token = "uploads"
  encrypted      = true
}

resource "aws_efs_file_system_policy" "uploads" {
  file_system_id = aws_efs_file_system.uploads.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"]
      Resource  = aws_efs_file_system.uploads.arn
      Condition = { Bool = { "aws:SecureTransport" = "true" } }
    }]
  })
}

# Anyone may read or delete the archives.
resource "aws_glacier_vault" "archive" {
  name = "orders-archive"
  access_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Everyone"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["glacier:InitiateJob", "glacier:GetJobOutput", "glacier:DeleteArchive"]
      Resource  = "arn:aws:glacier:eu-west-1:111122223333:vaults/orders-archive"
    }]
  })
}

# A public endpoint whose access policy admits the whole internet.
resource "aws_opensearch_domain" "search" {
  domain_name    = "orders"
  engine_version = "OpenSearch_2.11"

  encrypt_at_rest {
    enabled = true
  }
  node_to_node_encryption {
    enabled = true
  }

  access_policies = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "es:*"
      Resource  = "arn:aws:es:eu-west-1:111122223333:domain/orders/*"
      Condition = { IpAddress = { "aws:SourceIp" = ["0.0.0.0/0"] } }
    }]
  })
}

# A private API whose policy admits every VPC endpoint, of any account.
resource "aws_api_gateway_rest_api" "internal" {
  name = "orders-internal"
  endpoint_configuration {
    types = ["PRIVATE"]
  }
}

resource "aws_api_gateway_rest_api_policy" "internal" {
  rest_api_id = aws_api_gateway_rest_api.internal.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "execute-api:Invoke"
      Resource  = "${aws_api_gateway_rest_api.internal.execution_arn}/*"
    }]
  })
}

# Read-only metadata for anyone is not reported.
resource "aws_kms_key" "signing" {
  description              = "Signs release artifacts"
  key_usage                = "SIGN_VERIFY"
  customer_master_key_spec = "ECC_NIST_P256"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = ["kms:GetPublicKey", "kms:DescribeKey"]
      Resource  = "*"
    }]
  })
}
