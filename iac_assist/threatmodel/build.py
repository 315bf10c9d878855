"""From a scan to its threat model: components in zones, flows, threats, attack paths."""

from __future__ import annotations

from iac_assist import kinds
from iac_assist.graph import ResourceGraph
from iac_assist.model import Component
from iac_assist.normalize import READ_ONLY_PREFIX
from iac_assist.result import ScanResult
from iac_assist.threatmodel import attack
from iac_assist.threatmodel import flows as flow_rules
from iac_assist.threatmodel.model import INTERNET, Flow, ModelComponent, ThreatModel
from iac_assist.threatmodel.threats import assess
from iac_assist.threatmodel.zones import ZONES, place

DATA_STORES = (*kinds.DATABASES, kinds.S3_BUCKET)
LEFT_OUT = {"provider"}
"""Source types that are configuration, not infrastructure (provider blocks); data sources
(``data.<type>``, modelled only when they hold a literal secret) are left out too."""


def build(result: ScanResult, classes: list[tuple[str, str]] | None = None) -> ThreatModel:
    """``classes``: the entries of a data-classification file (``iac_assist.data_classification``)."""
    graph = result.graph or ResourceGraph([])
    comps = [c for c in graph.components.values()
             if c.source_type not in LEFT_OUT and not c.source_type.startswith(READ_ONLY_PREFIX)]
    ids = _ids(comps)
    placements = place(graph)
    model = ThreatModel()
    model.components = sorted(
        (ModelComponent(ids[c.id], c.kind, placements[c.id].zone, c.loc,
                        ids.get(placements[c.id].vpc or ""), c.display, c.source_type) for c in comps),
        key=lambda c: c.id,
    )
    zone_of = {m.id: m.zone for m in model.components}
    zone_of[INTERNET] = "internet"
    seen: dict[tuple, Flow] = {}
    for source, target, port, proto, encrypted, loc, why in flow_rules.derive(graph, placements, result.findings):
        src, dst = (INTERNET if source == INTERNET else ids.get(source)), ids.get(target)
        if src is None or dst is None:
            continue
        key = (src, dst, port, proto)
        if key not in seen:
            seen[key] = Flow(src, dst, port, proto, encrypted, _crosses(zone_of[src], zone_of[dst]), loc, why)
    model.flows = sorted(seen.values(), key=lambda f: (f.source, f.target, f.port or 0, f.protocol or ""))
    model.threats = assess(graph, ids, result.findings, model.flows)
    model.attack_paths = attack.paths(graph, ids, model.flows, classes)
    return model


def _ids(comps: list[Component]) -> dict[str, str]:
    """Model ids: the address findings use; prefixed by the scope where two scopes share one."""
    count: dict[str, int] = {}
    for c in comps:
        count[c.address] = count.get(c.address, 0) + 1
    # ``internet`` names the internet in flows and paths: a resource called so keeps its scope.
    return {c.id: c.address if count[c.address] == 1 and c.address != INTERNET else f"{c.scope}:{c.address}"
            for c in comps}


def _crosses(source_zone: str, target_zone: str) -> tuple[str, ...]:
    if source_zone == target_zone:
        return ()
    a, b = sorted((source_zone, target_zone), key=ZONES.index)
    return (f"{a}/{b}",)
