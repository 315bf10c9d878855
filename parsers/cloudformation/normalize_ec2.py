"""EC2 compute: launch templates and configurations, auto scaling groups, EBS volumes."""

from __future__ import annotations

from iac_assist.normalize import Normalizer


def register(normalizer: Normalizer) -> None:
    pass
