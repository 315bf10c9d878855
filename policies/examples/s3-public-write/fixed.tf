# Only the pipeline's IAM role may upload; the public access block would refuse
# a public policy anyway.
resource "aws_s3_bucket" "artifacts" {
  bucket = "example-corp-build-artifacts"
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "PipelineUpload"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:role/build-pipeline" }
      Action    = "s3:PutObject"
      Resource  = "${aws_s3_bucket.artifacts.arn}/*"
    }]
  })
}
