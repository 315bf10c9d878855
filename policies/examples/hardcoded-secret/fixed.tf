# RDS generates the master password and keeps it in Secrets Manager (rotated);
# the configuration never holds it.
resource "aws_db_instance" "orders" {
  identifier                  = "orders"
  engine                      = "postgres"
  instance_class              = "db.t4g.micro"
  allocated_storage           = 20
  username                    = "orders_admin"
  manage_master_user_password = true
  storage_encrypted           = true
  skip_final_snapshot         = true
}
