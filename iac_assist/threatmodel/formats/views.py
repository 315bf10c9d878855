"""What a diagram shows: the views of ``iac-assist model --view``, instance collapsing and badges.

Shared by the Mermaid, DOT and Markdown formats, which draw what this module selects:

- ``full``: the whole model (one diagram).
- ``attack-paths``: only the components on an attack path, joined hop by hop.
- ``per-vpc``: one diagram per VPC (its components and what their flows join outside it), and one
  for what sits outside every VPC.

Every view collapses the instances of a ``count``/``for_each`` block (``aws_instance.web[0]``,
``aws_instance.web["a"]``) into one node, ``aws_instance.web ×3``, when they share kind, zone and
VPC; and badges a component with the controls that protect it (``BADGES``): those of the threats
mitigated on it, never one that also belongs to a threat still open (or undetermined) there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from iac_assist.threatmodel.model import Flow, ModelComponent, Threat, ThreatModel

VIEWS = ("full", "attack-paths", "per-vpc")

BADGES = {
    # Control slug (the problem its rule finds) -> what a reader sees on the component when the
    # control passes there. Controls not listed give no badge (the threat table lists them all).
    "cdn-no-waf": "WAF",
    "lb-no-waf": "WAF",
    "cdn-s3-origin-unrestricted": "OAC",
    "s3-kms-encryption-missing": "🔒 KMS",
    "db-storage-unencrypted": "🔒 encrypted",
    "ebs-unencrypted": "🔒 EBS",
    "cdn-viewer-plaintext": "TLS",
    "lb-listener-plaintext": "TLS",
    "s3-insecure-transport": "TLS only",
    "ec2-imdsv1-enabled": "IMDSv2",
    "s3-public-access-block-missing": "public access block",
    "db-publicly-accessible": "not public",
    "vpc-flow-logs-missing": "flow logs",
    "cdn-logging-missing": "logs",
    "lb-access-logs-missing": "logs",
    "s3-access-logging-missing": "logs",
    "s3-versioning-missing": "versioning",
    "db-backup-disabled": "backups",
}

_INSTANCE = re.compile(r'^(?P<base>.+)\[(?:\d+|"(?:[^"\\]|\\.)*")\]$', re.S)


@dataclass(frozen=True)
class Diagram:
    """One picture: a title (empty for the only one), the part of the model it draws, and the
    attack-path steps it draws as such (pairs of component ids)."""

    title: str
    model: ThreatModel
    paths: tuple[tuple[str, str], ...] = ()


def diagrams(model: ThreatModel, view: str) -> list[Diagram]:
    if view == "full":
        return [Diagram("", model)]
    if view == "attack-paths":
        return [attack_path_view(model)]
    if view == "per-vpc":
        return per_vpc(model)
    raise ValueError(f"unknown view {view!r}: one of {', '.join(VIEWS)}")


def attack_path_view(model: ThreatModel) -> Diagram:
    """The components on attack paths (gateways, subnets and security groups of an exposure too)
    and each step between them; no other flow."""
    steps: dict[tuple[str, str], None] = {}
    on_path: set[str] = set()
    for path in model.attack_paths:
        for a, b in zip(path.hops, path.hops[1:], strict=False):
            steps.setdefault((a, b))
            on_path |= {a, b}
    comps = [c for c in model.components if c.id in on_path]
    threats = [t for t in model.threats if t.target in on_path]
    return Diagram("Attack paths", ThreatModel(comps, [], threats, list(model.attack_paths)), tuple(steps))


def per_vpc(model: ThreatModel) -> list[Diagram]:
    """One diagram per VPC, then one for the components outside every VPC; each with the flows
    that touch its components and the components at their other end."""
    by_id = {c.id: c for c in model.components}
    vpcs = sorted({c.vpc or (c.id if c.kind == "ec2.vpc" else "") for c in model.components} - {""})
    out = []
    for vpc in [*vpcs, None]:
        own = {c.id for c in model.components if (c.vpc or (c.id if c.kind == "ec2.vpc" else None)) == vpc}
        if not own:
            continue
        flows = [f for f in model.flows if f.source in own or f.target in own]
        ends = own | {e for f in flows for e in (f.source, f.target)}
        comps = [by_id[e] for e in sorted(ends) if e in by_id]
        threats = [t for t in model.threats if t.target in own]
        title = f"VPC {vpc}" if vpc is not None else "Outside any VPC"
        out.append(Diagram(title, ThreatModel(comps, flows, threats, [])))
    return out or [Diagram("", model)]


# --- collapsing and badges ---------------------------------------------------------------------


@dataclass
class Collapsed:
    components: list[ModelComponent]
    """What is drawn: one component per collapsed block (its id ``<block>[*]``), the others as is."""
    alias: dict[str, str]
    """Component id -> the id drawn for it (itself unless collapsed)."""
    instances: dict[str, int]
    """Drawn id -> how many instances it stands for (collapsed blocks only)."""


def collapse(components: list[ModelComponent]) -> Collapsed:
    groups: dict[tuple, list[ModelComponent]] = {}
    for comp in components:
        match = _INSTANCE.match(comp.id)
        if match:
            groups.setdefault((match["base"], comp.kind, comp.zone, comp.vpc), []).append(comp)
    ids = {c.id for c in components}
    alias = {c.id: c.id for c in components}
    instances: dict[str, int] = {}
    drawn: list[ModelComponent] = []
    placed: set[str] = set()
    for comp in components:
        match = _INSTANCE.match(comp.id)
        key = (match["base"], comp.kind, comp.zone, comp.vpc) if match else None
        members = groups.get(key, []) if key else []
        rep = f"{key[0]}[*]" if key else ""
        if len(members) < 2 or rep in ids:
            drawn.append(comp)
            continue
        alias[comp.id] = rep
        if rep not in placed:
            placed.add(rep)
            instances[rep] = len(members)
            first = members[0]
            base_label = _INSTANCE.match(first.label).group("base") if _INSTANCE.match(first.label or "") \
                else first.label or key[0]
            drawn.append(ModelComponent(rep, first.kind, first.zone, first.loc, first.vpc,
                                        f"{base_label} ×{len(members)}", first.source_type))
    return Collapsed(sorted(drawn, key=lambda c: c.id), alias, instances)


def collapse_flows(flows: list[Flow], alias: dict[str, str]) -> list[Flow]:
    """Flows between drawn nodes, once each (two instances' flows to one database are one edge)."""
    seen: dict[tuple, Flow] = {}
    for f in flows:
        source, target = alias.get(f.source, f.source), alias.get(f.target, f.target)
        key = (source, target, f.port, f.protocol, f.encrypted)
        if key not in seen:
            seen[key] = Flow(source, target, f.port, f.protocol, f.encrypted, f.crosses, f.loc, f.why)
    return list(seen.values())


def badges(threats: list[Threat], alias: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Drawn id -> its badges. A collapsed block shows a badge only when every instance has it."""
    passed: dict[str, set[str]] = {}
    failing: dict[str, set[str]] = {}
    for t in threats:
        bucket = passed if t.status == "mitigated" else failing
        bucket.setdefault(t.target, set()).update(t.controls)
    per_component: dict[str, set[str]] = {}
    for target in set(passed) | set(failing):
        controls = passed.get(target, set()) - failing.get(target, set())
        per_component[target] = {BADGES[c] for c in controls if c in BADGES}
    out: dict[str, set[str]] = {}
    members: dict[str, list[str]] = {}
    for cid, drawn in alias.items():
        members.setdefault(drawn, []).append(cid)
    for drawn, cids in members.items():
        sets = [per_component.get(cid, set()) for cid in cids]
        common = set.intersection(*sets) if sets else set()
        if common:
            out[drawn] = common
    return {k: tuple(sorted(v, key=lambda b: b.lstrip("🔒 ").lower())) for k, v in out.items()}


def path_steps(steps: tuple[tuple[str, str], ...], alias: dict[str, str]) -> list[tuple[str, str]]:
    out: dict[tuple[str, str], None] = {}
    for a, b in steps:
        out.setdefault((alias.get(a, a), alias.get(b, b)))
    return [s for s in out if s[0] != s[1]]



ALIKE = 3
"""Drawn nodes that are alike (same kind, zone, VPC, flows, open threats and badges) are drawn as
one from this many on: eighty identical services behind one load balancer are one box, not a
column eighty boxes long. Fewer stay apart, so a small architecture is drawn as written."""


def natural(comp: ModelComponent) -> tuple:
    """Sort key: ``svc9`` before ``svc10``."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", comp.id))


