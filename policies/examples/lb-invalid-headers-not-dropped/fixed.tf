variable "public_subnet_ids" {
  type = list(string)
}

# The load balancer drops header fields whose names are not valid HTTP tokens.
resource "aws_lb" "web" {
  name                       = "web"
  load_balancer_type         = "application"
  subnets                    = var.public_subnet_ids
  drop_invalid_header_fields = true
}
