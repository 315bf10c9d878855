resource "aws_api_gateway_rest_api" "orders" {
  name = "orders-api"
}

resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  parent_id   = aws_api_gateway_rest_api.orders.root_resource_id
  path_part   = "orders"
}

resource "aws_api_gateway_authorizer" "users" {
  name          = "users"
  rest_api_id   = aws_api_gateway_rest_api.orders.id
  type          = "COGNITO_USER_POOLS"
  provider_arns = ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_EXAMPLE"]
}

# Callers present a Cognito user pool token.
resource "aws_api_gateway_method" "list_orders" {
  rest_api_id   = aws_api_gateway_rest_api.orders.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "GET"
  authorization = "COGNITO_USER_POOLS"
  authorizer_id = aws_api_gateway_authorizer.users.id
}

# CORS preflight: browsers send it without credentials, so it is exempt.
resource "aws_api_gateway_method" "orders_preflight" {
  rest_api_id   = aws_api_gateway_rest_api.orders.id
  resource_id   = aws_api_gateway_resource.orders.id
  http_method   = "OPTIONS"
  authorization = "NONE"
}

resource "aws_apigatewayv2_api" "webhooks" {
  name          = "webhooks"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_authorizer" "partners" {
  api_id           = aws_apigatewayv2_api.webhooks.id
  name             = "partners"
  authorizer_type  = "JWT"
  identity_sources = ["$request.header.Authorization"]

  jwt_configuration {
    audience = ["webhooks"]
    issuer   = "https://auth.example.com/"
  }
}

# Callers present a JWT from the partners' identity provider.
resource "aws_apigatewayv2_route" "deliver" {
  api_id             = aws_apigatewayv2_api.webhooks.id
  route_key          = "POST /deliveries"
  authorization_type = "JWT"
  authorizer_id      = aws_apigatewayv2_authorizer.partners.id
}
