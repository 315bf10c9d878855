# Storage, backups, snapshots and replicas are encrypted with a customer managed
# key (encryption cannot be switched on later without a snapshot restore).
resource "aws_kms_key" "orders" {
  description         = "orders database storage"
  enable_key_rotation = true
}

resource "aws_db_instance" "orders" {
  identifier                  = "orders"
  engine                      = "postgres"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 20
  username                    = "orders_admin"
  manage_master_user_password = true
  storage_encrypted           = true
  kms_key_id                  = aws_kms_key.orders.arn
  backup_retention_period     = 7
  deletion_protection         = true
}
