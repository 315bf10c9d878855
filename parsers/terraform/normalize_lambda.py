"""Lambda in Terraform: functions, function URLs and the permissions of resource-based policies."""

from __future__ import annotations

from iac_assist.model import kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import to_bool, upper
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalizer import NORMALIZER

CONDITIONS = ("source_arn", "source_account", "principal_org_id", "event_source_token")
"""Permission attributes that become conditions of the policy statement (same fact names)."""


@NORMALIZER.register("aws_lambda_function")
def function(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.LAMBDA_FUNCTION)
    b.copy(comp, "name", res, "function_name")


@NORMALIZER.register("aws_lambda_function_url")
def function_url(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.LAMBDA_URL)
    b.copy(comp, "function", res, "function_name")
    b.copy(comp, "auth_type", res, "authorization_type", convert=upper)


@NORMALIZER.register("aws_lambda_permission")
def permission(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.LAMBDA_PERMISSION)
    b.copy(comp, "function", res, "function_name")
    b.copy(comp, "principal", res, "principal")
    b.copy(comp, "action", res, "action")
    b.copy(comp, "url_auth_type", res, "function_url_auth_type", convert=upper)
    b.copy(comp, "invoked_via_url", res, "invoked_via_function_url", convert=to_bool)
    for attr in CONDITIONS:
        if res.get(attr) not in (None, ""):
            b.copy(comp, attr, res, attr)
