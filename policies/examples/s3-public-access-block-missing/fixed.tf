# All four settings on: public ACLs and public policies are refused and ignored.
# (aws_s3_account_public_access_block does the same for every bucket of the account.)
resource "aws_s3_bucket" "reports" {
  bucket = "example-corp-reports"
}

resource "aws_s3_bucket_public_access_block" "reports" {
  bucket = aws_s3_bucket.reports.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
