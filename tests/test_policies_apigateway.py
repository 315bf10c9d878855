"""API Gateway policies: each edge-case decision the policy documents gives the same verdict in
Terraform and CloudFormation; the shipped examples are checked against their snapshots by
test_policies_examples.py."""

from __future__ import annotations

import textwrap

from tests.policy_examples import cfn, found, line, messages, tf


def _tf_method(name: str, verb: str, authorization: str, extra: str = "") -> str:
    return (f'resource "aws_api_gateway_method" "{name}" {{\n'
            "  rest_api_id   = aws_api_gateway_rest_api.api.id\n"
            "  resource_id   = aws_api_gateway_resource.item.id\n"
            f"  http_method   = {verb}\n  authorization = {authorization}\n{extra}}}\n")


def _cfn_method(name: str, verb: str, authorization: str = "", extra: str = "") -> str:
    auth = f"    AuthorizationType: {authorization}\n" if authorization else ""
    return (f"{name}:\n  Type: AWS::ApiGateway::Method\n  Properties:\n    RestApiId: !Ref Api\n"
            f"    ResourceId: !Ref Item\n    HttpMethod: {verb}\n{auth}{extra}")


METHODS_TF = tf('''
    variable "auth" {
      type = string
    }

    variable "verb" {
      type = string
    }

    variable "key" {
      type = bool
    }

    resource "aws_api_gateway_rest_api" "api" {
      name = "shop"
    }

    resource "aws_api_gateway_resource" "orders" {
      rest_api_id = aws_api_gateway_rest_api.api.id
      parent_id   = aws_api_gateway_rest_api.api.root_resource_id
      path_part   = "orders"
    }

    resource "aws_api_gateway_resource" "item" {
      rest_api_id = aws_api_gateway_rest_api.api.id
      parent_id   = aws_api_gateway_resource.orders.id
      path_part   = "{id}"
    }
''') + "\n".join([
    _tf_method("open", '"GET"', '"NONE"'),
    _tf_method("any", '"ANY"', '"none"'),
    _tf_method("api_key", '"DELETE"', '"NONE"', "  api_key_required = true\n"),
    _tf_method("maybe_key", '"PATCH"', '"NONE"', "  api_key_required = var.key\n"),
    _tf_method("preflight", '"OPTIONS"', '"NONE"'),
    _tf_method("iam", '"PUT"', '"AWS_IAM"'),
    _tf_method("unknown_auth", '"POST"', "var.auth"),
    _tf_method("unknown_verb", "var.verb", '"NONE"'),
])
METHODS_CFN = cfn(textwrap.dedent('''
    Api:
      Type: AWS::ApiGateway::RestApi
      Properties:
        Name: shop
    Orders:
      Type: AWS::ApiGateway::Resource
      Properties:
        RestApiId: !Ref Api
        ParentId: !GetAtt Api.RootResourceId
        PathPart: orders
    Item:
      Type: AWS::ApiGateway::Resource
      Properties:
        RestApiId: !Ref Api
        ParentId: !Ref Orders
        PathPart: "{id}"
''') + "".join([
    _cfn_method("Open", "GET"),
    _cfn_method("Any", "ANY", "NONE"),
    _cfn_method("ApiKey", "DELETE", "NONE", "    ApiKeyRequired: true\n"),
    _cfn_method("MaybeKey", "PATCH", "NONE", "    ApiKeyRequired: !Ref Key\n"),
    _cfn_method("Preflight", "OPTIONS"),
    _cfn_method("Iam", "PUT", "AWS_IAM"),
    _cfn_method("UnknownAuth", "POST", "!Ref Auth"),
    _cfn_method("UnknownVerb", "!Ref Verb", "NONE"),
]), parameters='''
    Auth:
      Type: String
    Verb:
      Type: String
    Key:
      Type: String
''')


def test_rest_api_methods(write_tree):
    """NONE (also unset in CloudFormation, and in any case) without an API key is reported at
    the authorization; an API key requirement, another authorization type, OPTIONS (CORS
    preflight) and unknown values are not reported."""
    assert found(write_tree, "apigw-no-authorization", METHODS_TF, METHODS_CFN) == {
        ("aws_api_gateway_method.open", "tf/main.tf", line(METHODS_TF, '"aws_api_gateway_method" "open"') + 4),
        ("aws_api_gateway_method.any", "tf/main.tf", line(METHODS_TF, '"none"')),
        ("Open", "cfn/template.yaml", line(METHODS_CFN, "  Open:")),
        ("Any", "cfn/template.yaml", line(METHODS_CFN, "HttpMethod: ANY") + 1),
    }


def test_rest_api_method_message_names_its_path(write_tree):
    root = write_tree({"tf/main.tf": METHODS_TF, "cfn/template.yaml": METHODS_CFN})
    shown = messages(root, "apigw-no-authorization")
    assert any(m.startswith("Method GET /orders/{id} of API aws_api_gateway_rest_api.api ") for m in shown)
    assert any(m.startswith("Method GET /orders/{id} of API Api ") for m in shown)


