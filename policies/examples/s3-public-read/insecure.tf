# Release downloads shared with a canned ACL: anyone on the internet can list
# and read every object, including files uploaded here by mistake later.
resource "aws_s3_bucket" "downloads" {
  bucket = "example-corp-downloads"
}

# A canned ACL only applies while ACLs are enabled on the bucket.
resource "aws_s3_bucket_ownership_controls" "downloads" {
  bucket = aws_s3_bucket.downloads.id

  rule {
    object_ownership = "BucketOwnerPreferred"
  }
}

resource "aws_s3_bucket_acl" "downloads" {
  bucket = aws_s3_bucket.downloads.id
  acl    = "public-read"

  depends_on = [aws_s3_bucket_ownership_controls.downloads]
}
