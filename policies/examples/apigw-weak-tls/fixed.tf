# TLS 1.2 and later only (an enhanced SecurityPolicy_TLS13_* policy would do
# too). Left out, API Gateway gives a new domain name TLS_1_2 as well.
resource "aws_api_gateway_domain_name" "api" {
  domain_name              = "api.example.com"
  regional_certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/1b2c3d4e-5f60-7a8b-9c0d-e1f2a3b4c5d6"
  security_policy          = "TLS_1_2"

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_apigatewayv2_domain_name" "events" {
  domain_name = "events.example.com"

  domain_name_configuration {
    certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/1b2c3d4e-5f60-7a8b-9c0d-e1f2a3b4c5d6"
    endpoint_type   = "REGIONAL"
    security_policy = "TLS_1_2"
  }
}
