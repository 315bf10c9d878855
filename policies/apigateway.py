"""API Gateway policies: methods and routes that anyone can call without credentials, stages that
log no access, custom domain names that accept TLS 1.0."""

from __future__ import annotations

import re
from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import SetFacts
from iac_assist.model import Component, kinds
from iac_assist.model.graph import ResourceGraph

_HTTP_ROUTE = re.compile(r"([A-Za-z]+) +/")
"""An HTTP API route key: a method, a space, a path (``GET /orders``, ``ANY /{proxy+}``)."""


def _path(graph: ResourceGraph, method: Component) -> str | None:
    """The method's resource path (``/orders/{id}``), following parents up to the API's root;
    None when a part is not in the configuration or not known."""
    parts: list[str] = []
    near, value = method, method.get("resource")
    for _ in range(64):
        node = graph.resolve(near, value, kinds.APIGW_RESOURCE, kinds.APIGW_REST_API)
        if node is None:
            return None
        if node.kind == kinds.APIGW_REST_API:
            return "/" + "/".join(reversed(parts))
        part = node.get("path_part")
        if not isinstance(part, str):
            return None
        parts.append(part)
        near, value = node, node.get("parent")
    return None


def _api_name(graph: ResourceGraph, comp: Component, *api_kinds: str) -> str:
    api = graph.resolve(comp, comp.get("api"), *api_kinds)
    return f" of API {api.display}" if api is not None else ""


def _open(comp: Component) -> bool:
    """Authorization NONE (also when unset) and no API key: known values only."""
    return comp.equals("authorization", "NONE", unset="NONE") and comp.is_false("api_key_required", unset=False)


def _route_applies(graph: ResourceGraph, route: Component, key: str) -> bool:
    """Whether a route's own authorization guards it: HTTP API routes other than OPTIONS, and a
    WebSocket API's $connect (its other routes run on a connection $connect let in)."""
    http = _HTTP_ROUTE.match(key)
    if http is not None:
        return http.group(1).upper() != "OPTIONS"
    if key == "$connect":
        return True
    if key != "$default":
        return False  # $disconnect and message routes of a WebSocket API
    api = graph.resolve(route, route.get("api"), kinds.APIGW_API)
    return api is not None and api.equals("protocol", "HTTP", unset="HTTP")


@policy(
    id="IAC-APIGW-001",
    control="apigw-no-authorization",
    title="API Gateway method or route requires no authorization",
    severity="medium",
    stride="SE",
    cwe=306,
    remediation="""
Authorize every method: set `authorization` (Terraform `aws_api_gateway_method`) /
`AuthorizationType` (CloudFormation `AWS::ApiGateway::Method`) to `AWS_IAM`, `COGNITO_USER_POOLS` or
`CUSTOM` with an authorizer, or at least require an API key (`api_key_required` /
`ApiKeyRequired: true`, with a usage plan). For HTTP and WebSocket APIs set `authorization_type` /
`AuthorizationType` on `aws_apigatewayv2_route` / `AWS::ApiGatewayV2::Route` to `JWT`, `AWS_IAM`
or `CUSTOM`; a quick-create HTTP API (`target` / `Target`) cannot authorize its route: define
the routes yourself.
""",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-access-control.html",
    ),
    no_fix="which authorizer the route needs (IAM, Cognito, a Lambda, a JWT issuer) is yours to choose",
)
def apigw_no_authorization(graph: ResourceGraph) -> Iterator[Hit]:
    """A method with authorization NONE and no API key answers anyone who finds the endpoint:
    the backend behind it (a Lambda function, a service integration) then runs for
    unauthenticated callers, with whatever data and permissions it has. Reported: REST API
    methods whose authorization is NONE (also when unset, the CloudFormation default) and that
    do not require an API key; HTTP API routes and WebSocket $connect routes whose authorization
    type is NONE (the default) without an API key requirement; and quick-create HTTP APIs (a
    target on the API itself), whose generated default route has no authorization. OPTIONS
    methods and routes are exempt: browsers send CORS preflight requests without credentials,
    so they cannot be authorized. WebSocket routes other than $connect are exempt too: they run
    on a connection that $connect admitted, and only $connect takes an authorizer. A $default
    route counts as an HTTP API route only when its API is in the configuration and is an HTTP
    API. Unknown values (HTTP method, route key, authorization, API key requirement) are not
    reported. A private endpoint or a resource policy limiting source networks is not taken
    into account: they restrict where calls come from, not who makes them. Methods and routes
    defined only inside an imported OpenAPI body are not seen."""
    for method in graph.of_kind(kinds.APIGW_METHOD):
        verb = method.get("http_method")
        if not isinstance(verb, str) or verb == "OPTIONS" or not _open(method):
            continue
        path = _path(graph, method)
        where = f"{verb} {path}" if path else verb
        yield Hit(method, method.loc_of("authorization"),
                  f"Method {where}{_api_name(graph, method, kinds.APIGW_REST_API)} ({method.display}) has "
                  "authorization NONE and requires no API key: anyone can call it. Set authorization / "
                  "AuthorizationType to AWS_IAM, COGNITO_USER_POOLS or CUSTOM, or require an API key.",
                  cause="authorization:NONE")
    for route in graph.of_kind(kinds.APIGW_ROUTE):
        key = route.get("route_key")
        if not isinstance(key, str) or not _route_applies(graph, route, key) or not _open(route):
            continue
        yield Hit(route, route.loc_of("authorization"),
                  f"Route {key}{_api_name(graph, route, kinds.APIGW_API)} ({route.display}) has authorization type "
                  "NONE: anyone can call it. Set authorization_type / AuthorizationType to JWT, AWS_IAM or CUSTOM.",
                  cause="authorization:NONE")
    for api in graph.of_kind(kinds.APIGW_API):
        if not api.has("quick_create_target") or not api.equals("protocol", "HTTP", unset="HTTP"):
            continue
        key = api.get("quick_create_route", "$default")
        verb = _HTTP_ROUTE.match(key) if isinstance(key, str) else None
        if verb is not None and verb.group(1).upper() == "OPTIONS":
            continue
        shown = key if isinstance(key, str) else "its default route"
        yield Hit(api, api.loc_of("quick_create_target"),
                  f"HTTP API {api.display} is quick-created (target / Target): API Gateway makes route {shown} "
                  "without authorization, so anyone can call the integration. Define the route with "
                  "aws_apigatewayv2_route / AWS::ApiGatewayV2::Route and an authorizer instead.",
                  cause="quick-create")


