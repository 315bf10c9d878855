variable "public_subnet_ids" {
  type = list(string)
}

# A bucket is named, but ELBv2 access logs stay off until `enabled = true`:
# no request through this load balancer leaves a record.
resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  subnets            = var.public_subnet_ids

  access_logs {
    bucket = "example-corp-alb-logs"
    prefix = "web"
  }
}
