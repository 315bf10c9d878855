"""S3 in Terraform: the bucket and its satellites (ACL, policy, public access block)."""

from __future__ import annotations

from typing import Any

from iac_assist import kinds
from iac_assist.model import Fact, Ref
from iac_assist.normalize import ModelBuilder, to_bool
from iac_assist.parsers.terraform.normalizer import NORMALIZER
from iac_assist.parsers.terraform.values import decode_document
from iac_assist.resource import SourceResource

PAB_KEYS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
GROUP_URIS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
}


@NORMALIZER.register("aws_s3_bucket")
def bucket(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.S3_BUCKET)
    b.copy(comp, "name", res, "bucket")
    # Provider v3 style: ACL, grants and policy inline on the bucket.
    b.copy(comp, "acl", res, "acl")
    if res.has("policy"):
        comp.set("policy", decode_document(res.get("policy")), res.at("policy"))
    grants = _inline_grants(res)
    if grants:
        comp.set("grants", grants, res.at("grant"))


def _inline_grants(res: SourceResource) -> list[Fact]:
    grants = []
    for i, grant in res.blocks("grant"):
        grantee = GROUP_URIS.get(grant.get("uri"), grant.get("id") or grant.get("uri") or "")
        for permission in grant.get("permissions") or []:
            grants.append(Fact({"grantee": grantee, "permission": permission}, res.at("grant", i)))
    return grants


def _owner(res: SourceResource, b: ModelBuilder, attr: str = "bucket") -> Any:
    target = res.get(attr)
    owner = b.owner(target, kinds.S3_BUCKET)
    if owner is None and not isinstance(target, Ref):
        b.error(res.at(attr), f"{res.address}: bucket {target!r} is not defined in this configuration")
    return owner


@NORMALIZER.register("aws_s3_bucket_acl", phase=1)
def bucket_acl(res: SourceResource, b: ModelBuilder) -> None:
    owner = _owner(res, b)
    if owner is None:
        return
    b.copy(owner, "acl", res, "acl")
    grants: list[Fact] = []
    for i, policy in res.blocks("access_control_policy"):
        for j, grant in enumerate(policy.get("grant") or []):
            grantee_blocks = grant.get("grantee") or [{}]
            grantee = grantee_blocks[0] if isinstance(grantee_blocks, list) and grantee_blocks else {}
            who = GROUP_URIS.get(grantee.get("uri"), grantee.get("id") or grantee.get("uri") or "")
            loc = res.at("access_control_policy", i, "grant", j)
            grants.append(Fact({"grantee": who, "permission": grant.get("permission")}, loc))
    if grants:
        owner.set("grants", grants, res.at("access_control_policy"), origin=res.address)


@NORMALIZER.register("aws_s3_bucket_policy", phase=1)
def bucket_policy(res: SourceResource, b: ModelBuilder) -> None:
    owner = _owner(res, b)
    if owner is not None and res.has("policy"):
        owner.set("policy", decode_document(res.get("policy")), res.at("policy"), origin=res.address)


@NORMALIZER.register("aws_s3_bucket_public_access_block", phase=1)
def bucket_public_access_block(res: SourceResource, b: ModelBuilder) -> None:
    owner = _owner(res, b)
    if owner is not None:
        owner.set("public_access_block", _pab(res), res.loc, origin=res.address)


@NORMALIZER.register("aws_s3_account_public_access_block")
def account_public_access_block(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.S3_ACCOUNT_PAB)
    comp.set("public_access_block", _pab(res), res.loc)


def _pab(res: SourceResource) -> dict[str, Any]:
    return {key: to_bool(res.get(key, default=False)) for key in PAB_KEYS}


@NORMALIZER.register("aws_s3_bucket_ownership_controls", phase=1)
def bucket_ownership_controls(res: SourceResource, b: ModelBuilder) -> None:
    owner = _owner(res, b)
    rules = res.blocks("rule")
    if owner is not None and rules:
        i, rule = rules[0]
        if "object_ownership" in rule:
            owner.set("object_ownership", rule["object_ownership"], res.at("rule", i, "object_ownership"),
                      origin=res.address)
