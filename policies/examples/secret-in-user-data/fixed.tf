# The instance role fetches the secret at boot; nothing secret is written
# into the user data.
resource "aws_instance" "worker" {
  ami                  = "ami-0123456789abcdef0"
  instance_type        = "t3.micro"
  subnet_id            = "subnet-0123456789abcdef0"
  iam_instance_profile = "worker"

  user_data = <<-EOT
    #!/bin/bash
    export DB_PASSWORD="$(aws secretsmanager get-secret-value --secret-id worker/db --query SecretString --output text)"
    /opt/worker/start
  EOT
}
