"""Secrets Manager secrets: the resource policy and the rotation schedule folded onto their secret
(``AWS::SecretsManager::ResourcePolicy``, ``AWS::SecretsManager::RotationSchedule``). A rotation
schedule whose secret is not defined here stays a ``secretsmanager.rotation`` component."""

from __future__ import annotations

from iac_assist.model import Unknown
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.resource import SourceResource
from iac_assist.model.satellites import fold_secret_satellite
from iac_assist.parsers.cloudformation.normalize_iam import decode


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::SecretsManager::ResourcePolicy", phase=1)(resource_policy)
    normalizer.register("AWS::SecretsManager::RotationSchedule", phase=1)(rotation_schedule)


def resource_policy(res: SourceResource, b: ModelBuilder) -> None:
    written = res.get("ResourcePolicy")
    policy = decode(written) if written is not None else Unknown("no ResourcePolicy")
    fold_secret_satellite(b, res, policy, "ResourcePolicy", "BlockPublicPolicy", "SecretId")


def rotation_schedule(res: SourceResource, b: ModelBuilder) -> None:
    fold_secret_satellite(b, res, None, None, "", "SecretId")
