"""The threat model in the Open Threat Model format (OTM 0.2.0, IriusRisk's open standard, JSON).

Mapping:

- ``trustZones``: the six zones, nested as the model nests them (``vpc`` in ``aws``, ``public``
  and ``private`` in ``vpc``), each with a trust rating (``TRUST_RATINGS``, below: the more
  reachable from the internet, the lower).
- ``components``: every component of the model (plumbing too: OTM is data, not a drawing), its
  zone as parent, its kind as type, and where it is written as a ``code`` representation; plus an
  ``internet`` component in the ``internet`` zone, since OTM data flows join components.
- ``dataflows``: the flows, with port, protocol, encryption and crossed boundaries as attributes.
- ``threats``: one entry per threat of the library that applies (its id, title, STRIDE categories);
  each component or flow it applies to carries an instance with its state (``exposed`` while open,
  ``mitigated``) and the controls that mitigate it as mitigation instances (``implemented`` on a
  mitigated threat; ``required`` on an open one, where the model does not say which of them fail).
- ``assets``: the data each data store holds; the store ``stored`` it, the components with a flow
  to or from the store ``processed`` it.
- ``project``: ``--project-name`` and ``--project-id`` (default: the scanned folder's name).
- With ``--otm-mapping``, zones and component types become a consumer's (``otm_mapping``).
- ``attackPaths`` (an extension: OTM 0.2.0 has no attack paths; its schema admits extra members):
  the ranked paths, each with its target component, rank, score, likelihood and impact (0..100,
  as OTM rates risk), exposure, classification, hops (component ids) and steps, each step with
  its kind, likelihood and evidence (what allows it, with the file and line of its ``code``
  representation).
- ``mitigations``: the controls (their slugs as ids), named after the problem the rule that checks
  each finds ("Fix: ...") and described by its remediation.

OTM requires numbers iac-assist does not rate: a threat's ``impact`` is taken from the highest
severity among the rules of its controls, a mitigation's ``riskReduction`` from the severity of its
rule (``SEVERITY_SCORES``); a threat's ``likelihood`` is left null. Attribute values are strings,
as the specification's ``Map[string, string]`` has them.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from iac_assist import __version__
from iac_assist.report.safe_text import json_text
from iac_assist.threatmodel.formats.mermaid_format import DATA_STORES
from iac_assist.threatmodel.formats.otm_mapping import Mapping
from iac_assist.threatmodel.model import INTERNET, Flow, Threat, ThreatModel, flow_name
from iac_assist.threatmodel.zones import ZONES

if TYPE_CHECKING:
    from iac_assist.threatmodel.formats import RenderOptions

OTM_VERSION = "0.2.0"
REPRESENTATION = "iac"

TRUST_RATINGS = {
    # 0..100, how trustworthy: the internet not at all; the edge and public subnets take traffic
    # from it directly; regional services answer the internet only through their (signed) APIs;
    # a VPC's own machinery and private subnets are reached only from inside.
    "internet": 0,
    "edge": 20,
    "public": 30,
    "aws": 50,
    "vpc": 60,
    "private": 80,
}
ZONE_NAMES = {
    "internet": "Internet",
    "edge": "Edge (CloudFront, WAF)",
    "aws": "AWS regional services",
    "vpc": "VPC",
    "public": "Public subnets",
    "private": "Private subnets",
}
ZONE_PARENTS = {"vpc": "aws", "public": "vpc", "private": "vpc"}
UNKNOWN_ZONE_RATING = 50
SEVERITY_SCORES = {"critical": 100, "high": 75, "medium": 50, "low": 25}
STRIDE = {
    "S": "Spoofing",
    "T": "Tampering",
    "R": "Repudiation",
    "I": "Information disclosure",
    "D": "Denial of service",
    "E": "Elevation of privilege",
}


def render(model: ThreatModel, options: RenderOptions | None = None) -> str:
    # Readable non-ASCII stays; controls and bidi characters are written as \u escapes.
    return json_text(json.dumps(to_otm(model, options), indent=2, ensure_ascii=False) + "\n")


def to_otm(model: ThreatModel, options: RenderOptions | None = None) -> dict[str, Any]:
    rules = _rules()
    by_target: dict[str, list[Threat]] = {}
    for threat in model.threats:
        by_target.setdefault(threat.target, []).append(threat)
    assets = _assets(model)
    otm = {
        "otmVersion": OTM_VERSION,
        "project": _project(options),
        "representations": [
            {"name": "Infrastructure as code", "id": REPRESENTATION, "type": "code",
             "description": "The scanned Terraform and CloudFormation files; paths relative to the scan root."},
        ],
        "assets": assets,
        "trustZones": _trust_zones(model),
        "components": _components(model, by_target),
        "dataflows": [_dataflow(f, by_target) for f in model.flows],
        "threats": _threats(model.threats, rules),
        "mitigations": _mitigations(model.threats, rules),
        "attackPaths": _attack_paths(model),
    }
    _asset_instances(model, otm["components"])
    if options is not None and options.otm_mapping is not None:
        apply_mapping(otm, options.otm_mapping)
    return otm


def _project(options: RenderOptions | None) -> dict[str, Any]:
    """``--project-name`` / ``--project-id``, which default to the scanned folder's name (never
    to anything read from ``.git``)."""
    name = options.project_name if options is not None and options.project_name else "Threat model"
    project_id = options.project_id if options is not None and options.project_id else \
        (project_slug(name) if options is not None and options.project_name else "iac-assist-threat-model")
    return {
        "name": name,
        "id": project_id,
        "description": "Drawn by iac-assist from infrastructure as code (Terraform, CloudFormation).",
        "attributes": {"generator": "iac-assist", "generatorVersion": __version__},
    }


def project_slug(name: str) -> str:
    """A project id from a name: lower case ASCII letters, digits and single dashes."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:100] or "iac-assist-threat-model"


