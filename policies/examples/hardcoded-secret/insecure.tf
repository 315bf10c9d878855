# The master password is written in the configuration (here through a variable
# default, which is just as literal): everyone who can read the repository, or its
# history, can log in to the database.
variable "db_password" {
  type      = string
  sensitive = true
  default   = "Tr0ub4dor&3-orders"
}

resource "aws_db_instance" "orders" {
  identifier          = "orders"
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  allocated_storage   = 20
  username            = "orders_admin"
  password            = var.db_password
  storage_encrypted   = true
  skip_final_snapshot = true
}
