"""From a scan to fixes: each finding's policy fix, made into text edits by its format's editor,
or the reason there is none."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from iac_assist.analysis.findings import Finding, block_address
from iac_assist.fixes.declare import NoFix
from iac_assist.fixes.editor import CannotEdit, Sources
from iac_assist.fixes.editors import UNAVAILABLE, editor_for, format_of
from iac_assist.fixes.edits import TextEdit, apply_edits
from iac_assist.fixes.secrets import holds_secret, secret_lines
from iac_assist.gcpause import set_aside
from iac_assist.model.vocabulary import TITLES

if TYPE_CHECKING:
    from iac_assist.analysis.policy import Hit, Policy
    from iac_assist.analysis.result import ScanResult
    from iac_assist.model.graph import ResourceGraph

NOT_DECLARED = "no fix is known for this control yet"


@dataclass(frozen=True)
class Fix:
    """The edits that make one finding pass."""

    finding: Finding
    description: str
    edits: tuple[TextEdit, ...]
    note: str = ""
    """What a reviewer must know before applying it (``Change.note``: the change replaces the resource)."""


@dataclass(frozen=True)
class Unfixed:
    finding: Finding
    reason: str


@dataclass
class FixPlan:
    fixes: list[Fix] = field(default_factory=list)
    unfixed: list[Unfixed] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    """The text of every edited file as scanned."""
    secret_lines: dict[str, set[int]] = field(default_factory=dict)
    """Lines where the scan found a literal secret, by file: never shown (see ``secrets``)."""
    _indexed: tuple[tuple[int, int], dict[Finding, Fix], dict[Finding, str]] | None = field(
        default=None, repr=False, compare=False)

    def _secrets(self, rel: str) -> set[str]:
        return _secret_texts(self.texts.get(rel, ""), frozenset(self.secret_lines.get(rel, ())))

    def edited(self) -> dict[str, str]:
        """Every edited file's new text."""
        by_file: dict[str, set[TextEdit]] = defaultdict(set)
        for fix in self.fixes:
            for edit in fix.edits:
                by_file[edit.path].add(edit)
        return {rel: apply_edits(self.texts[rel], sorted(edits)) for rel, edits in sorted(by_file.items())}

    def fix_of(self, finding: Finding) -> Fix | None:
        return self._index()[0].get(finding)

    def reason_of(self, finding: Finding) -> str | None:
        return self._index()[1].get(finding)

    def _index(self) -> tuple[dict[Finding, Fix], dict[Finding, str]]:
        # A report asks for every finding's fix: a search of the lists each time made that
        # quadratic (minutes at 10,000 resources). The first entry of a finding wins, as the
        # search had it; the index is made again whenever the lists have changed length (``plan``
        # fills them, reports only read them).
        sizes = (len(self.fixes), len(self.unfixed))
        if self._indexed is None or self._indexed[0] != sizes:
            fixes: dict[Finding, Fix] = {}
            for fix in self.fixes:
                fixes.setdefault(fix.finding, fix)
            reasons: dict[Finding, str] = {}
            for unfixed in self.unfixed:
                reasons.setdefault(unfixed.finding, unfixed.reason)
            self._indexed = (sizes, fixes, reasons)
        return self._indexed[1], self._indexed[2]

    def diff_of(self, fix: Fix) -> str:
        """The diff of one fix alone, against the scanned text."""
        from iac_assist.fixes.diff import unified
        from iac_assist.fixes.secrets import masked_diff

        out = []
        for rel in sorted({e.path for e in fix.edits}):
            edits = [e for e in fix.edits if e.path == rel]
            out.append(masked_diff(unified(rel, self.texts[rel], apply_edits(self.texts[rel], edits)),
                                   self._secrets(rel)))
        return "".join(out)

    def suggestion(self, fix: Fix) -> str | None:
        """The new text of the finding's lines when every edit of the fix lies within them (what
        a GitHub suggestion replaces); None otherwise."""
        loc = fix.finding.loc
        if loc.line < 1 or any(e.path != loc.file for e in fix.edits):
            return None
        text = self.texts[loc.file]
        first = position(text, min(e.start for e in fix.edits))[0]
        last = position(text, max(e.end for e in fix.edits))[0]
        end_line = max(loc.end_line, loc.line)
        if first < loc.line or last > end_line:
            return None
        lines = text.split("\n")
        if set(lines[loc.line - 1:end_line]) & self._secrets(loc.file):
            return None  # whole lines would be shown: the diff masks the secret instead
        start = sum(len(line) + 1 for line in lines[:loc.line - 1])
        end = start + sum(len(line) + 1 for line in lines[loc.line - 1:end_line]) - 1
        shifted = [TextEdit(e.path, e.start - start, e.end - start, e.new) for e in fix.edits]
        return apply_edits(text[start:end], shifted)


