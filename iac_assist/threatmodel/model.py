"""The threat model's shape: what ``iac-assist model`` prints, in every format.

The JSON contract (``to_json``), stable and documented::

    {
      "components": [{"id", "kind", "zone", "file", "line"}],   # id: the address findings use
      "flows": [{"source", "target", "port", "protocol", "encrypted", "crosses", "redirect"}],
      "threats": [{"id", "stride", "target", "title", "status", "controls", "findings", "evidence",
                   "capec", "attack"}],
      "attack_paths": [{"target", "hops": [ids], "rank", "score", "likelihood", "impact", "exposure",
                        "classification", "classification_source",
                        "steps": [{"from", "to", "kind", "exposure", "likelihood",
                                   "evidence": [{"id", "file", "line", "what"}]}]}]
    }

``source``/``target`` of a flow are component ids or ``internet``; ``port`` an int or null (all
ports or not known); ``protocol`` upper case (HTTP, HTTPS, TCP...) or null; ``encrypted`` true,
false or null (not known from the configuration); ``crosses`` the trust boundaries it crosses, as
``"<outer zone>/<inner zone>"``; ``redirect`` true for plain HTTP to a listener that only redirects
to HTTPS (it carries no data). Component ids are unique: the address findings use, a part of a
resource ``<address>/<part>`` (``aws_elb.web/listener:80``), prefixed by its scope (``<root or
template>:``) where two scopes share an address.

A threat's ``id`` is ``<library threat>@<target>``; its ``target`` a component id, or
``<source>-><target>:<port>`` for a threat on a flow (judged from that flow: its protocol, the
listener that carries it). Its ``status`` is one of:

- ``open``: a control that mitigates it fails on its target (``findings``: the fingerprints of the
  findings that open it), or, on a flow, the flow itself carries it (plain HTTP);
- ``undetermined``: no control fails, but one depends on a value not known before deployment (a
  variable or parameter without value, a condition left open) or is checked by no rule yet;
- ``mitigated``: every control passes, shown by the configuration that makes it pass.

``evidence`` says why, each ``{"file", "line", "what"}``: the findings that open it (their file and
line), the unknown values it depends on (where they are used, and why they are not known), or the
settings that mitigate it (the WAF association, the origin access control, the KMS key...).
``capec`` and ``attack`` cite the CAPEC and MITRE ATT&CK ids of the threat (``"CAPEC-117"``,
``"T1557"``). Lists are sorted, so the same input gives byte-identical output.

Attack paths (``iac_assist.threatmodel.attack``): the k most likely paths from the internet to each
data store (database, bucket, secret, KMS key) and compute (instance, auto scaling group), ranked
over all targets (``rank`` 1 first, by ``score`` = ``likelihood`` × ``impact``). ``hops`` are ids
from ``internet`` to the target, the network elements of a direct exposure (gateway, subnet,
network ACL, security group) included; ``steps`` are the attack graph's typed edges it takes
(``kind``: internet-exposure, public-bucket, listener, application-compromise, network-reach,
user-data-secret, credential-theft, instance-role, iam-permission), each with its likelihood (0..1), its exposure
and its ``evidence``: what allows it and where it is written. A path's ``exposure`` is its least
exposed step's: ``internet-reachable`` (no credential needed), ``authenticated`` (a login or
credentials the path itself yields), ``internal`` (a component must be compromised first).
``impact`` comes from ``classification`` (public 0.25, internal 0.5, confidential 0.75,
restricted 1.0), read from the ``classification_source``: ``file`` (``--data-classification``),
``tag`` (a data-classification tag) or ``default`` (confidential for data, internal for compute).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iac_assist.model import Location

INTERNET = "internet"


@dataclass(frozen=True)
class ModelComponent:
    id: str
    kind: str
    zone: str
    loc: Location | None
    vpc: str | None = None
    """Id of the VPC it sits in (diagrams nest its subnets' zones inside it)."""
    label: str = ""
    """A short name for diagrams."""
    source_type: str = ""
    address: str = ""
    """The resource's address (Terraform address or logical id): references name it."""
    facts: tuple[tuple[str, Any], ...] = field(default=(), compare=False, repr=False)
    """Its facts' values, without their locations, in a comparable form (``diff.fact_values``): what
    tells a renamed resource from a new one. Not in ``to_json``."""


def flow_name(source: str, target: str, port: int | None) -> str:
    """The ``target`` of a threat on a flow: how threats, the difference and every format name
    the flow (``<source>-><target>:<port>``; a component id may itself hold ``->`` or ``:``, so
    it is looked up whole, never split)."""
    return f"{source}->{target}:{port}"


@dataclass(frozen=True)
class Flow:
    source: str
    target: str
    port: int | None
    protocol: str | None
    encrypted: bool | None
    crosses: tuple[str, ...] = ()
    loc: Location | None = None
    """What configures or allows it."""
    why: str = ""
    redirect: bool = False
    """Plain HTTP to a listener that only redirects to HTTPS: it carries no data."""


STATUSES = ("open", "undetermined", "mitigated")


@dataclass(frozen=True, order=True)
class Evidence:
    """Why a threat has its status: a finding, an unknown value or a passing setting, and where."""

    file: str
    line: int
    what: str


@dataclass(frozen=True)
class Threat:
    id: str
    stride: str
    target: str
    title: str
    status: str
    """One of ``STATUSES``."""
    controls: tuple[str, ...]
    findings: tuple[str, ...] = ()
    """Fingerprints of the findings that keep it open."""
    description: str = ""
    evidence: tuple[Evidence, ...] = ()
    capec: tuple[str, ...] = ()
    attack: tuple[str, ...] = ()


@dataclass(frozen=True)
class StepEvidence:
    """What allows a step of an attack path, and where (a threat's status has ``Evidence``)."""

    id: str
    """The component (model id) that allows a step, or ``internet``."""
    loc: Location | None
    what: str


@dataclass(frozen=True)
class AttackStep:
    """One typed edge of the attack graph (see ``iac_assist.threatmodel.attack``)."""

    source: str
    target: str
    kind: str
    exposure: str
    likelihood: float
    evidence: tuple[StepEvidence, ...] = ()


@dataclass(frozen=True)
class AttackPath:
    target: str
    hops: tuple[str, ...]
    steps: tuple[tuple[Location | None, str], ...] = ()
    """What allows each hop, with where it is written (hops[1:] in order)."""
    edges: tuple[AttackStep, ...] = ()
    """The attack graph's steps it takes, in order."""
    likelihood: float = 1.0
    impact: float = 0.0
    score: float = 0.0
    rank: int = 0
    exposure: str = ""
    classification: str = ""
    classification_source: str = ""


@dataclass
class ThreatModel:
    components: list[ModelComponent] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    threats: list[Threat] = field(default_factory=list)
    attack_paths: list[AttackPath] = field(default_factory=list)

    def component(self, cid: str) -> ModelComponent | None:
        return next((c for c in self.components if c.id == cid), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "components": [
                {"id": c.id, "kind": c.kind, "zone": c.zone, "file": c.loc.file if c.loc else None,
                 "line": c.loc.line if c.loc else None}
                for c in self.components
            ],
            "flows": [
                {"source": f.source, "target": f.target, "port": f.port, "protocol": f.protocol,
                 "encrypted": f.encrypted, "crosses": list(f.crosses), "redirect": f.redirect}
                for f in self.flows
            ],
            "threats": [
                {"id": t.id, "stride": t.stride, "target": t.target, "title": t.title, "status": t.status,
                 "controls": list(t.controls), "findings": list(t.findings),
                 "evidence": [{"file": e.file, "line": e.line, "what": e.what} for e in t.evidence],
                 "capec": list(t.capec), "attack": list(t.attack)}
                for t in self.threats
            ],
            "attack_paths": [_path_json(p) for p in self.attack_paths],
        }


def _where(loc: Location | None) -> dict[str, Any]:
    return {"file": loc.file if loc else None, "line": loc.line if loc else None}


def _path_json(path: AttackPath) -> dict[str, Any]:
    return {
        "target": path.target, "hops": list(path.hops), "rank": path.rank, "score": path.score,
        "likelihood": path.likelihood, "impact": path.impact, "exposure": path.exposure,
        "classification": path.classification, "classification_source": path.classification_source,
        "steps": [
            {"from": s.source, "to": s.target, "kind": s.kind, "exposure": s.exposure, "likelihood": s.likelihood,
             "evidence": [{"id": e.id, **_where(e.loc), "what": e.what} for e in s.evidence]}
            for s in path.edges
        ],
    }
