"""API Gateway in Terraform: what the table (``iac_assist/model/vocabulary/apigateway.py``) cannot
say: the stage a deployment's (deprecated) ``stage_name`` creates."""

from __future__ import annotations

from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.apigateway import deployment_stage
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.register("aws_api_gateway_deployment")
def deployment(res: SourceResource, b: ModelBuilder) -> None:
    deployment_stage(b, res, "terraform", "stage_name")
