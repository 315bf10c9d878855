"""What a change does to the threat model: the difference between two models (issue 19).

``diff(base, head)`` compares the model of the code before a change (``base``: a git revision)
with the model after it (``head``: the working tree). Identity is stable across the two sides:

- components by their id (resource address, with its scope where two scopes share one), never
  by position;
- flows by ``(source, target, port, protocol)``;
- attack paths by their hops (the component ids from the internet to the target);
- threats by ``(library threat, target)``.

A pure rename (a resource whose address changed but whose kind, resource type and facts are equal,
values only, not locations) reads as a rename, not as an addition and a removal: removed and added components
of one kind with equal facts are paired, and the base's ids are mapped to the head's before
flows, paths and threats are compared. References inside facts name addresses, so a resource that
points at a renamed one is compared with that reference renamed too (pairs found in rounds).

The JSON contract (``ModelDiff.to_json``)::

    {
      "components": {"added": [component], "removed": [component], "renamed": [{"from", "to", "file", "line"}]},
      "flows": {"added": [flow], "removed": [flow]},
      "attack_paths": {"added": [path], "removed": [path]},
      "threats": {"opened": [threat], "closed": [threat], "undetermined": [threat]},
      "summary": {"changed", "verdict", "components": {"added", "removed", "renamed"},
                  "flows": {"added", "removed", "crossing"}, "crossings": {"added", "removed"},
                  "attack_paths": {"added", "removed"},
                  "threats": {"opened", "closed", "undetermined"}}
    }

Entries have the shape of ``ThreatModel.to_json``'s (a component with its ``file`` and ``line``,
a flow with the ``file``, ``line`` and ``why`` of what allows it, a path with its steps'
evidence) and say where they come from: added, opened and undetermined entries are the head's
(lines of the working tree), removed and closed ones the base's lines unless the head still has
the threat (closed: the head's evidence shows what mitigates it). A threat entry adds ``was``
(its status at the base, null when it did not exist; ``status`` is null when it no longer
exists) and ``severity`` (the highest of the
findings that open it, or opened it at the base for a closed one; null when none does). A threat is

- ``opened`` when it is open and was not (mitigated, undetermined or absent);
- ``closed`` when it was open and is mitigated, or no longer exists (its target was removed);
- ``undetermined`` when it is undetermined and was not.

``crossing`` counts the added flows that cross a trust boundary; ``crossings`` the added and the
removed ones (trust-boundary crossings: flows whose ``crosses`` is set). Lists are sorted: the same two
models give byte-identical output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from iac_assist.analysis.findings import SEVERITY_RANK
from iac_assist.model import Component, Fact, Ref, Unknown
from iac_assist.threatmodel.model import (
    INTERNET,
    AttackPath,
    Flow,
    ModelComponent,
    Threat,
    ThreatModel,
    _path_json,
    flow_name,
)

MAX_DEPTH = 64
"""Facts deeper than this compare as not known (input is untrusted)."""
MAX_NAMED = 3
"""Targets named in the verdict; more are counted."""


def fact_values(comp: Component) -> tuple[tuple[str, Any], ...]:
    """``comp``'s facts as comparable values: locations and origins dropped, references kept by
    the address and attribute they name, unknown values alike."""
    return tuple(sorted((name, _value(fact.value, 0)) for name, fact in comp.facts.items()))


def _value(value: Any, depth: int) -> Any:
    if depth > MAX_DEPTH:
        return ("unknown",)
    if isinstance(value, Fact):
        return _value(value.value, depth + 1)
    if isinstance(value, Ref):
        return ("ref", value.address, value.attribute, _value(value.value, depth + 1))
    if isinstance(value, Unknown):
        return ("unknown",)
    if isinstance(value, dict):
        return ("map", tuple(sorted((str(k), _value(v, depth + 1)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return ("list", tuple(_value(v, depth + 1) for v in value))
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return ("other", repr(value))


@dataclass
class ModelDiff:
    """The difference between two models; JSON-ready entries (see the module's docstring)."""

    components: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    flows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    attack_paths: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    threats: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    base: ThreatModel | None = field(default=None, repr=False, compare=False)
    """The two models compared, kept to draw the changed part (``formats.diff_diagram``)."""
    head: ThreatModel | None = field(default=None, repr=False, compare=False)

    @property
    def changed(self) -> bool:
        """Whether the threat model changed (a rename alone changes nothing)."""
        parts = (self.components, self.flows, self.attack_paths, self.threats)
        return any(entries for part in parts for key, entries in part.items() if key != "renamed")

    def summary(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "verdict": verdict(self),
            "components": {k: len(v) for k, v in self.components.items()},
            "flows": {**{k: len(v) for k, v in self.flows.items()},
                      "crossing": sum(1 for f in self.flows["added"] if f["crosses"])},
            "crossings": {k: sum(1 for f in v if f["crosses"]) for k, v in self.flows.items()},
            "attack_paths": {k: len(v) for k, v in self.attack_paths.items()},
            "threats": {k: len(v) for k, v in self.threats.items()},
        }

    def to_json(self) -> dict[str, Any]:
        return {"components": self.components, "flows": self.flows, "attack_paths": self.attack_paths,
                "threats": self.threats, "summary": self.summary()}


def diff(base: ThreatModel, head: ThreatModel, severities: Mapping[str, str] | None = None) -> ModelDiff:
    """What changes from ``base`` to ``head``. ``severities``: finding fingerprint → severity, for
    the findings of the head (and base) scans, to rate the threats they open."""
    rated = severities or {}
    renames = _renames(base.components, head.components)
    rename = _Renamer(renames, base.flows)
    out = ModelDiff(base=base, head=head)
    base_ids = {rename.id(c.id) for c in base.components}
    head_ids = {c.id for c in head.components}
    out.components = {
        "added": [_component(c) for c in head.components if c.id not in base_ids],
        "removed": [_component(c) for c in base.components if rename.id(c.id) not in head_ids],
        "renamed": [{"from": old.id, "to": new.id, **_where(new.loc)} for old, new in renames],
    }
    out.flows = _added_removed({_flow_key(f, rename): f for f in base.flows},
                               {_flow_key(f, rename.none): f for f in head.flows}, _flow)
    out.attack_paths = _added_removed({tuple(rename.id(h) for h in p.hops): p for p in base.attack_paths},
                                      {p.hops: p for p in head.attack_paths}, _path)
    out.threats = _threats({_threat_key(t, rename): t for t in base.threats},
                           {_threat_key(t, rename.none): t for t in head.threats}, rated)
    return out


# Renames ------------------------------------------------------------------------------------------


def _renames(base: list[ModelComponent], head: list[ModelComponent]) -> list[tuple[ModelComponent, ModelComponent]]:
    """Pairs (base, head) of a removed and an added component of one kind with equal facts, in
    rounds: a pair renames an address, which may make the facts of two more components equal."""
    head_ids = {c.id for c in head}
    base_ids = {c.id for c in base}
    removed = sorted((c for c in base if c.id not in head_ids), key=lambda c: c.id)
    added = sorted((c for c in head if c.id not in base_ids), key=lambda c: c.id)
    pairs: list[tuple[ModelComponent, ModelComponent]] = []
    addresses: dict[str, str] = {}
    while removed and added:
        # The source type too: resources no rule models share the kind ``other`` and often no facts.
        by_facts: dict[tuple[str, str, Any], list[ModelComponent]] = {}
        for comp in added:
            by_facts.setdefault((comp.kind, comp.source_type, comp.facts), []).append(comp)
        found = []
        for old in removed:
            candidates = by_facts.get((old.kind, old.source_type, _renamed_facts(old.facts, addresses)))
            if candidates:
                found.append((old, candidates.pop(0)))
        if not found:
            break
        pairs += found
        for old, new in found:
            if old.address and new.address and old.address != new.address:
                addresses[old.address] = new.address
        paired = {id(c) for pair in found for c in pair}
        removed = [c for c in removed if id(c) not in paired]
        added = [c for c in added if id(c) not in paired]
    return sorted(pairs, key=lambda pair: pair[1].id)


def _renamed_facts(value: Any, addresses: Mapping[str, str]) -> Any:
    """``value`` (from ``fact_values``) with the references to renamed addresses renamed."""
    if not addresses:
        return value
    if isinstance(value, tuple):
        if len(value) == 4 and value[0] == "ref" and isinstance(value[1], str):
            return ("ref", _renamed_address(value[1], addresses), value[2], _renamed_facts(value[3], addresses))
        return tuple(_renamed_facts(v, addresses) for v in value)
    return value


def _renamed_address(address: str, addresses: Mapping[str, str]) -> str:
    """An address, or one of its instances (``aws_subnet.a[0]``), renamed."""
    for old, new in addresses.items():
        if address == old:
            return new
        if address.startswith(old) and address[len(old):][:1] in ("[", "."):
            return new + address[len(old):]
    return address


class _Renamer:
    """Base ids as the head names them: a renamed component, and a flow threat's target
    (``<source>-><target>:<port>``) between renamed components."""

    def __init__(self, pairs: list[tuple[ModelComponent, ModelComponent]], flows: Iterable[Flow]) -> None:
        self.ids = {old.id: new.id for old, new in pairs}
        # Flow targets are looked up whole (a component id may itself hold "->" or ":").
        self.flow_names = {flow_name(f.source, f.target, f.port): flow_name(self.id(f.source), self.id(f.target),
                                                                             f.port) for f in flows}

    def id(self, cid: str) -> str:
        return self.ids.get(cid, cid)

    def target(self, target: str) -> str:
        return self.flow_names.get(target) or self.id(target)

    @property
    def none(self) -> _Renamer:
        return _IDENTITY


_IDENTITY = _Renamer([], [])


def _flow_key(flow: Flow, rename: _Renamer) -> tuple[str, str, int | None, str | None]:
    return (rename.id(flow.source), rename.id(flow.target), flow.port, flow.protocol)


def _threat_key(threat: Threat, rename: _Renamer) -> tuple[str, str]:
    library_id = threat.id[:-len(threat.target) - 1] if threat.id.endswith("@" + threat.target) else threat.id
    return (library_id, rename.target(threat.target))


# Entries ------------------------------------------------------------------------------------------


def _added_removed(base: dict[Any, Any], head: dict[Any, Any], entry: Any) -> dict[str, list[dict[str, Any]]]:
    return {"added": [entry(head[k]) for k in sorted(head.keys() - base.keys(), key=_sortable)],
            "removed": [entry(base[k]) for k in sorted(base.keys() - head.keys(), key=_sortable)]}


def _sortable(key: tuple) -> tuple:
    return tuple((v is None, "" if v is None else str(v) if not isinstance(v, int) else f"{v:010d}") for v in key)


def _where(loc: Any) -> dict[str, Any]:
    return {"file": loc.file if loc else None, "line": loc.line if loc else None}


def _component(comp: ModelComponent) -> dict[str, Any]:
    return {"id": comp.id, "kind": comp.kind, "zone": comp.zone, **_where(comp.loc)}


def _flow(flow: Flow) -> dict[str, Any]:
    return {"source": flow.source, "target": flow.target, "port": flow.port, "protocol": flow.protocol,
            "encrypted": flow.encrypted, "crosses": list(flow.crosses), "redirect": flow.redirect,
            **_where(flow.loc), "why": flow.why}


def _path(path: AttackPath) -> dict[str, Any]:
    return _path_json(path)


def _threats(base: dict[tuple[str, str], Threat], head: dict[tuple[str, str], Threat],
             rated: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {"opened": [], "closed": [], "undetermined": []}
    for key in sorted(base.keys() | head.keys()):
        was, now = base.get(key), head.get(key)
        before, after = (was.status if was else None), (now.status if now else None)
        if after == "open" and before != "open":
            out["opened"].append(_threat(now, before, rated))
        elif before == "open" and after in ("mitigated", None):
            # Rated by what kept it open at the base; shown as the head has it, when it still does.
            out["closed"].append(_threat(now or was, before, rated, rating=was, status=after))
        elif after == "undetermined" and before != "undetermined":
            out["undetermined"].append(_threat(now, before, rated))
    return out


def _threat(threat: Threat | None, was: str | None, rated: Mapping[str, str], rating: Threat | None = None,
            status: str | None = "") -> dict[str, Any]:
    assert threat is not None
    levels = [rated[fp] for fp in (rating or threat).findings if fp in rated]
    severity = max(levels, key=SEVERITY_RANK.__getitem__, default=None)
    return {"id": threat.id, "stride": threat.stride, "target": threat.target, "title": threat.title,
            "was": was, "status": threat.status if status == "" else status, "severity": severity,
            "controls": list(threat.controls), "findings": list(threat.findings),
            "evidence": [{"file": e.file, "line": e.line, "what": e.what} for e in threat.evidence],
            "capec": list(threat.capec), "attack": list(threat.attack)}


# The verdict --------------------------------------------------------------------------------------


def verdict(change: ModelDiff) -> str:
    """One line saying what the change does, the most serious first: ``this change opens 1 attack
    path from the internet to aws_db_instance.main``."""
    if not change.changed:
        renamed = len(change.components.get("renamed", []))
        return "nothing changed in the threat model" + (f" ({_count(renamed, 'resource')} renamed)" if renamed else "")
    parts = []
    paths, threats = change.attack_paths, change.threats
    if paths["added"]:
        parts.append(f"opens {_count(len(paths['added']), 'attack path')} from the {INTERNET} to "
                     f"{_names(p['target'] for p in paths['added'])}")
    if threats["opened"]:
        parts.append(f"opens {_count(len(threats['opened']), 'threat')}")
    if paths["removed"]:
        parts.append(f"closes {_count(len(paths['removed']), 'attack path')} to "
                     f"{_names(p['target'] for p in paths['removed'])}")
    if threats["closed"]:
        parts.append(f"closes {_count(len(threats['closed']), 'threat')}")
    if threats["undetermined"]:
        parts.append(f"leaves {_count(len(threats['undetermined']), 'threat')} undetermined")
    if not parts:
        flows, comps = change.flows, change.components
        counts = [(len(flows["added"]), "flow", "added"), (len(flows["removed"]), "flow", "removed"),
                  (len(comps["added"]), "component", "added"), (len(comps["removed"]), "component", "removed")]
        listed = ", ".join(f"{_count(n, what)} {how}" for n, what, how in counts if n)
        return f"this change opens no attack path and no threat ({listed})"
    return "this change " + (", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0])


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _names(ids: Iterable[str]) -> str:
    unique = sorted(set(ids))
    shown = ", ".join(unique[:MAX_NAMED])
    return shown + (f" and {len(unique) - MAX_NAMED} more" if len(unique) > MAX_NAMED else "")
