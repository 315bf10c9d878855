"""S3 in Terraform: what the table (``iac_assist/model/vocabulary/s3.py``) cannot say of a bucket,
and its satellites (ACL, policy, public access block, versioning,
server access logging, default encryption), in provider v4+ satellites and v3 inline blocks alike."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Component, Fact, Ref, Unknown, is_known, kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import as_text, first_block, first_set, known_items, to_bool
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.s3 import PAB_KEYS
from iac_assist.parsers.terraform.normalizer import NORMALIZER
from iac_assist.parsers.terraform.values import decode_document

GROUP_URIS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers",
    "http://acs.amazonaws.com/groups/s3/LogDelivery": "LogDelivery",
}


@NORMALIZER.extend("aws_s3_bucket")
def bucket(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    """Provider v3 style: grants and policy inline on the bucket (its name and ACL are the table's).
    The policy is not a table row: a reference to a policy document stands for its value, which
    the decoding must see."""
    if res.has("policy"):
        comp.set("policy", decode_document(res.get("policy")), res.at("policy"))
    grants = _inline_grants(res)
    if grants:
        comp.set("grants", grants, res.at("grant"))
    # Provider v3 style: versioning, logging and default encryption as nested blocks. A v4+
    # satellite (phase 1) overrides what the bucket says, as it does in AWS.
    versioning = _first_block(res, "versioning")
    if versioning is not None:
        i, block = versioning
        enabled = to_bool(block.get("enabled", False))
        status = ("Enabled" if enabled else "Suspended") if is_known(enabled) else Unknown("enabled unknown")
        comp.set("versioning", status, res.at("versioning", i, "enabled"))
    logging = _first_block(res, "logging")
    if logging is not None:
        i, block = logging
        comp.set("logging_target", block.get("target_bucket", Unknown("no target_bucket")),
                 res.at("logging", i, "target_bucket"))
    sse = _first_block(res, "server_side_encryption_configuration")
    if sse is not None:
        i, block = sse
        _encryption(comp, res, block.get("rule"), ("server_side_encryption_configuration", i))


def _first_block(res: SourceResource, name: str) -> tuple[int, dict[str, Any]] | None:
    """The first nested block ``name`` with its index, None when there is none.

    A configuration cannot make a whole block unknown (a dynamic block over unknown values still
    yields a block); a plan does, for these attributes that provider v4+ only computes: that is the
    provider reporting AWS's state, not a setting, so it reads as absent."""
    blocks = res.blocks(name)
    return blocks[0] if blocks else None


def _encryption(comp: Component, res: SourceResource, rules: Any, path: tuple[str | int, ...]) -> None:
    """Default encryption from ``rule`` blocks: the algorithm of the first rule that sets one (a
    rule with only ``bucket_key_enabled`` leaves the AWS default, SSE-S3)."""
    origin = res.address if res.address != comp.address else ""
    if isinstance(rules, (Unknown, Ref)):
        comp.set("encryption", Unknown("encryption rules not known before apply"), res.at(*path), origin=origin)
        return
    for i, rule in enumerate(rules if isinstance(rules, list) else []):
        applied = rule.get("apply_server_side_encryption_by_default") if isinstance(rule, dict) else None
        if isinstance(applied, (Unknown, Ref)):
            comp.set("encryption", Unknown("default encryption not known before apply"),
                     res.at(*path, "rule", i), origin=origin)
            return
        if isinstance(applied, list) and applied and isinstance(applied[0], dict):
            where = (*path, "rule", i, "apply_server_side_encryption_by_default", 0, "sse_algorithm")
            comp.set("encryption", applied[0].get("sse_algorithm", Unknown("no sse_algorithm")), res.at(*where),
                     origin=origin)
            return


def _inline_grants(res: SourceResource) -> list[Fact]:
    grants = []
    for i, grant in res.blocks("grant"):
        uri = as_text(grant.get("uri"))
        grantee = GROUP_URIS.get(uri, first_set(as_text(grant.get("id")), uri, ""))
        for permission in known_items(grant.get("permissions")):
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
        for j, grant in enumerate(known_items(policy.get("grant"))):
            if not isinstance(grant, dict):
                continue
            grantee = first_block(grant.get("grantee")) or {}
            uri = as_text(grantee.get("uri"))
            who = GROUP_URIS.get(uri, first_set(as_text(grantee.get("id")), uri, ""))
            loc = res.at("access_control_policy", i, "grant", j)
            grants.append(Fact({"grantee": who, "permission": grant.get("permission")}, loc))
    if grants:
        owner.set("grants", grants, res.at("access_control_policy"), origin=res.address)


@NORMALIZER.register("aws_s3_bucket_policy", phase=1)
def bucket_policy(res: SourceResource, b: ModelBuilder) -> None:
    target = res.get("bucket")
    owner = b.owner(target, kinds.S3_BUCKET)
    if owner is None:
        # A bucket of another configuration (a variable, a literal name, a data source): the
        # policy is still this configuration's, and judged on its own.
        comp = b.add(res, kinds.S3_BUCKET_POLICY)
        comp.set("targets", [target] if target is not None else [], res.at("bucket"))
        if res.has("policy"):
            comp.set("policy", decode_document(res.get("policy")), res.at("policy"))
        return
    if res.has("policy"):
        owner.set("policy", decode_document(res.get("policy")), res.at("policy"), origin=res.address)


@NORMALIZER.register("aws_s3_bucket_public_access_block", phase=1)
def bucket_public_access_block(res: SourceResource, b: ModelBuilder) -> None:
    owner = _owner(res, b)
    if owner is not None:
        owner.set("public_access_block", _pab(res), res.loc, origin=res.address)


@NORMALIZER.extend("aws_s3_account_public_access_block")
def account_public_access_block(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    # The whole resource is the block.
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


@NORMALIZER.register("aws_s3_bucket_versioning", phase=1)
def bucket_versioning(res: SourceResource, b: ModelBuilder) -> None:
    owner = _owner(res, b)
    if owner is None:
        return
    blocks = res.blocks("versioning_configuration")
    if not blocks:
        owner.set("versioning", Unknown("versioning_configuration not known before apply"), res.loc,
                  origin=res.address)
        return
    i, block = blocks[0]
    status = block.get("status", Unknown("no status"))
    # "Disabled" (only valid when the bucket is created) means never enabled: the vocabulary has
    # one word for "not versioning".
    if status == "Disabled":
        status = "Suspended"
    owner.set("versioning", status, res.at("versioning_configuration", i, "status"), origin=res.address)


@NORMALIZER.register("aws_s3_bucket_logging", phase=1)
def bucket_logging(res: SourceResource, b: ModelBuilder) -> None:
    owner = _owner(res, b)
    if owner is not None:
        owner.set("logging_target", res.get("target_bucket", default=Unknown("no target_bucket")),
                  res.at("target_bucket"), origin=res.address)


@NORMALIZER.register("aws_s3_bucket_server_side_encryption_configuration", phase=1)
def bucket_encryption(res: SourceResource, b: ModelBuilder) -> None:
    owner = _owner(res, b)
    if owner is not None:
        _encryption(owner, res, res.get("rule"), ())
