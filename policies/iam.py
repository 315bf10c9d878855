"""IAM policies: statements that grant everything, or whole services, on every resource."""

from __future__ import annotations

from iac_assist.policy import Policy

POLICIES: list[Policy] = []
