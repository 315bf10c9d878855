"""Inline suppressions: a finding waived where the code is, with the reason written beside it.

Terraform (``#``, ``//`` or ``/* */`` comments) and CloudFormation YAML (``#`` comments)::

    # iac-assist:ignore=IAC-S3-001,s3-versioning-missing until=2027-03-31 public website, no PII
    resource "aws_s3_bucket" "site" {

CloudFormation, YAML or JSON, also in the resource's ``Metadata``::

    Metadata:
      iac-assist:
        ignore:
          - id: IAC-S3-001          # a rule id or a control slug (a list, or "A,B", names several)
            reason: public website
            until: 2027-03-31        # optional

A comment applies to the top-level block (resource, data source, module call) it sits in, or to
the one starting on the line just below it (other comment lines may come in between, a blank
line may not). A finding is waived when its own line, or the first line of the resource it is
about, lies in that block: a cause written in a satellite resource (``aws_s3_bucket_acl``) can be
waived above the satellite or above the bucket. A comment above a module call in a root module
applies to every finding in that module's resources.

Comments are not in the parse trees, so files are re-read here with a small lexer of their own
that knows strings, interpolations and heredocs (HCL) and quoted and block scalars (YAML): a
``#`` inside a string is not a comment. A suppression without a reason, one that matches no
finding, one past its ``until`` date (it then no longer applies), or one that names no known rule
is reported as a warning with its file and line.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from iac_assist.analysis.findings import Finding, Suppression, block_address
from iac_assist.model import Component, ScanError

if TYPE_CHECKING:
    from iac_assist.analysis.result import ScanResult

Read = Callable[[Path, str, list], "str | None"]

MARKER = "iac-assist:ignore="
_MARKER = re.compile(r"iac-assist:ignore=", re.IGNORECASE)
_IDS = re.compile(r"[A-Za-z0-9_.-]+(?:[ \t]*,[ \t]*[A-Za-z0-9_.-]+)*")
_UNTIL = re.compile(r"until=(\S*)", re.IGNORECASE)
_JSON_KEY = re.compile(r'"(?:iac-assist|checkov)"\s*:')
_REASON_LEAD = " \t-:\u2013\u2014"  # "-- reason", ": reason", "— reason"


@dataclass
class Directive:
    """One suppression as written, and what it is attached to."""

    file: str
    line: int
    column: int
    ids: tuple[str, ...]
    reason: str
    until: date | None = None
    span: tuple[int, int] | None = None
    """First and last line of the block it applies to; None when it sits in no block."""
    module: str = ""
    """For a module call in a root module: ``module.<name>``, whose findings it covers."""
    folder: str = ""
    """The folder of ``file`` (``.`` at the scan root): the root module a module call is in."""
    used: set[str] = field(default_factory=set)
    """The ids that waived at least one finding."""
    via: str = ""
    """For a waiver written for another scanner (``checkov:skip=CKV_AWS_20``, see ``foreign.py``):
    how it is written; ``ids`` are then the controls it maps to."""
    cause: str = ""
    """A regular expression a finding's cause must match to be waived (a foreign id narrower than
    its control); empty: any."""

    def warning(self, message: str) -> ScanError:
        return ScanError(self.file, self.line, message, column=self.column, level="warning")

    @property
    def named(self) -> str:
        """The waiver as warnings name it."""
        return f"{self.via} ({', '.join(self.ids)})" if self.via else ", ".join(self.ids)

    def admits(self, finding: Finding) -> bool:
        return not self.cause or re.search(self.cause, finding.cause) is not None

    def suppression(self) -> Suppression:
        reason = f"{self.via}: {self.reason}" if self.via and self.reason else self.via or self.reason
        return Suppression(reason, self.file, self.line)


@dataclass
class Block:
    """A top-level block of a file (a Terraform block, a CloudFormation resource)."""

    start: int
    end: int
    keyword: str = ""
    labels: tuple[str, ...] = ()


@dataclass
class FileScan:
    """What the lexer found in one file."""

    comments: list[tuple[int, int, str]] = field(default_factory=list)
    """(line, column, text) of each comment line, delimiters stripped; ``column`` (1-based) is
    where ``text`` starts."""
    code_lines: set[int] = field(default_factory=set)
    """Lines holding anything but whitespace and comments."""
    blocks: list[Block] = field(default_factory=list)


# Applying -----------------------------------------------------------------------------------------


def apply(result: ScanResult, today: date | None = None, read: Read | None = None) -> None:
    """Mark the findings of ``result`` that an inline suppression waives, and add a warning for
    each suppression that is reasonless, expired, unknown or unused. ``read`` reads a file as
    ``discovery.read_text`` does (the default)."""
    from iac_assist.inputs.discovery import read_text

    read = read or read_text
    today = today or date.today()
    directives: list[Directive] = []
    warnings: list[ScanError] = []
    for rel in result.files:
        text = read(result.root / rel, rel, [])  # unreadable files were reported by the scan
        if text and ("iac-assist" in text.lower() or foreign_mentioned(text.lower())):
            found, problems = directives_in(rel, text)
            directives.extend(found)
            warnings.extend(problems)
    if not directives and not warnings:
        return

    known = _known_ids(result)
    ran = {p.id.lower() for p in result.policies} | {p.control for p in result.policies}
    active: list[Directive] = []
    for d in directives:
        for ident in d.ids:
            if ident.lower() not in known:
                warnings.append(d.warning(f"suppression names {ident!r}, which is no rule id or control slug"))
        if d.until is not None and d.until < today:
            warnings.append(d.warning(f"suppression of {d.named} expired on {d.until.isoformat()}; "
                                      "it no longer applies"))
            continue
        if not d.reason:
            warnings.append(d.warning(f"suppression of {d.named} gives no reason; write why the risk "
                                      "is accepted after the ids"))
        if d.span is None and not d.module:
            warnings.append(d.warning("suppression is neither inside a resource nor on the line above one; "
                                      "it applies to nothing"))
            continue
        active.append(d)

    anchors, index = _Anchors(result), _Index(active)
    findings = []
    for finding in result.findings:
        waiver = index.first_match(finding, anchors)
        findings.append(finding if waiver is None else replace(finding, suppressed=waiver.suppression()))
    result.findings = findings

    for d in active:
        for ident in d.ids:
            key = ident.lower()
            if key in known and key in ran and key not in d.used:
                what = f"{d.via} ({ident})" if d.via else ident
                warnings.append(d.warning(f"suppression of {what} matches no finding"))
    result.errors = sorted(set(result.errors) | set(warnings), key=lambda e: (e.file, e.line, e.column, e.message))


def _known_ids(result: ScanResult) -> set[str]:
    from iac_assist.policies import all_policies

    policies = [*all_policies(), *result.policies]
    return {p.id.lower() for p in policies} | {p.control for p in policies}


class _Index:
    """Suppressions by the rule or control they name, the file they are in and the block they
    apply to (top-level blocks do not overlap: a line is in at most one)."""

    def __init__(self, directives: list[Directive]) -> None:
        self.order = {id(d): n for n, d in enumerate(directives)}
        blocks: dict[tuple[str, str], dict[int, tuple[int, list[Directive]]]] = {}
        self.on_modules: dict[str, list[Directive]] = {}
        for d in directives:
            for key in {i.lower() for i in d.ids}:
                if d.span is not None:
                    blocks.setdefault((key, d.file), {}).setdefault(d.span[0], (d.span[1], []))[1].append(d)
                if d.module:
                    self.on_modules.setdefault(key, []).append(d)
        self.blocks = {where: (sorted(spans), spans) for where, spans in blocks.items()}
        self.keys = {key for key, _ in self.blocks} | set(self.on_modules)

    def first_match(self, finding: Finding, anchors: _Anchors) -> Directive | None:
        """The first suppression (in file and line order) that waives ``finding``."""
        keys = {finding.rule_id.lower(), finding.control} & self.keys
        if not keys:
            return None
        found: dict[int, Directive] = {}
        points = anchors.points(finding)
        for key in keys:
            for file, line in points:
                starts, spans = self.blocks.get((key, file), ((), {}))
                at = bisect.bisect_right(starts, line) - 1
                if at >= 0 and line <= spans[starts[at]][0]:
                    found.update((id(d), d) for d in spans[starts[at]][1] if d.admits(finding))
            found.update((id(d), d) for d in self.on_modules.get(key, ())
                         if d.admits(finding) and anchors.in_module(finding, d.module, d.folder))
        if not found:
            return None
        first = min(found.values(), key=lambda d: self.order[id(d)])
        first.used |= {i.lower() for i in first.ids} & keys
        return first


class _Anchors:
    """Where a finding is: its own line and the first line of the resource it is about."""

    def __init__(self, result: ScanResult) -> None:
        self.by_block: dict[str, list[Component]] = {}
        if result.graph is not None:
            for comp in result.graph.components.values():
                self.by_block.setdefault(block_address(comp.address), []).append(comp)

    def components(self, finding: Finding) -> list[Component]:
        found = self.by_block.get(block_address(finding.resource), [])
        if len({c.scope for c in found}) <= 1:
            return found
        # The same address in several root modules or templates: keep the one the finding's
        # line comes from.
        here = (finding.loc.file, finding.loc.line)
        exact = [c for c in found
                 if (c.loc.file, c.loc.line) == here or any((f.loc.file, f.loc.line) == here for f in c.facts.values())]
        same_file = [c for c in found if c.loc.file == finding.loc.file]
        return exact or same_file or found

    def points(self, finding: Finding) -> list[tuple[str, int]]:
        return [(finding.loc.file, finding.loc.line), *((c.loc.file, c.loc.line) for c in self.components(finding))]

    def in_module(self, finding: Finding, module: str, folder: str) -> bool:
        if not finding.resource.startswith((module + ".", module + "[")):
            return False
        return any(c.scope == folder for c in self.components(finding))


# Reading directives -----------------------------------------------------------------------------


def foreign_mentioned(text_lower: str) -> bool:
    """Whether a file's text (lower-cased) may hold a waiver written for another scanner: a cheap
    test before lexing, here rather than in ``foreign.py`` so that the many files that mention
    none do not import its table's classes and patterns."""
    return "checkov" in text_lower or "trivy:ignore" in text_lower  # checkov: also its Metadata form


