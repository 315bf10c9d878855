"""A change's diagram (``iac-assist model --base REF -f markdown``): only the changed part.

Drawn: the attack-path steps, flows and components the change adds (green, bold, as the head has
them) and removes (red, dashed, as the base had them, their ends named as the head names them
when renamed), and the unchanged components at their ends, their direct neighbours, greyed out.
A threat the change opens, closes or leaves undetermined on an unchanged component or flow draws
that component or flow greyed out too, the component (a flow's: its target) saying how many
("2 threats closed"): adding a WAF changes no flow, but closes the load balancer's floods.
Zones are subgraphs, ids, labels and escaping are the full diagram's (``mermaid_format.lines``
with ``Marks``): a hostile name is as harmless here as there.

Bounded for GitHub: at most ``MAX_NODES`` components and ``MAX_EDGES`` edges (Mermaid draws at
most 500 edges and 50,000 characters; a pull-request comment holds 65,536 characters, tables
included). The changed components come first, then the edges in the order added paths, added
flows, removed paths, removed flows, each while its ends fit; what is left out is counted. The
unchanged flows and components of changed threats come last, while they fit (not counted). No
diagram when nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from iac_assist.threatmodel.diff import ModelDiff
from iac_assist.threatmodel.formats import mermaid_format
from iac_assist.threatmodel.formats.markdown_diagram import BUDGET
from iac_assist.threatmodel.model import INTERNET, Flow, ModelComponent, ThreatModel, flow_name

MAX_NODES = 60
"""Components drawn at most (a reviewer reads no more in one picture)."""
MAX_EDGES = 120
"""Flows and attack-path steps drawn at most: well under Mermaid's 500."""


@dataclass
class ChangeDiagram:
    lines: list[str]
    """The Mermaid text, line by line (a note of one node when it is over ``BUDGET``)."""
    nodes: dict[str, str]
    """Drawn component id -> ``added``, ``removed`` or ``unchanged``."""
    left_out_nodes: int = 0
    left_out_edges: int = 0


def diagram(change: ModelDiff) -> ChangeDiagram | None:
    """The changed part of the model, or None when nothing changed (or the models are not kept)."""
    base, head = change.base, change.head
    if not change.changed or base is None or head is None:
        return None
    renamed = {r["from"]: r["to"] for r in change.components["renamed"]}

    def rn(cid: str) -> str:
        return renamed.get(cid, cid)

    head_by = {c.id: c for c in head.components}
    base_by = {rn(c.id): replace(c, id=rn(c.id)) for c in base.components}
    marks = mermaid_format.Marks()
    drawn: dict[str, ModelComponent | None] = {}  # id -> component (None: a flow end not modelled)
    left_nodes = left_edges = 0
    for mark, entries, side in (("added", change.components["added"], head_by),
                                ("removed", change.components["removed"], base_by)):
        for entry in entries:
            if len(drawn) >= MAX_NODES:
                left_nodes += 1
                continue
            drawn[entry["id"]] = side.get(entry["id"])
            marks.nodes[entry["id"]] = mark

    added_steps = _steps(change.attack_paths["added"], rn)
    removed_steps = _steps(change.attack_paths["removed"], rn)
    flows_by_key = {_key(f): f for f in head.flows}
    base_flows = {_key(f): replace(f, source=rn(f.source), target=rn(f.target)) for f in base.flows}
    edges: list[tuple[str, tuple[str, str], Flow | None]] = [
        *(("added", s, None) for s in added_steps if s not in removed_steps),
        *(("added", (f["source"], f["target"]), flows_by_key[_entry_key(f)]) for f in change.flows["added"]),
        *(("removed", s, None) for s in removed_steps if s not in added_steps),
        *(("removed", (rn(f["source"]), rn(f["target"])), base_flows[_entry_key(f)])
          for f in change.flows["removed"]),
    ]
    flows: list[Flow] = []
    steps: list[tuple[str, str]] = []
    for mark, ends, flow in edges:
        new = [e for e in dict.fromkeys(ends) if e != INTERNET and e not in drawn]
        if len(flows) + len(steps) >= MAX_EDGES or len(drawn) + len(new) > MAX_NODES:
            left_edges += 1
            continue
        for end in new:
            drawn[end] = head_by.get(end) or base_by.get(end)
            marks.nodes[end] = "unchanged"
        if flow is None:
            steps.append(ends)
            marks.steps[ends] = mark
        else:
            flows.append(flow)
            marks.flows[(flow.source, flow.target, flow.port, flow.protocol)] = mark
    context_flows, context_nodes = _threat_context(change, rn, head, base_flows, marks)
    for flow in context_flows:
        key = _key(flow)
        new = [e for e in dict.fromkeys((flow.source, flow.target)) if e != INTERNET and e not in drawn]
        if key in marks.flows or len(flows) + len(steps) >= MAX_EDGES or len(drawn) + len(new) > MAX_NODES:
            continue
        for end in new:
            drawn[end] = head_by.get(end) or base_by.get(end)
            marks.nodes[end] = "unchanged"
        flows.append(flow)
        marks.flows[key] = "unchanged"
    for cid in context_nodes:
        if cid not in drawn and len(drawn) < MAX_NODES and (cid in head_by or cid in base_by):
            drawn[cid] = head_by.get(cid) or base_by.get(cid)
            marks.nodes[cid] = "unchanged"
    # Unchanged steps shared by an added and a removed path: drawn when both ends are.
    steps += [s for s in added_steps if s in removed_steps and all(e == INTERNET or e in drawn for e in s)]

    part = ThreatModel([c for c in drawn.values() if c is not None], flows, [], [])
    lines = mermaid_format.lines(part, tuple(steps), legend=False, marks=marks)
    size = sum(len(line) + 1 for line in lines)
    if size > min(BUDGET, mermaid_format.MAX_TEXT):
        lines = mermaid_format.too_large(size, len(drawn), "the tables below list every change")
    return ChangeDiagram(lines, {cid: marks.nodes[cid] for cid in drawn}, left_nodes, left_edges)


