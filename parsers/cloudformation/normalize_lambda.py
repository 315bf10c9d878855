"""Lambda functions, function URLs and the permissions of their resource-based policies."""

from __future__ import annotations

from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import to_bool, upper
from iac_assist.model.kinds import LAMBDA_FUNCTION, LAMBDA_PERMISSION, LAMBDA_URL
from iac_assist.model.resource import SourceResource

CONDITIONS = {
    "SourceArn": "source_arn",
    "SourceAccount": "source_account",
    "PrincipalOrgID": "principal_org_id",
    "EventSourceToken": "event_source_token",
}
"""Permission properties that become conditions of the policy statement, and their facts."""


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::Lambda::Function")(function)
    normalizer.register("AWS::Lambda::Url")(function_url)
    normalizer.register("AWS::Lambda::Permission")(permission)


def function(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, LAMBDA_FUNCTION)
    builder.copy(comp, "name", res, "FunctionName")


def function_url(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, LAMBDA_URL)
    builder.copy(comp, "function", res, "TargetFunctionArn")
    builder.copy(comp, "auth_type", res, "AuthType", convert=upper)


def permission(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, LAMBDA_PERMISSION)
    builder.copy(comp, "function", res, "FunctionName")
    builder.copy(comp, "principal", res, "Principal")
    builder.copy(comp, "action", res, "Action")
    builder.copy(comp, "url_auth_type", res, "FunctionUrlAuthType", convert=upper)
    builder.copy(comp, "invoked_via_url", res, "InvokedViaFunctionUrl", convert=to_bool)
    for prop, fact in CONDITIONS.items():
        if res.get(prop) not in (None, ""):
            builder.copy(comp, fact, res, prop)
