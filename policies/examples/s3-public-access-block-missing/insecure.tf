# Private today, but nothing stops a later ACL or bucket policy change from
# making it public: the bucket has no public access block.
resource "aws_s3_bucket" "reports" {
  bucket = "example-corp-reports"
}
