# The API's images. image_tag_mutability is not written: MUTABLE, the default.
# Whoever can push (a compromised CI job) replaces the image behind "v1.4.2",
# and the next deployment of that tag runs it.
resource "aws_ecr_repository" "api" {
  name = "orders-api"

  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_repository" "worker" {
  name                 = "orders-worker"
  image_tag_mutability = "MUTABLE"
}
