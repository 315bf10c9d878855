"""API Gateway in Terraform: what the table (``iac_assist/model/vocabulary/apigateway.py``) cannot
say: the stage a deployment's (deprecated) ``stage_name`` creates, and a REST API's resource
policy, inline or folded from ``aws_api_gateway_rest_api_policy``."""

from __future__ import annotations

from iac_assist.model import Component, kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.model.satellites import fold_policy
from iac_assist.model.vocabulary.apigateway import deployment_stage
from iac_assist.parsers.terraform.normalize_messaging import document, set_inline, written_policy
from iac_assist.parsers.terraform.normalizer import NORMALIZER

_OPENAPI_POLICY = "x-amazon-apigateway-policy"


@NORMALIZER.register("aws_api_gateway_deployment")
def deployment(res: SourceResource, b: ModelBuilder) -> None:
    deployment_stage(b, res, "terraform", "stage_name")


@NORMALIZER.extend("aws_api_gateway_rest_api")
def rest_api(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    """The policy argument, else the ``x-amazon-apigateway-policy`` of an OpenAPI body."""
    set_inline(comp, res)
    if not comp.has("policy") and res.get("body") not in (None, ""):
        body = document(res.get("body"))
        if isinstance(body, dict) and body.get(_OPENAPI_POLICY) is not None:
            comp.set("policy", document(body[_OPENAPI_POLICY]), res.at("body"))


@NORMALIZER.register("aws_api_gateway_rest_api_policy", phase=1)
def rest_api_policy(res: SourceResource, b: ModelBuilder) -> None:
    fold_policy(b, res, res.get("rest_api_id"), kinds.APIGW_REST_API, written_policy(res), res.at("policy"))
