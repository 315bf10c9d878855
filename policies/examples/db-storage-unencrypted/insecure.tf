# storage_encrypted is left out, and RDS storage is unencrypted by default: the
# volumes, automated backups, snapshots and replicas all hold the data in clear.
resource "aws_db_instance" "orders" {
  identifier                  = "orders"
  engine                      = "postgres"
  instance_class              = "db.t4g.medium"
  allocated_storage           = 20
  username                    = "orders_admin"
  manage_master_user_password = true
  backup_retention_period     = 7
  deletion_protection         = true
}
