"""STRIDE threats from the threat library (``threats.yaml``), each open, undetermined or mitigated
on its target, with the evidence for it.

The library is data: kinds, STRIDE letters, control slugs, CAPEC and ATT&CK ids, and per control
the facts that show it passes. A threat is ``open`` while a finding of one of its controls sits on
its target, on one of its parts (a load balancer's listeners, a database cluster's instances) or on
a security group attached to it; ``undetermined`` when none does but a fact one of its controls
reads is not known before deployment (or no rule checks the control yet): no finding because a
value is unknown is never a mitigation; ``mitigated`` otherwise, with the facts that show it.
Threats on flows are judged from the flow itself: its protocol, and the listener that carries it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from iac_assist.analysis.findings import Finding
from iac_assist.model import Component, Fact, Location, Ref, Unknown, kinds, number_text
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.policy_documents import statement_list
from iac_assist.threatmodel.model import INTERNET, Evidence, Flow, Threat, flow_name

JUDGEMENTS = ("controls", "encryption", "presence")
MAX_SHOWN = 60
"""Characters of a value quoted as evidence (values are the scanned repository's: kept short)."""
UNSHOWN = {"user_data", "credentials"}
POLICY_FACTS = {"policy", "document", "trust_policy", "statements", "trust_statements"}
"""Facts that hold a policy document (or its statements): judged by the parts of each statement
that decide who may do what, as the rules read them."""
DECISIVE = ("Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Condition")
"""Facts whose value is never quoted: they may hold secrets no rule recognised."""


@dataclass(frozen=True)
class ControlSpec:
    facts: tuple[str, ...] = ()
    """Facts whose known value shows the control passes (unknown: undetermined)."""
    refs: tuple[str, ...] = ()
    """Facts that name what the control needs (a reference counts as known)."""
    via: tuple[str, ...] = ()
    """Kinds of the components that refer to the target and carry those facts (flow logs of a VPC)."""
    sufficient: tuple[str, ...] = ()
    """Facts that show alone that the control passes when they are on (true, or a block of
    settings all true: a public access block), whatever the other facts hold."""
    scope: tuple[str, ...] = ()
    """A control judged per configuration (a CloudTrail trail for the account a configuration sets
    up): its findings anywhere in the target's scope count, and its facts are read on the
    components of these kinds in that scope."""


@dataclass(frozen=True)
class Leg:
    """Where a control is judged on a flow: its ``end`` (``source`` or ``target``), the flows its
    findings open (``plaintext``, ``encrypted``; empty: any) and the kinds of that end (empty: any)."""

    control: str
    end: str
    opens: str = ""
    kinds: tuple[str, ...] = ()

    def applies(self, end: str, comp: Component | None, opens: str) -> bool:
        return comp is not None and end == self.end and (not self.opens or self.opens == opens) \
            and (not self.kinds or comp.kind in self.kinds)


@dataclass(frozen=True)
class ThreatSpec:
    id: str
    stride: str
    title: str
    controls: tuple[str, ...]
    targets: tuple[str, ...] = ()
    """Flow threats only: the kinds of flow targets it applies to."""
    sources: tuple[str, ...] = ()
    """Flow threats only: the kinds of flow sources (or ``internet``) it applies to; empty: any."""
    judged_by: str = "controls"
    legs: tuple[Leg, ...] = ()
    """Flow threats: where each control is judged on a flow."""
    capec: tuple[str, ...] = ()
    attack: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    """Components with one of these facts are judged through another (a cluster's instance, whose
    storage is the cluster's): the threat is that one's, not theirs."""


@dataclass(frozen=True)
class Library:
    components: dict[str, tuple[ThreatSpec, ...]]
    flows: tuple[ThreatSpec, ...]
    source_types: dict[str, tuple[ThreatSpec, ...]]
    control_specs: dict[str, ControlSpec]

    def specs(self) -> list[ThreatSpec]:
        return [s for group in (*self.components.values(), *self.source_types.values()) for s in group] + \
            list(self.flows)

    def controls(self) -> set[str]:
        """Every control a threat of the library names."""
        return {c for s in self.specs() for c in s.controls}

    def for_component(self, comp: Component) -> tuple[ThreatSpec, ...]:
        specs = self.components.get(comp.kind, ()) + self.source_types.get(comp.source_type, ())
        return tuple(s for s in specs if not any(comp.has(fact) for fact in s.unless))


@lru_cache(maxsize=1)
def library() -> Library:
    """The packaged threat library (validated: a malformed entry is a defect of ours)."""
    from importlib.resources import files

    import yaml

    data = yaml.safe_load((files("iac_assist.threatmodel") / "threats.yaml").read_text(encoding="utf-8"))
    control_specs = {slug: ControlSpec(tuple(e.get("facts", ())), tuple(e.get("refs", ())), tuple(e.get("via", ())),
                                       tuple(e.get("sufficient", ())), tuple(e.get("scope", ())))
                     for slug, e in data["controls"].items()}
    components = {kind: tuple(_spec(entry) for entry in entries) for kind, entries in data["components"].items()}
    source_types = {t: tuple(_spec(entry) for entry in entries) for t, entries in data["source_types"].items()}
    lib = Library(components, tuple(_spec(entry) for entry in data["flows"]), source_types, control_specs)
    missing = lib.controls() - set(control_specs)
    if missing:
        raise ValueError(f"threat library: controls without an entry under `controls`: {sorted(missing)}")
    return lib


def _spec(entry: dict[str, Any]) -> ThreatSpec:
    stride = str(entry["stride"])
    if not stride or not set(stride) <= set("STRIDE"):
        raise ValueError(f"threat {entry.get('id')}: STRIDE letters only, got {stride!r}")
    judged_by = str(entry.get("judged_by", "controls"))
    if judged_by not in JUDGEMENTS:
        raise ValueError(f"threat {entry.get('id')}: judged_by is one of {JUDGEMENTS}, got {judged_by!r}")
    legs = tuple(Leg(c, str(leg["end"]), str(leg.get("opens", "")), tuple(leg.get("kinds", ())))
                 for c, leg in entry.get("legs", {}).items())
    return ThreatSpec(str(entry["id"]), stride, str(entry["title"]), tuple(entry["controls"]),
                      tuple(entry.get("targets", ())), tuple(entry.get("sources", ())), judged_by, legs,
                      tuple(entry.get("capec", ())), tuple(entry.get("attack", ())), tuple(entry.get("unless", ())))


@lru_cache(maxsize=1)
def implemented() -> frozenset[str]:
    """The controls some rule of this version checks."""
    from iac_assist.policies import all_policies

    return frozenset(p.control for p in all_policies())


def assess(graph: ResourceGraph, ids: dict[str, str], findings: list[Finding], flows: list[Flow],
           conditions: Mapping[tuple[str, str], tuple[str, ...]] | None = None) -> list[Threat]:
    """Every threat of the library on every component and boundary-crossing flow it applies to.
    ``conditions``: CloudFormation resources that exist only under conditions not known before
    deployment ((file, address) → conditions): a fact one of them sets (a WAF association under a
    condition) shows nothing for the deployments without it."""
    lib = library()
    # Addresses are unique only within a root module or template: findings are keyed by address
    # and where they sit, so two templates' ``WebSecurityGroup`` never share their findings.
    by_address: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        for address in finding_addresses(finding):
            by_address.setdefault((address, _place(finding.loc.file, cfn=False)), []).append(finding)
            by_address.setdefault((address, _place(finding.loc.file, cfn=True)), []).append(finding)
    judge = _Judge(graph, lib, by_address, conditions or {})
    out: list[Threat] = []
    per_scope: dict[tuple[str, str], tuple[ThreatSpec, list[Component]]] = {}
    for comp in graph.components.values():
        if comp.id not in ids:
            continue
        for spec in lib.for_component(comp):
            if all(lib.control_specs[c].scope for c in spec.controls):
                per_scope.setdefault((spec.id, comp.scope), (spec, []))[1].append(comp)
            else:
                out.append(judge.component(spec, ids[comp.id], comp))
    # A threat of the whole configuration (no trail for the account it sets up) is one threat, on
    # the component its finding names, else on the first of the configuration's that it applies to.
    for spec, comps in per_scope.values():
        named = {(a, _place(f.loc.file, cfn=cfn)) for f in judge.findings_on(comps[0], spec.controls)
                 for a in finding_addresses(f) for cfn in (False, True)}
        chosen = min(comps, key=lambda c: (_key(c) not in named, ids[c.id]))
        out.append(judge.component(spec, ids[chosen.id], chosen))
    out += judge.flows(flows, {mid: cid for cid, mid in ids.items()})
    return sorted(out, key=lambda t: (t.target, t.id))


def finding_addresses(finding: Finding) -> tuple[str, ...]:
    """The component addresses a finding is about. Findings name a count/for_each block once
    (``aws_instance.web``, ``module.app.aws_instance.web``) with its ``instances``; the model has
    one component per instance (``module.app[0].aws_instance.web[0]``): each instance named is the
    finding's as much as the block is. Nested stacks' resources are addressed ``Parent.Child`` by
    the finding and the component alike."""
    return (finding.resource, *finding.instances)


def _place(file: str, *, cfn: bool) -> str:
    """Where a finding or component sits: its template (CloudFormation), its module folder
    (Terraform, whose satellites may be in another file of the folder)."""
    return f"file:{file}" if cfn else f"dir:{file.rpartition('/')[0]}"


def _key(comp: Component) -> tuple[str, str]:
    return comp.address, _place(comp.loc.file, cfn=comp.source_type.startswith("AWS::"))


place_of, component_key = _place, _key
"""How flows match findings to components, as the threats do."""


def _related(graph: ResourceGraph, comp: Component) -> set[tuple[str, str]]:
    """Where the findings that count for ``comp`` sit: itself, its parts, attached security groups."""
    out = {_key(comp)}
    out |= {_key(c) for c in graph.neighbours(comp, "part-of", incoming=True)}
    out |= {_key(c) for c in graph.neighbours(comp, "attached-to", incoming=True)}
    return out


class _Judge:
    """Judges threats against findings and facts (one per model: it caches what it looks up)."""

    def __init__(self, graph: ResourceGraph, lib: Library, by_address: dict[tuple[str, str], list[Finding]],
                 conditions: Mapping[tuple[str, str], tuple[str, ...]]) -> None:
        self.graph, self.lib, self.by_address, self.conditions = graph, lib, by_address, conditions

    def findings_on(self, comp: Component, controls: Iterable[str]) -> list[Finding]:
        wanted = set(controls)
        found = {f.fingerprint: f for key in _related(self.graph, comp) for f in self.by_address.get(key, ())
                 if f.control in wanted}
        for control in wanted:
            if self.lib.control_specs[control].scope:
                found.update((f.fingerprint, f) for f in self._in_scope(comp.scope, control))
        return sorted(found.values(), key=lambda f: (f.sort_key(), f.fingerprint))

    def _in_scope(self, scope: str, control: str) -> list[Finding]:
        """The findings of ``control`` on any component of ``scope``."""
        def index() -> dict[tuple[str, str], list[Finding]]:
            out: dict[tuple[str, str], list[Finding]] = {}
            for comp in self.graph.components.values():
                for f in self.by_address.get(_key(comp), ()):
                    if self.lib.control_specs.get(f.control, ControlSpec()).scope:
                        out.setdefault((comp.scope, f.control), []).append(f)
            return out

        return self.graph.derived("threats:scope-findings", index).get((scope, control), [])

    # --- components ----------------------------------------------------------------------------

    def component(self, spec: ThreatSpec, target: str, comp: Component,
                  controls: tuple[str, ...] | None = None) -> Threat:
        controls = spec.controls if controls is None else controls
        opening = self.findings_on(comp, controls)
        if opening:
            return _threat(spec, target, "open", opening, [_finding_evidence(f) for f in opening])
        unknown, proof = self.controls_evidence(comp, controls)
        if unknown:
            return _threat(spec, target, "undetermined", [], unknown)
        return _threat(spec, target, "mitigated", [], proof)

    def controls_evidence(self, comp: Component, controls: Iterable[str]) -> tuple[list[Evidence], list[Evidence]]:
        """What leaves each control undetermined, and what shows it passes."""
        unknown: list[Evidence] = []
        proof: list[Evidence] = []
        for control in controls:
            if control not in implemented():
                unknown.append(_at(comp.loc, f"{control}: no rule of this version of iac-assist checks it yet"))
                continue
            spec = self.lib.control_specs[control]
            u, p = self._control(comp, control, spec)
            unknown += u
            proof += p
        return unknown, proof

    def _control(self, comp: Component, control: str, spec: ControlSpec) -> tuple[list[Evidence], list[Evidence]]:
        unknown: list[Evidence] = []
        proof: list[Evidence] = []
        for name in spec.sufficient:
            fact = comp.facts.get(name)
            if fact is not None and _all_on(fact.value) and self._conditional(comp, name) is None:
                return [], [_at(fact.loc, f"{control} passes: {name} = {_show(fact.value)}")]
        for subject in self._subjects(comp, spec.via, spec.scope):
            whose = "" if subject.id == comp.id else f"{subject.display}: "
            for name in (*spec.facts, *spec.refs):
                for loc, value in _values(subject, name):
                    # A policy is judged by the parts that decide who may do what (an ARN built
                    # at deployment in its Resource is no doubt about who may act).
                    policy = name in POLICY_FACTS
                    why = _not_known(value, strict=name in spec.facts, depth=2 if policy else 0) \
                        or self._conditional(subject, name)
                    if why is None and policy and name in spec.facts:
                        why = _policy_not_known(value)
                    if why is not None:
                        unknown.append(_at(loc, f"{control}: {whose}{name} is not known ({why})"))
                    elif value is not None:
                        shown = "set (not shown)" if name.partition(".")[0] in UNSHOWN else _show(value)
                        proof.append(_at(loc, f"{control} passes: {whose}{name} = {shown}"))
        if not unknown and not proof:
            names = ", ".join((*spec.facts, *spec.refs))
            proof.append(_at(comp.loc, f"{control} passes" + (f" ({names} not set)" if names else "")))
        return unknown, proof

    def _conditional(self, comp: Component, name: str) -> str | None:
        """Why a fact folded from a satellite holds only in some deployments, or None."""
        fact = comp.facts.get(name.partition(".")[0])
        if fact is None or not fact.origin:
            return None
        names = self.conditions.get((fact.loc.file, fact.origin))
        if not names:
            return None
        return f"set by {fact.origin} only when condition{'s' if len(names) > 1 else ''} {', '.join(names)} " \
               f"hold{'' if len(names) > 1 else 's'}"

    def _subjects(self, comp: Component, via: tuple[str, ...], scope: tuple[str, ...] = ()) -> list[Component]:
        """Where a control's facts are read: the component, its parts, the security groups attached
        to it, its launch template, the components of ``via`` that refer to it and those of
        ``scope`` in its scope."""
        out = {comp.id: comp}
        for relation in ("part-of", "attached-to"):
            out.update((c.id, c) for c in self.graph.neighbours(comp, relation, incoming=True))
        for fact, kind in (("launch_template", kinds.LAUNCH_TEMPLATE), ("launch_configuration",
                                                                         kinds.LAUNCH_CONFIGURATION)):
            if comp.has(fact):
                spec = self.graph.resolve(comp, comp.get(fact), kind)
                if spec is not None:
                    out.setdefault(spec.id, spec)
        if via:
            out.update((c.id, c) for c in self.graph.referrers(comp, *via))
        out.update((c.id, c) for c in self.graph.of_kind(*scope) if c.scope == comp.scope)
        return [out[comp.id], *sorted((c for cid, c in out.items() if cid != comp.id), key=lambda c: c.id)]

    # --- flows ---------------------------------------------------------------------------------

    def flows(self, flows: list[Flow], by_model_id: dict[str, str]) -> list[Threat]:
        """Threats on boundary-crossing flows. A finding opens one threat of a kind per component
        it sits on, not one per flow: the first flow it concerns (in the model's order) lists it.
        Threats judged by controls (a missing WAF) are about the target, not the leg: one per
        target, on its first flow."""
        out: list[Threat] = []
        claimed: dict[tuple[str, str], set[str]] = {}
        judged: set[tuple[str, str]] = set()
        for flow in flows:
            if not flow.crosses:
                continue
            target = self.graph.components.get(by_model_id.get(flow.target, ""))
            source = self.graph.components.get(by_model_id.get(flow.source, ""))
            if target is None:
                continue
            for spec in self.lib.flows:
                if target.kind not in spec.targets:
                    continue
                if spec.sources and (INTERNET if flow.source == INTERNET else source.kind if source else "") \
                        not in spec.sources:
                    continue
                name = flow_name(flow.source, flow.target, flow.port)
                if spec.judged_by == "controls":
                    if (spec.id, target.id) in judged:
                        continue
                    judged.add((spec.id, target.id))
                    controls = tuple(leg.control for leg in spec.legs if leg.applies("target", target, ""))
                    out.append(self.component(spec, name, target, controls or spec.controls))
                elif spec.judged_by == "presence":
                    opening = self._unclaimed(claimed, spec, target, self.findings_on(target, spec.controls))
                    evidence = [_at(flow.loc or target.loc, f"reachable: {flow.why}")]
                    out.append(_threat(spec, name, "open", opening, evidence + [_finding_evidence(f) for f in opening]))
                else:
                    out.append(self._encryption(spec, name, flow, source, target, claimed))
        return _one_per_id(out)

    def _unclaimed(self, claimed: dict[tuple[str, str], set[str]], spec: ThreatSpec, comp: Component,
                   found: list[Finding]) -> list[Finding]:
        taken = claimed.setdefault((spec.id, comp.id), set())
        fresh = [f for f in found if f.fingerprint not in taken]
        taken.update(f.fingerprint for f in fresh)
        return fresh

    def _encryption(self, spec: ThreatSpec, name: str, flow: Flow, source: Component | None, target: Component,
                    claimed: dict[tuple[str, str], set[str]]) -> Threat:
        """Eavesdropping on one flow, from its own protocol: plaintext is open (never mitigated,
        unless its listener only redirects to HTTPS), encrypted is open only through a weak-TLS
        finding on its own end, not known is undetermined."""
        what = f"{flow.protocol or 'protocol not known'} on port {flow.port if flow.port is not None else 'any'}"
        flow = replace(flow, loc=flow.loc or target.loc)  # evidence names a line, whatever the flow keeps
        opens = "plaintext" if flow.encrypted is False else "encrypted" if flow.encrypted else ""
        opening: list[Finding] = []
        for end, comp in (("source", source), ("target", target)):
            controls = [leg.control for leg in spec.legs if leg.applies(end, comp, opens)]
            if comp is not None and controls:
                opening += self._unclaimed(claimed, spec, comp, self.findings_on(comp, controls))
        found = [_finding_evidence(f) for f in opening]
        if flow.encrypted is None:
            return _threat(spec, name, "undetermined", [], [_at(flow.loc, f"{what}: whether it is encrypted is not "
                                                                           f"known ({flow.why})")] + found)
        if flow.encrypted is False:
            redirect = redirect_to_https(self.graph, target, flow.port)
            if redirect is not None and not opening:
                return _threat(spec, name, "mitigated", [],
                               [_at(redirect, f"the listener on port {flow.port} only redirects to HTTPS")])
            return _threat(spec, name, "open", opening, [_at(flow.loc, f"{what}, not encrypted ({flow.why})")] + found)
        if opening:
            return _threat(spec, name, "open", opening, found)
        return _threat(spec, name, "mitigated", [], [_at(flow.loc, f"{what}, encrypted ({flow.why})")])


def redirect_to_https(graph: ResourceGraph, lb: Component, port: int | None) -> Location | None:
    """Where the listener on ``port`` of load balancer ``lb`` redirects to HTTPS, when that is all
    it does (its flow carries no data, only the redirect); None otherwise."""
    if lb.kind != kinds.LB or port is None:
        return None
    for listener in graph.neighbours(lb, "part-of", incoming=True):
        if listener.kind != kinds.LB_LISTENER or listener.get("port") != port:
            continue
        actions = [a for a in listener.items("default_actions") if isinstance(a, Fact)]
        if actions and all(isinstance(a.value, dict) and a.value.get("type") == "redirect"
                           and a.value.get("redirect_protocol") == "HTTPS" for a in actions):
            return actions[0].loc
    return None


def _one_per_id(threats: list[Threat]) -> list[Threat]:
    """Flows told apart only by their protocol (TCP and UDP on one port) share a threat id: the
    worst of their threats stands for both, with the findings and evidence of those as bad."""
    rank = {"open": 0, "undetermined": 1, "mitigated": 2}
    kept: dict[str, Threat] = {}
    for threat in threats:
        first = kept.get(threat.id)
        if first is None or rank[threat.status] < rank[first.status]:
            kept[threat.id] = threat
        elif rank[threat.status] == rank[first.status]:
            kept[threat.id] = replace(first, findings=tuple(sorted({*first.findings, *threat.findings})),
                                      evidence=tuple(sorted({*first.evidence, *threat.evidence})))
    return list(kept.values())


def _threat(spec: ThreatSpec, target: str, status: str, opening: list[Finding], evidence: list[Evidence]) -> Threat:
    return Threat(
        id=f"{spec.id}@{target}",
        stride=spec.stride,
        target=target,
        title=spec.title,
        status=status,
        controls=spec.controls,
        findings=tuple(sorted({f.fingerprint for f in opening})),
        evidence=tuple(sorted(set(evidence))),
        capec=spec.capec,
        attack=spec.attack,
    )


def _at(loc: Location | None, what: str) -> Evidence:
    return Evidence(loc.file, loc.line, what) if loc is not None else Evidence("", 0, what)


def _finding_evidence(finding: Finding) -> Evidence:
    return _at(finding.loc, f"{finding.control}: {finding.title} ({finding.resource})")


def _values(comp: Component, name: str) -> list[tuple[Location, Any]]:
    """A fact's value with where it is written; for ``fact.key``, that key of the fact's block or
    of each entry of its list (at the entry's line), None where an entry leaves it out."""
    base, _, key = name.partition(".")
    fact = comp.facts.get(base)
    if fact is None:
        return []
    if not key:
        return [(fact.loc, fact.value)]
    value = fact.value
    if isinstance(value, dict):
        return [_located(value.get(key), fact.loc)]
    if not isinstance(value, list):
        return [(fact.loc, value)]  # unknown: the whole list or block is
    out = []
    for entry in value:
        loc, entry = (entry.loc, entry.value) if isinstance(entry, Fact) else (fact.loc, entry)
        out.append(_located(entry.get(key), loc) if isinstance(entry, dict) else (loc, entry))
    return out


def _located(value: Any, loc: Location) -> tuple[Location, Any]:
    return (value.loc, value.value) if isinstance(value, Fact) else (loc, value)


def _not_known(value: Any, *, strict: bool, depth: int = 0) -> str | None:
    """Why ``value`` (or a part of it, two levels down) is not known, or None when it is. A
    reference is known when it names something (``strict`` False), or when its value is stated."""
    if isinstance(value, Fact):
        value = value.value
    if isinstance(value, Unknown):
        return value.reason or "not known before deployment"
    if isinstance(value, Ref):
        if strict and isinstance(value.value, Unknown) and depth == 0:
            return f"{value.address}{'.' + value.attribute if value.attribute else ''} is not known before deployment"
        return None
    if depth >= 2:
        return None
    items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else ()
    for item in items:
        why = _not_known(item, strict=strict, depth=depth + 1)
        if why is not None:
            return why
    return None


def _all_on(value: Any) -> bool:
    """True, or a block of settings that are all true."""
    if isinstance(value, dict):
        return bool(value) and all(v is True for v in value.values())
    return value is True


def _policy_not_known(value: Any) -> str | None:
    """Why a policy document (or a list of statements) may grant more than it shows: a statement,
    or its effect, principal, actions or condition, not known."""
    statements = value if isinstance(value, list) else statement_list(value)
    if statements is None:
        return "its statements are not known" if isinstance(value, dict) else None
    for statement in statements:
        statement = statement.value if isinstance(statement, Fact) else statement
        if isinstance(statement, Unknown):
            return statement.reason or "a statement is not known"
        if not isinstance(statement, dict):
            continue
        for key in DECISIVE:
            # A condition's values are not judged, only the keys it uses: one level less.
            why = _not_known(statement.get(key), strict=False, depth=1 if key == "Condition" else 0)
            if why is not None:
                return f"{key} of a statement: {why}"
    return None


def _show(value: Any) -> str:
    """A short, plain rendering of a fact's value for evidence."""
    if isinstance(value, Fact):
        value = value.value
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, Ref):
        text = value.address + (f".{value.attribute}" if value.attribute else "")
    elif isinstance(value, (int, float)):
        text = number_text(value) or "a number"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, dict) and _all_on(value):
        text = f"all {len(value)} settings true"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k}: {_show(v)}" for k, v in list(value.items())[:4] if not isinstance(v, dict)) + "}"
    elif isinstance(value, (list, tuple)):
        text = f"{len(value)} entr{'y' if len(value) == 1 else 'ies'}"
    else:
        text = "set"
    text = " ".join(text.split())
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 1] + "…"
