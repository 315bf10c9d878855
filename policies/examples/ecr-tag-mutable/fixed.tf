# Every tag names one image for good; the worker keeps "latest" moving and every
# other tag immutable.
resource "aws_ecr_repository" "api" {
  name                 = "orders-api"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_repository" "worker" {
  name                 = "orders-worker"
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"

  image_tag_mutability_exclusion_filter {
    filter      = "latest"
    filter_type = "WILDCARD"
  }
}

# Not known before deployment: no finding.
variable "tag_mutability" {
  type = string
}

resource "aws_ecr_repository" "tools" {
  name                 = "tools"
  image_tag_mutability = var.tag_mutability
}
