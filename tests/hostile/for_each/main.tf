locals {
  names = toset([for i in range(100000) : "bucket-${i}"])
}

resource "aws_s3_bucket" "each" {
  for_each = local.names
  bucket   = each.key
}

resource "aws_s3_bucket" "ranged" {
  for_each = toset([for i in range(1e9) : tostring(i)])
}
