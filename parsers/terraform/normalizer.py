"""The Terraform normalizer: the mapping tables of ``iac_assist/model/vocabulary/`` and, in
normalize_*.py by service, what they cannot say (extensions, handlers of their own, satellites)."""

from __future__ import annotations

from typing import Any

from iac_assist.model.builder import Normalizer

NORMALIZER = Normalizer("terraform")


def items(value: Any) -> list[Any]:
    """A list to concatenate: an unknown list becomes one unknown element."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _load_handlers() -> None:
    # Explicit registration: importing each service module registers its handlers.
    from iac_assist.parsers.terraform import (  # noqa: F401
        normalize_apigateway,
        normalize_cdn,
        normalize_dynamodb,
        normalize_ec2,
        normalize_ecr,
        normalize_ecs,
        normalize_efs,
        normalize_glacier,
        normalize_iam,
        normalize_images,
        normalize_kms,
        normalize_lb,
        normalize_messaging,
        normalize_network,
        normalize_s3,
        normalize_search,
        normalize_secretsmanager,
    )


_load_handlers()
