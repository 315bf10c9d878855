# An RDS instance with a publicly resolvable address.
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

  # A public endpoint: only the security group stands between the data and the internet.
  publicly_accessible = true
}
