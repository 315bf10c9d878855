"""Secret policies: credentials written as literals in the configuration."""

from __future__ import annotations

from iac_assist.policy import Policy

POLICIES: list[Policy] = []
