"""The attack paths as SARIF 2.1.0, for GitHub code scanning: ``iac-assist model -f sarif``.

One result per attack path (rule ``IAC-TM-PATH``), placed on the path's target, ranked as the
model ranks them, with the path as a code flow: each step's evidence (the gateway, route, rule,
listener, instance profile, metadata setting, policy statement that allows it) with its file and
line, so GitHub shows the path hop by hop. The run's ``automationDetails.id`` is
``iac-assist-model/<scanned folder>/``: a category of its own beside the scan's findings.
Built here rather than in ``scan -f sarif``, which must not pay for the attack graph (networkx)
on every commit.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sarif_om import (
    CodeFlow,
    LogicalLocation,
    Message,
    MultiformatMessageString,
    ReportingDescriptor,
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

from iac_assist import __version__
from iac_assist.model import Location
from iac_assist.report.locations import RepoLocations
from iac_assist.report.rule_docs import THREAT_MODEL_PAGE
from iac_assist.report.safe_text import guard_lines, visible
from iac_assist.report.sarif import (
    FINGERPRINT_KEY,
    INFORMATION_URI,
    SARIF_VERSION,
    SCHEMA_URI,
    SRCROOT,
    physical_location,
    to_json_value,
)
from iac_assist.threatmodel.model import AttackPath, ThreatModel

RULE_ID = "IAC-TM-PATH"
RULE_HELP = (
    "An attack path of the threat model: from the internet, step by step (exposure, listener, application "
    "compromise, network reach, credential theft through the instance metadata service, the instance role, "
    "its permissions) to a data store or compute. Each step names what allows it. Break the path at its "
    "cheapest step: close the exposure, require IMDSv2, narrow the role's policy, or isolate the target."
)


def _level(path: AttackPath) -> str:
    if path.exposure != "internal" and path.score >= 0.25:
        return "error"
    return "warning" if path.exposure != "internal" else "note"


def render(model: ThreatModel, options: Any = None) -> str:
    places = getattr(options, "places", None) or RepoLocations()
    where = {c.id: c.loc for c in model.components}
    results = [path_result(p, where.get(p.target), places) for p in sorted(model.attack_paths, key=lambda p: p.rank)]
    return sarif_log([r for r in results if r is not None], places, "iac-assist-model")


def sarif_log(results: list[Result], places: RepoLocations, category: str) -> str:
    """The SARIF document of ``results`` (of the rule ``RULE_ID``), whose run's automation id is
    ``<category>/<scanned folder>/``: code scanning keeps each category's analysis apart."""
    rule = ReportingDescriptor(
        id=RULE_ID, name="AttackPath",
        short_description=MultiformatMessageString(text="Attack path from the internet"),
        full_description=MultiformatMessageString(text=RULE_HELP),
        help=MultiformatMessageString(text=RULE_HELP),
        help_uri=THREAT_MODEL_PAGE,
        properties={"tags": ["security", "threat-model", "attack-path"]},
    )
    run = Run(
        tool=Tool(driver=ToolComponent(name="iac-assist", version=__version__, semantic_version=__version__,
                                       information_uri=INFORMATION_URI, rules=[rule])),
        column_kind="unicodeCodePoints",
        automation_details=RunAutomationDetails(id=f"{category}/{places.prefix}"),
        original_uri_base_ids={SRCROOT: {"description": {"text": "The repository root."}}},
        results=results,
    )
    doc = to_json_value(SarifLog(runs=[run], version=SARIF_VERSION, schema_uri=SCHEMA_URI))
    head = {key: doc.pop(key) for key in ("$schema", "version")}
    return guard_lines(json.dumps({**head, **doc}, indent=2) + "\n", "json")


def path_result(path: AttackPath, at: Location | None, places: RepoLocations, prefix: str = "") -> Result | None:
    """``path`` as a result placed ``at`` (the model places it on its target), the message
    starting with ``prefix``; None without a place (a result needs one in the repository)."""
    target_loc = at
    if target_loc is None:
        return None
    route = " → ".join(path.hops)
    text = (f"{prefix}Attack path #{path.rank} to {path.target} ({path.exposure or 'exposure not known'}, score "
            f"{path.score:.2f}, likelihood {path.likelihood:.2f}, impact {path.impact:.2f}): {route}")
    steps = []
    for edge in path.edges:
        for evidence in edge.evidence:
            if evidence.loc is None:
                continue
            steps.append(ThreadFlowLocation(
                location=SarifLocation(physical_location=physical_location(evidence.loc, places),
                                       message=Message(text=visible(f"{edge.kind}: {evidence.what}"))),
                execution_order=len(steps) + 1))
    flows = [CodeFlow(thread_flows=[ThreadFlow(locations=steps)],
                      message=Message(text=visible(f"From the internet to {path.target}")))] if steps else None
    fingerprint = hashlib.sha256("\0".join(path.hops).encode()).hexdigest()[:32]
    return Result(
        rule_id=RULE_ID, rule_index=0, level=_level(path),
        message=Message(text=visible(text)),
        locations=[SarifLocation(physical_location=physical_location(target_loc, places),
                                 logical_locations=[LogicalLocation(fully_qualified_name=visible(path.target),
                                                                    kind="resource")])],
        code_flows=flows,
        partial_fingerprints={FINGERPRINT_KEY: fingerprint},
        properties={"rank": path.rank, "score": round(path.score, 4), "exposure": path.exposure,
                    "classification": path.classification, "hops": list(path.hops)},
    )