def fold_alike(components: list[ModelComponent], flows: list[Flow], steps: list[tuple[str, str]],
               open_threats: dict[str, int], badges: dict[str, tuple[str, ...]],
               instances: dict[str, int]) -> Collapsed:
    """Components alike (see ``ALIKE``) as one, its id ``alike:<first id>``, its label naming the
    first and the last and how many."""
    edges: dict[str, list[tuple]] = {}
    for f in flows:
        edges.setdefault(f.source, []).append(("out", f.target, f.port, f.protocol, f.encrypted))
        edges.setdefault(f.target, []).append(("in", f.source, f.port, f.protocol, f.encrypted))
    for a, b in steps:
        edges.setdefault(a, []).append(("step-out", b))
        edges.setdefault(b, []).append(("step-in", a))
    groups: dict[tuple, list[ModelComponent]] = {}
    for comp in components:
        if comp.kind == "ec2.vpc":
            continue
        key = (comp.kind, comp.zone, comp.vpc, tuple(sorted(edges.get(comp.id, ()), key=repr)),
               open_threats.get(comp.id, 0), badges.get(comp.id, ()))
        groups.setdefault(key, []).append(comp)
    ids = {c.id for c in components}
    alias = {c.id: c.id for c in components}
    counts = dict(instances)
    drawn = []
    for comp in components:
        key = (comp.kind, comp.zone, comp.vpc, tuple(sorted(edges.get(comp.id, ()), key=repr)),
               open_threats.get(comp.id, 0), badges.get(comp.id, ()))
        members = groups.get(key, [])
        rep = f"alike:{members[0].id}" if members else ""
        if comp.kind == "ec2.vpc" or len(members) < ALIKE or rep in ids:
            drawn.append(comp)
            continue
        alias[comp.id] = rep
        if comp is members[0]:
            first, last = min(members, key=natural), max(members, key=natural)
            total = sum(instances.get(m.id, 1) for m in members)
            counts[rep] = total
            label = f"{first.label or first.id} … {last.label or last.id} ({len(members)} alike)"
            drawn.append(ModelComponent(rep, first.kind, first.zone, first.loc, first.vpc, label, first.source_type))
    for rep in [r for r in counts if alias.get(r, r) != r]:
        del counts[rep]
    return Collapsed(sorted(drawn, key=lambda c: c.id), alias, counts)