@lru_cache(maxsize=64)
def _secret_texts(text: str, lines: frozenset[int]) -> set[str]:
    """``secrets.secret_texts``, once per file: every fix's diff and suggestion in a file asks for
    it, and it reads every line of the file. Read only."""
    from iac_assist.fixes.secrets import secret_texts

    return secret_texts(text, set(lines))


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in code points) of ``offset``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _key(rule_id: str, address: str, file: str, line: int) -> tuple[str, str, str, int]:
    # As findings.merge_instances groups them: the instances of a count/for_each block are one.
    return rule_id, block_address(address), file, line


def plan(result: ScanResult, sources: Sources, jobs: int | None = 1) -> FixPlan:
    """The fix of every finding that counts (not suppressed), or why it has none. ``jobs``: as
    the scan's (1: in this process; None: another process beside it when there is enough of
    each format to plan, see ``plan_jobs.py``); the plan is the same."""
    # The scan's graph and results (hundreds of thousands of objects) would be walked again by
    # each full pass the planning's allocations trigger: a third of the planning time on the corpus.
    with set_aside():
        if jobs != 1:
            from iac_assist.fixes.plan_jobs import plan_beside

            planned = plan_beside(result, sources, jobs)
            if planned is not None:
                return planned
        return plan_findings(result, sources, result.unsuppressed)


def plan_findings(result: ScanResult, sources: Sources, findings: list[Finding]) -> FixPlan:
    """The fixes of ``findings`` (of ``result``), edits checked file by file."""
    out = FixPlan()
    graph = result.graph
    policies = {p.id: p for p in result.policies}
    hits: dict[str, dict[tuple, list[Hit]]] = {}
    taken: dict[str, list[tuple[TextEdit, Finding]]] = defaultdict(list)
    out.secret_lines = secret_lines(graph)
    formats: dict[str, str] = {}
    for finding in findings:
        pol = policies.get(finding.rule_id)
        if pol is None or pol.fix is None or graph is None:
            out.unfixed.append(Unfixed(finding, (pol.no_fix if pol is not None else "") or NOT_DECLARED))
            continue
        if pol.id not in hits:
            hits[pol.id] = _hits(pol, graph)
        found = hits[pol.id].get(_key(finding.rule_id, finding.resource, finding.loc.file, finding.loc.line), [])
        try:
            description, edits, note, fmt = _edits(pol, found, graph, sources)
        except CannotEdit as err:
            out.unfixed.append(Unfixed(finding, err.reason))
            continue
        except Exception as err:  # noqa: BLE001 - a defect of ours costs this fix, not the report
            out.unfixed.append(Unfixed(finding, f"internal error while making the fix ({type(err).__name__}); "
                                                "please report it"))
            continue
        clash = _clash(edits, taken)
        if clash is not None:
            out.unfixed.append(Unfixed(finding, f"its edit overlaps the fix of {clash.rule_id} on {clash.resource}: "
                                                "run fix again once that one is applied"))
            continue
        if _touches_secret(edits, out.secret_lines, sources):
            out.unfixed.append(Unfixed(finding, "its edit would change a line that holds a literal secret, which a "
                                                "report must not show: remove the secret first (hardcoded-secret)"))
            continue
        clash = _not_combined(found, edits, taken, sources)
        if clash is not None:
            out.unfixed.append(Unfixed(finding, f"with the fix of {clash.rule_id} on {clash.resource} in the same file "
                                                "it would not read back: run fix again once that one is applied"))
            continue
        for edit in edits:
            taken[edit.path].append((edit, finding))
            out.texts[edit.path] = sources.text(edit.path)
            formats[edit.path] = fmt
        out.fixes.append(Fix(finding, description, tuple(sorted(edits)), note))
    _verify(out, formats)
    return out


