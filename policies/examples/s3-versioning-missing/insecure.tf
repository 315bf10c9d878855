# Versioning was switched off to save storage: an overwrite or a delete now
# destroys the only copy of a document.
resource "aws_s3_bucket" "documents" {
  bucket = "example-corp-documents"
}

resource "aws_s3_bucket_versioning" "documents" {
  bucket = aws_s3_bucket.documents.id

  versioning_configuration {
    status = "Suspended"
  }
}
