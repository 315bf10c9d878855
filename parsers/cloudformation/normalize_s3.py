"""S3 buckets in CloudFormation: what the table (``iac_assist/model/vocabulary/s3.py``) cannot
say (versioning, server access logging and default encryption configurations) and bucket
policies, folded onto their bucket."""

from __future__ import annotations

import json
from typing import Any

from iac_assist.model import Component, Ref, Unknown
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.kinds import S3_BUCKET, S3_BUCKET_POLICY
from iac_assist.model.resource import SourceResource


def register(normalizer: Normalizer) -> None:
    normalizer.extend("AWS::S3::Bucket")(bucket)
    normalizer.register("AWS::S3::BucketPolicy", phase=1)(bucket_policy)


def bucket(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    """What the table cannot say: configurations whose shape differs from Terraform's."""
    _versioning(comp, res)
    _logging(comp, res)
    _encryption(comp, res)


def _versioning(comp: Component, res: SourceResource) -> None:
    if not res.has("VersioningConfiguration"):
        return
    config = res.get("VersioningConfiguration")
    if not isinstance(config, dict):
        comp.set("versioning", Unknown("VersioningConfiguration not known"), res.at("VersioningConfiguration"))
        return
    comp.set("versioning", config.get("Status", Unknown("no Status")), res.at("VersioningConfiguration", "Status"))


def _logging(comp: Component, res: SourceResource) -> None:
    if not res.has("LoggingConfiguration"):
        return
    config = res.get("LoggingConfiguration")
    if not isinstance(config, dict):
        comp.set("logging_target", Unknown("LoggingConfiguration not known"), res.at("LoggingConfiguration"))
    elif "DestinationBucketName" in config:
        comp.set("logging_target", config["DestinationBucketName"],
                 res.at("LoggingConfiguration", "DestinationBucketName"))
    else:
        # Without a destination, S3 writes the logs into the bucket itself.
        comp.set("logging_target", Ref(res.address), res.at("LoggingConfiguration"))


def _encryption(comp: Component, res: SourceResource) -> None:
    path = ("BucketEncryption", "ServerSideEncryptionConfiguration")
    if not res.has("BucketEncryption"):
        return
    rules = res.get(*path)
    if not isinstance(rules, list):
        comp.set("encryption", Unknown("BucketEncryption not known"), res.at(*path))
        return
    for i, rule in enumerate(rules):
        if not isinstance(rule, dict):
            comp.set("encryption", Unknown("encryption rule not known"), res.at(*path, i))
            return
        default = rule.get("ServerSideEncryptionByDefault")
        if default is None:
            continue  # a rule with only BucketKeyEnabled: the AWS default (SSE-S3) stays
        if isinstance(default, dict):
            algorithm = default.get("SSEAlgorithm", Unknown("no SSEAlgorithm"))
        else:
            algorithm = Unknown("ServerSideEncryptionByDefault not known")
        comp.set("encryption", algorithm, res.at(*path, i, "ServerSideEncryptionByDefault", "SSEAlgorithm"))
        return


def bucket_policy(res: SourceResource, builder: ModelBuilder) -> None:
    target = res.get("Bucket")
    owner = builder.owner(target, S3_BUCKET)
    if owner is None:
        # A bucket of another stack (a parameter, a literal name, an import): the policy is still
        # this template's, and judged on its own.
        comp = builder.add(res, S3_BUCKET_POLICY)
        comp.set("targets", [target] if target is not None else [], res.at("Bucket"))
        builder.copy(comp, "policy", res, "PolicyDocument", convert=_document)
        return
    builder.copy(owner, "policy", res, "PolicyDocument", convert=_document)


def _document(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return Unknown("policy document is not valid JSON")
    return Unknown("policy document is not a mapping")
