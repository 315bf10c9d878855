# MySQL reachable from the whole internet: scanned and password-guessed
# within hours.
resource "aws_security_group" "db" {
  name        = "db"
  description = "MySQL"
  vpc_id      = "vpc-0123456789abcdef0"
}

resource "aws_vpc_security_group_ingress_rule" "mysql" {
  security_group_id = aws_security_group.db.id
  ip_protocol       = "tcp"
  from_port         = 3306
  to_port           = 3306
  cidr_ipv4         = "0.0.0.0/0"
}
