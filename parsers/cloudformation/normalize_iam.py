"""IAM: identity policies (managed and inline) as policy documents."""

from __future__ import annotations

from iac_assist.normalize import Normalizer


def register(normalizer: Normalizer) -> None:
    pass
