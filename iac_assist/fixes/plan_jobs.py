"""Planning fixes in two processes: the CloudFormation findings in a forked one, the others here.

Planning is the longest serial step after loading (each edit is checked by reading the edited
file back: the templates decoded again, the Terraform files parsed for their spans), and it
needs the whole scan (graph, policies, findings), which a worker started earlier does not have.
A process forked now has all of it at no copying cost; it plans the findings of one format while
this one plans the other's. Formats never share a file, and a file's fixes are checked together
only with fixes of the same file (``plan._clash``, ``_not_combined``, ``_verify``), so each half
is planned exactly as it would be in the whole; the halves are put back in the findings' order.

Only on Linux, where forking is the default way to start a process (the planning must not pickle
the scan), with more than one CPU, when both formats have enough findings to be worth a process;
anything that goes wrong with the other process (it could not start, it died) plans its half here.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iac_assist.analysis.findings import Finding
    from iac_assist.analysis.result import ScanResult
    from iac_assist.fixes.editor import Sources
    from iac_assist.fixes.plan import FixPlan

MIN_FINDINGS = 20
"""Each format needs this many findings to plan before a process is forked for one of them
(forking and handing back the result cost a few milliseconds; planning a fix, about one)."""

_FORKED: tuple[ScanResult, Sources, list[Finding]] | None = None
"""What the forked process plans: set just before it is forked, read there (never pickled)."""


def plan_beside(result: ScanResult, sources: Sources, jobs: int | None) -> FixPlan | None:
    """The plan made in two processes, or None when it is not worth one (plan it here)."""
    # Forking is Linux's default start method; elsewhere (macOS: system libraries that do not
    # survive a fork) the plan is made here.
    if (jobs is not None and jobs < 2) or result.graph is None or not sys.platform.startswith("linux"):
        return None
    findings = result.unsuppressed
    templates = {c.loc.file for c in result.graph.components.values() if "::" in c.source_type}
    there = [f for f in findings if f.loc.file in templates]
    here = [f for f in findings if f.loc.file not in templates]
    if len(there) < MIN_FINDINGS or len(here) < MIN_FINDINGS:
        return None  # before importing multiprocessing: a pre-commit hook's scan stops here
    import multiprocessing

    from iac_assist.analysis.parallel import available_cpus
    from iac_assist.fixes.plan import plan_findings

    if available_cpus() < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    _import_editors()  # once, before forking: shared with the other process, not imported twice
    # No thread of ours runs while forking (a lock held by one would stay held in the copy): the
    # parse cache's writer is done with the loading's entries by now; this waits for the last.
    from iac_assist.inputs import parse_cache

    parse_cache.flush()
    global _FORKED
    _FORKED = (result, sources, there)
    try:
        future, pool = _fork()
    except (OSError, RuntimeError, ImportError):
        future = pool = None
    finally:
        _FORKED = None  # the forked process has its copy
    try:
        mine = plan_findings(result, sources, here)
        theirs = _collected(future)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    if theirs is None:
        theirs = plan_findings(result, sources, there)
    return _merged(findings, mine, theirs)


def _import_editors() -> None:
    from iac_assist.fixes.editors import EDITORS, editor_for

    for fmt in EDITORS:
        editor_for(fmt)


def _fork() -> tuple[object, object]:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from iac_assist.analysis.parallel import _worker_init
    from iac_assist.inputs import parse_cache

    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"),
                               initializer=_worker_init, initargs=(parse_cache.current(),))
    # Forked here, at the first submission, while _FORKED holds the work.
    return pool.submit(_plan_forked), pool


def _plan_forked() -> tuple[FixPlan, list[tuple[str, bytes]]]:
    from iac_assist.fixes.plan import plan_findings
    from iac_assist.inputs import parse_cache

    assert _FORKED is not None, "planned in a process forked by plan_beside"
    result, sources, findings = _FORKED
    return plan_findings(result, sources, findings), parse_cache.held_entries()


def _collected(future: object) -> FixPlan | None:
    from iac_assist.inputs import parse_cache

    if future is None:
        return None
    try:
        planned, entries = future.result()  # type: ignore[attr-defined]
    except Exception:  # the other process died or failed: its half is planned here
        return None
    parse_cache.receive(entries)
    return planned  # type: ignore[no-any-return]


def _merged(findings: list[Finding], *parts: FixPlan) -> FixPlan:
    from iac_assist.fixes.plan import FixPlan

    order: dict[Finding, int] = {}
    for index, finding in enumerate(findings):
        order.setdefault(finding, index)
    out = FixPlan(secret_lines=parts[0].secret_lines)
    out.fixes = sorted((fix for part in parts for fix in part.fixes), key=lambda fix: order[fix.finding])
    out.unfixed = sorted((un for part in parts for un in part.unfixed), key=lambda un: order[un.finding])
    for part in parts:
        out.texts.update(part.texts)
    return out
