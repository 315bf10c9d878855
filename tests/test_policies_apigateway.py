"""API Gateway policies: each edge-case decision the policy documents gives the same verdict in
Terraform and CloudFormation; the shipped examples are checked against their snapshots by
test_policies_examples.py."""

from __future__ import annotations

import textwrap

import pytest

from tests.policy_examples import cfn, found, hits, line, messages, tf


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


# --- apigw-access-logging-missing ----------------------------------------------------------------

STAGES_TF = tf('''
    variable "logs" {
      type = list(string)
    }

    variable "destination" {
      type = string
    }

    resource "aws_api_gateway_rest_api" "api" {
      name = "shop"
    }

    resource "aws_api_gateway_stage" "none" {
      rest_api_id   = aws_api_gateway_rest_api.api.id
      deployment_id = "d1"
      stage_name    = "none"
    }

    resource "aws_api_gateway_stage" "empty" {
      rest_api_id   = aws_api_gateway_rest_api.api.id
      deployment_id = "d1"
      stage_name    = "empty"
      access_log_settings {
        destination_arn = ""
        format          = "$context.requestId"
      }
    }

    resource "aws_api_gateway_stage" "variable" {
      rest_api_id   = aws_api_gateway_rest_api.api.id
      deployment_id = "d1"
      stage_name    = "variable"
      access_log_settings {
        destination_arn = var.destination
        format          = "$context.requestId"
      }
    }

    resource "aws_api_gateway_stage" "dynamic" {
      rest_api_id   = aws_api_gateway_rest_api.api.id
      deployment_id = "d1"
      stage_name    = "dynamic"
      dynamic "access_log_settings" {
        for_each = var.logs
        content {
          destination_arn = access_log_settings.value
          format          = "$context.requestId"
        }
      }
    }

    # The deprecated stage_name creates a stage that cannot log; naming a stage that a stage
    # resource manages only points it at the deployment.
    resource "aws_api_gateway_deployment" "legacy" {
      rest_api_id = aws_api_gateway_rest_api.api.id
      stage_name  = "legacy"
    }

    resource "aws_api_gateway_deployment" "managed" {
      rest_api_id = aws_api_gateway_rest_api.api.id
      stage_name  = "variable"
    }

    resource "aws_api_gateway_deployment" "plain" {
      rest_api_id = aws_api_gateway_rest_api.api.id
    }

    resource "aws_api_gateway_deployment" "maybe" {
      rest_api_id = aws_api_gateway_rest_api.api.id
      stage_name  = var.destination
    }
''')
STAGES_CFN = cfn('''
    Api:
      Type: AWS::ApiGateway::RestApi
      Properties:
        Name: shop
    None:
      Type: AWS::ApiGateway::Stage
      Properties:
        RestApiId: !Ref Api
        DeploymentId: d1
        StageName: none
    Empty:
      Type: AWS::ApiGateway::Stage
      Properties:
        RestApiId: !Ref Api
        DeploymentId: d1
        StageName: empty
        AccessLogSetting:
          DestinationArn: ""
    Variable:
      Type: AWS::ApiGateway::Stage
      Properties:
        RestApiId: !Ref Api
        DeploymentId: d1
        StageName: variable
        AccessLogSetting:
          DestinationArn: !Ref Destination
    Settings:
      Type: AWS::ApiGateway::Stage
      Properties:
        RestApiId: !Ref Api
        DeploymentId: d1
        StageName: settings
        AccessLogSetting: !Ref Settings
    Legacy:
      Type: AWS::ApiGateway::Deployment
      Properties:
        RestApiId: !Ref Api
        StageName: legacy
    Managed:
      Type: AWS::ApiGateway::Deployment
      Properties:
        RestApiId: !Ref Api
        StageName: variable
    Described:
      Type: AWS::ApiGateway::Deployment
      Properties:
        RestApiId: !Ref Api
        StageName: described
        StageDescription: !Ref Settings
    Plain:
      Type: AWS::ApiGateway::Deployment
      Properties:
        RestApiId: !Ref Api
''', parameters='''
    Destination:
      Type: String
    Settings:
      Type: String
''')


def test_stages_without_a_destination_are_reported_unknown_ones_are_not(write_tree):
    assert found(write_tree, "apigw-access-logging-missing", STAGES_TF, STAGES_CFN) == {
        ("aws_api_gateway_stage.none", "tf/main.tf", line(STAGES_TF, '"none" {')),
        ("aws_api_gateway_stage.empty", "tf/main.tf", line(STAGES_TF, 'destination_arn = ""')),
        ("aws_api_gateway_deployment.legacy", "tf/main.tf", line(STAGES_TF, 'stage_name  = "legacy"')),
        ("None", "cfn/template.yaml", line(STAGES_CFN, "None:")),
        ("Empty", "cfn/template.yaml", line(STAGES_CFN, 'DestinationArn: ""')),
        ("Legacy", "cfn/template.yaml", line(STAGES_CFN, "StageName: legacy")),
    }


SAM_API = '''AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
%s
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
%s
  Http:
    Type: AWS::Serverless::HttpApi
%s
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      InlineCode: "def handler(event, context): pass"
      Events:
        Get:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /orders
            Method: get
        Webhook:
          Type: HttpApi
          Properties:
            ApiId: !Ref Http
'''
SAM_LOGS = '''      AccessLogSetting:
        DestinationArn: arn:aws:logs:eu-west-1:123456789012:log-group:api
        Format: $context.requestId'''
SAM_HTTP_LOGS = '''    Properties:
      AccessLogSettings:
        DestinationArn: arn:aws:logs:eu-west-1:123456789012:log-group:http
        Format: $context.requestId'''


