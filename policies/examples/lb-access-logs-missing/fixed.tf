variable "public_subnet_ids" {
  type = list(string)
}

# Every request is logged to S3 (the bucket policy must let Elastic Load
# Balancing write under the prefix).
resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  subnets            = var.public_subnet_ids

  access_logs {
    bucket  = "example-corp-alb-logs"
    prefix  = "web"
    enabled = true
  }
}
