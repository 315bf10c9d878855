"""Waivers written for other scanners, read as iac-assist waivers where the meaning maps.

A team moving from Checkov or Trivy keeps its reviewed waivers::

    #checkov:skip=CKV_AWS_20:the bucket serves a public website
    #trivy:ignore:AVD-AWS-0089 the log bucket logs nowhere
    #trivy:ignore:aws-s3-enable-bucket-logging:exp:2027-03-31 until the log archive exists

Each is an inline suppression of the iac-assist controls its id maps to (``foreign_waivers.yaml``,
the one table; the README's is generated from it), under the same rules as ``iac-assist:ignore``
(``suppressions.py``): where it sits decides what it covers, a missing reason is a warning,
``exp:`` is its ``until``, ``--no-inline-suppressions`` and ``--untrusted`` void it, and what it
waived is reported as the repository's setting. An id with no mapping is a warning naming the
comment: the team learns it is not honoured, rather than finding out in production.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

TOOLS = ("checkov", "trivy")
_CHECKOV = re.compile(r"checkov:skip=[ \t]*([A-Za-z0-9_]+)", re.IGNORECASE)
_TRIVY = re.compile(r"trivy:ignore:([A-Za-z0-9_*.-]+)(\[[^\]]*\])?((?::[A-Za-z]+:[^\s:\[]*)*)", re.IGNORECASE)
_NEXT = re.compile(r"(?:checkov:skip=|trivy:ignore:|iac-assist:ignore=)", re.IGNORECASE)
_REASON_LEAD = " \t-:\u2013\u2014"


@dataclass(frozen=True)
class Mapping:
    """One foreign id and the iac-assist controls it waives."""

    tool: str
    id: str
    means: str
    controls: tuple[str, ...]
    cause: str = ""
    """A regular expression a finding's cause must match to be waived (empty: any)."""
    long: str = ""
    """Trivy's long id (``aws-s3-enable-bucket-logging``), also accepted."""


@dataclass(frozen=True)
class Table:
    mappings: dict[tuple[str, str], Mapping]
    """(tool, id in upper case; or a trivy long id in lower case) → mapping."""
    near: dict[str, str]
    """Ids deliberately left unmapped → why (upper-cased, and trivy long ids lower-cased)."""

    def rows(self) -> list[Mapping]:
        """Each mapping once, by tool then id."""
        unique = {(m.tool, m.id): m for m in self.mappings.values()}
        return [unique[key] for key in sorted(unique, key=lambda k: (TOOLS.index(k[0]), _natural(k[1])))]


@dataclass(frozen=True)
class Written:
    """One foreign waiver as the comment writes it."""

    tool: str
    id: str
    text: str
    """``checkov:skip=CKV_AWS_20``: how warnings and reports name it."""
    offset: int
    """Where it starts in the comment."""
    reason: str = ""
    until: date | None = None
    problem: str = ""
    """Why it cannot be honoured whatever the table says (a filter, a bad date)."""


@lru_cache(maxsize=1)
def table() -> Table:
    """The mapping table, read once (PyYAML is imported only when a file has such a comment)."""
    from importlib.resources import files

    import yaml

    data = yaml.safe_load((files("iac_assist.gate") / "foreign_waivers.yaml").read_text(encoding="utf-8"))
    mappings: dict[tuple[str, str], Mapping] = {}
    for tool in TOOLS:
        for ident, entry in (data.get(tool) or {}).items():
            mapping = _mapping(tool, str(ident), entry)
            mappings[(tool, mapping.id.upper())] = mapping
            if mapping.long:
                mappings[(tool, mapping.long.lower())] = mapping
    near = {str(k).upper() if str(k).upper().startswith(("CKV", "AVD")) else str(k).lower(): str(v)
            for k, v in (data.get("near") or {}).items()}
    return Table(mappings, near)


def _mapping(tool: str, ident: str, entry: Any) -> Mapping:
    if not isinstance(entry, dict) or not entry.get("controls"):
        raise ValueError(f"foreign_waivers.yaml: {tool} {ident}: needs controls")
    cause = str(entry.get("cause") or "")
    if cause:
        re.compile(cause)  # a broken table fails the tests, never a scan's matching
    return Mapping(tool, ident, str(entry.get("means", "")), tuple(str(c) for c in entry["controls"]), cause,
                   str(entry.get("long") or ""))


def lookup(written: Written) -> Mapping | None:
    key = written.id.upper() if written.id.upper().startswith(("CKV", "AVD")) else written.id.lower()
    return table().mappings.get((written.tool, key))


def why_not(written: Written) -> str:
    """The warning for a foreign waiver that is not honoured."""
    if written.problem:
        return f"{written.text} is not honoured: {written.problem}"
    key = written.id.upper() if written.id.upper().startswith(("CKV", "AVD")) else written.id.lower()
    near = table().near.get(key)
    detail = f" ({near})" if near else ""
    return (f"{written.text} is not honoured: no iac-assist control means the same{detail}; "
            "the README's table lists those that are")


def parse(comment: str) -> list[Written]:
    """The foreign waivers in one comment's text."""
    out: list[Written] = []
    for match in _CHECKOV.finditer(comment):
        # CKV_AWS_20:reason, as checkov writes it (or a reason after a space)
        reason = _until_next(comment, match.end()).strip().lstrip(_REASON_LEAD).strip()
        out.append(Written("checkov", match.group(1), f"checkov:skip={match.group(1)}", match.start(), reason))
    for match in _TRIVY.finditer(comment):
        ident, selector, options = match.group(1), match.group(2) or "", match.group(3) or ""
        text = f"trivy:ignore:{ident}"
        problem, until = "", None
        if "*" in ident:
            problem = "a wildcard waives every check; name the ids"
        elif selector:
            problem = f"its {selector} filter has no iac-assist meaning; put the comment on the resource instead"
        for key, value in re.findall(r":([A-Za-z]+):([^\s:\[]*)", options):
            if key.lower() == "exp":
                try:
                    until = date.fromisoformat(value)
                except ValueError:
                    problem = problem or f"exp:{value} is not a date (YYYY-MM-DD)"
            else:
                problem = problem or f"its {key}: option has no iac-assist meaning"
        reason = _until_next(comment, match.end()).strip().lstrip(_REASON_LEAD).strip()
        out.append(Written("trivy", ident, text, match.start(), reason, until, problem))
    return sorted(out, key=lambda w: w.offset)


def _until_next(comment: str, start: int) -> str:
    following = _NEXT.search(comment, start)
    return comment[start:following.start()] if following else comment[start:]


def markdown_table() -> str:
    """The README's table of the foreign ids honoured, generated from the mapping file."""
    lines = ["| Tool | Id | Its meaning | iac-assist controls waived |", "|---|---|---|---|"]
    for m in table().rows():
        ident = f"`{m.id}`" + (f" / `{m.long}`" if m.long else "")
        controls = ", ".join(f"`{c}`" for c in m.controls)
        if m.cause:
            controls += " (findings caused by the ACL or a grant)" if m.cause == "^(acl|grant)=" else \
                f" (findings whose cause matches `{m.cause}`)"
        lines.append(f"| {m.tool} | {ident} | {m.means} | {controls} |")
    return "\n".join(lines) + "\n"


def _natural(ident: str) -> tuple[Any, ...]:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", ident))