# --- data assets -------------------------------------------------------------------------------


def _assets(model: ThreatModel) -> list[dict[str, Any]]:
    """The data each data store holds, one asset per store. iac-assist does not know how sensitive
    it is: the ratings are the middle of the scale, said so, for the reviewer to set."""
    out = []
    for comp in model.components:
        if comp.kind not in DATA_STORES:
            continue
        out.append({
            "id": asset_id(comp.id),
            "name": f"Data in {comp.label or comp.id}",
            "description": f"What {comp.id} ({comp.kind}) stores.",
            "risk": {"confidentiality": 50, "integrity": 50, "availability": 50,
                     "comment": "Not rated by iac-assist: set the data's classification."},
            "attributes": {"store": comp.id, "kind": comp.kind},
        })
    return out


def asset_id(component_id: str) -> str:
    return f"data@{component_id}"


def _asset_instances(model: ThreatModel, components: list[dict[str, Any]]) -> None:
    """A data store stores its asset; a component with a flow to or from it processes it."""
    stores = {c.id for c in model.components if c.kind in DATA_STORES}
    processed: dict[str, set[str]] = {}
    for flow in model.flows:
        for store, other in ((flow.target, flow.source), (flow.source, flow.target)):
            if store in stores and other != INTERNET and other not in stores:
                processed.setdefault(other, set()).add(asset_id(store))
    for entry in components:
        cid = entry["id"]
        assets: dict[str, list[str]] = {}
        if cid in stores:
            assets["stored"] = [asset_id(cid)]
        if processed.get(cid):
            assets["processed"] = sorted(processed[cid])
        if assets:
            entry["assets"] = assets


# --- a consumer's zones and types --------------------------------------------------------------