def _threat_context(change: ModelDiff, rn: Any, head: ThreatModel, base_flows: dict[Any, Flow],
                    marks: mermaid_format.Marks) -> tuple[list[Flow], list[str]]:
    """The flows and components whose threats changed, and a note on each such component (a
    flow's: its target) counting them."""
    by_name = {_flow_name(f): f for f in base_flows.values()}
    by_name.update({_flow_name(f): f for f in head.flows})
    counts: dict[str, dict[str, int]] = {}
    flows: dict[tuple, Flow] = {}
    nodes: dict[str, None] = {}
    for key in ("opened", "closed", "undetermined"):
        for threat in change.threats[key]:
            flow = by_name.get(threat["target"]) or by_name.get(rn(threat["target"]))
            if flow is not None:
                flows.setdefault(_key(flow), flow)
                target = flow.target
            else:
                target = rn(threat["target"])
                nodes.setdefault(target)
            per = counts.setdefault(target, {})
            per[key] = per.get(key, 0) + 1
    for cid, per in counts.items():
        if cid != INTERNET:
            (key, n), *rest = per.items()  # "2 threats opened, 1 closed"
            marks.notes[cid] = ", ".join([f"{n} threat{'' if n == 1 else 's'} {key}", *(f"{m} {k}" for k, m in rest)])
    return list(flows.values()), list(nodes)


def _flow_name(flow: Flow) -> str:
    return flow_name(flow.source, flow.target, flow.port)


def _steps(paths: list[dict[str, Any]], rn: Any) -> list[tuple[str, str]]:
    out: dict[tuple[str, str], None] = {}
    for path in paths:
        hops = [rn(h) for h in path["hops"]]
        for a, b in zip(hops, hops[1:], strict=False):
            if a != b:
                out.setdefault((a, b))
    return list(out)


def _key(flow: Flow) -> tuple[str, str, int | None, str | None]:
    return (flow.source, flow.target, flow.port, flow.protocol)


def _entry_key(entry: dict[str, Any]) -> tuple[str, str, int | None, str | None]:
    return (entry["source"], entry["target"], entry["port"], entry["protocol"])
