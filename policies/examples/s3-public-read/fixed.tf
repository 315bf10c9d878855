# The bucket stays private: ACLs are disabled and the public access block
# refuses any public ACL or policy. Share downloads through CloudFront with an
# origin access control, or with presigned URLs.
resource "aws_s3_bucket" "downloads" {
  bucket = "example-corp-downloads"
}

resource "aws_s3_bucket_ownership_controls" "downloads" {
  bucket = aws_s3_bucket.downloads.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "downloads" {
  bucket = aws_s3_bucket.downloads.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
