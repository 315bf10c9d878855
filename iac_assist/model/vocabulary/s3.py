"""S3: buckets (with what their satellites fold onto them: ACL, policy, public access block,
ownership, versioning, server access logging, default encryption), the account's public access
block, and bucket policies for buckets the configuration does not define."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Unknown
from iac_assist.model.convert import to_bool
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

_PUBLIC_ACCESS_BLOCK = fact(
    "public_access_block", "dict",
    """{"block_public_acls", "block_public_policy", "ignore_public_acls",
    "restrict_public_buckets"}: bool | Unknown""", "no block; a missing key means false")
_POLICY = fact("policy", "dict | Unknown", "the bucket policy document (parsed JSON)", "no bucket policy")

S3_BUCKET = kind(
    "s3.bucket", "An S3 bucket; provider v4+ satellites and v3 inline blocks alike fold onto it.",
    fact("name", "str", "bucket name when configured"),
    fact("acl", "str", "canned ACL: private, public-read, public-read-write, authenticated-read, ..."),
    fact("grants", "list[Fact[dict]]",
         """each {"grantee": "AllUsers" | "AuthenticatedUsers" | other id, "permission": READ | WRITE |
         READ_ACP | WRITE_ACP | FULL_CONTROL}; one Fact per grant, so each keeps its line"""),
    _POLICY,
    fact("object_ownership", "str",
         "BucketOwnerEnforced | BucketOwnerPreferred | ObjectWriter (Enforced disables ACLs)"),
    _PUBLIC_ACCESS_BLOCK,
    fact("versioning", "str | Unknown",
         """Enabled | Suspended ("Suspended" also stands for never enabled: v3 enabled = false, v4
         status Disabled)""", "never enabled"),
    fact("logging_target", "Ref | str | Unknown",
         """target bucket of server access logging (a literal is a bucket name; a CloudFormation
         configuration without destination logs into the bucket itself)""", "no server access logging"),
    fact("encryption", "str | Unknown", "default encryption: AES256 | aws:kms | aws:kms:dsse",
         "the AWS default, SSE-S3 (AES256)"),
)
S3_ACCOUNT_PAB = kind(
    "s3.account_public_access_block", "The account's S3 public access block (Terraform only).",
    _PUBLIC_ACCESS_BLOCK,
)
S3_BUCKET_POLICY = kind(
    "s3.bucket_policy",
    """A bucket policy resource (aws_s3_bucket_policy, AWS::S3::BucketPolicy) for a bucket the
    configuration does not define (a variable or parameter, a literal name, a data source, an
    import).""",
    _POLICY,
    fact("targets", "list[Ref | str | Unknown]", "the bucket it names"),
)

PAB_KEYS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")

# --- converters -----------------------------------------------------------------------------------

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
_CFN_PUBLIC_ACCESS_BLOCK = {
    "BlockPublicAcls": "block_public_acls",
    "BlockPublicPolicy": "block_public_policy",
    "IgnorePublicAcls": "ignore_public_acls",
    "RestrictPublicBuckets": "restrict_public_buckets",
}


def canned_acl(value: Any) -> Any:
    """CloudFormation's AccessControl (PublicRead) as the vocabulary's canned ACL (public-read)."""
    return _CANNED_ACLS.get(value, value) if isinstance(value, str) else value


def public_access_block(value: Any) -> Any:
    """PublicAccessBlockConfiguration as the vocabulary's block."""
    if not isinstance(value, dict):
        return Unknown("PublicAccessBlockConfiguration is not a mapping")
    # Only the settings written down: the vocabulary reads a missing one as false, as S3 does.
    return {ours: to_bool(value[theirs]) for theirs, ours in _CFN_PUBLIC_ACCESS_BLOCK.items() if theirs in value}


# --- Terraform ------------------------------------------------------------------------------------
# The bucket's inline policy, grants, versioning, logging and encryption blocks (provider v3), its
# satellites (v4+) and the account's block (the whole resource is the block) are the front end's
# code (parsers/terraform/normalize_s3.py).

TERRAFORM = {
    "aws_s3_bucket": Mapping(S3_BUCKET, {"name": "bucket", "acl": "acl"}),
    "aws_s3_account_public_access_block": Mapping(S3_ACCOUNT_PAB),
}

# --- CloudFormation -------------------------------------------------------------------------------
# Versioning, logging and encryption configurations and bucket policies are the front end's code
# (parsers/cloudformation/normalize_s3.py).

CLOUDFORMATION = {
    "AWS::S3::Bucket": Mapping(S3_BUCKET, {
        "name": "BucketName",
        "acl": src("AccessControl", convert=canned_acl),
        "public_access_block": src("PublicAccessBlockConfiguration", convert=public_access_block),
        # Terraform's aws_s3_bucket_ownership_controls reads its first rule alike.
        "object_ownership": src(("OwnershipControls", "Rules", 0, "ObjectOwnership")),
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
