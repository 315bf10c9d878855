"""Secrets Manager secrets in Terraform: the inline policy, the legacy inline rotation, and the
policy and rotation resources folded onto their secret (``aws_secretsmanager_secret_policy``,
``aws_secretsmanager_secret_rotation``). A rotation whose secret is not defined here stays a
``secretsmanager.rotation`` component (see ``iac_assist/model/vocabulary/secretsmanager.py``)."""

from __future__ import annotations

from iac_assist.model import Component
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.model.satellites import fold_secret_satellite
from iac_assist.parsers.terraform.normalize_messaging import set_inline, written_policy
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.extend("aws_secretsmanager_secret")
def secret(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    set_inline(comp, res)
    if res.blocks("rotation_rules") and res.get("rotation_lambda_arn") not in (None, ""):
        comp.set("rotation", True, res.at("rotation_rules"))  # provider v2: rotation written on the secret


@NORMALIZER.register("aws_secretsmanager_secret_policy", phase=1)
def secret_policy(res: SourceResource, b: ModelBuilder) -> None:
    fold_secret_satellite(b, res, written_policy(res), "policy", "block_public_policy", "secret_arn")


@NORMALIZER.register("aws_secretsmanager_secret_rotation", phase=1)
def rotation(res: SourceResource, b: ModelBuilder) -> None:
    fold_secret_satellite(b, res, None, None, "", "secret_id")
