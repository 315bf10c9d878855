"""Findings and severities: what a scan reports."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from iac_assist.model import Location

SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_RANK = {name: rank for rank, name in enumerate(reversed(SEVERITIES), start=1)}
"""low=1 ... critical=4; ``none`` (0) means nothing fails the gate."""


def at_or_above(severity: str, threshold: str) -> bool:
    """Whether ``severity`` reaches the ``--fail-on`` threshold (``none`` is never reached)."""
    if threshold == "none":
        return False
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]


@dataclass(frozen=True)
class Finding:
    """One violated control on one resource, pointing at the line that causes it."""

    rule_id: str
    control: str
    severity: str
    title: str
    resource: str
    """Address of the resource the control is about (Terraform address, CloudFormation logical id)."""
    loc: Location
    message: str
    cause: str = ""
    """A short stable description of what causes it (the attribute, the rule): part of the fingerprint."""
    related: tuple[tuple[Location, str], ...] = field(default=())
    """Other places that explain it (the route to an internet gateway, the subnet)."""

    @property
    def fingerprint(self) -> str:
        """Stable across line shifts and unrelated edits: rule, resource, file and cause only."""
        text = "\x1f".join((self.rule_id, self.resource, self.loc.file, self.cause))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]

    def sort_key(self) -> tuple:
        return (self.loc.file, self.loc.line, self.rule_id, self.resource, self.cause)
