# No flow log: who talked to what in this network can never be investigated.
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}
