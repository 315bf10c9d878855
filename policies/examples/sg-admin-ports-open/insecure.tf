# SSH open to the whole internet: brute-forced within minutes.
resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "Bastion host"
  vpc_id      = "vpc-0123456789abcdef0"

  ingress {
    description = "SSH from anywhere"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# The subnet's network ACL lets RDP in from anywhere as well.
resource "aws_network_acl" "apps" {
  vpc_id = "vpc-0123456789abcdef0"
}

resource "aws_network_acl_rule" "rdp" {
  network_acl_id = aws_network_acl.apps.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 3389
  to_port        = 3389
}
