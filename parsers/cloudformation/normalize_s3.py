"""S3 buckets and their bucket policies."""

from __future__ import annotations

import json
from typing import Any

from iac_assist.kinds import S3_BUCKET
from iac_assist.model import Unknown
from iac_assist.normalize import ModelBuilder, Normalizer
from iac_assist.parsers.cloudformation.convert import fold_target, to_bool
from iac_assist.resource import SourceResource

# CloudFormation spells canned ACLs in PascalCase; the vocabulary uses S3's own spelling.
_CANNED_ACLS = {
    "Private": "private",
    "PublicRead": "public-read",
    "PublicReadWrite": "public-read-write",
    "AuthenticatedRead": "authenticated-read",
    "LogDeliveryWrite": "log-delivery-write",
    "BucketOwnerRead": "bucket-owner-read",
    "BucketOwnerFullControl": "bucket-owner-full-control",
    "AwsExecRead": "aws-exec-read",
}

_PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": "block_public_acls",
    "BlockPublicPolicy": "block_public_policy",
    "IgnorePublicAcls": "ignore_public_acls",
    "RestrictPublicBuckets": "restrict_public_buckets",
}


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::S3::Bucket")(bucket)
    normalizer.register("AWS::S3::BucketPolicy", phase=1)(bucket_policy)


def bucket(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, S3_BUCKET)
    builder.copy(comp, "name", res, "BucketName")
    builder.copy(comp, "acl", res, "AccessControl", convert=_canned_acl)
    builder.copy(
        comp, "public_access_block", res, "PublicAccessBlockConfiguration", convert=_public_access_block
    )


def bucket_policy(res: SourceResource, builder: ModelBuilder) -> None:
    owner = fold_target(builder, res, res.get("Bucket"), S3_BUCKET)
    if owner is not None:
        builder.copy(owner, "policy", res, "PolicyDocument", convert=_document)


def _canned_acl(value: Any) -> Any:
    return _CANNED_ACLS.get(value, value) if isinstance(value, str) else value


def _public_access_block(value: Any) -> Any:
    if not isinstance(value, dict):
        return Unknown("PublicAccessBlockConfiguration is not a mapping")
    # Only the settings written down: the vocabulary reads a missing one as false, as S3 does.
    return {ours: to_bool(value[theirs]) for theirs, ours in _PUBLIC_ACCESS_BLOCK.items() if theirs in value}


def _document(value: Any) -> Any:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return Unknown("policy document is not valid JSON")
    return Unknown("policy document is not a mapping")
