"""STRIDE threats from the threat library (``threats.yaml``), each open or mitigated on its target.

The library is data: kinds, STRIDE letters and control slugs. A threat is ``open`` on a target
while a finding of one of its controls sits on that target, on one of its parts (a load balancer's
listeners, a database cluster's instances) or on a security group attached to it; ``mitigated``
otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from iac_assist.findings import Finding
from iac_assist.graph import ResourceGraph
from iac_assist.model import Component
from iac_assist.threatmodel.model import Flow, Threat


@dataclass(frozen=True)
class ThreatSpec:
    id: str
    stride: str
    title: str
    controls: tuple[str, ...]
    targets: tuple[str, ...] = ()
    """Flow threats only: the kinds of flow targets it applies to."""


@dataclass(frozen=True)
class Library:
    components: dict[str, tuple[ThreatSpec, ...]]
    flows: tuple[ThreatSpec, ...]

    def controls(self) -> set[str]:
        specs = [s for group in self.components.values() for s in group] + list(self.flows)
        return {c for s in specs for c in s.controls}


@lru_cache(maxsize=1)
def library() -> Library:
    """The packaged threat library (validated: a malformed entry is a defect of ours)."""
    from importlib.resources import files

    import yaml

    data = yaml.safe_load((files("iac_assist.threatmodel") / "threats.yaml").read_text(encoding="utf-8"))
    components = {kind: tuple(_spec(entry) for entry in entries) for kind, entries in data["components"].items()}
    return Library(components, tuple(_spec(entry) for entry in data["flows"]))


def _spec(entry: dict[str, Any]) -> ThreatSpec:
    stride = str(entry["stride"])
    if not stride or not set(stride) <= set("STRIDE"):
        raise ValueError(f"threat {entry.get('id')}: STRIDE letters only, got {stride!r}")
    return ThreatSpec(str(entry["id"]), stride, str(entry["title"]), tuple(entry["controls"]),
                      tuple(entry.get("targets", ())))


def assess(graph: ResourceGraph, ids: dict[str, str], findings: list[Finding], flows: list[Flow]) -> list[Threat]:
    """Every threat of the library on every component and boundary-crossing flow it applies to."""
    lib = library()
    # Addresses are unique only within a root module or template: findings are keyed by address
    # and where they sit, so two templates' ``WebSecurityGroup`` never share their findings.
    by_address: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        for address in finding_addresses(finding):
            by_address.setdefault((address, _place(finding.loc.file, cfn=False)), []).append(finding)
            by_address.setdefault((address, _place(finding.loc.file, cfn=True)), []).append(finding)
    out: list[Threat] = []
    for comp in graph.components.values():
        if comp.id not in ids:
            continue
        related = _related(graph, comp)
        for spec in lib.components.get(comp.kind, ()):
            out.append(_threat(spec, ids[comp.id], related, by_address))
    by_model_id = {mid: cid for cid, mid in ids.items()}
    for flow in flows:
        if not flow.crosses:
            continue
        target = graph.components.get(by_model_id.get(flow.target, ""))
        if target is None:
            continue
        related = _related(graph, target)
        for spec in lib.flows:
            if target.kind in spec.targets:
                out.append(_threat(spec, f"{flow.source}->{flow.target}:{flow.port}", related, by_address))
    return sorted(out, key=lambda t: (t.target, t.id))


def finding_addresses(finding: Finding) -> tuple[str, ...]:
    """The component addresses a finding is about. Findings name a count/for_each block once
    (``aws_instance.web``) with its ``instances``; the model has one component per instance
    (``aws_instance.web[0]``): each instance named is the finding's as much as the block is."""
    return (finding.resource, *finding.instances)


def _place(file: str, *, cfn: bool) -> str:
    """Where a finding or component sits: its template (CloudFormation), its module folder
    (Terraform, whose satellites may be in another file of the folder)."""
    return f"file:{file}" if cfn else f"dir:{file.rpartition('/')[0]}"


def _key(comp: Component) -> tuple[str, str]:
    return comp.address, _place(comp.loc.file, cfn=comp.source_type.startswith("AWS::"))


def _related(graph: ResourceGraph, comp: Component) -> set[tuple[str, str]]:
    """Where the findings that count for ``comp`` sit: itself, its parts, attached security groups."""
    out = {_key(comp)}
    out |= {_key(c) for c in graph.neighbours(comp, "part-of", incoming=True)}
    out |= {_key(c) for c in graph.neighbours(comp, "attached-to", incoming=True)}
    return out


def _threat(spec: ThreatSpec, target: str, related: set[tuple[str, str]],
            by_address: dict[tuple[str, str], list[Finding]]) -> Threat:
    keeping = sorted(
        {f.fingerprint for key in related for f in by_address.get(key, ()) if f.control in spec.controls}
    )
    return Threat(
        id=f"{spec.id}@{target}",
        stride=spec.stride,
        target=target,
        title=spec.title,
        status="open" if keeping else "mitigated",
        controls=spec.controls,
        findings=tuple(keeping),
    )
