"""From a scan to its threat model: components in zones, flows, threats, attack paths."""

from __future__ import annotations

from dataclasses import replace

from iac_assist.analysis.result import ScanResult
from iac_assist.gcpause import paused
from iac_assist.model import Component, kinds
from iac_assist.model.builder import READ_ONLY_PREFIX
from iac_assist.model.graph import ResourceGraph
from iac_assist.threatmodel import attack
from iac_assist.threatmodel import flows as flow_rules
from iac_assist.threatmodel.diff import fact_values
from iac_assist.threatmodel.model import INTERNET, Flow, ModelComponent, ThreatModel
from iac_assist.threatmodel.threats import assess, redirect_to_https
from iac_assist.threatmodel.zones import ZONES, place

DATA_STORES = (*kinds.DATABASES, *kinds.WAREHOUSES, kinds.S3_BUCKET)
LEFT_OUT = {"provider"}
"""Source types that are configuration, not infrastructure (provider blocks); data sources
(``data.<type>``, modelled only when they hold a literal secret) are left out too."""


def build(result: ScanResult, classes: list[tuple[str, str]] | None = None) -> ThreatModel:
    """``classes``: the entries of a data-classification file (``iac_assist.model.data_classification``)."""
    with paused():  # many objects, no cycles of ours: see iac_assist.gcpause
        return _build(result, classes)


def _build(result: ScanResult, classes: list[tuple[str, str]] | None) -> ThreatModel:
    graph = result.graph or ResourceGraph([])
    comps = [c for c in graph.components.values()
             if c.source_type not in LEFT_OUT and not c.source_type.startswith(READ_ONLY_PREFIX)]
    ids = _ids(comps)
    placements = place(graph)
    model = ThreatModel()
    model.components = sorted(
        (ModelComponent(ids[c.id], c.kind, placements[c.id].zone, c.loc,
                        ids.get(placements[c.id].vpc or ""), c.display, c.source_type, c.address,
                        fact_values(c)) for c in comps),
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
    model.flows = _redirects(graph, ids, model.flows)
    model.threats = assess(graph, ids, result.findings, model.flows, result.conditions)
    model.attack_paths = attack.paths(graph, ids, model.flows, classes)
    return model


def _ids(comps: list[Component]) -> dict[str, str]:
    """Model ids: the address findings use; a part of a resource (a classic load balancer's
    listener, a role's inline policy) is ``<address>/<part>`` (``aws_elb.web/listener:80``); prefixed
    by the scope where two scopes share one."""
    base = {c.id: _base_id(c) for c in comps}
    count: dict[str, int] = {}
    for c in comps:
        count[base[c.id]] = count.get(base[c.id], 0) + 1
    for c in comps:
        if count[base[c.id]] > 1 and base[c.id] != c.address:
            # Two parts named alike (two listeners on one port): their positions tell them apart.
            count[base[c.id]] -= 1
            base[c.id] = f"{c.address}/{_part(c)}"
            count[base[c.id]] = count.get(base[c.id], 0) + 1
    # ``internet`` names the internet in flows and paths: a resource called so keeps its scope.
    return {c.id: base[c.id] if count[base[c.id]] == 1 and base[c.id] != INTERNET else f"{c.scope}:{base[c.id]}"
            for c in comps}


def _part(comp: Component) -> str:
    """What tells a part from its whole in ``Component.id`` (``listener[0]``, ``Listeners[1]``), or ""."""
    whole = f"{comp.scope}#{comp.address}" if comp.scope else comp.address
    if comp.id == whole or not comp.id.startswith(whole):
        return ""
    return comp.id[len(whole):].lstrip(".")


def _base_id(comp: Component) -> str:
    part = _part(comp)
    if not part:
        return comp.address
    # A listener is named by its port; other parts (inline policies) by their place in the whole.
    port = comp.get("port") if comp.kind == kinds.LB_LISTENER else None
    if isinstance(port, int) and not isinstance(port, bool):
        return f"{comp.address}/listener:{port}"
    return f"{comp.address}/{part}"


def _redirects(graph: ResourceGraph, ids: dict[str, str], flows: list[Flow]) -> list[Flow]:
    """Plain flows to a listener that only redirects to HTTPS, marked as redirects."""
    by_model_id = {mid: cid for cid, mid in ids.items()}
    out = []
    for flow in flows:
        target = graph.components.get(by_model_id.get(flow.target, ""))
        if flow.encrypted is False and target is not None and redirect_to_https(graph, target, flow.port):
            flow = replace(flow, redirect=True)
        out.append(flow)
    return out


def _crosses(source_zone: str, target_zone: str) -> tuple[str, ...]:
    if source_zone == target_zone:
        return ()
    a, b = sorted((source_zone, target_zone), key=ZONES.index)
    return (f"{a}/{b}",)
