"""A findings summary in GitHub-flavoured Markdown, fit for a pull-request comment or a job
summary (``$GITHUB_STEP_SUMMARY``).

Sections: a headline with counts, a table of counts by severity, a table of findings (most
severe first; severity, rule, resource, ``file:line`` link, message), one collapsible section
per rule with why it matters and how to fix it, then the inputs that could not be analysed (each
with its category: ``module-not-downloaded``...) and the counts of what was not analysed, by
category, and of the resource blocks of types no rule models, by provider and type.

* Links are relative to the repository root (``infra/main.tf#L12-L14``); in GitHub Actions
  (``GITHUB_SERVER_URL``, ``GITHUB_REPOSITORY`` and ``GITHUB_SHA`` set) they are absolute links
  to the file at the scanned commit, which work from a comment or a job summary too.
* The text stays under GitHub's 65,536-character limit for a comment: past a budget, the least
  severe rows are left out and a line says how many.
* Inline-suppressed findings are counted, not listed.
* Resource names, messages and file names are untrusted: identifiers go into code spans (whose
  fence outgrows any backtick run inside), other text has Markdown's and HTML's special
  characters backslash-escaped, ``@`` cannot mention anyone, line breaks become spaces and other
  invisible characters visible escapes, so nothing from a scanned file can break a table, inject
  HTML, ping people or hide behind a bidi override.
"""

from __future__ import annotations

import html
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote

from iac_assist.analysis.findings import SEVERITIES, SEVERITY_RANK, Finding
from iac_assist.analysis.result import by_provider
from iac_assist.model import Location, ScanError
from iac_assist.report.locations import RepoLocations, repo_locations
from iac_assist.report.markdown_text import code, code_block, text
from iac_assist.report.safe_text import guard_lines

if TYPE_CHECKING:
    from iac_assist.analysis.policy import Policy
    from iac_assist.analysis.result import ScanResult
    from iac_assist.fixes.plan import FixPlan

MAX_CHARS = 60_000
"""Budget for the whole text: GitHub refuses comments over 65,536 characters."""
RULES_URL = "https://github.com/iac-assist/iac-assist/blob/main/docs/rules.md"

_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


def render(result: ScanResult, env: Mapping[str, str] | None = None) -> str:
    """The Markdown summary of ``result``; ``env`` (default: the process environment) tells
    whether links can be absolute GitHub links."""
    places = repo_locations(result)
    link = _linker(os.environ if env is None else env)
    policies = {p.id: p for p in result.policies}
    shown = sorted(result.unsuppressed, key=lambda f: (-SEVERITY_RANK[f.severity], f.sort_key()))
    head = ["## iac-assist", "", _headline(result, shown), ""]
    if shown:
        head += _severity_table(shown)
    tail = _errors(result.errors, places, link, MAX_CHARS // 4) + _gaps(result, MAX_CHARS // 8)
    budget = MAX_CHARS - _size(head) - _size(tail)
    rows = _findings_table(shown, places, link, budget * 2 // 3)
    details = _details(shown, policies, budget - _size(rows), result.fixes)
    out = head + rows + details + tail
    while out and out[-1] == "":
        out.pop()
    return guard_lines("\n".join(out) + "\n")


# Sections ---------------------------------------------------------------------------------------


def _headline(result: ScanResult, shown: list[Finding]) -> str:
    files = _plural(len(result.files), "file")
    if shown:
        counts = Counter(f.severity for f in shown)
        detail = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s])
        parts = [f"**{_plural(len(shown), 'finding')}** ({detail}) in {files}"]
    else:
        parts = [f"**No findings** in {files}"]
    suppressed = len(result.findings) - len(shown)
    if suppressed:
        parts.append(f"{suppressed} suppressed inline")
    if result.baselined:
        parts.append(f"{_plural(result.baselined, 'known finding')} left out (baseline)")
    errors = sum(1 for e in result.errors if e.level == "error")
    if errors:
        parts.append(f"**{_plural(errors, 'input')} not analysed**")
    gaps = sum(result.gaps.values())
    if gaps:
        parts.append(f"{_plural(gaps, 'gap')} in the analysis")
    if result.repository_waivers:
        parts.append(f"{_plural(result.repository_waivers, 'waiver')} by the repository's own settings")
    unmodelled = sum(result.unmodelled.values())
    if unmodelled:
        parts.append(f"{_plural(unmodelled, 'resource')} of types no rule checks")
    return " · ".join(parts)


