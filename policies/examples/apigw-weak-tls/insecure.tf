# A custom domain name pinned to the legacy TLS 1.0 policy (TLS 1.0 and 1.1
# are deprecated, open to downgrade attacks).
resource "aws_api_gateway_domain_name" "api" {
  domain_name              = "api.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/1b2c3d4e-5f60-7a8b-9c0d-e1f2a3b4c5d6"
  security_policy          = "TLS_1_0"

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}
