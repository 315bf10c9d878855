variable "public_subnet_ids" {
  type = list(string)
}

# An internet-facing load balancer with no web application firewall: floods,
# scanners and injection attempts go straight to the application.
resource "aws_lb" "web" {
  name               = "web"
  internal           = false
  load_balancer_type = "application"
  subnets            = var.public_subnet_ids
}
