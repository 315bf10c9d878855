"""Policy resources folded onto their owner (``aws_kms_key_policy`` → the key's ``policy``,
``AWS::SecretsManager::ResourcePolicy`` → the secret's), located at the policy resource, which
replaces an inline policy as AWS applies it. A policy resource whose owner is not defined here (a
data source, a literal ARN of another configuration, a value not known statically) becomes a
``resource_policy`` component (or, for a search domain, an ``other``, its body kept for
references)."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Component, Location
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import to_bool
from iac_assist.model.resource import SourceResource

ORPHAN_POLICY_OWNERS = {"kms.key", "secretsmanager.secret", "ecr.repository", "efs.file_system",
                        "apigateway.rest_api"}
"""Kinds whose policy resource is judged on its own when its resource is defined elsewhere (not a
search domain: whether its endpoint is in a VPC is not known then)."""


def fold_policy(b: ModelBuilder, res: SourceResource, target: Any, owner_kind: str, policy: Any,
                loc: Location) -> Component | None:
    """Set the ``policy`` of the ``owner_kind`` component ``target`` names (by reference or
    literal name), located at the policy resource; the owner, or None when it is not defined here:
    then a ``resource_policy`` component holding the policy, what it governs and the target it
    names (an ``other`` for a kind not in ``ORPHAN_POLICY_OWNERS``)."""
    owner = b.owner(target, owner_kind)
    if owner is not None:
        owner.set("policy", policy, loc, origin=res.address)
        return owner
    if owner_kind not in ORPHAN_POLICY_OWNERS:
        b.add(res, "other").set("attributes", res.body)
        return None
    comp = b.add(res, "resource_policy")
    comp.set("policy", policy, loc)
    comp.set("governs", owner_kind)
    comp.set("targets", [target] if target is not None else [], res.loc)
    return None


def fold_secret_satellite(b: ModelBuilder, res: SourceResource, policy: Any, policy_at: str | None,
                          block_at: str, secret_at: str) -> None:
    """A secret's policy resource (``policy_at`` is where it writes the policy) or, when
    ``policy_at`` is None, its rotation schedule: folded onto the secret ``secret_at`` names. A
    rotation of a secret not defined here stays a ``secretsmanager.rotation`` component (it may
    rotate any secret of the configuration)."""
    target = res.get(secret_at)
    if policy_at is not None:
        owner = fold_policy(b, res, target, "secretsmanager.secret", policy, res.at(policy_at))
        if owner is not None and res.get(block_at) is not None:
            owner.set("block_public_policy", to_bool(res.get(block_at)), res.at(block_at))
        return
    owner = b.owner(target, "secretsmanager.secret")
    if owner is not None:
        owner.set("rotation", True, res.loc, origin=res.address)
    else:
        b.add(res, "secretsmanager.rotation").set("secret", target, res.at(secret_at))
