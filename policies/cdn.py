"""CloudFront policies: viewer and origin encryption, TLS versions, origin access, WAF, logging."""

from __future__ import annotations

from iac_assist.policy import Policy

POLICIES: list[Policy] = []