def _api_of(graph: ResourceGraph, stage: Component) -> str:
    api = graph.resolve(stage, stage.get("api"), kinds.APIGW_REST_API, kinds.APIGW_API)
    return f" of API {api.display}" if api is not None else ""


def _managed_elsewhere(graph: ResourceGraph, stage: Component) -> bool:
    """The stage a deployment names is also a stage resource of the same API (the deployment then
    only points it at itself), or may be: a stage of the same API whose name is not known."""
    api = graph.resolve(stage, stage.get("api"), kinds.APIGW_REST_API)
    if api is None:
        return False
    for other in graph.of_kind(kinds.APIGW_STAGE):
        if other is stage or other.is_true("deployment_stage"):
            continue
        if graph.resolve(other, other.get("api"), kinds.APIGW_REST_API) is not api:
            continue
        name = other.get("name")
        if not isinstance(name, str) or name == stage.get("name"):
            return True
    return False


@policy(
    id="IAC-APIGW-002",
    control="apigw-access-logging-missing",
    title="API Gateway stage has no access logging",
    severity="low",
    stride="R",
    cwe=778,
    remediation="""
Give every stage access log settings that send one line per request to a CloudWatch Logs log group
(or a Kinesis Data Firehose stream): `access_log_settings { destination_arn, format }` on
`aws_api_gateway_stage` and `aws_apigatewayv2_stage`; `AccessLogSetting` on `AWS::ApiGateway::Stage`
(or `StageDescription.AccessLogSetting` on the `AWS::ApiGateway::Deployment` that creates the stage),
`AccessLogSettings` on `AWS::ApiGatewayV2::Stage`; `AccessLogSetting` / `AccessLogSettings` on SAM's
`AWS::Serverless::Api` / `AWS::Serverless::HttpApi`. Include at least `$context.requestId`,
`$context.identity.sourceIp`, the caller identity and `$context.status`. A REST API deployment that
creates a stage of its own (Terraform's deprecated `stage_name`, SAM's extra "Stage" stage) cannot
be given access logs in Terraform: manage the stage with `aws_api_gateway_stage` instead; in SAM,
set `OpenApiVersion` so that the transform creates no "Stage" stage.
""",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/websocket-api-logging.html",
    ),
    no_fix="access logs need a log group and a format that are yours to choose",
)
def apigw_access_logging_missing(graph: ResourceGraph) -> Iterator[Hit]:
    """Access logs are the record of who called the API, from where, with which identity and with
    what result: without them a misuse of the API (credential stuffing, data scraping through an
    authorized but stolen token) cannot be reconstructed or attributed. Execution logs do not
    replace them (they are sampled debugging output, usually off in production). Reported: every
    stage of a REST, HTTP or WebSocket API without access log settings, or whose settings name no
    destination, at the stage (the resource line when the settings are missing). SAM's
    AWS::Serverless::Api and HttpApi are checked through the stages the transform makes. A REST API
    deployment that names a stage creates it: that stage is reported too (CloudFormation's
    StageDescription.AccessLogSetting configures it; Terraform's deprecated stage_name cannot), at
    the deployment's stage name, unless a stage resource of the same API has that name (or a name
    not known): the deployment then only updates that stage; a deployment whose stage name is not
    known (a variable that may be empty, a module's usual "no stage") is not reported. An unknown
    destination or settings block is not reported. The quick-create $default stage of an HTTP API (target on the API) is
    not seen: it is not in the configuration."""
    for stage in graph.of_kind(kinds.APIGW_STAGE):
        if not stage.is_unset("access_log_destination"):
            continue
        name = stage.get("name")
        shown = f"{name!r}" if isinstance(name, str) else "(name not known)"
        where = f"Stage {shown}{_api_of(graph, stage)} ({stage.display})"
        if stage.is_true("deployment_stage"):
            if _managed_elsewhere(graph, stage):
                continue
            fix = ("Give the deployment StageDescription.AccessLogSetting, or manage the stage with "
                   "AWS::ApiGateway::Stage and AccessLogSetting (with SAM, set OpenApiVersion so that no "
                   "'Stage' stage is made)." if stage.source_type.startswith("AWS::") else
                   "Manage the stage with aws_api_gateway_stage and access_log_settings instead of the "
                   "deployment's stage_name.")
            yield Hit(stage, stage.loc,
                      f"{where}, created by the deployment, has no access logging: calls to it leave no trace. {fix}",
                      cause="deployment-stage")
            continue
        yield Hit(stage, stage.loc_of("access_log_destination"),
                  f"{where} has no access logging: calls to it leave no trace. Set access_log_settings / "
                  "AccessLogSetting(s) with a CloudWatch Logs destination and a format.",
                  cause="unset")


