# SSH only from the office network (better: no SSH at all, SSM Session
# Manager instead).
resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "Bastion host"
  vpc_id      = "vpc-0123456789abcdef0"

  ingress {
    description = "SSH from the office"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["203.0.113.0/24"]
  }
}

resource "aws_network_acl" "apps" {
  vpc_id = "vpc-0123456789abcdef0"
}

resource "aws_network_acl_rule" "rdp" {
  network_acl_id = aws_network_acl.apps.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "203.0.113.0/24"
  from_port      = 3389
  to_port        = 3389
}
