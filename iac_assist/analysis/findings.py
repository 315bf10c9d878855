"""Findings and severities: what a scan reports."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from iac_assist.model import Location, Origin

SEVERITIES = ("critical", "high", "medium", "low")
SEVERITY_RANK = {name: rank for rank, name in enumerate(reversed(SEVERITIES), start=1)}
"""low=1 ... critical=4; ``none`` (0) means nothing fails the gate."""


def at_or_above(severity: str, threshold: str) -> bool:
    """Whether ``severity`` reaches the ``--fail-on`` threshold (``none`` is never reached)."""
    if threshold == "none":
        return False
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold]


@dataclass(frozen=True)
class Suppression:
    """Why a finding is waived and where that was written (an inline comment, CloudFormation
    ``Metadata``): the finding stays in JSON and SARIF, marked, and leaves the gate."""

    reason: str
    file: str
    line: int


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
    path: tuple[tuple[Location, str], ...] = field(default=())
    """Hops from the internet to the resource (reachability findings): SARIF codeFlows."""
    instances: tuple[str, ...] = ()
    """For a block expanded by count/for_each (``resource`` is then the block's address): the
    instances affected, ``aws_s3_bucket.b["logs"]``."""
    suppressed: Suppression | None = field(default=None, compare=False)
    """Set when an inline suppression waives it (see ``iac_assist.gate.suppressions``); not part of
    what the finding is, so it takes no part in equality."""
    origins: tuple[Origin, ...] = field(default=(), compare=False)
    """Where the value the finding cites came from, when not from its own line: a variables file,
    ``--var``, a variable's default, a module input, a CloudFormation parameter (nearest first).
    An explanation, not what is found: it takes no part in equality or the fingerprint."""
    origin_of: str = field(default="", compare=False)
    """The value those origins explain, ``publicly_accessible is true``."""

    def because(self, origin: Origin) -> str:
        """``publicly_accessible is true because envs/prod.tfvars:3 sets db_public = true``."""
        return f"{self.origin_of} because {origin}" if self.origin_of else str(origin)

    @property
    def fingerprint(self) -> str:
        """Stable across line shifts and unrelated edits: rule, resource, file and cause only."""
        return fingerprint(self.rule_id, self.resource, self.loc.file, self.cause)

    def sort_key(self) -> tuple:
        return (self.loc.file, self.loc.line, self.rule_id, self.resource, self.cause)


def fingerprint(rule_id: str, resource: str, file: str, cause: str) -> str:
    """A finding's fingerprint from its parts (a baseline recomputes it when the scan root moved)."""
    text = "\x1f".join((rule_id, resource, file, cause))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


_INSTANCE_KEY = re.compile(r'\[(?:\d+|"(?:[^"\\]|\\.)*"|\?)\]')


def block_address(address: str) -> str:
    """The source block's address: instance keys dropped (``module.a[0].aws_s3_bucket.b["x"]``
    → ``module.a.aws_s3_bucket.b``)."""
    return _INSTANCE_KEY.sub("", address)


def merge_instances(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per rule and source block and line: the instances of a count/for_each block
    (or of a module called with count/for_each) are named in it, not reported one by one."""
    groups: dict[tuple, list[Finding]] = defaultdict(list)
    for f in findings:
        groups[(f.rule_id, block_address(f.resource), f.loc.file, f.loc.line)].append(f)
    out = []
    for (_rule, block, _file, _line), members in groups.items():
        members.sort(key=lambda f: (f.resource, f.cause))
        first = members[0]
        if block == first.resource:
            out.extend(members)  # no instance keys: nothing to merge
            continue
        instances = tuple(sorted({f.resource for f in members}))
        message = first.message.replace(first.resource, block)
        message = f"{message} (instances: {', '.join(instances)})"
        out.append(replace(first, resource=block, message=message, instances=instances))
    return out