WEAK_SECURITY_POLICIES = ("TLS_1_0",)
"""Custom domain name security policies that accept TLS 1.0 (and 1.1)."""


@policy(
    id="IAC-APIGW-003",
    control="apigw-weak-tls",
    title="API Gateway custom domain name accepts TLS 1.0",
    severity="medium",
    stride="IT",
    cwe=326,
    remediation="""
Set the custom domain name's security policy to `TLS_1_2` (or an enhanced `SecurityPolicy_TLS13_*`
policy, with an endpoint access mode): `security_policy` on `aws_api_gateway_domain_name`,
`domain_name_configuration.security_policy` on `aws_apigatewayv2_domain_name`, `SecurityPolicy` on
`AWS::ApiGateway::DomainName`, `DomainNameConfigurations[].SecurityPolicy` on
`AWS::ApiGatewayV2::DomainName`. Check first, in the access logs (`$context.tlsVersion`), that no
client still needs TLS 1.0.
""",
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-custom-domain-tls-version.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies.html",
    ),
    fix=SetFacts({"security_policy": "TLS_1_2"}, note="clients that only speak TLS 1.0 or 1.1 can no longer connect"),
)
def apigw_weak_tls(graph: ResourceGraph) -> Iterator[Hit]:
    """The TLS_1_0 security policy lets clients negotiate TLS 1.0 and 1.1, deprecated (RFC 8996)
    for their weak cipher suites and open to downgrade and padding-oracle attacks: whoever sits on
    the path may read or alter API traffic, tokens included. Reported: custom domain names whose
    security policy is TLS_1_0 (any case), REST (v1) and v2 domain names alike, at the policy. An
    unset policy is not reported: API Gateway gives a new custom domain name TLS_1_2 when none is
    given (it used to give TLS_1_0: a domain name created long ago may still have it, which only
    the deployed resource shows). TLS_1_2 and the enhanced SecurityPolicy_* policies, all TLS 1.2
    or later, pass; an unknown policy is not reported. The default execute-api endpoint of a REST
    API (TLS 1.0 for edge-optimized and Regional APIs unless the API sets an enhanced policy) is
    not a custom domain name and is not checked."""
    for domain in graph.of_kind(kinds.APIGW_DOMAIN_NAME):
        if not domain.one_of("security_policy", WEAK_SECURITY_POLICIES):
            continue
        name = domain.get("name")
        shown = f" {name}" if isinstance(name, str) else ""
        yield Hit(domain, domain.loc_of("security_policy"),
                  f"Custom domain name{shown} ({domain.display}) uses security policy TLS_1_0, which accepts "
                  "TLS 1.0 and 1.1. Set security_policy / SecurityPolicy to TLS_1_2.",
                  cause="policy:TLS_1_0")


POLICIES = [apigw_no_authorization, apigw_access_logging_missing, apigw_weak_tls]