def directives_in(rel: str, text: str) -> tuple[list[Directive], list[ScanError]]:
    """The suppressions written in one file (``rel``: its path relative to the scan root)."""
    name = rel.lower()
    is_json = name.endswith(".json") or (name.endswith(".template") and text.lstrip().startswith("{"))
    if name.endswith(".tf"):
        scan = scan_hcl(text)
        meta: list[Directive] = []
        problems: list[ScanError] = []
    elif name.endswith(".tf.json"):
        return [], []  # JSON has no comments
    else:
        if is_json and not _JSON_KEY.search(text):
            return [], []  # no Metadata suppression: not worth decoding (plans can be large)
        scan = FileScan() if is_json else scan_yaml(text)
        blocks, meta, problems = _template_resources(rel, text)
        if blocks is None:
            return [], []  # not a decodable template: the scan reported it
        scan.blocks = blocks
    out: list[Directive] = []
    layout = _Layout(scan)
    if foreign_mentioned(text.lower()):
        found_foreign, foreign_problems = _foreign(rel, scan, layout)
        out.extend(found_foreign)
        problems.extend(foreign_problems)
    for line, column, comment in scan.comments:
        found = _MARKER.search(comment)
        if found is None:
            continue
        rest = comment[found.end():]
        following = _MARKER.search(rest)  # the next suppression of a block comment starts there
        directive, problem = _parse(rel, line, column + found.start(), rest[:following.start()] if following else rest)
        if problem is not None:
            problems.append(problem)
        if directive is None:
            continue
        _attach(directive, line, layout)
        out.append(directive)
    return out + meta, problems


