"""Secrets Manager secrets: the resource policy and the rotation schedule folded onto their secret
(``AWS::SecretsManager::ResourcePolicy``, ``AWS::SecretsManager::RotationSchedule``). A rotation
schedule whose secret is not defined here stays a ``secretsmanager.rotation`` component."""

from __future__ import annotations

from iac_assist.model import Unknown, kinds
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import to_bool
from iac_assist.model.resource import SourceResource
from iac_assist.model.satellites import fold_policy
from iac_assist.parsers.cloudformation.normalize_iam import decode


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::SecretsManager::ResourcePolicy", phase=1)(resource_policy)
    normalizer.register("AWS::SecretsManager::RotationSchedule", phase=1)(rotation_schedule)


def resource_policy(res: SourceResource, b: ModelBuilder) -> None:
    written = res.get("ResourcePolicy")
    policy = decode(written) if written is not None else Unknown("no ResourcePolicy")
    owner = fold_policy(b, res, res.get("SecretId"), kinds.SECRET, policy, res.at("ResourcePolicy"))
    if owner is not None and res.get("BlockPublicPolicy") is not None:
        owner.set("block_public_policy", to_bool(res.get("BlockPublicPolicy")), res.at("BlockPublicPolicy"))


def rotation_schedule(res: SourceResource, b: ModelBuilder) -> None:
    target = res.get("SecretId")
    owner = b.owner(target, kinds.SECRET)
    if owner is not None:
        owner.set("rotation", True, res.loc, origin=res.address)
    else:
        b.add(res, kinds.SECRET_ROTATION).set("secret", target, res.at("SecretId"))
