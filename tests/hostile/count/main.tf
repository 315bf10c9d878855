resource "aws_s3_bucket" "many" {
  count  = 1e9
  bucket = "b-${count.index}"
}

resource "aws_s3_bucket" "negative" {
  count = -5
}