def _foreign(rel: str, scan: FileScan, layout: _Layout) -> tuple[list[Directive], list[ScanError]]:
    """Waivers written for checkov and trivy (``foreign.py``), as directives of the controls their
    ids map to; a warning for each one that is not honoured."""
    from iac_assist.gate import foreign

    out: list[Directive] = []
    problems: list[ScanError] = []
    for line, column, comment in scan.comments:
        for written in foreign.parse(comment):
            mapping = None if written.problem else foreign.lookup(written)
            if mapping is None:
                problems.append(ScanError(rel, line, foreign.why_not(written), column=column + written.offset,
                                          level="warning"))
                continue
            directive = Directive(rel, line, column + written.offset, mapping.controls, written.reason,
                                  written.until, folder=_folder(rel), via=written.text, cause=mapping.cause)
            _attach(directive, line, layout)
            out.append(directive)
    return out, problems


def _parse(rel: str, line: int, column: int, rest: str) -> tuple[Directive | None, ScanError | None]:
    """``ID[,ID...] [until=YYYY-MM-DD] reason`` (what follows the marker)."""
    ids_match = _IDS.match(rest)
    if ids_match is None:
        return None, ScanError(rel, line, f"{MARKER} names no rule id or control slug; it applies to nothing",
                               column=column, level="warning")
    ids = tuple(dict.fromkeys(i.strip() for i in ids_match.group().split(",")))
    rest = rest[ids_match.end():].strip()
    until = None
    until_match = _UNTIL.match(rest)
    if until_match is not None:
        try:
            until = date.fromisoformat(until_match.group(1))
        except ValueError:
            return None, ScanError(rel, line, f"until={until_match.group(1)!r} is not a date (YYYY-MM-DD); "
                                   "the suppression does not apply", column=column, level="warning")
        rest = rest[until_match.end():]
    reason = rest.strip().lstrip(_REASON_LEAD).strip()
    return Directive(rel, line, column, ids, reason, until, folder=_folder(rel)), None


