# A bad migration or an accidental DELETE cannot be undone.
resource "aws_db_instance" "orders" {
  identifier                  = "orders"
  engine                      = "postgres"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 20
  username                    = "orders_admin"
  manage_master_user_password = true
  storage_encrypted           = true

  # 0 turns automated backups and point-in-time recovery off.
  backup_retention_period = 0
  deletion_protection     = true
}
