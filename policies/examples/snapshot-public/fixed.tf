resource "aws_db_snapshot" "orders" {
  db_instance_identifier = "orders"
  db_snapshot_identifier = "orders-before-migration"
  shared_accounts        = ["123456789012"]
}

resource "aws_db_cluster_snapshot" "reports" {
  db_cluster_identifier          = "reports"
  db_cluster_snapshot_identifier = "reports-nightly"
}

resource "aws_ami_launch_permission" "golden" {
  image_id         = "ami-0a1b2c3d4e5f67890"
  organization_arn = "arn:aws:organizations::123456789012:organization/o-a1b2c3d4e5"
}

resource "aws_imagebuilder_distribution_configuration" "golden" {
  name = "golden"

  distribution {
    region = "eu-west-1"
    ami_distribution_configuration {
      launch_permission {
        user_ids = ["123456789012"]
      }
    }
  }
}
