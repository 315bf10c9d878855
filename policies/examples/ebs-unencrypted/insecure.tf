# Unencrypted volumes: their data (and every snapshot taken of them) can be
# read by whoever gets a copy.
resource "aws_instance" "app" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  subnet_id     = "subnet-0123456789abcdef0"

  root_block_device {
    volume_size = 20
    encrypted   = false
  }
}

# Encryption left unset, and not on by default for the account.
resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 100
}