def _folder(rel: str) -> str:
    parent = PurePosixPath(rel).parent.as_posix()
    return parent if parent else "."


class _Layout:
    """Where the blocks of a file are, and what each comment line leads to."""

    def __init__(self, scan: FileScan) -> None:
        self.code_lines = scan.code_lines
        self.blocks = sorted(scan.blocks, key=lambda b: b.start)  # top-level: they do not overlap
        self.starts = [b.start for b in self.blocks]
        self.by_start = {b.start: b for b in self.blocks}
        comment_only = {c[0] for c in scan.comments} - scan.code_lines
        self.after: dict[int, int] = {}
        """For a comment-only line: the first line after the run of comment lines it is in."""
        for line in sorted(comment_only, reverse=True):
            self.after[line] = self.after.get(line + 1, line + 1)

    def target(self, line: int) -> Block | None:
        """The block a comment on ``line`` applies to: the one it is in (a comment after code, or
        inside the block) unless a run of comment lines leads straight to the first line of one."""
        if line not in self.code_lines:
            below = self.by_start.get(self.after.get(line, line + 1))
            if below is not None:
                return below
        index = bisect.bisect_right(self.starts, line) - 1
        if index >= 0 and self.blocks[index].end >= line:
            return self.blocks[index]
        return None


def _attach(directive: Directive, line: int, layout: _Layout) -> None:
    target = layout.target(line)
    if target is None:
        return
    directive.span = (target.start, target.end)
    if target.keyword == "module" and len(target.labels) == 1:
        directive.module = f"module.{target.labels[0]}"


# CloudFormation ----------------------------------------------------------------------------------


def _template_resources(rel: str, text: str) -> tuple[list[Block] | None, list[Directive], list[ScanError]]:
    """Each resource's line range, and the suppressions in its ``Metadata``; None when the
    file does not decode as a template."""
    try:
        from iac_assist.parsers.cloudformation.decode import decode_str

        template, matches = decode_str(text)
    except Exception:  # third-party decoder on untrusted input: the scan reports what is wrong
        return None, [], []
    if matches or not isinstance(template, dict) or not isinstance(template.get("Resources"), dict):
        return None, [], []
    lines = text.splitlines()
    blocks: list[Block] = []
    directives: list[Directive] = []
    problems: list[ScanError] = []
    for key, node in template["Resources"].items():
        start = _mark_line(key) or _mark_line(node)
        if not start:
            continue
        block = Block(start, max(_end_line(node, lines), start), "resource", (str(key),))
        blocks.append(block)
        if isinstance(node, dict):
            found, bad = _metadata(rel, node.get("Metadata"), block, start)
            directives.extend(found)
            problems.extend(bad)
            found, bad = _checkov_metadata(rel, node.get("Metadata"), block, start)
            directives.extend(found)
            problems.extend(bad)
    return blocks, directives, problems


