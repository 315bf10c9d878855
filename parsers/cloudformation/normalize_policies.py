"""Resource policies written inline as a property (a mapping or JSON text): the ``policy`` fact of
ECR repositories (RepositoryPolicyText), EFS file systems (FileSystemPolicy), KMS keys
(KeyPolicy), OpenSearch / Elasticsearch domains (AccessPolicies) and REST APIs (Policy, else the
``x-amazon-apigateway-policy`` of the OpenAPI Body, where SAM writes Auth.ResourcePolicy)."""

from __future__ import annotations

from iac_assist.model import Component
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.cloudformation.normalize_iam import decode

_PROPERTY = {
    "AWS::ECR::Repository": "RepositoryPolicyText",
    "AWS::EFS::FileSystem": "FileSystemPolicy",
    "AWS::KMS::Key": "KeyPolicy",
    "AWS::OpenSearchService::Domain": "AccessPolicies",
    "AWS::Elasticsearch::Domain": "AccessPolicies",
    "AWS::ApiGateway::RestApi": "Policy",
}


def register(normalizer: Normalizer) -> None:
    normalizer.extend(*_PROPERTY)(inline_policy)


def inline_policy(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    prop = _PROPERTY[res.type]
    written = res.get(prop)
    if written is not None and written != "":
        comp.set("policy", decode(written), res.at(prop))
    elif res.type == "AWS::ApiGateway::RestApi" and isinstance(res.get("Body"), dict):
        extension = res.get("Body", _OPENAPI_POLICY)
        if extension is not None:
            comp.set("policy", decode(extension), res.at("Body", _OPENAPI_POLICY))


_OPENAPI_POLICY = "x-amazon-apigateway-policy"
