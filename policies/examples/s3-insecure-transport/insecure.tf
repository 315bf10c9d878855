# The policy grants the reporting role read access, but nothing refuses plain
# HTTP: a client configured with an http:// endpoint reads the data in clear.
resource "aws_s3_bucket" "exports" {
  bucket = "example-corp-exports"
}

resource "aws_s3_bucket_policy" "exports" {
  bucket = aws_s3_bucket.exports.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ReportingRead"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:role/reporting" }
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.exports.arn}/*"
    }]
  })
}