def test_sam_apis_are_judged_through_the_stages_the_transform_makes(write_tree):
    bare = SAM_API % ("", "", "")
    reported = messages(write_tree({"t.yaml": bare}), "apigw-access-logging-missing")
    assert len(reported) == 3, reported
    assert any("Stage 'prod' of API Api" in m for m in reported)
    assert any("Stage '$default' of API Http" in m for m in reported)
    # SAM's generated deployment names a stage "Stage" of its own unless OpenApiVersion is set.
    assert any("Stage 'Stage' of API Api" in m and "OpenApiVersion" in m for m in reported)
    logged = SAM_API % ("", SAM_LOGS, SAM_HTTP_LOGS)
    assert [m for m in messages(write_tree({"t.yaml": logged}), "apigw-access-logging-missing")
            if "'Stage'" not in m] == []
    versioned = SAM_API % ("Globals:\n  Api:\n    OpenApiVersion: '3.0'", SAM_LOGS, SAM_HTTP_LOGS)
    assert messages(write_tree({"t.yaml": versioned}), "apigw-access-logging-missing") == []


def test_a_plan_reports_a_stage_without_settings_not_one_whose_destination_is_unknown(tmp_path):
    from tests.test_terraform_plan import plan_text, write

    stage = {"rest_api_id": "abc", "deployment_id": "d1", "stage_name": "prod"}
    plan = plan_text([
        {"address": "aws_api_gateway_stage.bare", "type": "aws_api_gateway_stage", "name": "bare",
         "values": {**stage, "access_log_settings": []}},
        {"address": "aws_api_gateway_stage.later", "type": "aws_api_gateway_stage", "name": "later",
         "values": {**stage, "access_log_settings": [{"format": "$context.requestId"}]}},
    ], unknown={"aws_api_gateway_stage.later": {"access_log_settings": [{"destination_arn": True}]}})
    write(tmp_path, "plan.json", plan)
    assert {r for r, _f, _n in hits(tmp_path, "apigw-access-logging-missing")} == {"aws_api_gateway_stage.bare"}


# --- apigw-weak-tls -------------------------------------------------------------------------------

DOMAINS_TF = tf('''
    variable "policy" {
      type = string
    }

    resource "aws_api_gateway_domain_name" "legacy" {
      domain_name     = "legacy.example.com"
      security_policy = "tls_1_0"
    }

    resource "aws_api_gateway_domain_name" "unset" {
      domain_name = "unset.example.com"
    }

    resource "aws_api_gateway_domain_name" "enhanced" {
      domain_name     = "enhanced.example.com"
      security_policy = "SecurityPolicy_TLS13_1_3_2025_09"
    }

    resource "aws_api_gateway_domain_name" "variable" {
      domain_name     = "variable.example.com"
      security_policy = var.policy
    }

    resource "aws_apigatewayv2_domain_name" "v2" {
      domain_name = "v2.example.com"
      domain_name_configuration {
        certificate_arn = "arn:aws:acm:eu-west-1:123456789012:certificate/abc"
        endpoint_type   = "REGIONAL"
        security_policy = "TLS_1_0"
      }
    }
''')
DOMAINS_CFN = cfn('''
    Legacy:
      Type: AWS::ApiGateway::DomainName
      Properties:
        DomainName: legacy.example.com
        SecurityPolicy: TLS_1_0
    Unset:
      Type: AWS::ApiGateway::DomainName
      Properties:
        DomainName: unset.example.com
    Variable:
      Type: AWS::ApiGateway::DomainName
      Properties:
        DomainName: variable.example.com
        SecurityPolicy: !Ref Policy
    V2:
      Type: AWS::ApiGatewayV2::DomainName
      Properties:
        DomainName: v2.example.com
        DomainNameConfigurations:
          - EndpointType: REGIONAL
            SecurityPolicy: tls_1_0
    V2Unknown:
      Type: AWS::ApiGatewayV2::DomainName
      Properties:
        DomainName: v2u.example.com
        DomainNameConfigurations: !Ref Configurations
''', parameters='''
    Policy:
      Type: String
    Configurations:
      Type: String
''')


def test_tls_1_0_is_reported_an_unset_or_unknown_policy_is_not(write_tree):
    assert found(write_tree, "apigw-weak-tls", DOMAINS_TF, DOMAINS_CFN) == {
        ("aws_api_gateway_domain_name.legacy", "tf/main.tf", line(DOMAINS_TF, '"tls_1_0"')),
        ("aws_apigatewayv2_domain_name.v2", "tf/main.tf", line(DOMAINS_TF, 'security_policy = "TLS_1_0"')),
        ("Legacy", "cfn/template.yaml", line(DOMAINS_CFN, "SecurityPolicy: TLS_1_0")),
        ("V2", "cfn/template.yaml", line(DOMAINS_CFN, "SecurityPolicy: tls_1_0")),
    }


@pytest.mark.parametrize("name", ["insecure.tf", "fixed.tf", "insecure.yaml", "fixed.yaml"])
def test_an_apis_repudiation_threat_is_judged_through_its_stages(tmp_path, name):
    import shutil

    from tests.policy_examples import EXAMPLES
    from tests.test_threatmodel_states import threats_of

    shutil.copyfile(EXAMPLES / "apigw-access-logging-missing" / name, tmp_path / name)
    threats = [t for t in threats_of(tmp_path).values() if t["id"].startswith("api-repudiation@")]
    assert len(threats) == 2
    expected = "open" if name.startswith("insecure") else "mitigated"
    assert {t["status"] for t in threats} == {expected}
    if expected == "mitigated":  # the stages' destinations are the evidence
        assert all("access_log_destination = " in e["what"] for t in threats for e in t["evidence"])
