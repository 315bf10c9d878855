"""The report for people: one line per finding, then errors or warnings, then a one-line summary.

Example::

    main.tf:3:1: IAC-S3-001 [critical] aws_s3_bucket.site: bucket is readable by anyone
        related: main.tf:9 (the ACL grants public-read)
    main.tf:12:1: IAC-RDS-001 [high] aws_db_instance.db: database is publicly accessible
        origin: publicly_accessible is true because envs/prod.tfvars:3 sets db_public = true
    main.tf:14:1: IAC-EC2-002 [high] aws_security_group.web: port 22 open to 0.0.0.0/0

    Errors
      broken.tf:4:7: unexpected token '}'

    3 findings (1 critical, 2 high) in 4 files; 1 error

A finding's line has the ``path:line:col: RULE [severity] message`` shape of compilers and
ruff, which editors and terminals make clickable (column 1 when the front end gave none); its
resource is named before the message unless the message already names it. Lines are never
wrapped: a line is one finding, for grep as much as for people. Places that explain a finding
follow it, indented; with ``show_source``, so do the source lines it points at (``source_lines``),
the finding's own marked ``>``. The problems section is headed ``Errors`` when there is an error,
``Warnings`` when there are only warnings.

Findings an inline suppression waives are left out and counted in the summary, as are those
left out as already known by ``--baseline`` or ``--new-since``:
``2 findings (1 critical, 1 high) in 4 files (1 suppressed, 3 already known)``.

What was not analysed and what no rule checks follow the summary, one line each, counted by
category (``iac_assist.model.NOT_ANALYSED``) and by provider::

    Not analysed: 3 module-not-downloaded, 1 remote-template (see the warnings above)
    Not checked: 12 resources of types no rule models (azurerm 5, aws 4, google 3); --verbose lists them

With ``verbose``, a ``Not checked`` section lists each type and its count before the summary.
With ``quiet``, the report is the findings' lines alone (the CLI still says on standard error
what fails the gate: a quiet run is never a silent pass).

Colour (ANSI) is used only when the caller asks for it (the CLI decides: ``color.py``), and only
on our own words: the severity, the rule id, headings. Everything that comes from the scanned
files is escaped first (``safe_text``): a resource name or a value in a hostile template must not
be able to send escape sequences to the reader's terminal, nor start a CI runner's workflow command.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from iac_assist.analysis.findings import SEVERITIES, Finding
from iac_assist.analysis.result import by_provider
from iac_assist.model import Location, ScanError
from iac_assist.report.safe_text import guard_lines, visible
from iac_assist.report.source_lines import SourceLines

if TYPE_CHECKING:
    from iac_assist.analysis.result import ScanResult

_RESET = "\033[0m"
_BOLD = "\033[1m"
_SEVERITY_STYLE = {
    "critical": "\033[1;31m",  # bold red
    "high": "\033[31m",  # red
    "medium": "\033[33m",  # yellow
    "low": "\033[36m",  # cyan
}
_ERROR_STYLE = "\033[1;31m"
_INDENT = "    "
SHOWN_LINES = 12
"""Source lines shown per finding at most with ``show_source`` (a long resource shows its start)."""


def render(result: ScanResult, *, color: bool = False, verbose: bool = False, quiet: bool = False,
           show_source: bool = False) -> str:
    """The text report of ``result``; ANSI colour only when ``color`` is true; ``verbose`` lists
    the resource types no rule checks; ``quiet``: the findings' lines only; ``show_source``:
    each finding followed by the source lines it points at."""
    # Suppressed findings are waived: they stay in JSON and SARIF, not in what people read.
    findings = sorted(result.unsuppressed, key=Finding.sort_key)
    if quiet:
        return guard_lines("".join(finding_line(f, color) + "\n" for f in findings))
    sources = SourceLines(result.root, max_lines=SHOWN_LINES) if show_source else None
    sections = [_findings_section(findings, color, sources), _errors_section(result.errors, color)]
    if verbose:
        sections.append(_unmodelled_section(result.unmodelled, color))
    blocks = [block for block in sections if block]
    blocks.append("\n".join([summary(result), *gaps(result, verbose)]))
    return guard_lines("\n\n".join(blocks) + "\n")


def gaps(result: ScanResult, verbose: bool = False) -> list[str]:
    """The lines after the summary: what was not analysed, by category, and the resources no
    rule models, by provider (none when there is nothing to say)."""
    lines = []
    counted = result.gaps
    if counted:
        detail = ", ".join(f"{n} {category}" for category, n in counted.items())
        lines.append(f"Not analysed: {detail} (see the warnings above)")
    if result.repository_waivers:
        lines.append(f"Waived by the repository's own settings: {_plural(result.repository_waivers, 'setting')} "
                     "(see the warnings above; --untrusted refuses them)")
    unmodelled = result.unmodelled
    if unmodelled:
        total = sum(unmodelled.values())
        providers = ", ".join(f"{visible(p)} {n}" for p, n in by_provider(unmodelled).items())
        hint = "" if verbose else "; --verbose lists them"
        lines.append(f"Not checked: {_plural(total, 'resource')} of types no rule models ({providers}){hint}")
    return lines


def _unmodelled_section(unmodelled: dict[str, int], color: bool) -> str:
    if not unmodelled:
        return ""
    width = max(len(str(n)) for n in unmodelled.values())
    lines = [_style("Not checked (resource types no rule models)", _BOLD, color)]
    lines += [f"  {n:>{width}}  {_clean(source_type)}" for source_type, n in unmodelled.items()]
    return "\n".join(lines)


def summary(result: ScanResult) -> str:
    """``3 findings (1 critical, 2 high) in 4 files; 1 error``, or ``No findings. ...`` when none."""
    files = _plural(len(result.files), "file")
    findings = result.unsuppressed
    if findings:
        counts = Counter(f.severity for f in findings)
        detail = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s])
        text = f"{_plural(len(findings), 'finding')} ({detail}) in {files}"
    else:
        # The file count stays: "no findings" in zero files usually means a wrong path.
        text = f"No findings. {files} scanned"
    waived = [f"{n} suppressed" for n in [len(result.findings) - len(findings)] if n]
    waived += [f"{n} already known" for n in [result.baselined] if n]
    if waived:
        text += f" ({', '.join(waived)})"
    problems = _problem_counts(result.errors)
    return f"{text}; {problems}" if problems else text


def _findings_section(findings: list[Finding], color: bool, sources: SourceLines | None) -> str:
    lines = []
    for finding in findings:
        lines += _finding_lines(finding, color)
        if sources is not None:
            lines += [*source_block(sources.lines(finding), finding), ""]
    if lines and not lines[-1]:
        lines.pop()  # the section ends with its last finding; blocks are joined by a blank line
    return "\n".join(lines)


def finding_line(finding: Finding, color: bool = False) -> str:
    """``main.tf:12:1: IAC-S3-001 [critical] aws_s3_bucket.site: bucket grants public-read``."""
    loc = finding.loc
    severity = _style(_clean(finding.severity), _SEVERITY_STYLE.get(finding.severity, ""), color)
    rule = _style(_clean(finding.rule_id), _BOLD, color)
    message = _clean(finding.message)
    if not _names(finding.message, finding.resource):
        message = f"{_clean(finding.resource)}: {message}"
    return f"{_clean(loc.file)}:{loc.line}:{loc.column or 1}: {rule} [{severity}] {message}"


def _names(message: str, resource: str) -> bool:
    """Whether ``message`` names ``resource`` already (as a whole word: ``Web`` is not named by
    ``WebTargetGroup``), so that the line says it once; an empty resource needs no naming."""
    return not resource or re.search(rf"(?<!\w){re.escape(resource)}(?!\w)", message) is not None


def _finding_lines(finding: Finding, color: bool) -> list[str]:
    """The finding's line, plus one for the places that explain it and one for where the value
    it cites came from, when there are some."""
    lines = [finding_line(finding, color)]
    if finding.related:
        places = "; ".join(_related(loc_message) for loc_message in finding.related)
        lines.append(f"{_INDENT}related: {places}")
    if finding.origins:
        places = "; ".join(str(origin) for origin in finding.origins)
        claim = f"{finding.origin_of} because {places}" if finding.origin_of else places
        lines.append(f"{_INDENT}origin: {_clean(claim)}")
    return lines


def source_block(lines: list[list[int | str]], finding: Finding) -> list[str]:
    """Numbered source lines, those of the finding marked ``>``, escaped like all scanned text
    (tabs expanded first: an escaped tab would read as ``\\x09``)."""
    if not lines:
        return []
    first, last = finding.loc.line, max(finding.loc.end_line, finding.loc.line)
    width = len(str(lines[-1][0]))
    out = []
    for number, text in lines:
        mark = ">" if first <= int(number) <= last else " "
        out.append(f"{_INDENT}{mark} {number:>{width}} | {_clean(str(text).expandtabs(4))}".rstrip())
    return out


def _related(loc_message: tuple[Location, str]) -> str:
    loc, message = loc_message
    where = _clean(str(loc))
    return f"{where} ({_clean(message)})" if message else where


def _errors_section(errors: list[ScanError], color: bool) -> str:
    if not errors:
        return ""
    # Warnings alone (a suppression without a reason, input not analysed) are not errors.
    heading = "Errors" if any(e.level == "error" for e in errors) else "Warnings"
    style = _ERROR_STYLE if heading == "Errors" else _SEVERITY_STYLE["medium"]
    lines = [_style(heading, style, color)]
    for error in errors:
        lines.append(f"  {error_line(error)}")
    return "\n".join(lines)


def error_line(error: ScanError) -> str:
    """``file:line[:column]: message``; warnings share the section but say what they are."""
    # Line 0 means "the file as a whole" (unreadable, not a template): no position to show.
    where = error.file
    if error.file and error.line:
        where += f":{error.line}" + (f":{error.column}" if error.column else "")
    level = "" if error.level == "error" else f"{error.level}: "
    text = f"{level}{error.message}"
    return _clean(f"{where}: {text}" if where else text)


def _problem_counts(errors: list[ScanError]) -> str:
    n_errors = sum(1 for e in errors if e.level == "error")
    n_warnings = len(errors) - n_errors
    parts = []
    if n_errors:
        parts.append(_plural(n_errors, "error"))
    if n_warnings:
        parts.append(_plural(n_warnings, "warning"))
    return ", ".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _style(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color and code else text


def _clean(text: str) -> str:
    """``text`` with control and format characters escaped (ANSI sequences, newlines, bidi overrides)."""
    return visible(text)
