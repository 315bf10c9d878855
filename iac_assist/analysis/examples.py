"""A policy's examples checked: each insecure twin reports the policy's control, each fixed twin
does not. The built-in examples (``policies/examples/<control>/``) are checked this way by the
tests; those of one's own (``DIR/examples/<control>/``) by ``iac-assist rules --check-examples DIR``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from iac_assist.analysis.policy import EXAMPLE_FILES, Policy

if TYPE_CHECKING:
    from iac_assist.analysis.result import ScanResult


def scan_twin(twin: Path, workdir: Path, policies: list[Policy] | None = None) -> ScanResult:
    """The scan of one twin alone: copied, under its own name, into a new folder of
    ``workdir`` (Terraform reads a whole module folder: the insecure and fixed twins must not be
    evaluated together). ``policies``: all registered ones by default. No inline suppression
    applies: an example shows the finding."""
    from iac_assist.analysis.engine import scan

    folder = workdir / f"{twin.parent.name}-{twin.stem}-{twin.suffix.lstrip('.')}"
    folder.mkdir(parents=True)
    shutil.copyfile(twin, folder / twin.name)
    return scan([folder], policies=policies, inline_suppressions=False)


@dataclass(frozen=True)
class TwinCheck:
    """One twin of one policy, checked."""

    policy: Policy
    twin: str
    """``<examples>/<control>/insecure.tf``, as given."""
    problem: str = ""
    """Empty when the twin does what it should."""

    @property
    def ok(self) -> bool:
        return not self.problem


def check(policies: Iterable[Policy], workdir: Path) -> list[TwinCheck]:
    """Every twin of every policy of ``policies`` that has an examples folder (a policy of one's
    own: ``DIR/examples``), in each format the policy checks. A missing twin is a problem."""
    out: list[TwinCheck] = []
    for pol in policies:
        home = Path(pol.source.examples) / pol.control if pol.source and pol.source.examples else None
        for fmt in pol.formats:
            for variant, name in zip(("insecure", "fixed"), EXAMPLE_FILES[fmt], strict=True):
                if home is None or not (home / name).is_file():
                    where = _shown(home / name) if home is not None else f"examples/{pol.control}/{name}"
                    out.append(TwinCheck(pol, where,
                                         f"missing: every policy has an insecure and a fixed twin per format it "
                                         f"checks ({', '.join(pol.formats)})"))
                    continue
                out.append(_check_twin(pol, home / name, variant, workdir))
    return out


def _check_twin(pol: Policy, twin: Path, variant: str, workdir: Path) -> TwinCheck:
    shown = _shown(twin)
    result = scan_twin(twin, workdir, [pol])
    if result.has_errors:
        first = next(e for e in result.errors if e.level == "error")
        return TwinCheck(pol, shown, f"could not be analysed: {first}")
    found = [f for f in result.findings if f.control == pol.control]
    if variant == "insecure" and not found:
        return TwinCheck(pol, shown, f"reports no {pol.control} finding; an insecure twin shows what the rule finds")
    if variant == "fixed" and found:
        lines = ", ".join(str(f.loc.line) for f in found)
        return TwinCheck(pol, shown, f"reports {pol.control} (line {lines}); a fixed twin shows the fix")
    return TwinCheck(pol, shown)


def _shown(path: Path) -> str:
    """Relative to the current folder when under it (as the command line named it)."""
    relative = os.path.relpath(path)
    return Path(relative).as_posix() if not relative.startswith("..") else path.as_posix()
