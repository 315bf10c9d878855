"""VPC policies: security groups and NACLs open to the internet, flow logs."""

from __future__ import annotations

from iac_assist.policy import Policy

POLICIES: list[Policy] = []
