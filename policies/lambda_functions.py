"""Lambda policies: functions that anyone can invoke, through a function URL or their
resource-based policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from iac_assist.analysis.policy import Hit, policy
from iac_assist.model import Component, Location, Ref, kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.policy_documents import RESTRICTING_KEYS, allows_any, public_principal, restricted

URL_ACTION = "lambda:InvokeFunctionUrl"
INVOKE_ACTIONS = ("lambda:InvokeFunction", URL_ACTION, "lambda:InvokeAsync")
CONDITION_KEYS = (
    # permission fact, the condition Lambda writes into the function's policy statement for it
    ("source_arn", "ArnLike", "AWS:SourceArn"),
    ("source_account", "StringEquals", "AWS:SourceAccount"),
    ("principal_org_id", "StringEquals", "aws:PrincipalOrgID"),
    ("event_source_token", "StringEquals", "lambda:EventSourceToken"),
    ("url_auth_type", "StringEquals", "lambda:FunctionUrlAuthType"),
    ("invoked_via_url", "Bool", "lambda:InvokedViaFunctionUrl"),
)
CONFINING_KEYS = RESTRICTING_KEYS | {"lambda:eventsourcetoken"}
"""Condition keys that confine a statement to known callers: the global ones (source ARN and
account, organization) and Lambda's event source token, a secret the caller must present. The
function URL auth type and "invoked via function URL" say how the function is called, not who
calls it."""


def statement(perm: Component) -> dict[str, Any]:
    """The policy statement a permission adds to its function's resource-based policy."""
    condition: dict[str, dict[str, Any]] = {}
    for fact, operator, key in CONDITION_KEYS:
        if perm.has(fact) and not perm.is_false(fact):
            condition.setdefault(operator, {})[key] = perm.get(fact)
    body: dict[str, Any] = {"Effect": "Allow", "Principal": perm.get("principal"), "Action": perm.get("action")}
    if condition:
        body["Condition"] = condition
    return body


def _url_scoped(perm: Component) -> bool:
    """The permission only applies to calls through a function URL."""
    action = perm.get("action")
    return (isinstance(action, str) and action.lower() == URL_ACTION.lower()) or perm.is_true("invoked_via_url")


def _function_name(value: str) -> str:
    """``orders`` from an ARN, a partial ARN or a qualified name (``orders:live``)."""
    parts = value.split(":")
    if "function" in parts:
        parts = parts[parts.index("function") + 1:]
    return parts[0] if parts and parts[0] else value


def function_of(graph: ResourceGraph, comp: Component) -> tuple[str | None, str]:
    """What identifies the function a URL or permission is for (None when not known), and the
    function's name for messages."""
    value = comp.get("function")
    target = graph.resolve(comp, value, kinds.LAMBDA_FUNCTION)
    if target is None and isinstance(value, str):
        target = graph.resolve(comp, _function_name(value), kinds.LAMBDA_FUNCTION)
    if target is not None:
        return target.id, target.display
    if isinstance(value, Ref):
        named = value.value if isinstance(value.value, str) else value.address
        return f"{comp.scope}#{value.address}", named
    if isinstance(value, str) and value:
        return f"name:{_function_name(value)}", value
    return None, "its function"


def _who(perm: Component) -> str:
    """Who the (public, unconfined) permission lets in, and how."""
    auth = perm.get("url_auth_type")
    if _url_scoped(perm):
        if auth == "NONE":
            return "anyone on the internet can invoke it through its function URL"
        if auth == "AWS_IAM":
            return "any AWS account can invoke it through its function URL (with signed requests)"
        return "anyone can invoke it through its function URL (anyone on the internet if the URL's auth type is NONE)"
    action = perm.get("action")
    body = statement(perm)
    if not isinstance(action, str):
        return "any AWS account is granted an action on it that is not known before deployment"
    if allows_any(body, INVOKE_ACTIONS):
        return "any AWS account can invoke it"
    return f"any AWS account can call {action} on it"


