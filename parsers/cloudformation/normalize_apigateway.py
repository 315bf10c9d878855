"""API Gateway in CloudFormation: what the table (``iac_assist/model/vocabulary/apigateway.py``)
cannot say: the stage a deployment's ``StageName`` creates (SAM's generated deployments name one,
"Stage", unless the API sets OpenApiVersion)."""

from __future__ import annotations

from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.apigateway import deployment_stage


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::ApiGateway::Deployment")(deployment)


def deployment(res: SourceResource, b: ModelBuilder) -> None:
    deployment_stage(b, res, "cloudformation", "StageName")
