"""What the scanned repository asked the gate to waive, reported.

Settings that come from the scanned repository (its configuration file, inline suppressions, a
baseline its configuration names) are requests: whoever can change the repository wrote them.
When the run honours them (no ``--untrusted``), every way they weakened the gate is named here as
a warning of category ``repository-setting``, with the file and line of the setting, so that
every report format shows what was waived and by what:

- ``ignore`` / ``select``: the rules they turned off;
- ``severity``: each rule whose severity went down;
- ``fail-on``: a threshold above ``low``, and how many findings it let pass;
- ``exclude``: the IaC files it left out;
- ``baseline``: the findings it left out (applied here, so they can be counted);
- an inline suppression: the findings it waived;
- ``policies-dirs`` (allowed by the runner with ``--allow-repository-policies``): the policies
  of the repository's own code that ran (code that runs in the gate could change anything).

The runner's own choices (command-line options, a file named with ``--config``) are not
reported: they are the gate's settings, not the repository's.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from iac_assist.analysis.findings import SEVERITY_RANK, at_or_above
from iac_assist.gate.config import select_policies
from iac_assist.model import ScanError

if TYPE_CHECKING:
    from iac_assist.analysis.findings import Finding
    from iac_assist.analysis.policy import Policy
    from iac_assist.analysis.result import ScanResult
    from iac_assist.gate.baseline import Baseline
    from iac_assist.gate.config import Settings

CATEGORY = "repository-setting"
_LISTED = 5
"""Names listed in one message before "and N more"."""


def report(
    result: ScanResult,
    settings: Settings,
    policies: list[Policy],
    baseline: Baseline | None = None,
) -> None:
    """Add to ``result.errors`` a warning for each way the repository's settings weakened the gate.
    ``policies``: every policy before selection; ``baseline``: the one the repository's
    configuration names, applied here (findings it knows are left out and counted)."""
    notes: list[ScanError] = []
    if settings.ignored is not None:
        notes.append(ScanError(_shown(settings.ignored, result.root), 1,
                               "configuration not read: --untrusted ignores the scanned repository's own settings "
                               "(name a configuration with --config to apply it)", level="warning"))
    if settings.source is not None and not settings.explicit:
        notes.extend(_configuration(result, settings, policies, baseline))
    if settings.inline_suppressions:
        notes.extend(_suppressions(result.findings))
    result.errors = sorted(set(result.errors) | set(notes), key=lambda e: (e.file, e.line, e.column, e.message))


def _configuration(result: ScanResult, settings: Settings, policies: list[Policy],
                   baseline: Baseline | None) -> list[ScanError]:
    assert settings.source is not None
    file = _shown(settings.source, result.root)
    table = "[tool.iac-assist]" if settings.source.name == "pyproject.toml" else settings.source.name

    def note(key: str, value: object, what: str) -> ScanError:
        shown = json.dumps(value, ensure_ascii=True) if key != "severity" else ""
        setting = f"{key} = {_cut(shown)}" if shown else key
        return ScanError(file, settings.lines.get(key, 0), f"{setting} in {table} {what}", level="warning",
                         category=CATEGORY)

    notes = []
    running = {p.id for p in select_policies(policies, settings.select, settings.ignore, settings.severity)}
    for key in ("select", "ignore"):
        if not settings.repository_decided(key):
            continue
        without = {"select": settings.select, "ignore": settings.ignore, key: ()}
        off = {p.id for p in select_policies(policies, without["select"], without["ignore"], settings.severity)}
        off -= running
        if off:
            notes.append(note(key, list(getattr(settings, key)),
                              f"turned off {_count(len(off), 'rule')}: {_names(sorted(off))}"))
    if settings.repository_decided("severity"):
        for name, level in settings.severity.items():
            lowered = [p for p in policies if name.lower() in (p.id.lower(), p.control)
                       and SEVERITY_RANK[level] < SEVERITY_RANK[p.severity]]
            for pol in lowered:
                where = settings.lines.get(f"severity.{name}", settings.lines.get("severity", 0))
                key = name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else _cut(json.dumps(name))
                notes.append(ScanError(file, where, f"severity.{key} = {json.dumps(level)} in "
                                       f"{table} downgraded {pol.id} from {pol.severity} to {level}",
                                       level="warning", category=CATEGORY))
    if settings.repository_decided("fail_on") and settings.fail_on != "low":
        passed = [f for f in result.unsuppressed if not at_or_above(f.severity, settings.fail_on)]
        what = "no finding fails the gate" if settings.fail_on == "none" else \
            f"findings below {settings.fail_on} do not fail the gate"
        notes.append(note("fail-on", settings.fail_on, f"lowered the gate: {what} ({_count(len(passed), 'finding')} "
                          "let pass)"))
    if settings.repository_decided("exclude"):
        left_out = result.excluded  # discovery found them while leaving them out: no second walk
        if left_out:
            notes.append(note("exclude", list(settings.exclude),
                              f"left {_count(len(left_out), 'IaC file')} out of the scan: {_names(left_out)}"))
    if settings.repository_decided("policies_dirs"):
        from iac_assist.analysis.custom_policies import active

        homes = {d.resolve() for d in settings.policies_dirs}
        ran = sorted(p.id for p in active()
                     if p.source is not None and (result.root / p.source.file).resolve().parent in homes)
        notes.append(note("policies-dirs", [_shown(d, result.root) for d in settings.policies_dirs],
                          f"ran code of the scanned repository (--allow-repository-policies): "
                          f"{len(ran)} polic{'y' if len(ran) == 1 else 'ies'}" + (f": {_names(ran)}" if ran else "")))
    if baseline is not None and settings.repository_decided("baseline"):
        from iac_assist.gate.baseline import leave_out

        dropped = leave_out(result, baseline.known(result.root))
        result.baselined += dropped
        if dropped:
            notes.append(note("baseline", _shown(settings.baseline, result.root) if settings.baseline else "",
                              f"left out {_count(dropped, 'finding')} it records as known"))
    return notes


def _suppressions(findings: Iterable[Finding]) -> list[ScanError]:
    """One warning per inline suppression that waived findings, naming them."""
    waived: dict[tuple[str, int], list[str]] = {}
    for finding in findings:
        if finding.suppressed is not None:
            place = (finding.suppressed.file, finding.suppressed.line)
            waived.setdefault(place, []).append(f"{finding.rule_id} on {finding.resource}")
    return [ScanError(file, line, f"inline suppression waived {_count(len(names), 'finding')}: "
                      f"{_names(sorted(set(names)))}", level="warning", category=CATEGORY)
            for (file, line), names in sorted(waived.items())]


def _shown(path: Path, root: Path) -> str:
    """A path relative to the scan root (``../`` when it is above it, e.g. the repository's
    configuration when a subfolder is scanned)."""
    try:
        return Path(os.path.relpath(path.resolve(), root)).as_posix()
    except ValueError:  # another drive (Windows)
        return path.resolve().as_posix()


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _names(names: list[str]) -> str:
    shown = ", ".join(_printable(n) for n in names[:_LISTED])
    return shown + (f" and {len(names) - _LISTED} more" if len(names) > _LISTED else "")


def _cut(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _printable(text: str) -> str:
    """A name from the repository with its control characters escaped: a file name may hold a
    newline or a terminal escape."""
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)
