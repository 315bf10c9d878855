"""API Gateway: REST APIs with their resources and methods (v1), HTTP and WebSocket APIs with their
routes (v2), the stages of both (with the stage a REST API deployment names) and custom domain
names."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from iac_assist.model import Ref, Unknown
from iac_assist.model.convert import as_text, to_bool, upper
from iac_assist.model.mapping import Mapping, apply, src
from iac_assist.model.vocabulary import fact, kind

if TYPE_CHECKING:  # the builder imports the kinds, which import this module
    from iac_assist.model.builder import ModelBuilder
    from iac_assist.model.resource import SourceResource

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
APIGW_STAGE = kind(
    "apigateway.stage", """A stage of a REST API (aws_api_gateway_stage, AWS::ApiGateway::Stage) or of an HTTP or
    WebSocket API (aws_apigatewayv2_stage, AWS::ApiGatewayV2::Stage); also the stage a REST API deployment
    creates when it names one (stage_name of aws_api_gateway_deployment, StageName and StageDescription of
    AWS::ApiGateway::Deployment): a part of the deployment, at its address, with id "<address>/stage". It
    is a part of its API in the graph.""",
    _API,
    fact("name", "str | Unknown", "stage name (stage_name / StageName / name)"),
    fact("access_log_destination", "Ref | str | Unknown",
         """where access logs go: a CloudWatch Logs log group or Firehose stream ARN
         (access_log_settings.destination_arn / AccessLogSetting(s).DestinationArn); Unknown when the
         settings block itself is not known""", "no access logging"),
    fact("deployment_stage", "bool", "True for the stage a deployment creates (always set then)", "false"),
)
APIGW_DOMAIN_NAME = kind(
    "apigateway.domain_name", """A custom domain name: aws_api_gateway_domain_name and AWS::ApiGateway::DomainName
    (REST APIs), aws_apigatewayv2_domain_name and AWS::ApiGatewayV2::DomainName (any API: its first, and
    only, domain name configuration).""",
    fact("name", "str | Unknown", "the domain name"),
    fact("security_policy", "str | Unknown",
         """TLS_1_0 | TLS_1_2 (the legacy policies, upper case) or an enhanced SecurityPolicy_* name as
         written""", "TLS_1_2 (what API Gateway gives a new custom domain name without one)"),
)

# --- converters -----------------------------------------------------------------------------------


def log_destination(value: Any) -> Any:
    """Read from the destination ARN, then from the settings block itself (second path of the
    source): an ARN passes (an empty one too, which the policy reads as none, at its line); a
    block written without a destination is no destination (None); a block that is not a block
    (unknown, a dynamic block's unknown entries) is Unknown."""
    if isinstance(value, dict):
        return None
    if isinstance(value, list):
        if all(isinstance(entry, dict) for entry in value):
            return None
        return Unknown("the access log settings are not known")
    return value if isinstance(value, (str, Ref)) else Unknown(f"not a destination: {type(value).__name__}")


def security_policy(value: Any) -> Any:
    """The legacy policy names upper case (tls_1_0 is TLS_1_0); enhanced ones as written."""
    value = as_text(value)
    if isinstance(value, str) and value.upper() in ("TLS_1_0", "TLS_1_2"):
        return value.upper()
    return value


def _log_settings(block: str, destination: str, *within: str, nested_block: bool = False) -> Any:
    """The destination of the access log settings ``block`` (a Terraform nested block when
    ``nested_block``), else the block, else what holds it (``within``), through ``log_destination``."""
    at = (*within, block, 0) if nested_block else (*within, block)
    return src((*at, destination), (*within, block), *([within] if within else []), convert=log_destination)


# A REST API deployment that names a stage creates it (Terraform's deprecated stage_name, which
# cannot configure access logs; CloudFormation's StageName with StageDescription).
DEPLOYMENT_STAGE = {
    "terraform": Mapping(APIGW_STAGE, {"api": "rest_api_id", "name": "stage_name"}),
    "cloudformation": Mapping(APIGW_STAGE, {
        "api": "RestApiId", "name": "StageName",
        "access_log_destination": _log_settings("AccessLogSetting", "DestinationArn", "StageDescription"),
    }),
}


def deployment_stage(builder: ModelBuilder, res: SourceResource, front_end: str, name_key: str) -> None:
    """A deployment stays an ``other`` component; the stage it names, if any, is a part of it. A
    name not known makes no stage: an empty one (a module's usual "none") would make none."""
    builder.add(res, "other").set("attributes", res.body)
    name = res.get(name_key)
    if not isinstance(name, str) or name == "":
        return
    part = builder.add(res, APIGW_STAGE, id=f"{res.address}/stage", loc=res.at(name_key))
    apply(DEPLOYMENT_STAGE[front_end], part, res)
    part.set("deployment_stage", True, part.loc)


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
    ("aws_api_gateway_stage", "aws_apigatewayv2_stage"): Mapping(APIGW_STAGE, {
        "api": src("rest_api_id", "api_id"),
        "name": src("stage_name", "name"),
        "access_log_destination": _log_settings("access_log_settings", "destination_arn", nested_block=True),
    }),
    "aws_api_gateway_domain_name": Mapping(APIGW_DOMAIN_NAME, {
        "name": "domain_name", "security_policy": src("security_policy", convert=security_policy)}),
    "aws_apigatewayv2_domain_name": Mapping(APIGW_DOMAIN_NAME, {
        "name": "domain_name",
        "security_policy": src(("domain_name_configuration", 0, "security_policy"), convert=security_policy),
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
    "AWS::ApiGateway::Stage": Mapping(APIGW_STAGE, {
        "api": "RestApiId", "name": "StageName",
        "access_log_destination": _log_settings("AccessLogSetting", "DestinationArn"),
    }),
    "AWS::ApiGatewayV2::Stage": Mapping(APIGW_STAGE, {
        "api": "ApiId", "name": "StageName",
        "access_log_destination": _log_settings("AccessLogSettings", "DestinationArn"),
    }),
    "AWS::ApiGateway::DomainName": Mapping(APIGW_DOMAIN_NAME, {
        "name": "DomainName", "security_policy": src("SecurityPolicy", convert=security_policy)}),
    "AWS::ApiGatewayV2::DomainName": Mapping(APIGW_DOMAIN_NAME, {
        "name": "DomainName",
        "security_policy": src(("DomainNameConfigurations", 0, "SecurityPolicy"), convert=security_policy),
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
