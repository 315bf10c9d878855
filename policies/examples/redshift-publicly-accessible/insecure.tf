# Public on purpose.
resource "aws_redshift_cluster" "analytics" {
  cluster_identifier     = "analytics"
  node_type              = "ra3.xlplus"
  master_username        = "admin"
  manage_master_password = true
  publicly_accessible    = true
}

# Left unset: the AWS provider before 6.0 makes it public.
resource "aws_redshift_cluster" "reporting" {
  cluster_identifier     = "reporting"
  node_type              = "ra3.xlplus"
  master_username        = "admin"
  manage_master_password = true
}

resource "aws_redshiftserverless_workgroup" "adhoc" {
  namespace_name      = "adhoc"
  workgroup_name      = "adhoc"
  publicly_accessible    = true
}