def apply_mapping(otm: dict[str, Any], mapping: Mapping) -> None:
    """Trust zones and component types renamed to a consumer's (``otm_mapping``). Zones mapped to
    one id merge, keeping the lowest trust rating; mapped zones are flat, since a consumer's zones
    need not nest as ours do. Each component keeps its iac-assist kind as an attribute."""
    zone_ids: dict[str, str] = {}
    zones: dict[str, dict[str, Any]] = {}
    for zone in otm["trustZones"]:
        target = mapping.zones.get(zone["id"])
        if target is None:
            zone_ids[zone["id"]] = zone["id"]
            zones.setdefault(zone["id"], zone)
            continue
        new_id = target.id or zone["id"]
        zone_ids[zone["id"]] = new_id
        merged = zones.get(new_id)
        rating = zone["risk"]["trustRating"]
        if merged is None:
            zones[new_id] = {"id": new_id, "name": target.name or zone["name"], "type": target.type or zone["type"],
                             "risk": {"trustRating": rating},
                             "attributes": {"iacAssistZones": zone["id"]}}
        else:
            merged["risk"]["trustRating"] = min(merged["risk"]["trustRating"], rating)
            merged["attributes"]["iacAssistZones"] += f", {zone['id']}"
    if mapping.zones:
        for zone in zones.values():
            zone.pop("parent", None)
    otm["trustZones"] = list(zones.values())
    for comp in otm["components"]:
        comp["parent"] = {"trustZone": zone_ids.get(comp["parent"]["trustZone"], comp["parent"]["trustZone"])}
        mapped = mapping.component_type(comp["type"], comp.get("attributes", {}).get("sourceType", ""))
        if mapped:
            comp.setdefault("attributes", {})["iacAssistKind"] = comp["type"]
            comp["type"] = mapped
    otm["project"]["attributes"]["mapping"] = mapping.source


def _rules() -> dict[str, Any]:
    """Control slug -> the rule that checks it (its title, remediation and severity)."""
    from iac_assist.policies import all_policies

    out: dict[str, Any] = {}
    for policy in sorted(all_policies(), key=lambda p: p.id):
        out.setdefault(policy.control, policy)
    return out


def _trust_zones(model: ThreatModel) -> list[dict[str, Any]]:
    zones = list(ZONES) + sorted({c.zone for c in model.components} - set(ZONES))
    out = []
    for zone in zones:
        entry: dict[str, Any] = {
            "id": zone,
            "name": ZONE_NAMES.get(zone, zone),
            "type": zone,
            "risk": {"trustRating": TRUST_RATINGS.get(zone, UNKNOWN_ZONE_RATING)},
        }
        if zone in ZONE_PARENTS:
            entry["parent"] = {"trustZone": ZONE_PARENTS[zone]}
        out.append(entry)
    return out


def _instances(threats: list[Threat]) -> list[dict[str, Any]]:
    out = []
    for t in threats:
        mitigated = t.status == "mitigated"
        out.append({
            "threat": threat_type(t),
            "state": "mitigated" if mitigated else "exposed" if t.status == "open" else t.status,
            "mitigations": [{"mitigation": c, "state": "implemented" if mitigated else "required"}
                            for c in t.controls],
        })
    return out


