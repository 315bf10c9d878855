"""API Gateway: REST APIs with their resources and methods (v1), HTTP and WebSocket APIs with their
routes (v2)."""

from __future__ import annotations

from iac_assist.model.convert import to_bool, upper
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

_API = fact("api", "Ref | str | Unknown", "the API it belongs to")
_KEY_REQUIRED = fact("api_key_required", "bool | Unknown", "callers must present an API key", "false")

APIGW_REST_API = kind(
    "apigateway.rest_api", "A REST API (API Gateway v1).",
    fact("name", "str | Unknown", "API name"),
    fact("policy", "dict | Unknown", """the resource policy (parsed JSON): Terraform policy, CloudFormation
         Policy (SAM: Auth.ResourcePolicy, as translated), or folded from aws_api_gateway_rest_api_policy,
         located there""", "no resource policy (the methods' authorization decides)"),
)
APIGW_RESOURCE = kind(
    "apigateway.resource", "A path segment of a REST API.",
    _API,
    fact("parent", "Ref | str | Unknown", """the parent resource (the API's root_resource_id /
         RootResourceId for a top-level segment)"""),
    fact("path_part", "str | Unknown", "the path segment"),
)
APIGW_METHOD = kind(
    "apigateway.method", "A REST API method.",
    _API,
    fact("resource", "Ref | str | Unknown", "the API resource (path) it is on"),
    fact("http_method", "str | Unknown", "upper case: GET, POST, ANY, OPTIONS..."),
    fact("authorization", "str | Unknown", "NONE | AWS_IAM | CUSTOM | COGNITO_USER_POOLS (upper case)",
         "NONE (the CloudFormation default)"),
    _KEY_REQUIRED,
)
APIGW_API = kind(
    "apigateway.api", "An HTTP or WebSocket API (API Gateway v2).",
    fact("name", "str | Unknown", "API name"),
    fact("protocol", "str | Unknown", "HTTP | WEBSOCKET (upper case)"),
    fact("quick_create_target", "Ref | str | Unknown", """quick create (target / Target): API Gateway
         then makes a default route without authorization""", "no quick create (empty text neither)"),
    fact("quick_create_route", "str | Unknown", "the key of the quick create route (only read with a target)",
         "$default"),
)
APIGW_ROUTE = kind(
    "apigateway.route", "An HTTP or WebSocket API route.",
    _API,
    fact("route_key", "str | Unknown", '"GET /orders", "ANY /{proxy+}", "$default", "$connect"...'),
    fact("authorization", "str | Unknown", "NONE | AWS_IAM | CUSTOM | JWT (upper case)", "NONE"),
    fact("api_key_required", "bool | Unknown", "(WebSocket) callers must present an API key", "false"),
)

TERRAFORM = {
    "aws_api_gateway_rest_api": Mapping(APIGW_REST_API, {"name": "name"}),
    "aws_api_gateway_resource": Mapping(APIGW_RESOURCE, {
        "api": "rest_api_id", "parent": "parent_id", "path_part": "path_part"}),
    "aws_api_gateway_method": Mapping(APIGW_METHOD, {
        "api": "rest_api_id",
        "resource": "resource_id",
        "http_method": src("http_method", convert=upper),
        "authorization": src("authorization", convert=upper),
        "api_key_required": src("api_key_required", convert=to_bool),
    }),
    "aws_apigatewayv2_api": Mapping(APIGW_API, {
        "name": "name",
        "protocol": src("protocol_type", convert=upper),
        "quick_create_target": src("target", empty_is_unset=True),
        "quick_create_route": "route_key",
    }),
    "aws_apigatewayv2_route": Mapping(APIGW_ROUTE, {
        "api": "api_id",
        "route_key": "route_key",
        "authorization": src("authorization_type", convert=upper),
        "api_key_required": src("api_key_required", convert=to_bool),
    }),
}

CLOUDFORMATION = {
    "AWS::ApiGateway::RestApi": Mapping(APIGW_REST_API, {"name": "Name"}),
    "AWS::ApiGateway::Resource": Mapping(APIGW_RESOURCE, {
        "api": "RestApiId", "parent": "ParentId", "path_part": "PathPart"}),
    "AWS::ApiGateway::Method": Mapping(APIGW_METHOD, {
        "api": "RestApiId",
        "resource": "ResourceId",
        "http_method": src("HttpMethod", convert=upper),
        "authorization": src("AuthorizationType", convert=upper),
        "api_key_required": src("ApiKeyRequired", convert=to_bool),
    }),
    "AWS::ApiGatewayV2::Api": Mapping(APIGW_API, {
        "name": "Name",
        "protocol": src("ProtocolType", convert=upper),
        "quick_create_target": src("Target", empty_is_unset=True),
        "quick_create_route": "RouteKey",
    }),
    "AWS::ApiGatewayV2::Route": Mapping(APIGW_ROUTE, {
        "api": "ApiId",
        "route_key": "RouteKey",
        "authorization": src("AuthorizationType", convert=upper),
        "api_key_required": src("ApiKeyRequired", convert=to_bool),
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
