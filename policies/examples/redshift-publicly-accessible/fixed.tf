resource "aws_redshift_cluster" "analytics" {
  cluster_identifier     = "analytics"
  node_type              = "ra3.xlplus"
  master_username        = "admin"
  manage_master_password = true
  publicly_accessible    = false
}

resource "aws_redshift_cluster" "reporting" {
  cluster_identifier     = "reporting"
  node_type              = "ra3.xlplus"
  master_username        = "admin"
  manage_master_password = true
  publicly_accessible    = false
}

# Private by default.
resource "aws_redshiftserverless_workgroup" "adhoc" {
  namespace_name = "adhoc"
  workgroup_name = "adhoc"
}
