variable "public_subnet_ids" {
  type = list(string)
}

# Header fields with invalid names reach the application, which may parse them
# differently from the load balancer (request smuggling, forged headers).
resource "aws_lb" "web" {
  name               = "web"
  load_balancer_type = "application"
  subnets            = var.public_subnet_ids
}
