"""GitHub Actions workflow commands: findings as annotations, for repositories without code
scanning (``iac-assist scan --format github`` in a workflow step).

One line per finding::

    ::error file=infra/main.tf,line=12,endLine=14,title=IAC-S3-001 S3 bucket readable by anyone::aws_s3_bucket.site: ...

* Severity: critical and high are ``error``, medium ``warning``, low ``notice``. Inputs that
  could not be analysed are ``error`` (or ``warning`` for scan warnings), titled as such.
* Paths are relative to the repository root (GitHub places annotations by them), and a finding
  in a downloaded module is placed on the ``module`` block calling it.
* Most severe first: GitHub shows only the first annotations of each kind per step (10 errors
  and 10 warnings at the time of writing), so those should be the ones that matter.
* Everything from the scanned files is first made visible (``safe_text``: controls, bidi
  overrides and other invisible characters as ``\x1b``, ``\u202e``...), then escaped as GitHub's
  toolkit does (``%``, CR, LF; and in properties ``:`` and ``,``): a hostile value cannot end the
  command early, start another one, or show text other than it is.
* A warning about input not analysed is titled with its category
  (``iac-assist: not analysed (module-not-downloaded)``).
* Inline-suppressed findings are not annotated. The last lines are the plain-text summary and,
  when there are any, the counts of what was not analysed and not checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from iac_assist.analysis.findings import SEVERITY_RANK, Finding
from iac_assist.model import Location, ScanError
from iac_assist.report.locations import RepoLocations, repo_locations
from iac_assist.report.safe_text import visible

if TYPE_CHECKING:
    from iac_assist.analysis.result import ScanResult

COMMANDS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice"}


def render(result: ScanResult) -> str:
    """The workflow commands for ``result``, one per line, then the summary."""
    from iac_assist.report.text import gaps, summary

    places = repo_locations(result)
    findings = sorted(result.unsuppressed, key=lambda f: (-SEVERITY_RANK[f.severity], f.sort_key()))
    lines = [_finding(f, places) for f in findings]
    lines += [_error(e, places) for e in result.errors]
    lines += [escape_data(visible(line)) for line in [summary(result), *gaps(result)]]
    return "\n".join(lines) + "\n"


def _finding(finding: Finding, places: RepoLocations) -> str:
    loc = places.place(finding.loc)
    message = f"{finding.resource}: {finding.message or finding.title}"
    if places.call_for(finding.loc) is not None:
        message += f" (in downloaded module code, {finding.loc.file}:{finding.loc.line})"
    if finding.origins:
        # The annotation sits on the resource; the reviewer also needs the line that made the value.
        message += f" ({finding.origin_of or 'the value'} because {_origins(finding, places)})"
    props = {"file": loc.file}
    if loc.line >= 1:
        props["line"] = str(loc.line)
        props["endLine"] = str(max(loc.end_line, loc.line))
    props["title"] = f"{finding.rule_id} {finding.title} ({finding.severity})"
    return command(COMMANDS[finding.severity], props, message)


def _origins(finding: Finding, places: RepoLocations) -> str:
    """Where the cited value came from, each place re-rooted like the finding's (none: the command line)."""
    out = []
    for origin in finding.origins:
        if origin.file:
            where = places.place(Location(origin.file, origin.line))
            out.append(f"{where.file}:{where.line} {origin.what}")
        else:
            out.append(origin.what)
    return "; ".join(out)


def _error(error: ScanError, places: RepoLocations) -> str:
    props: dict[str, str] = {}
    if error.file:
        props["file"] = places.path(error.file)
        if error.line >= 1:
            props["line"] = str(error.line)
            if error.column >= 1:
                props["col"] = str(error.column)
    gap = f" ({error.category})" if error.category else ""
    if error.level == "error":
        props["title"] = f"iac-assist: input not analysed{gap}"
        return command("error", props, error.message)
    props["title"] = f"iac-assist: not analysed{gap}" if gap else "iac-assist: warning"
    return command("warning", props, error.message)


def command(name: str, properties: dict[str, str], message: str) -> str:
    """``::name key=value,...::message`` with properties and message made visible and escaped."""
    props = ",".join(f"{key}={escape_property(visible(value))}" for key, value in properties.items())
    return f"::{name}{' ' + props if props else ''}::{escape_data(visible(message))}"


def escape_data(text: str) -> str:
    """A command's message, escaped as @actions/core does (``%``, CR, LF), other control
    characters percent-encoded too so they reach the log as text."""
    out = []
    for ch in text.replace("%", "%25"):
        code = ord(ch)
        out.append(f"%{code:02X}" if code < 0x20 or code == 0x7F else ch)
    return "".join(out)


def escape_property(text: str) -> str:
    """A command property's value: as a message, plus ``:`` and ``,``, which end a property."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
