"""API Gateway policies: methods and routes that anyone can call without credentials."""

from __future__ import annotations

import re
from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
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


POLICIES = [apigw_no_authorization]
