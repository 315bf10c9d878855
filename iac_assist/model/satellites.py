"""Satellite resources folded onto their owner: a policy or schedule resource that sets one fact
of a resource the configuration defines (``aws_kms_key_policy`` → the key's ``policy``,
``AWS::SecretsManager::RotationSchedule`` → the secret's ``rotation``), located at the satellite,
as AWS applies it. A satellite whose owner is not defined here (a data source, a literal ARN of
another configuration, a value not known statically) stays an ``other`` component, its body kept
for references."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Component, Location
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource


def fold(b: ModelBuilder, res: SourceResource, target: Any, owner_kind: str, fact: str, value: Any,
         loc: Location, name_fact: str = "name") -> Component | None:
    """Set ``fact`` of the ``owner_kind`` component ``target`` names (by reference or literal
    name); the owner, or None when it is not defined here (then ``res`` is an ``other``)."""
    owner = b.owner(target, owner_kind, name_fact)
    if owner is None:
        b.add(res, "other").set("attributes", res.body)
        return None
    owner.set(fact, value, loc, origin=res.address)
    return owner
