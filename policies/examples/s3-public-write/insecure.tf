# An upload bucket for a build pipeline that "needs no credentials": the policy
# lets anyone on the internet put objects into it.
resource "aws_s3_bucket" "artifacts" {
  bucket = "example-corp-build-artifacts"
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AnonymousUpload"
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:PutObject"
      Resource  = "${aws_s3_bucket.artifacts.arn}/*"
    }]
  })
}
