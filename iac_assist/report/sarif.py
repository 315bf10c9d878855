"""The SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers.

The log is built from the ``sarif_om`` object model and written by a small serializer
(:func:`to_json_value`): sarif_om classes are ``attrs`` classes that carry each property's SARIF
name in their field metadata, but the package ships no writer.

Choices a consumer may want to know:

* ``tool.driver.rules`` lists every policy that ran, sorted by id, whether or not it found
  anything, so a viewer can show what was checked; ``result.ruleIndex`` points into that list.
* Levels: critical and high are ``error``, medium is ``warning``, low is ``note``.
* Rule ``properties``:

  - ``tags``: ``"security"`` (GitHub shows ``security-severity`` only for security rules), the
    weakness as ``"CWE-<n>"``, and one ``"STRIDE-<letter>"`` per STRIDE category, in STRIDE order.
  - ``security-severity``: the score GitHub maps back to a severity (critical "9.5", high "8.0",
    medium "5.5", low "3.0", each in the middle of GitHub's band for that severity).
  - ``problem.severity`` (``error``/``warning``/``recommendation``) and ``precision``, the
    names CodeQL uses, which some dashboards read.

* ``result.partialFingerprints["iacAssist/v1"]`` is the finding's fingerprint (stable across line
  shifts), so alerts follow code as it moves instead of being closed and reopened.
* Paths are relative to the repository root (the nearest folder above the scan root holding
  ``.git``; the scan root when there is none), even when a subfolder is scanned, percent-encoded
  as URI references, with ``uriBaseId`` ``%SRCROOT%``. ``originalUriBaseIds`` describes
  ``%SRCROOT%`` without a ``uri``: an absolute one would differ per machine and make the report
  non-deterministic, and GitHub resolves relative paths against the repository root anyway.
* Every result points at a file of the repository: a finding in a downloaded module
  (``.terraform/modules/...``, not committed) is placed on the ``module`` block calling it, its
  message naming where inside the module it is; one about something missing is on the resource
  that lacks it.
* Where the value a result cites came from, when not from its own line (a variables file,
  ``--var``, a variable's default, a module input, a CloudFormation parameter), follows the
  explaining places in ``relatedLocations``, each with its message (``publicly_accessible is true
  because envs/prod.tfvars:3 sets db_public = true``); one given on the command line has a
  message and no ``physicalLocation``.
* ``automationDetails.id`` is ``iac-assist/<scan root in the repository>/`` (GitHub's analysis
  category), so scans of different roots are separate analyses and each re-scan replaces its own.
* At most ``MAX_RESULTS`` (GitHub's per-run limit, 25,000) results: past it, the most severe are
  kept and a warning notification says how many were left out.
* A finding waived by an inline suppression stays, with ``suppressions: [{"kind": "inSource",
  "justification": <reason>}]``: viewers show it as suppressed rather than losing track of it.
* No timestamps, GUIDs or absolute paths: the same input gives a byte-identical report.
* Scan errors become ``invocations[0].toolExecutionNotifications``;
  ``executionSuccessful`` is false when any of them is an error (not a warning). One about
  input not analysed names its category as ``descriptor`` (``{"id": "module-not-downloaded",
  "index": 0}``), an index into ``tool.driver.notifications``, which describes every category of
  ``iac_assist.model.NOT_ANALYSED``.
* ``runs[0].properties``: ``notAnalysed`` (notifications by category, every category, 0 when
  none) and ``unmodelled`` (``{"resources", "byProvider", "byType"}``: resource blocks of types no
  rule models, which no result can be about).
* Message texts from the scanned files are made visible (``safe_text``: a control or bidi
  character shows as ``\\x1b``, ``\\u202e``); paths are percent-encoded URIs.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import attr
from sarif_om import (
    ArtifactChange,
    ArtifactContent,
    ArtifactLocation,
    CodeFlow,
    Fix,
    Invocation,
    LogicalLocation,
    Message,
    MultiformatMessageString,
    Notification,
    PhysicalLocation,
    Region,
    Replacement,
    ReportingConfiguration,
    ReportingDescriptor,
    ReportingDescriptorReference,
    Result,
    Run,
    RunAutomationDetails,
    SarifLog,
    ThreadFlow,
    ThreadFlowLocation,
    Tool,
    ToolComponent,
)
from sarif_om import Location as SarifLocation
from sarif_om import Suppression as SarifSuppression

from iac_assist import __version__
from iac_assist.analysis.findings import SEVERITY_RANK, Finding
from iac_assist.analysis.result import by_provider
from iac_assist.model import NOT_ANALYSED, Location, ScanError
from iac_assist.report.locations import RepoLocations, automation_id, repo_locations
from iac_assist.report.safe_text import guard_lines, visible

if TYPE_CHECKING:
    from iac_assist.analysis.policy import Policy
    from iac_assist.analysis.result import ScanResult
    from iac_assist.fixes.plan import FixPlan

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/iac-assist/iac-assist"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "iacAssist/v1"
MAX_RESULTS = 25_000
"""GitHub code scanning rejects a run with more results (docs.github.com, "SARIF results exceed
limit"; it displays the 5,000 most severe)."""

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
PROBLEM_SEVERITY = {"critical": "error", "high": "error", "medium": "warning", "low": "recommendation"}

# Fields written even when equal to their SARIF default. SARIF says a missing result.level
# means "take the rule's default level", but not every consumer applies that rule; an
# explicit level costs a few bytes and removes the doubt.
_ALWAYS_WRITTEN = frozenset({"level"})

# Characters a relative URI reference can hold unescaped in a path, besides letters, digits and
# "-._~" (RFC 3986 pchar). ":" is not among them: "a:b.tf" would read as a URI with scheme "a".
_URI_SAFE = "/!$&'()*+,;=@"


def render(result: ScanResult) -> str:
    """The SARIF log of ``result`` as JSON text."""
    return guard_lines(json.dumps(to_dict(result), indent=2) + "\n", "json")


def to_dict(result: ScanResult) -> dict[str, Any]:
    """The SARIF log of ``result`` as plain JSON data."""
    doc = to_json_value(build_log(result))
    # $schema and version first, as SARIF files conventionally start (sarif_om orders them last).
    head = {key: doc.pop(key) for key in ("$schema", "version")}
    return {**head, **doc}


def build_log(result: ScanResult) -> SarifLog:
    """The ``sarif_om`` object tree for ``result``: one run, all rules, all results."""
    policies = sorted(result.policies, key=lambda p: p.id)
    rule_index = {p.id: index for index, p in enumerate(policies)}
    places = repo_locations(result)
    findings, left_out = _capped(result.findings)
    driver = ToolComponent(
        name="iac-assist",
        version=__version__,
        semantic_version=__version__,
        information_uri=INFORMATION_URI,
        rules=[_rule(p) for p in policies],
        notifications=[_gap_descriptor(category) for category in NOT_ANALYSED],
    )
    run = Run(
        tool=Tool(driver=driver),
        # Columns come from Python strings, which count code points.
        column_kind="unicodeCodePoints",
        automation_details=RunAutomationDetails(id=automation_id(places)),
        original_uri_base_ids={SRCROOT: ArtifactLocation(
            description=Message(text="The repository root (the scan root when it is in no repository)."))},
        invocations=[_invocation(result, places, left_out)],
        results=[_result(f, rule_index.get(f.rule_id, -1), places, result.fixes) for f in findings],
        properties=_run_properties(result),
    )
    return SarifLog(runs=[run], version=SARIF_VERSION, schema_uri=SCHEMA_URI)


def _run_properties(result: ScanResult) -> dict[str, Any]:
    unmodelled = result.unmodelled
    return {
        "notAnalysed": result.not_analysed,
        "unmodelled": {"resources": sum(unmodelled.values()), "byProvider": by_provider(unmodelled),
                       "byType": unmodelled},
    }


def _gap_descriptor(category: str) -> ReportingDescriptor:
    what = NOT_ANALYSED[category]
    help_text = (f"Part of the input was not analysed: {what}. Its findings are missing from this report. "
                 f"`iac-assist scan --fail-on-unanalysed {category}` (or `all`) makes such a gap fail the gate.")
    return ReportingDescriptor(
        id=category,
        name="NotAnalysed" + "".join(part.capitalize() for part in category.split("-")),
        short_description=MultiformatMessageString(text=f"Not analysed: {what}"),
        full_description=MultiformatMessageString(text=f"Not analysed: {what}."),
        help=MultiformatMessageString(text=help_text, markdown=help_text),
        default_configuration=ReportingConfiguration(level="warning"),
    )


# Rules ------------------------------------------------------------------------------------------


def _rule(policy: Policy) -> ReportingDescriptor:
    return ReportingDescriptor(
        id=policy.id,
        name=policy.name,
        short_description=MultiformatMessageString(text=policy.title),
        full_description=MultiformatMessageString(text=policy.rationale),
        help=MultiformatMessageString(text=_help_text(policy), markdown=_help_markdown(policy)),
        default_configuration=ReportingConfiguration(level=LEVELS[policy.severity]),
        properties={
            "tags": rule_tags(policy),
            "security-severity": SECURITY_SEVERITY[policy.severity],
            "precision": policy.precision,
            "problem.severity": PROBLEM_SEVERITY[policy.severity],
        },
    )


def rule_tags(policy: Policy) -> list[str]:
    """``["security", "CWE-<n>", "STRIDE-<letter>", ...]`` for a policy."""
    return ["security", f"CWE-{policy.cwe}", *(f"STRIDE-{letter}" for letter in policy.stride_letters)]


def _help_text(policy: Policy) -> str:
    parts = [policy.rationale, f"Remediation: {policy.remediation}"]
    if policy.references:
        parts.append("References:\n" + "\n".join(policy.references))
    return "\n\n".join(parts)


def _help_markdown(policy: Policy) -> str:
    from iac_assist.report.rule_docs import rule_markdown

    return rule_markdown(policy)


# Results ----------------------------------------------------------------------------------------


def _capped(findings: list[Finding]) -> tuple[list[Finding], int]:
    """At most MAX_RESULTS findings, the most severe (unsuppressed first), in their order; and how
    many were left out."""
    if len(findings) <= MAX_RESULTS:
        return findings, 0
    ranked = sorted(range(len(findings)), key=lambda i: (findings[i].suppressed is not None,
                                                         -SEVERITY_RANK[findings[i].severity]))
    kept = sorted(ranked[:MAX_RESULTS])
    return [findings[i] for i in kept], len(findings) - MAX_RESULTS


def _result(finding: Finding, rule_index: int, places: RepoLocations, plan: FixPlan | None = None) -> Result:
    location = SarifLocation(
        physical_location=physical_location(finding.loc, places),
        logical_locations=[LogicalLocation(fully_qualified_name=visible(finding.resource), kind="resource")],
    )
    text = finding.message or finding.title  # SARIF requires text; an empty one shows as a blank alert
    if places.call_for(finding.loc) is not None:
        text += f" (in downloaded module code, {finding.loc.file}:{finding.loc.line})"
    return Result(
        rule_id=finding.rule_id,
        rule_index=rule_index,  # -1 (the default, left out) for a rule that did not run
        level=LEVELS[finding.severity],
        message=Message(text=visible(text)),
        locations=[location],
        related_locations=_related(finding, places) or None,
        code_flows=_code_flows(finding, places) or None,
        partial_fingerprints={FINGERPRINT_KEY: finding.fingerprint},
        properties=_result_properties(finding),
        suppressions=_suppressions(finding),
        fixes=_fixes(finding, places, plan),
    )


def _fixes(finding: Finding, places: RepoLocations, plan: FixPlan | None) -> list[Fix] | None:
    """The finding's fix (``iac-assist fix``) as SARIF ``fixes``: each file's replacements, in
    lines and columns of the file as scanned (an insertion deletes an empty region)."""
    fix = plan.fix_of(finding) if plan is not None else None
    if fix is None or plan is None:
        return None
    from iac_assist.fixes.plan import position

    changes = []
    for rel in sorted({e.path for e in fix.edits}):
        text = plan.texts[rel]
        replacements = []
        for edit in (e for e in fix.edits if e.path == rel):
            (line, column), (end_line, end_column) = position(text, edit.start), position(text, edit.end)
            replacements.append(Replacement(
                deleted_region=Region(start_line=line, start_column=column, end_line=end_line, end_column=end_column),
                inserted_content=ArtifactContent(text=edit.new)))
        changes.append(ArtifactChange(artifact_location=_artifact(places.path(rel)),
                                      replacements=replacements))
    return [Fix(description=Message(text=visible(fix.description)), artifact_changes=changes)]


def _suppressions(finding: Finding) -> list[SarifSuppression] | None:
    """An inline suppression as SARIF's ``inSource`` one: viewers show the result as waived."""
    if finding.suppressed is None:
        return None
    return [SarifSuppression(kind="inSource", justification=visible(finding.suppressed.reason) or None)]


def _result_properties(finding: Finding) -> dict[str, Any]:
    properties: dict[str, Any] = {"control": finding.control, "severity": finding.severity}
    if finding.instances:
        properties["instances"] = list(finding.instances)
    return properties


def _related(finding: Finding, places: RepoLocations) -> list[SarifLocation]:
    """The places that explain a finding, numbered from 1 (SARIF location ids within a result),
    then where the value it cites came from: ``publicly_accessible is true because
    envs/prod.tfvars:3 sets db_public = true``. A value given on the command line has no place in
    the repository: its related location is a message alone."""
    out = [
        _related_location(number, loc, text, places)
        for number, (loc, text) in enumerate(finding.related, start=1)
    ]
    for number, origin in enumerate(finding.origins, start=len(out) + 1):
        message = Message(text=visible(finding.because(origin)))
        if origin.file:
            loc = Location(origin.file, origin.line)
            out.append(SarifLocation(id=number, physical_location=physical_location(loc, places), message=message))
        else:
            out.append(SarifLocation(id=number, message=message))
    return out


def _code_flows(finding: Finding, places: RepoLocations) -> list[CodeFlow]:
    """A reachability finding's path, hop by hop: GitHub shows it as the alert's steps."""
    if not finding.path:
        return []
    steps = [
        ThreadFlowLocation(location=SarifLocation(physical_location=physical_location(loc, places),
                                                  message=Message(text=visible(text))),
                           execution_order=n)
        for n, (loc, text) in enumerate(finding.path, start=1)
    ]
    return [CodeFlow(thread_flows=[ThreadFlow(locations=steps)],
                     message=Message(text=visible(f"From the internet to {finding.resource}")))]


def _related_location(number: int, loc: Location, text: str, places: RepoLocations) -> SarifLocation:
    message = Message(text=visible(text)) if text else None
    return SarifLocation(id=number, physical_location=physical_location(loc, places), message=message)


def physical_location(loc: Location, places: RepoLocations) -> PhysicalLocation:
    loc = places.place(loc)
    # Line 0 means "somewhere in the file"; GitHub wants a line to show, so it is the first.
    end_line = loc.end_line if loc.end_line > loc.line >= 1 else None
    region = Region(start_line=max(loc.line, 1), end_line=end_line)
    return PhysicalLocation(artifact_location=_artifact(loc.file), region=region)


def _artifact(path: str) -> ArtifactLocation:
    return ArtifactLocation(uri=quote(path, safe=_URI_SAFE), uri_base_id=SRCROOT)


# Invocation -------------------------------------------------------------------------------------


def _invocation(result: ScanResult, places: RepoLocations, left_out: int = 0) -> Invocation:
    notifications = [_notification(error, places) for error in result.errors]
    if left_out:
        notifications.append(Notification(level="warning", message=Message(
            text=f"{left_out} of {left_out + MAX_RESULTS} findings were left out of this report: GitHub code "
                 f"scanning accepts at most {MAX_RESULTS} results per run. The most severe were kept; the JSON "
                 "report lists them all.")))
    return Invocation(
        execution_successful=not result.has_errors,
        tool_execution_notifications=notifications or None,
    )


def _notification(error: ScanError, places: RepoLocations) -> Notification:
    locations = None
    if error.file:
        region = None
        if error.line >= 1:
            region = Region(start_line=error.line, start_column=error.column if error.column > 0 else None)
        physical = PhysicalLocation(artifact_location=_artifact(places.path(error.file)), region=region)
        locations = [SarifLocation(physical_location=physical)]
    descriptor = None
    if error.category in NOT_ANALYSED:
        descriptor = ReportingDescriptorReference(id=error.category, index=list(NOT_ANALYSED).index(error.category))
    return Notification(
        message=Message(text=visible(error.message)),
        descriptor=descriptor,
        level="error" if error.level == "error" else "warning",
        locations=locations,
    )


# Serialization ----------------------------------------------------------------------------------


def to_json_value(obj: Any) -> Any:
    """``obj`` (sarif_om objects, dicts, lists, scalars) as JSON data with SARIF property names.

    A field is left out when it is None or equal to its declared default: sarif_om's defaults are
    the schema's (``ruleIndex`` -1, ``kind`` "fail", ``language`` "en-US"...), so writing them
    would only add noise. Property bags are plain dicts here, because SARIF bags are open and
    sarif_om's ``PropertyBag`` only models ``tags``.
    """
    if attr.has(type(obj)):
        return _attrs_object(obj)
    if isinstance(obj, dict):
        return {str(key): to_json_value(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_json_value(item) for item in obj]
    return obj


def _attrs_object(obj: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in attr.fields(type(obj)):
        value = getattr(obj, field.name)
        if value is None or (field.name not in _ALWAYS_WRITTEN and _is_default(obj, field, value)):
            continue
        out[field.metadata.get("schema_property_name", field.name)] = to_json_value(value)
    return out


def _is_default(obj: Any, field: attr.Attribute, value: Any) -> bool:
    default = field.default
    if default is attr.NOTHING:  # a required property: always written
        return False
    if isinstance(default, attr.Factory):
        default = default.factory(obj) if default.takes_self else default.factory()
    # Compare types too: True == 1 and 1 == 1.0 must not make a value look like a default.
    return type(value) is type(default) and value == default
