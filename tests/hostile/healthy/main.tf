# The sibling every hostile case is scanned beside: its finding must survive the hostile input.
resource "aws_db_instance" "healthy" {
  publicly_accessible = true
}