def _checkov_metadata(rel: str, metadata: Any, block: Block, line: int) -> tuple[list[Directive], list[ScanError]]:
    """Checkov's own CloudFormation form, ``Metadata: {checkov: {skip: [{id, comment}]}}``, read as
    ``#checkov:skip=`` comments are (``foreign.py``)."""
    from iac_assist.gate import foreign

    section = metadata.get("checkov") if isinstance(metadata, dict) else None
    entries = section.get("skip") if isinstance(section, dict) else None
    if not isinstance(entries, list):
        return [], []
    out: list[Directive] = []
    problems: list[ScanError] = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
            continue
        at = _mark_line(entry) or line
        comment = entry.get("comment")
        written = foreign.Written("checkov", entry["id"].strip(), f"checkov:skip={entry['id'].strip()}", 0,
                                  str(comment).strip() if isinstance(comment, str) else "")
        mapping = foreign.lookup(written)
        if mapping is None:
            problems.append(ScanError(rel, at, foreign.why_not(written), level="warning"))
            continue
        out.append(Directive(rel, at, 0, mapping.controls, written.reason, span=(block.start, block.end),
                             folder=_folder(rel), via=written.text, cause=mapping.cause))
    return out, problems


def _mark_line(node: Any) -> int:
    mark = getattr(node, "start_mark", None)
    return mark.line + 1 if mark is not None else 0


def _end_line(node: Any, lines: list[str]) -> int:
    """The last line of a decoded node: its end mark, which in YAML is where the next token
    starts, less the blank and comment lines before that token."""
    mark = getattr(node, "end_mark", None)
    if mark is None:
        return 0
    end = min(mark.line + 1, len(lines))
    if mark.line < len(lines) and not lines[mark.line][: mark.column].strip():
        end = mark.line
    while end > 0 and end <= len(lines) and (not lines[end - 1].strip() or lines[end - 1].lstrip().startswith("#")):
        end -= 1
    return end


def _metadata(rel: str, metadata: Any, block: Block, line: int) -> tuple[list[Directive], list[ScanError]]:
    """``Metadata: {iac-assist: {ignore: [{id, reason, until}]}}`` of one resource."""
    if not isinstance(metadata, dict) or "iac-assist" not in metadata:
        return [], []
    section = metadata["iac-assist"]
    where = _mark_line(section) or line

    def bad(at: int, message: str) -> ScanError:
        return ScanError(rel, at, message, level="warning")

    entries = section.get("ignore") if isinstance(section, dict) else None
    if not isinstance(entries, list):
        return [], [bad(where, "Metadata iac-assist: expected ignore: [{id: ..., reason: ...}]; nothing is suppressed")]
    unknown = sorted(str(k) for k in section if k != "ignore")
    problems = [bad(where, f"Metadata iac-assist: unknown key {k!r} ignored") for k in unknown]
    out = []
    for entry in entries:
        id_key = next((k for k in entry if k == "id"), None) if isinstance(entry, dict) else None
        at = _mark_line(id_key) or _mark_line(entry) or where
        ids = _metadata_ids(entry.get("id")) if isinstance(entry, dict) else ()
        if not ids:
            problems.append(bad(at, "Metadata iac-assist ignore entry has no id (a rule id or control slug); "
                                "it applies to nothing"))
            continue
        until_value = entry.get("until")
        until = None
        if until_value is not None:
            until = until_value if isinstance(until_value, date) else _date(str(until_value))
            if until is None:
                problems.append(bad(at, f"until={str(until_value)!r} is not a date (YYYY-MM-DD); "
                                    "the suppression does not apply"))
                continue
        reason = entry.get("reason")
        out.append(Directive(rel, at, 0, ids, str(reason).strip() if isinstance(reason, str) else "", until,
                             span=(block.start, block.end), folder=_folder(rel)))
    return out, problems


