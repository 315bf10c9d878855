"""The report for people: findings grouped by file, then errors, then a one-line summary.

Example::

    main.tf
       3  CRITICAL  IAC-S3-001  s3-public-read  aws_s3_bucket.site: bucket is readable by anyone
                    related: main.tf:9 (the ACL grants public-read)
      12  HIGH      IAC-RDS-001  db-publicly-accessible  aws_db_instance.db: database is publicly accessible
                    origin: publicly_accessible is true because envs/prod.tfvars:3 sets db_public = true
      14  HIGH      IAC-EC2-002  sg-open-ssh  aws_security_group.web: port 22 open to 0.0.0.0/0

    Errors
      broken.tf:4:7: unexpected token '}'

    2 findings (1 critical, 1 high) in 4 files; 1 error

Findings an inline suppression waives are left out and counted in the summary, as are those
left out as already known by ``--baseline`` or ``--new-since``:
``2 findings (1 critical, 1 high) in 4 files (1 suppressed, 3 already known)``.

What was not analysed and what no rule checks follow the summary, one line each, counted by
category (``iac_assist.model.NOT_ANALYSED``) and by provider::

    Not analysed: 3 module-not-downloaded, 1 remote-template (see the warnings above)
    Not checked: 12 resources of types no rule models (azurerm 5, aws 4, google 3); --verbose lists them

With ``verbose``, a ``Not checked`` section lists each type and its count before the summary.

Colour (ANSI) is used only when the caller asks for it; the CLI decides from the terminal and
NO_COLOR. Everything that comes from the scanned files is escaped first (``safe_text``): a
resource name or a value in a hostile template must not be able to send escape sequences to the
reader's terminal, nor start a CI runner's workflow command.
"""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import TYPE_CHECKING

from iac_assist.analysis.findings import SEVERITIES, Finding
from iac_assist.analysis.result import by_provider
from iac_assist.model import Location, ScanError
from iac_assist.report.safe_text import guard_lines, visible

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
_SEVERITY_WIDTH = max(len(name) for name in SEVERITIES)


def render(result: ScanResult, *, color: bool = False, verbose: bool = False) -> str:
    """The text report of ``result``; ANSI colour only when ``color`` is true; ``verbose`` lists
    the resource types no rule checks."""
    # Suppressed findings are waived: they stay in JSON and SARIF, not in what people read.
    sections = [_findings_section(result.unsuppressed, color), _errors_section(result.errors, color)]
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


def _findings_section(findings: list[Finding], color: bool) -> str:
    if not findings:
        return ""
    width = max(len(str(f.loc.line)) for f in findings)
    ordered = sorted(findings, key=Finding.sort_key)
    groups = []
    for file, group in groupby(ordered, key=lambda f: f.loc.file):
        header = _style(_clean(file), _BOLD, color)
        lines = [line for finding in group for line in _finding_lines(finding, width, color)]
        groups.append("\n".join([header, *lines]))
    return "\n\n".join(groups)


def _finding_lines(finding: Finding, width: int, color: bool) -> list[str]:
    """One line per finding, plus one for the places that explain it and one for where the value
    it cites came from, when there are some."""
    # Pad outside the escape codes so columns line up with and without colour.
    label = finding.severity.upper()
    padding = " " * (_SEVERITY_WIDTH - len(label))
    severity = _style(label, _SEVERITY_STYLE.get(finding.severity, ""), color) + padding
    head = (
        f"  {finding.loc.line:>{width}}  {severity}  {_clean(finding.rule_id)}  {_clean(finding.control)}"
        f"  {_clean(finding.resource)}: {_clean(finding.message)}"
    )
    indent = " " * (2 + width + 2 + _SEVERITY_WIDTH + 2)
    lines = [head]
    if finding.related:
        places = "; ".join(_related(loc_message) for loc_message in finding.related)
        lines.append(f"{indent}related: {places}")
    if finding.origins:
        places = "; ".join(str(origin) for origin in finding.origins)
        claim = f"{finding.origin_of} because {places}" if finding.origin_of else places
        lines.append(f"{indent}origin: {_clean(claim)}")
    return lines


def _related(loc_message: tuple[Location, str]) -> str:
    loc, message = loc_message
    where = _clean(str(loc))
    return f"{where} ({_clean(message)})" if message else where


def _errors_section(errors: list[ScanError], color: bool) -> str:
    if not errors:
        return ""
    lines = [_style("Errors", _ERROR_STYLE, color)]
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
