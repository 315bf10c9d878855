"""A change (``--base``) drawn on the whole model: the head's model with what the base had and the
head no longer has, and marks saying which is which.

Removed components, flows and attack paths are taken from the base, named as the head names
their ends when a component was renamed (as the change's diagram does, ``diff_diagram``), so a
removed flow to a renamed database ends at the database the reviewer sees."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from iac_assist.threatmodel.diff import ModelDiff
from iac_assist.threatmodel.model import ThreatModel


def flow_mark_key(source: str, target: str, port: int | None, protocol: str | None) -> str:
    return f"{source}\x1f{target}\x1f{port}\x1f{protocol}"


def merged(change: ModelDiff) -> tuple[ThreatModel, dict[str, Any]]:
    head = change.head or ThreatModel()
    base = change.base or ThreatModel()
    renamed = {r["from"]: r["to"] for r in change.components["renamed"]}

    def rn(cid: str) -> str:
        return renamed.get(cid, cid)

    head_ids = {c.id for c in head.components}
    removed_ids = {e["id"] for e in change.components["removed"]}
    components = list(head.components)
    components += [replace(c, id=rn(c.id)) for c in base.components if c.id in removed_ids and rn(c.id) not in head_ids]
    removed_flows = {(rn(f["source"]), rn(f["target"]), f["port"], f["protocol"]) for f in change.flows["removed"]}
    flows = list(head.flows)
    flows += [replace(f, source=rn(f.source), target=rn(f.target)) for f in base.flows
              if (rn(f.source), rn(f.target), f.port, f.protocol) in removed_flows]
    removed_paths = {tuple(rn(h) for h in p["hops"]) for p in change.attack_paths["removed"]}
    paths = list(head.attack_paths)
    paths += [replace(p, hops=tuple(rn(h) for h in p.hops), rank=0) for p in base.attack_paths
              if tuple(rn(h) for h in p.hops) in removed_paths]
    marks = {
        "components": {**{e["id"]: "added" for e in change.components["added"]},
                       **{rn(e["id"]): "removed" for e in change.components["removed"]}},
        "flows": {**{flow_mark_key(f["source"], f["target"], f["port"], f["protocol"]): "added"
                     for f in change.flows["added"]},
                  **{flow_mark_key(*key): "removed" for key in removed_flows}},
        "paths": {**{tuple(p["hops"]): "added" for p in change.attack_paths["added"]},
                  **{hops: "removed" for hops in removed_paths}},
    }
    return ThreatModel(components, flows, list(head.threats), paths), marks