ROUTES_TF = tf('''
    variable "auth" {
      type = string
    }

    resource "aws_apigatewayv2_api" "http" {
      name          = "http"
      protocol_type = "HTTP"
    }

    resource "aws_apigatewayv2_api" "chat" {
      name                       = "chat"
      protocol_type              = "WEBSOCKET"
      route_selection_expression = "$request.body.action"
    }

    resource "aws_apigatewayv2_route" "get" {
      api_id    = aws_apigatewayv2_api.http.id
      route_key = "GET /items"
    }

    resource "aws_apigatewayv2_route" "catch_all" {
      api_id             = aws_apigatewayv2_api.http.id
      route_key          = "$default"
      authorization_type = "NONE"
    }

    resource "aws_apigatewayv2_route" "preflight" {
      api_id    = aws_apigatewayv2_api.http.id
      route_key = "OPTIONS /items"
    }

    resource "aws_apigatewayv2_route" "jwt" {
      api_id             = aws_apigatewayv2_api.http.id
      route_key          = "POST /items"
      authorization_type = "JWT"
    }

    resource "aws_apigatewayv2_route" "unknown" {
      api_id             = aws_apigatewayv2_api.http.id
      route_key          = "PUT /items"
      authorization_type = var.auth
    }

    resource "aws_apigatewayv2_route" "connect" {
      api_id    = aws_apigatewayv2_api.chat.id
      route_key = "$connect"
    }

    resource "aws_apigatewayv2_route" "chat_default" {
      api_id    = aws_apigatewayv2_api.chat.id
      route_key = "$default"
    }

    resource "aws_apigatewayv2_route" "disconnect" {
      api_id    = aws_apigatewayv2_api.chat.id
      route_key = "$disconnect"
    }

    resource "aws_apigatewayv2_route" "send" {
      api_id    = aws_apigatewayv2_api.chat.id
      route_key = "sendMessage"
    }

    resource "aws_apigatewayv2_route" "elsewhere_default" {
      api_id    = "a1b2c3d4e5"
      route_key = "$default"
    }

    resource "aws_apigatewayv2_api" "quick" {
      name          = "quick"
      protocol_type = "HTTP"
      target        = "arn:aws:lambda:us-east-1:123456789012:function:quick"
    }
''')
ROUTES_CFN = cfn('''
    Http:
      Type: AWS::ApiGatewayV2::Api
      Properties:
        Name: http
        ProtocolType: HTTP
    Chat:
      Type: AWS::ApiGatewayV2::Api
      Properties:
        Name: chat
        ProtocolType: WEBSOCKET
        RouteSelectionExpression: $request.body.action
    Get:
      Type: AWS::ApiGatewayV2::Route
      Properties:
        ApiId: !Ref Http
        RouteKey: GET /items
    CatchAll:
      Type: AWS::ApiGatewayV2::Route
      Properties:
        ApiId: !Ref Http
        RouteKey: $default
        AuthorizationType: NONE
    Preflight:
      Type: AWS::ApiGatewayV2::Route
      Properties:
        ApiId: !Ref Http
        RouteKey: OPTIONS /items
    Jwt:
      Type: AWS::ApiGatewayV2::Route
      Properties:
        ApiId: !Ref Http
        RouteKey: POST /items
        AuthorizationType: JWT
    Unknown:
      Type: AWS::ApiGatewayV2::Route
      Properties:
        ApiId: !Ref Http
        RouteKey: PUT /items
        AuthorizationType: !Ref Auth
    Connect:
      Type: AWS::ApiGatewayV2::Route
      Properties:
        ApiId: !Ref Chat
        RouteKey: $connect
    ChatDefault:
      Type: AWS::ApiGatewayV2::Route
      Properties:
        ApiId: !Ref Chat
        RouteKey: $default
    Disconnect:
      Type: AWS::ApiGatewayV2::Route
      Properties:
        ApiId: !Ref Chat
        RouteKey: $disconnect
    Send:
      Type: AWS::ApiGatewayV2::Route
      Properties:
        ApiId: !Ref Chat
        RouteKey: sendMessage
    ElsewhereDefault:
      Type: AWS::ApiGatewayV2::Route
      Properties:
        ApiId: a1b2c3d4e5
        RouteKey: $default
    Quick:
      Type: AWS::ApiGatewayV2::Api
      Properties:
        Name: quick
        ProtocolType: HTTP
        Target: arn:aws:lambda:us-east-1:123456789012:function:quick
''', parameters='''
    Auth:
      Type: String
''')


def test_http_and_websocket_routes_and_quick_create(write_tree):
    """HTTP routes with NONE (the default) are reported, $default of an HTTP API too, OPTIONS
    routes are not; of a WebSocket API only $connect is judged; a $default route whose API is
    not in the configuration is not reported; a quick-create HTTP API is reported at its
    target; other authorization types and unknown values are not reported."""
    assert found(write_tree, "apigw-no-authorization", ROUTES_TF, ROUTES_CFN) == {
        ("aws_apigatewayv2_route.get", "tf/main.tf", line(ROUTES_TF, '"aws_apigatewayv2_route" "get"')),
        ("aws_apigatewayv2_route.catch_all", "tf/main.tf", line(ROUTES_TF, 'authorization_type = "NONE"')),
        ("aws_apigatewayv2_route.connect", "tf/main.tf", line(ROUTES_TF, '"aws_apigatewayv2_route" "connect"')),
        ("aws_apigatewayv2_api.quick", "tf/main.tf", line(ROUTES_TF, "function:quick")),
        ("Get", "cfn/template.yaml", line(ROUTES_CFN, "  Get:")),
        ("CatchAll", "cfn/template.yaml", line(ROUTES_CFN, "AuthorizationType: NONE")),
        ("Connect", "cfn/template.yaml", line(ROUTES_CFN, "  Connect:")),
        ("Quick", "cfn/template.yaml", line(ROUTES_CFN, "function:quick")),
    }