def _metadata_ids(value: Any) -> tuple[str, ...]:
    items: Iterable[Any] = value if isinstance(value, list) else [value]
    ids: list[str] = []
    for item in items:
        if isinstance(item, str):
            ids.extend(part.strip() for part in item.split(",") if part.strip())
    return tuple(dict.fromkeys(ids))


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


# Lexers ------------------------------------------------------------------------------------------

_HCL_CODE = re.compile(
    r"""(?P<nl>\n)|(?P<ws>[ \t\r\f\v]+)|(?P<line>\#|//)|(?P<block>/\*)
    |(?P<heredoc><<-?(?P<marker>[A-Za-z_][\w-]*)[ \t]*(?=\r?\n))
    |(?P<quote>")|(?P<open>\{)|(?P<close>\})|(?P<other>[^\s"#/{}<]+|[/<])""",
    re.VERBOSE,
)
_HCL_STRING = re.compile(r"""(?P<escape>\\.)|(?P<literal>\$\$\{|%%\{)|(?P<interp>\$\{|%\{)|(?P<quote>")
    |(?P<nl>\n)|(?P<text>[^\\$%"\n]+|[$%])""", re.VERBOSE | re.DOTALL)
_HEADER = re.compile(r'\s*([A-Za-z_][\w-]*)((?:\s+(?:"(?:[^"\\\n]|\\.)*"|[A-Za-z_][\w-]*))*)\s*$')
_LABEL = re.compile(r'"((?:[^"\\\n]|\\.)*)"|([A-Za-z_][\w-]*)')


def scan_hcl(text: str) -> FileScan:
    """Comments, code lines and top-level blocks of HCL (native syntax) text."""
    out = FileScan()
    pos, line, n = 0, 1, len(text)
    depth = 0  # braces open at the top level
    stack: list[Any] = []  # "str" for a string, [braces] for an interpolation inside one
    statement: tuple[int, int] | None = None  # (line, offset) where the current top-level statement began
    block_start = (0, 0, 0)  # (line, offset) of the statement and the offset of its "{"
    while pos < n:
        if stack and stack[-1] == "str":
            m = _HCL_STRING.match(text, pos)
            if m is None:  # a lone backslash ending the text
                break
            kind = m.lastgroup
            pos = m.end()
            if kind == "quote":
                stack.pop()
            elif kind == "interp":
                stack.append([0])
            elif kind == "nl":  # an unterminated string ends with its line
                stack.pop()
                line += 1
            else:
                out.code_lines.add(line)
            continue
        m = _HCL_CODE.match(text, pos)
        if m is None:  # cannot happen: every character matches some branch
            pos += 1
            continue
        kind = m.lastgroup
        if kind == "marker":
            kind = "heredoc"
        if kind == "nl":
            line += 1
            if depth == 0 and not stack:
                statement = None
            pos = m.end()
            continue
        if kind == "ws":
            pos = m.end()
            continue
        if kind == "line":
            end = text.find("\n", m.end())
            end = n if end < 0 else end
            out.comments.append((line, m.end() - _line_start(text, m.end()) + 1, text[m.end():end].rstrip("\r")))
            pos = end
            continue
        if kind == "block":
            end = text.find("*/", m.end())
            stop = n if end < 0 else end
            body_start = m.end()
            pieces = text[body_start:stop].split("\n")
            for offset, piece in enumerate(pieces):
                lead = len(piece) - len(piece.lstrip(" \t*"))
                column = (body_start - _line_start(text, body_start) + 1 if offset == 0 else 1) + lead
                # A suppression may go on over the comment's next lines: each line's text runs to its end.
                rest = " ".join(p.strip(" \t\r*") for p in pieces[offset + 1:])
                out.comments.append((line + offset, column, (piece[lead:].rstrip("\r") + " " + rest).rstrip()))
            line += text.count("\n", body_start, stop)
            pos = n if end < 0 else end + 2
            continue
        out.code_lines.add(line)
        if depth == 0 and not stack and statement is None:
            statement = (line, m.start())
        if kind == "heredoc":
            pos, line = _skip_heredoc(text, m, line, out.code_lines)
            continue
        pos = m.end()
        if kind == "quote":
            stack.append("str")
        elif kind == "open":
            if stack:
                stack[-1][0] += 1
            else:
                if depth == 0:
                    first_line, offset = statement or (line, m.start())
                    block_start = (first_line, offset, m.start())
                depth += 1
        elif kind == "close":
            if stack:
                if stack[-1][0] == 0:
                    stack.pop()  # the interpolation ends; back in its string
                else:
                    stack[-1][0] -= 1
            elif depth > 0:
                depth -= 1
                if depth == 0:
                    out.blocks.append(_block(text, block_start, line))
                    statement = None
    return out


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _skip_heredoc(text: str, m: re.Match, line: int, code_lines: set[int]) -> tuple[int, int]:
    """Past a heredoc's body, to the newline after its closing marker: (offset, line there)."""
    marker, n = m.group("marker"), len(text)
    pos = text.index("\n", m.end()) + 1  # the pattern saw the newline
    line += 1
    while pos < n:
        end = text.find("\n", pos)
        stop = n if end < 0 else end
        code_lines.add(line)
        if text[pos:stop].strip() == marker or end < 0:
            return stop, line
        pos = end + 1
        line += 1
    return n, line


