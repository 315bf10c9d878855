"""What a scan produces, handed to the reporters."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from iac_assist.findings import Finding, at_or_above
from iac_assist.model import Component, ScanError

if TYPE_CHECKING:
    from iac_assist.graph import ResourceGraph
    from iac_assist.policy import Policy


@dataclass
class ScanResult:
    root: Path
    """Absolute scan root; every ``Location.file`` is relative to it."""
    files: list[str] = field(default_factory=list)
    """Files analysed as IaC, relative to ``root``, sorted."""
    findings: list[Finding] = field(default_factory=list)
    """Sorted by file, line, rule, resource."""
    errors: list[ScanError] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    """Every policy that ran (SARIF lists them all as rules)."""
    graph: ResourceGraph | None = None
    alternatives: dict[str, list[list[Component]]] = field(default_factory=dict)
    """Per CloudFormation template whose conditions are open: its components in each possible
    deployment (``graph`` holds the base one, with those conditions unknown)."""
    conditions: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    """CloudFormation resources that exist only under conditions not known before deployment:
    (file, address) → those conditions, which their findings name."""
    baselined: int = 0
    """Findings left out as already known: in the ``--baseline`` file or present at ``--new-since``."""

    @property
    def unsuppressed(self) -> list[Finding]:
        """The findings that count: not waived by an inline suppression."""
        return [f for f in self.findings if f.suppressed is None]

    def failing(self, threshold: str) -> list[Finding]:
        return [f for f in self.unsuppressed if at_or_above(f.severity, threshold)]

    @property
    def has_errors(self) -> bool:
        return any(e.level == "error" for e in self.errors)

    def exit_code(self, fail_on: str) -> int:
        """2 when an input could not be analysed (fail closed), 1 on unsuppressed findings at or
        above the threshold."""
        if self.has_errors:
            return 2
        return 1 if self.failing(fail_on) else 0
