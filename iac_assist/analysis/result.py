"""What a scan produces, handed to the reporters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from iac_assist.analysis.findings import Finding, at_or_above
from iac_assist.model import NOT_ANALYSED, Component, ScanError
from iac_assist.model.kinds import OTHER

if TYPE_CHECKING:
    from iac_assist.analysis.policy import Policy
    from iac_assist.fixes.plan import FixPlan
    from iac_assist.model.graph import ResourceGraph


_CONTAINERS = frozenset({"provider", "AWS::CloudFormation::Stack"})


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
    """Per scope with alternative deployments (a CloudFormation template whose conditions are
    open): its components in each (``graph`` holds the base one, with those conditions unknown)."""
    assume_worst: set[str] = field(default_factory=set)
    """Scopes of ``alternatives`` judged by their worst deployment (``--assume-worst``): a finding
    in any of them stands, not only one in every deployment creating its resource."""
    conditions: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    """Resources that exist only under conditions not known before deployment: (file, address) →
    those conditions, which their findings name. CloudFormation conditions left open, and Terraform
    blocks whose ``count``/``for_each`` is unknown (``aws_x.y.count > 0``)."""
    excluded: list[str] = field(default_factory=list)
    """IaC files an exclude pattern left out of the scan, relative to ``root``."""
    baselined: int = 0
    """Findings left out as already known: in the ``--baseline`` file or present at ``--new-since``."""
    fixes: FixPlan | None = None
    """Each finding's fix or why it has none, when asked for (``fixes.plan``): the reports show it."""
    digests: dict[str, str] = field(default_factory=dict)
    """File (relative to ``root``) → ``digest`` of its text as the scan read it: a fix edits a
    file only while it still holds that text."""

    @property
    def unsuppressed(self) -> list[Finding]:
        """The findings that count: not waived by an inline suppression."""
        return [f for f in self.findings if f.suppressed is None]

    def failing(self, threshold: str) -> list[Finding]:
        return [f for f in self.unsuppressed if at_or_above(f.severity, threshold)]

    @property
    def not_analysed(self) -> dict[str, int]:
        """Every category of ``NOT_ANALYSED`` (declaration order) → how many errors and warnings
        of this scan are of it."""
        counts = Counter(e.category for e in self.errors)
        return {category: counts[category] for category in NOT_ANALYSED}

    @property
    def gaps(self) -> dict[str, int]:
        """The categories of ``not_analysed`` that are gaps in the analysis, with a count: all
        but ``repository-setting`` (what the repository's own settings waived, analysed but not
        gated), which ``repository_waivers`` counts."""
        return {c: n for c, n in self.not_analysed.items() if n and c != "repository-setting"}

    @property
    def repository_waivers(self) -> int:
        return sum(1 for e in self.errors if e.category == "repository-setting")

    @property
    def unmodelled(self) -> dict[str, int]:
        """Resource type → how many of its resource blocks no normalizer models (so no rule
        checks them beyond literal secrets), sorted by type. A block counts once whatever its
        ``count``/``for_each``; provider blocks and nested stacks (whose templates are analysed, or
        reported as not analysed) are not counted."""
        if self.graph is None:
            return {}
        declared = {(c.source_type, c.scope, c.loc.file, c.loc.line)
                    for c in self.graph.components.values() if c.kind == OTHER and c.source_type not in _CONTAINERS}
        counts = Counter(source_type for source_type, *_ in declared)
        return dict(sorted(counts.items()))

    def gate_gaps(self, categories: Collection[str]) -> list[ScanError]:
        """The errors and warnings of ``categories`` (``--fail-on-unanalysed``) that fail the gate."""
        return [e for e in self.errors if e.category and e.category in categories]

    @property
    def has_errors(self) -> bool:
        return any(e.level == "error" for e in self.errors)

    def exit_code(self, fail_on: str, fail_on_unanalysed: Collection[str] = ()) -> int:
        """2 when an input could not be analysed (fail closed), or when something of a category in
        ``fail_on_unanalysed`` was left out; 1 on unsuppressed findings at or above the threshold."""
        if self.has_errors or self.gate_gaps(fail_on_unanalysed):
            return 2
        return 1 if self.failing(fail_on) else 0


def digest(text: str) -> str:
    """SHA-256 of a file's text as read (UTF-8)."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def provider_of(source_type: str) -> str:
    """``azurerm`` for ``azurerm_linux_virtual_machine``, ``aws`` for ``AWS::Glue::Job``,
    ``custom`` for ``Custom::Thing``: the provider (or namespace) a resource type belongs to."""
    if "::" in source_type:
        return source_type.split("::", 1)[0].lower()
    return source_type.split("_", 1)[0]


def by_provider(unmodelled: dict[str, int]) -> dict[str, int]:
    """``unmodelled`` summed per provider, most first (then by name)."""
    counts: Counter[str] = Counter()
    for source_type, n in unmodelled.items():
        counts[provider_of(source_type)] += n
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def unanalysed_categories(names: Iterable[str]) -> frozenset[str]:
    """The categories ``--fail-on-unanalysed`` names (comma-separated or repeated). ``all`` is
    every gap in the analysis; ``repository-setting`` is no gap but the repository's own waivers
    (which ``--untrusted`` refuses), so it is chosen only by its name. Raises ValueError naming an
    unknown category and the known ones."""
    chosen: set[str] = set()
    for name in (part.strip().lower() for value in names for part in value.split(",")):
        if not name:
            continue
        if name == "none":
            # Said on purpose (e.g. against --untrusted's default of all): kept as a name no gap has.
            chosen.add("none")
        elif name == "all":
            chosen.update(c for c in NOT_ANALYSED if c != "repository-setting")
        elif name in NOT_ANALYSED:
            chosen.add(name)
        else:
            raise ValueError(f"{name!r} is no category of input not analysed; known: all, none, "
                             f"{', '.join(NOT_ANALYSED)}")
    return frozenset(chosen)
