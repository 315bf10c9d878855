# A public address puts the instance on the internet: only its security
# groups stand between its services and every scanner.
resource "aws_instance" "app" {
  ami                         = "ami-0123456789abcdef0"
  instance_type               = "t3.micro"
  subnet_id                   = "subnet-0123456789abcdef0"
  associate_public_ip_address = true
}

# Every instance launched from this template gets a public address too.
resource "aws_launch_template" "workers" {
  name          = "workers"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  network_interfaces {
    device_index                = 0
    associate_public_ip_address = true
  }
}
