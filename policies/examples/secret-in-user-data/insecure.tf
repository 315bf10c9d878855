# User data is readable by anyone who may describe the instance, and by every
# process on it through the metadata service.
resource "aws_instance" "worker" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  subnet_id     = "subnet-0123456789abcdef0"

  user_data = <<-EOT
    #!/bin/bash
    export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
    export DB_PASSWORD='Winter2024!'
    /opt/worker/start
  EOT
}