def _block(text: str, start: tuple[int, int, int], end_line: int) -> Block:
    first_line, offset, brace = start
    header = _HEADER.match(text, offset, brace)
    keyword, labels = "", ()
    if header is not None:
        keyword = header.group(1)
        labels = tuple(a if a else b for a, b in _LABEL.findall(header.group(2)))
    return Block(first_line, end_line, keyword, labels)


_BLOCK_SCALAR = re.compile(r"(?:^|[\s:])[|>][0-9+-]{0,2}$")
_ITEM_INDENT = re.compile(r"(?:[ ]*-(?=[ ]|$))*[ ]*")


def scan_yaml(text: str) -> FileScan:
    """Comments and code lines of YAML text: a ``#`` starts a comment at the start of a line or
    after a space, never inside a quoted or block scalar."""
    out = FileScan()
    block_indent: int | None = None  # inside a block scalar more indented than this
    quote = ""  # a quoted scalar continuing on the next line
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = raw.rstrip("\r")
        stripped = raw.strip()
        if block_indent is not None:
            indent = len(raw) - len(raw.lstrip(" "))
            if not stripped or indent > block_indent:
                if stripped:
                    out.code_lines.add(number)
                continue
            block_indent = None
        code_end, quote = _yaml_line(raw, quote)
        code = raw[:code_end].rstrip()
        if code.strip():
            out.code_lines.add(number)
        if code_end < len(raw):
            out.comments.append((number, code_end + 2, raw[code_end + 1:]))
        if not quote and _BLOCK_SCALAR.search(code):
            item = _ITEM_INDENT.match(code).end()
            dash_only = code[item:].lstrip().startswith(("|", ">"))
            block_indent = (len(code) - len(code.lstrip(" "))) if dash_only else item
    return out


def _yaml_line(raw: str, quote: str) -> tuple[int, str]:
    """Where the comment of a YAML line starts (``len(raw)`` when none), and the quote still open
    at its end."""
    i, n = 0, len(raw)
    while i < n:
        ch = raw[i]
        if quote:
            if quote == '"' and ch == "\\":
                i += 2
                continue
            if ch == quote:
                if quote == "'" and i + 1 < n and raw[i + 1] == "'":
                    i += 2
                    continue
                quote = ""
            i += 1
            continue
        if ch == "#" and (i == 0 or raw[i - 1] in " \t"):
            return i, ""
        if ch in "'\"" and _opens_scalar(raw, i):
            quote = ch
        i += 1
    return n, quote


def _opens_scalar(raw: str, i: int) -> bool:
    """Whether a quote at ``i`` starts a quoted scalar (``it's`` holds no quoted scalar)."""
    before = raw[:i].rstrip()
    if not before or before[-1] in "[{,":
        return True
    spaced = raw[i - 1] in " \t"
    return spaced and (before[-1] in ":-?" or before.split()[-1].startswith(("!", "&")))