def _severity_table(findings: list[Finding]) -> list[str]:
    counts = Counter(f.severity for f in findings)
    lines = ["| Severity | Findings |", "| --- | ---: |"]
    lines += [f"| {s.capitalize()} | {counts[s]} |" for s in SEVERITIES]
    return lines + [""]


def _findings_table(findings: list[Finding], places: RepoLocations, link: Callable[[Location], str],
                    budget: int) -> list[str]:
    if not findings:
        return []
    lines = ["### Findings", "",
             "| Severity | Rule | Resource | Location | Finding |", "| --- | --- | --- | --- | --- |"]
    used = _size(lines)
    for n, finding in enumerate(findings):
        row = _row(finding, places, link)
        if used + len(row) + 1 > budget:
            lines += ["", f"… and {_plural(len(findings) - n, 'more finding')} not shown here (the SARIF or "
                          "JSON report lists them all)."]
            break
        lines.append(row)
        used += len(row) + 1
    return lines + [""]


def _row(finding: Finding, places: RepoLocations, link: Callable[[Location], str]) -> str:
    message = text(finding.message or finding.title)
    if places.call_for(finding.loc) is not None:
        message += f" (in downloaded module code, {code(f'{finding.loc.file}:{finding.loc.line}')})"
    if finding.origins:
        # Where the cited value came from: the line a reviewer has to change (a tfvars file, a module input).
        sources = "; ".join(
            f"{link(places.place(Location(o.file, o.line)))} {text(o.what)}" if o.file else text(o.what)
            for o in finding.origins)
        message += f" — {text(finding.origin_of or 'the value')} because {sources}"
    cells = [finding.severity.capitalize(), code(finding.rule_id), code(finding.resource),
             link(places.place(finding.loc)), message]
    return "| " + " | ".join(cells) + " |"


def _details(findings: list[Finding], policies: dict[str, Policy], budget: int, plan: FixPlan | None = None
             ) -> list[str]:
    """One collapsible section per rule found: why it matters and the fix, in the order of the
    table (most severe rule first)."""
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_rule[finding.rule_id].append(finding)
    lines = ["### How to fix", ""] if by_rule else []
    used = _size(lines)
    for written, (rule_id, members) in enumerate(by_rule.items()):
        policy = policies.get(rule_id)
        first = members[0]
        title = policy.title if policy else first.title
        summary = (f"<summary><code>{html.escape(rule_id)}</code> {html.escape(title)}: "
                   f"{_plural(len(members), 'finding')} ({html.escape(first.severity)})</summary>")
        section = ["<details>", summary, ""]
        if policy is not None:
            # Rationale and remediation are the project's own Markdown (as in docs/rules.md).
            section += [policy.rationale.strip(), "", f"**Fix:** {policy.remediation.strip()}", ""]
            section += [f"Examples in Terraform and CloudFormation: `iac-assist rules {rule_id}` or the "
                        f"[rule reference]({RULES_URL}#{_anchor(f'{rule_id}: {title}')}).", ""]
        if plan is not None:
            section += _suggested(members, plan)
        section += ["</details>", ""]
        if used + _size(section) > budget:
            lines += [f"… and the fixes of {_plural(len(by_rule) - written, 'more rule')}: "
                      "`iac-assist rules ID` explains each.", ""]
            break
        lines += section
        used += _size(section)
    return lines


MAX_FIXES_SHOWN = 5
"""Fixes shown per rule; the others are a line saying how to get them all (``iac-assist fix``)."""