@policy(
    id="IAC-LAMBDA-001",
    control="lambda-public-url",
    title="Lambda function can be invoked by anyone",
    severity="high",
    stride="SE",
    cwe=306,
    remediation="""
Require authentication on function URLs: `authorization_type = "AWS_IAM"` on
`aws_lambda_function_url` (Terraform) / `AuthType: AWS_IAM` on `AWS::Lambda::Url` (CloudFormation),
or put the function behind API Gateway or CloudFront with an authorizer. In permissions
(`aws_lambda_permission` / `AWS::Lambda::Permission`) never grant to `principal` / `Principal` "*"
without a condition: name the account or service principal, and confine service principals with
`source_arn` / `SourceArn` and `source_account` / `SourceAccount` (or `principal_org_id` /
`PrincipalOrgID` for an organization).
""",
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html",
    ),
    no_fix="who must invoke the function is only known to you",
)
def lambda_public_url(graph: ResourceGraph) -> Iterator[Hit]:
    """A function that anyone can invoke runs attacker-chosen input with its own role's
    permissions, and every call is billed to you (denial of wallet). Two ways open it. A
    function URL with auth type NONE is an unauthenticated HTTPS endpoint: reported at its auth
    type, even when the configuration holds no matching public permission (AWS console adds
    one, and NONE declares the intent). A permission (a statement of the function's
    resource-based policy) to principal "*" is reported at its principal unless a condition
    confines who calls: source_arn, source_account, principal_org_id or event_source_token
    (SourceArn, SourceAccount, PrincipalOrgID, EventSourceToken), whatever their value, an
    unknown one included; function_url_auth_type and invoked_via_function_url only say how the
    function is called and confine nothing. Any action counts: invoking, directly or through a
    URL (with IAM auth, any AWS account's signed request gets in), and others such as
    lambda:GetFunction, which hands out the code. A permission that only opens a function URL
    already reported (InvokeFunctionUrl or invoked via the URL, for auth type NONE or any) is
    not reported again: it is named as related to the URL's finding. Permissions to named
    accounts or service principals are not reported (an unconfined service principal is a
    confused-deputy risk, not a public function), nor are unknown principals or auth types.
    Layer version permissions grant use of a layer, not invocation, and are not checked."""
    reported: dict[str, Component] = {}
    for url in graph.of_kind(kinds.LAMBDA_URL):
        if not url.equals("auth_type", "NONE"):
            continue
        key, _ = function_of(graph, url)
        if key is not None:
            reported[key] = url
    openers: dict[str, list[tuple[Location, str]]] = {}
    for perm in graph.of_kind(kinds.LAMBDA_PERMISSION):
        principal = perm.get("principal")
        body = statement(perm)
        if not public_principal(principal) or restricted(body.get("Condition"), CONFINING_KEYS):
            continue
        key, name = function_of(graph, perm)
        if _url_scoped(perm) and perm.equals("url_auth_type", "NONE", unset="NONE") and key in reported:
            openers.setdefault(reported[key].id, []).append(
                (perm.loc_of("principal"), f"{perm.address} lets principal \"*\" invoke it through the URL"))
            continue
        yield Hit(perm, perm.loc_of("principal"),
                  f"Permission {perm.display} on function {name} grants to principal \"*\" without a source_arn, "
                  f"source_account or principal_org_id condition: {_who(perm)}. Name the principal and confine it "
                  "with SourceArn / SourceAccount.",
                  cause=f"principal:*:{perm.get('action') if isinstance(perm.get('action'), str) else '?'}")
    for url in graph.of_kind(kinds.LAMBDA_URL):
        if not url.equals("auth_type", "NONE"):
            continue
        _, name = function_of(graph, url)
        yield Hit(url, url.loc_of("auth_type"),
                  f"Function URL {url.display} of function {name} has auth type NONE: anyone on the internet who "
                  "learns the URL can invoke the function. Set authorization_type / AuthType to AWS_IAM, or front it "
                  "with an authorizer.",
                  cause="auth_type:NONE", related=tuple(openers.get(url.id, ())))


POLICIES = [lambda_public_url]
