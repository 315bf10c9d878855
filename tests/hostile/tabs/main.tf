resource "aws_db_instance" "tabbed" {
	publicly_accessible	=	true
}
