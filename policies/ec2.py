"""EC2 policies: instance metadata, public addresses, EBS encryption, secrets in user data."""

from __future__ import annotations

from iac_assist.policy import Policy

POLICIES: list[Policy] = []