def _suggested(findings: list[Finding], plan: FixPlan) -> list[str]:
    """Each finding's fix: a GitHub ``suggestion`` block when the edit lies within the finding's
    lines (what a review comment on them can apply), else the diff."""
    lines: list[str] = []
    fixes = [fix for fix in (plan.fix_of(f) for f in findings) if fix is not None]
    for fix in fixes[:MAX_FIXES_SHOWN]:
        f = fix.finding
        lines += [f"{code(f.resource, cell=False)} ({code(f'{f.loc.file}:{f.loc.line}', cell=False)}): "
                  f"{text(fix.description)}", ""]
        suggestion = plan.suggestion(fix)
        if suggestion is not None:
            lines += code_block(suggestion, "suggestion")
        else:
            lines += code_block(plan.diff_of(fix).rstrip("\n"), "diff")
        lines.append("")
    if len(fixes) > MAX_FIXES_SHOWN:
        lines += [f"… and {_plural(len(fixes) - MAX_FIXES_SHOWN, 'more fix')}: `iac-assist fix` prints them all.", ""]
    return lines


def _errors(errors: list[ScanError], places: RepoLocations, link: Callable[[Location], str],
            budget: int) -> list[str]:
    if not errors:
        return []
    lines = ["### Inputs not fully analysed", "",
             "Errors fail the scan closed (exit code 2); warnings are reported only.", "",
             "| Level | Location | Message |", "| --- | --- | --- |"]
    used = _size(lines)
    for n, error in enumerate(errors):
        where = link(Location(places.path(error.file), error.line)) if error.file else "(scan)"
        level = error.level.capitalize() + (f" ({code(error.category)})" if error.category else "")
        row = f"| {level} | {where} | {text(error.message)} |"
        if used + len(row) + 1 > budget:
            lines += ["", f"… and {len(errors) - n} more not shown here (the text, JSON or SARIF report lists "
                          "them all)."]
            break
        lines.append(row)
        used += len(row) + 1
    return lines + [""]


def _gaps(result: ScanResult, budget: int) -> list[str]:
    """What was not analysed, by category, and the resource types no rule models."""
    counted = result.gaps
    unmodelled = result.unmodelled
    if not counted and not unmodelled:
        return []
    lines = ["### Not analysed, not checked", ""]
    if counted:
        lines += ["| Not analysed | Count |", "| --- | ---: |"]
        lines += [f"| {code(category)} | {n} |" for category, n in counted.items()]
        lines.append("")
    if unmodelled:
        providers = ", ".join(f"{code(p)} {n}" for p, n in by_provider(unmodelled).items())
        lines += [f"Resources of types no rule models, not checked (beyond literal secrets): {providers}.", "",
                  "| Resource type | Resources |", "| --- | ---: |"]
        used = _size(lines)
        for n, (source_type, count) in enumerate(unmodelled.items()):
            row = f"| {code(source_type)} | {count} |"
            if used + len(row) + 1 > budget:
                lines += ["", f"… and {_plural(len(unmodelled) - n, 'more type')} (the JSON report lists them all)."]
                break
            lines.append(row)
            used += len(row) + 1
        lines.append("")
    return lines


# Links ------------------------------------------------------------------------------------------


def _linker(env: Mapping[str, str]) -> Callable[[Location], str]:
    """A function turning a repository-relative location into a Markdown link to that file and
    line: relative to the repository root, or absolute in GitHub Actions."""
    server = env.get("GITHUB_SERVER_URL", "")
    repository = env.get("GITHUB_REPOSITORY", "")
    sha = env.get("GITHUB_SHA", "")
    base = ""
    if server.startswith("https://") and _REPOSITORY.fullmatch(repository) and _SHA.fullmatch(sha):
        base = f"{server.rstrip('/')}/{repository}/blob/{sha}/"

    def link(loc: Location) -> str:
        label = f"{loc.file}:{loc.line}" if loc.line >= 1 else loc.file
        anchor = ""
        if loc.line >= 1:
            anchor = f"#L{loc.line}" + (f"-L{loc.end_line}" if loc.end_line > loc.line else "")
        target = base + quote(loc.file, safe="/") + anchor
        return f"[{code(label)}]({target})"

    return link


# Escaping ---------------------------------------------------------------------------------------






def _anchor(heading: str) -> str:
    # GitHub's heading anchors, as docs.py builds them for docs/rules.md.
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"
