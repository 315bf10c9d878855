"""JUnit XML, the test-report format GitLab, Jenkins and Azure DevOps show in a pipeline.

Layout: one ``<testsuite>`` per rule that ran (named ``<rule id> <control>``, sorted by id), so a
pipeline's test view reads as the list of controls checked:

* each finding is a failing ``<testcase>``: ``classname`` the rule id, ``name`` the resource and
  where it is (``aws_s3_bucket.site at infra/main.tf:12``), ``file`` its file (GitLab links the
  test case to it); the ``<failure>`` carries the severity
  as its ``type``, the message, and a text body with the file and line range, the places that
  explain it and the fix;
* an inline-suppressed finding is a ``<skipped>`` testcase with the suppression's reason;
* a rule that found nothing is one passing testcase named after its title;
* inputs that could not be analysed are testcases of a last suite, ``iac-assist scan``:
  ``<error>`` for errors (the scan fails closed), ``<skipped>`` for warnings; the ``type`` of
  either is the gap's category (``module-not-downloaded``...) when it has one;
* the suite's ``<properties>`` count what was not analysed (``not-analysed:<category>``) and
  the resource blocks of types no rule models (``unmodelled:<provider>``).

Every finding fails its testcase, whatever ``--fail-on`` says: the report shows what was found,
the exit code is the gate. Paths are relative to the repository root. The line is in the testcase
name and the failure text, not in an attribute no consumer reads. The output validates against
Jenkins' JUnit schema (``junit-10.xsd``) but for the testcase's ``file`` attribute, which GitLab
reads (as pytest's ``xunit1`` flavour and Node's test runner write it) and that schema lacks:
consumers that read JUnit leniently (GitLab, Azure DevOps, Jenkins' ``junit`` step) take it, one
that validates against that schema strictly would not. Times are 0 and there
are no timestamps or host names, so the same input gives the same report. Text from the scanned
files is made visible (``safe_text``: controls, line breaks and bidi characters as ``\\x1b``,
``\\u202e``), so every value stays on its line, and no line can start a CI runner's command.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from iac_assist.analysis.findings import Finding
from iac_assist.analysis.result import by_provider
from iac_assist.model import Location
from iac_assist.report.locations import RepoLocations, repo_locations
from iac_assist.report.safe_text import guard_lines, visible

if TYPE_CHECKING:
    from iac_assist.analysis.policy import Policy
    from iac_assist.analysis.result import ScanResult

SCAN_SUITE = "iac-assist scan"


def render(result: ScanResult) -> str:
    """The JUnit XML report of ``result``."""
    places = repo_locations(result)
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_rule[finding.rule_id].append(finding)
    policies = {p.id: p for p in result.policies}
    root = ET.Element("testsuites", name="iac-assist")
    for rule_id in sorted(set(policies) | set(by_rule)):
        root.append(_rule_suite(rule_id, policies.get(rule_id), by_rule.get(rule_id, []), places))
    if result.errors or result.unmodelled:
        root.append(_scan_suite(result, places))
    _count(root, root.findall("testsuite"))
    ET.indent(root)
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    return guard_lines(xml, "xml")


def _rule_suite(rule_id: str, policy: Policy | None, findings: list[Finding], places: RepoLocations) -> ET.Element:
    control = policy.control if policy else findings[0].control
    suite = ET.Element("testsuite", name=_text(f"{rule_id} {control}"))
    properties = ET.SubElement(suite, "properties")
    title = policy.title if policy else findings[0].title
    severity = policy.severity if policy else findings[0].severity
    for name, value in (("rule", rule_id), ("control", control), ("title", title), ("severity", severity)):
        ET.SubElement(properties, "property", name=name, value=_text(value))
    if not findings:
        ET.SubElement(suite, "testcase", name=_text(title), classname=_text(rule_id), time="0")
    for finding in findings:
        suite.append(_finding_case(finding, policy, places))
    return suite


def _finding_case(finding: Finding, policy: Policy | None, places: RepoLocations) -> ET.Element:
    loc = places.place(finding.loc)
    case = ET.Element("testcase", name=_text(f"{finding.resource} at {_where(loc)}"),
                      classname=_text(finding.rule_id), time="0", file=_text(loc.file))
    message = finding.message or finding.title
    if finding.suppressed is not None:
        ET.SubElement(case, "skipped", type="suppressed",
                      message=_text(f"suppressed: {finding.suppressed.reason}"))
        return case
    failure = ET.SubElement(case, "failure", type=finding.severity, message=_text(message))
    failure.text = _details(finding, loc, policy, places)
    return case


def _details(finding: Finding, loc: Location, policy: Policy | None, places: RepoLocations) -> str:
    lines = [
        f"{finding.rule_id} ({finding.control}, {finding.severity}): {finding.title}",
        f"Resource: {finding.resource}",
        f"Location: {_where(loc, span=True)}",
    ]
    if places.call_for(finding.loc) is not None:
        lines.append(f"Declared in downloaded module code: {finding.loc.file}:{finding.loc.line}")
    if finding.instances:
        lines.append(f"Instances: {', '.join(finding.instances)}")
    lines.append(f"Message: {finding.message or finding.title}")
    for related, text in finding.related:
        lines.append(f"Related: {_where(places.place(related))}" + (f" ({text})" if text else ""))
    for hop, text in finding.path:
        lines.append(f"Path: {_where(places.place(hop))}" + (f" ({text})" if text else ""))
    for origin in finding.origins:
        # Where the cited value came from, its place re-rooted like the others (none: command line).
        where = f"{_where(places.place(Location(origin.file, origin.line)))} " if origin.file else ""
        lines.append(f"Origin: {finding.origin_of} because {where}{origin.what}")
    lines = [_text(line) for line in lines]  # one line each, whatever the values hold
    if policy is not None:
        lines.append(f"Fix: {policy.remediation}")
    return "\n".join(lines)


def _scan_suite(result: ScanResult, places: RepoLocations) -> ET.Element:
    suite = ET.Element("testsuite", name=SCAN_SUITE)
    counts = [(f"not-analysed:{category}", n) for category, n in result.not_analysed.items() if n]
    counts += [(f"unmodelled:{provider}", n) for provider, n in by_provider(result.unmodelled).items()]
    if counts:
        properties = ET.SubElement(suite, "properties")
        for name, n in counts:
            ET.SubElement(properties, "property", name=_text(name), value=str(n))
    for error in result.errors:
        where = places.path(error.file) if error.file else "(scan)"
        if error.file and error.line >= 1:
            where += f":{error.line}" + (f":{error.column}" if error.column >= 1 else "")
        case = ET.SubElement(suite, "testcase", name=_text(where), classname="iac-assist", time="0")
        if error.file:
            case.set("file", _text(places.path(error.file)))
        if error.level == "error":
            ET.SubElement(case, "error", type=error.category or "input-not-analysed", message=_text(error.message))
        else:
            ET.SubElement(case, "skipped", type=error.category or error.level, message=_text(error.message))
    return suite


def _count(root: ET.Element, suites: list[ET.Element]) -> None:
    """tests/failures/errors/skipped on each suite, and their totals on ``<testsuites>``."""
    totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
    for suite in suites:
        cases = suite.findall("testcase")
        counts = {
            "tests": len(cases),
            "failures": sum(1 for c in cases if c.find("failure") is not None),
            "errors": sum(1 for c in cases if c.find("error") is not None),
            "skipped": sum(1 for c in cases if c.find("skipped") is not None),
        }
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("time", "0")
    for key in ("tests", "failures", "errors"):  # junit-10.xsd has no "skipped" on <testsuites>
        root.set(key, str(totals[key]))
    root.set("time", "0")


def _where(loc: Location, span: bool = False) -> str:
    if loc.line < 1:
        return loc.file
    if span and loc.end_line > loc.line:
        return f"{loc.file}:{loc.line}-{loc.end_line}"
    return f"{loc.file}:{loc.line}"


def _text(value: str) -> str:
    """``value`` on one line as XML can hold it: controls (which XML 1.0 forbids or a line break
    would split), bidi and other invisible characters become visible escapes."""
    return visible(value)
