"""The acceptance harness of ``iac-assist fix``, shared by both formats' example tests: scan,
write the fixes, scan again, and compare the recorded diff."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from iac_assist.analysis.engine import scan
from iac_assist.fixes.diff import diff
from iac_assist.fixes.plan import FixPlan, plan
from iac_assist.fixes.sources import SourceFiles, write


def key(finding) -> tuple[str, str, str]:
    # Lines move when a fix inserts text: a finding is its rule, resource and cause.
    return finding.rule_id, finding.resource, finding.cause


def run_fix(root: Path, control: str | None = None,
            check: Callable[[str], object] | None = None) -> tuple[FixPlan, set, set, str]:
    """Scan ``root``, write the fixes (of ``control`` only, when given; ``check`` called on each
    edited text), scan again: the plan, the findings before and after, and the recorded text
    (diff, then the reasons for no fix)."""
    before = scan([root], jobs=1)
    assert not before.has_errors, [str(e) for e in before.errors]
    fixes = plan(before, SourceFiles(before.root, before.digests))
    if control is not None:
        fixes = FixPlan([f for f in fixes.fixes if f.finding.control == control],
                        [u for u in fixes.unfixed if u.finding.control == control], fixes.texts)
    edited = fixes.edited()
    for rel, text in edited.items():
        write(before.root, rel, fixes.texts[rel], text)
        if check is not None:
            check(text)
    after = scan([root], jobs=1)
    assert not after.has_errors, [str(e) for e in after.errors]
    reasons = "".join(f"# no fix: {u.finding.rule_id} {u.finding.resource}: {u.reason}\n" for u in fixes.unfixed)
    return fixes, {key(f) for f in before.findings}, {key(f) for f in after.findings}, (
        diff({rel: fixes.texts[rel] for rel in edited}, edited) + reasons)


def check_snapshot(path: Path, actual: str, update: bool, test_file: str) -> None:
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"no snapshot {path.name}: run pytest {test_file} --update-snapshots"
    assert actual == path.read_text(encoding="utf-8"), f"the fix differs from {path} (update with --update-snapshots)"
