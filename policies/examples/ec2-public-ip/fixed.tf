# Private addresses only: the instances are reached through a load balancer
# or SSM Session Manager.
resource "aws_instance" "app" {
  ami                         = "ami-0123456789abcdef0"
  instance_type               = "t3.micro"
  subnet_id                   = "subnet-0123456789abcdef0"
  associate_public_ip_address = false
}

resource "aws_launch_template" "workers" {
  name          = "workers"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  network_interfaces {
    device_index                = 0
    associate_public_ip_address = false
  }
}