def _components(model: ThreatModel, by_target: dict[str, list[Threat]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if model.component(INTERNET) is None:
        out.append({"id": INTERNET, "name": "Internet", "type": "internet", "parent": {"trustZone": "internet"},
                    "description": "Anyone on the internet."})
    for comp in model.components:
        attributes = {"sourceType": comp.source_type}
        if comp.vpc:
            attributes["vpc"] = comp.vpc
        entry: dict[str, Any] = {
            "id": comp.id,
            "name": comp.label or comp.id,
            "type": comp.kind,
            "parent": {"trustZone": comp.zone},
        }
        if comp.source_type:
            entry["tags"] = [comp.source_type]
        if comp.loc is not None:
            attributes |= {"file": comp.loc.file, "line": str(comp.loc.line)}
            entry["representations"] = [{
                "representation": REPRESENTATION, "id": f"{comp.id}@{comp.loc}", "name": comp.id,
                "file": comp.loc.file, "line": comp.loc.line,
            }]
        if by_target.get(comp.id):
            entry["threats"] = _instances(by_target[comp.id])
        entry["attributes"] = {k: v for k, v in attributes.items() if v}
        out.append(entry)
    return out


def flow_id(flow: Flow) -> str:
    port = flow.port if flow.port is not None else "all"
    return f"{flow.source}->{flow.target}:{port}/{flow.protocol or 'any'}"


def _dataflow(flow: Flow, by_target: dict[str, list[Threat]]) -> dict[str, Any]:
    encrypted = "unknown" if flow.encrypted is None else str(flow.encrypted).lower()
    attributes = {
        "protocol": flow.protocol or "any",
        "port": str(flow.port) if flow.port is not None else "all",
        "encrypted": encrypted,
        "crosses": ", ".join(flow.crosses),
    }
    if flow.loc is not None:
        attributes |= {"file": flow.loc.file, "line": str(flow.loc.line)}
    tags = [t for t in ((flow.protocol or "").lower(), "plaintext" if flow.encrypted is False else "",
                        "crosses-boundary" if flow.crosses else "") if t]
    entry: dict[str, Any] = {
        "id": flow_id(flow),
        "name": f"{flow.source} to {flow.target}",
        "bidirectional": False,
        "source": flow.source,
        "destination": flow.target,
    }
    if flow.why:
        entry["description"] = flow.why
    if tags:
        entry["tags"] = tags
    # Flow threats name their flow ``source->target:port`` (the model's threat targets).
    threats = by_target.get(flow_name(flow.source, flow.target, flow.port))
    if threats:
        entry["threats"] = _instances(threats)
    entry["attributes"] = {k: v for k, v in attributes.items() if v}
    return entry


def threat_type(threat: Threat) -> str:
    """The library threat an instance is of: its id without ``@target``."""
    suffix = f"@{threat.target}"
    return threat.id[: -len(suffix)] if threat.id.endswith(suffix) else threat.id


def _threats(threats: list[Threat], rules: dict[str, Any]) -> list[dict[str, Any]]:
    types: dict[str, Threat] = {}
    for t in threats:
        types.setdefault(threat_type(t), t)
    out = []
    for tid in sorted(types):
        t = types[tid]
        severities = [rules[c].severity for c in t.controls if c in rules]
        worst = max(severities, key=lambda s: SEVERITY_SCORES.get(s, 0), default=None)
        risk: dict[str, Any] = {"likelihood": None, "likelihoodComment": "Not rated by iac-assist."}
        if worst is not None:
            risk |= {"impact": SEVERITY_SCORES.get(worst, 50),
                     "impactComment": f"Highest severity of the rules of its controls: {worst}."}
        else:
            risk |= {"impact": 50, "impactComment": "Not rated: no rule checks its controls."}
        entry: dict[str, Any] = {
            "id": tid,
            "name": t.title,
            "categories": [STRIDE[letter] for letter in t.stride if letter in STRIDE],
            "risk": risk,
            "attributes": {"stride": t.stride, "controls": ", ".join(t.controls), "capec": ", ".join(t.capec),
                           "attack": ", ".join(t.attack)},
        }
        if t.description:
            entry["description"] = t.description
        out.append(entry)
    return out


def _mitigations(threats: list[Threat], rules: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for control in sorted({c for t in threats for c in t.controls}):
        rule = rules.get(control)
        # A rule's title names the problem it finds; the mitigation is to fix it.
        entry: dict[str, Any] = {"id": control, "name": f"Fix: {rule.title}" if rule else control,
                                 "riskReduction": SEVERITY_SCORES.get(rule.severity, 50) if rule else 50}
        if rule is not None:
            entry["description"] = rule.remediation
            entry["attributes"] = {"rule": rule.id, "severity": rule.severity}
        out.append(entry)
    return out


def _attack_paths(model: ThreatModel) -> list[dict[str, Any]]:
    out = []
    for path in sorted(model.attack_paths, key=lambda p: p.rank):
        out.append({
            "id": f"attack-path-{path.rank}",
            "target": path.target,
            "rank": path.rank,
            "score": round(path.score * 100),
            "likelihood": round(path.likelihood * 100),
            "impact": round(path.impact * 100),
            "exposure": path.exposure,
            "classification": path.classification,
            "hops": list(path.hops),
            "steps": [
                {"source": step.source, "destination": step.target, "type": step.kind,
                 "likelihood": round(step.likelihood * 100),
                 "evidence": [{"component": e.id, "description": e.what,
                               **({"file": e.loc.file, "line": e.loc.line} if e.loc else {})}
                              for e in step.evidence]}
                for step in path.edges
            ],
        })
    return out