def _verify(out: FixPlan, formats: dict[str, str]) -> None:
    """Each edited file checked by its editor's optional ``verify(rel, text)`` (it still parses):
    the fixes of a file that fails are withdrawn, with the reason, until every file passes."""
    for _ in range(len(out.texts) + 1):
        failed: dict[str, str] = {}
        for rel, text in out.edited().items():
            editor = editor_for(formats[rel])
            verify = getattr(editor, "verify", None)
            if verify is None:
                continue
            try:
                verify(rel, text)
            except CannotEdit as err:
                failed[rel] = err.reason
        if not failed:
            return
        for fix in [f for f in out.fixes if any(e.path in failed for e in f.edits)]:
            out.fixes.remove(fix)
            reason = next(failed[e.path] for e in fix.edits if e.path in failed)
            out.unfixed.append(Unfixed(fix.finding, reason))
        out.texts = {rel: text for rel, text in out.texts.items() if any(rel == e.path for f in out.fixes
                                                                         for e in f.edits)}


def _hits(pol: Policy, graph: ResourceGraph) -> dict[tuple, list[Hit]]:
    """The policy's hits again (a finding keeps no component), keyed as its findings are."""
    out: dict[tuple, list[Hit]] = defaultdict(list)
    try:
        for hit in pol.check(graph):
            out[_key(pol.id, hit.component.address, hit.loc.file, hit.loc.line)].append(hit)
    except Exception:  # noqa: BLE001 - a check that fails was reported by the scan; no fix then
        return {}
    return out


def _edits(pol: Policy, found: list[Hit], graph: ResourceGraph, sources: Sources
           ) -> tuple[str, list[TextEdit], str, str]:
    if not found or pol.fix is None:
        raise CannotEdit("the finding could not be traced back to its resource")
    edits: set[TextEdit] = set()
    descriptions: list[str] = []
    notes: list[str] = []
    fmt = ""
    for hit in found:
        change = pol.fix(hit, graph)
        if isinstance(change, NoFix):
            raise CannotEdit(change.reason)
        fmt = format_of(change.component)
        editor = editor_for(fmt)
        if editor is None:
            raise CannotEdit(UNAVAILABLE.format(title=TITLES.get(fmt, fmt)))
        edits.update(editor.edits(change, graph, sources))
        text = change.describe()
        if text not in descriptions:
            descriptions.append(text)
        if change.note and change.note not in notes:
            notes.append(change.note)
    if not edits:
        raise CannotEdit("the fix needs no edit (the value is already the fixed one)")
    ordered = sorted(edits)
    if any(a.path == b.path and b.start < a.end for a, b in zip(ordered, ordered[1:], strict=False)):
        raise CannotEdit("its instances need different edits at the same place: edit it by hand")
    return "; ".join(descriptions), ordered, "; ".join(notes), fmt


def _touches_secret(edits: list[TextEdit], lines: dict[str, set[int]], sources: Sources) -> bool:
    """Whether an edit changes a line where the scan found a secret that a diff could not mask
    by its key (a line written ``password = "..."`` stays masked when realigned)."""
    for edit in edits:
        text = sources.text(edit.path)
        first = position(text, edit.start)[0] + (edit.start == edit.end and position(text, edit.start)[1] == 1)
        last = position(text, edit.end)[0]
        all_lines = text.split("\n")
        for number in range(first, last + 1):
            if number in lines.get(edit.path, ()) and not holds_secret(all_lines[number - 1]):
                return True
    return False


def _not_combined(found: list[Hit], edits: list[TextEdit], taken: dict[str, list[tuple[TextEdit, Finding]]],
                  sources: Sources) -> Finding | None:
    """The finding whose fix, applied with this one, leaves a file its editor cannot read back
    (two insertions at one place that each make the same missing key), if any. Each fix was
    checked alone; only an editor with a ``combined`` check can tell (see ``editor.Editor``)."""
    editor = editor_for(format_of(found[0].component)) if found else None
    check = getattr(editor, "combined", None)
    if check is None:
        return None
    for rel in sorted({e.path for e in edits}):
        before = [e for e, _ in taken.get(rel, ())]
        if not before:
            continue
        # In the order ``FixPlan.edited`` applies them, so the text checked is the text written.
        text = apply_edits(sources.text(rel), sorted(set(before) | {e for e in edits if e.path == rel}))
        try:
            check(rel, text)
        except CannotEdit:
            return taken[rel][-1][1]
    return None


def _clash(edits: list[TextEdit], taken: dict[str, list[tuple[TextEdit, Finding]]]) -> Finding | None:
    """The finding whose fix already edits the same characters differently, if any."""
    for edit in edits:
        for other, finding in taken.get(edit.path, ()):
            if other == edit:
                continue
            if edit.start < other.end and other.start < edit.end:
                return finding
    return None
