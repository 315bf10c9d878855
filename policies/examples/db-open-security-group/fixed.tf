# Only the application tier's security group may open connections.
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_security_group" "app" {
  name   = "orders-app"
  vpc_id = aws_vpc.main.id
}

resource "aws_security_group" "db" {
  name   = "orders-db"
  vpc_id = aws_vpc.main.id

  ingress {
    description     = "PostgreSQL from the application tier"
    protocol        = "tcp"
    from_port       = 5432
    to_port         = 5432
    security_groups = [aws_security_group.app.id]
  }
}

resource "aws_db_instance" "orders" {
  identifier                  = "orders"
  engine                      = "postgres"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 20
  username                    = "orders_admin"
  manage_master_user_password = true
  storage_encrypted           = true
  backup_retention_period     = 7
  deletion_protection         = true
  vpc_security_group_ids      = [aws_security_group.db.id]
}
