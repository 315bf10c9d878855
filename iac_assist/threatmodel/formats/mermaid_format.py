"""The threat model as a Mermaid flowchart (``flowchart LR``), also embedded in the Markdown report.

Layout (shared with the DOT format through ``layout``): the ``internet`` node outside every zone;
``edge`` and ``aws`` as top-level subgraphs (CloudFront sits at the edge, beside the region, not
inside it); each VPC a subgraph inside ``aws`` holding its ``vpc``-zone components and a
``public`` and a ``private`` subgraph; components of those zones whose VPC is not known go into
one generic VPC subgraph. Flows are edges labelled with protocol and port; a plaintext flow
(``encrypted`` false) is a red dotted edge with "plaintext" in its label; a component with open
threats gets a red border and the number of its open threats.

What is drawn: the services that carry or hold data (``SHOWN_KINDS``: compute, entry points, data
stores), plus any component a flow touches or that has an open threat. Configuration and network
plumbing (subnets, which the public/private subgraphs stand for, route tables, security groups,
NACLs, target groups, listeners, IAM, flow logs...) is left out otherwise: it has no edge to draw
and a reviewer reads a diagram of 30 boxes less well than one of 8. Every component is still in
the JSON and OTM outputs and in the Markdown report's counts.

Resource names are untrusted input. Node and subgraph ids are made from them by keeping ASCII
letters and digits only, behind a fixed prefix, made unique by a counter; every label is quoted,
and every character of it that is not plainly safe is written as a Mermaid entity (``#quot;``,
``#35;``...), so no name can close a string, start a directive (``%%``), add a statement or an
edge, or bring in HTML or Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from iac_assist.model import kinds
from iac_assist.report.safe_text import visible
from iac_assist.threatmodel.formats import views
from iac_assist.threatmodel.model import INTERNET, Flow, ModelComponent, ThreatModel

if TYPE_CHECKING:
    from iac_assist.threatmodel.formats import RenderOptions

EDGE, AWS, VPC, PUBLIC, PRIVATE = "edge", "aws", "vpc", "public", "private"

SHOWN_KINDS = frozenset({
    kinds.INSTANCE, kinds.AUTOSCALING_GROUP, kinds.LAMBDA_FUNCTION, kinds.LAMBDA_URL, kinds.EKS_CLUSTER,
    kinds.LB, kinds.CLOUDFRONT, kinds.APIGW_API, kinds.APIGW_REST_API,
    kinds.S3_BUCKET, *kinds.DATABASES, *kinds.WAREHOUSES, kinds.DYNAMODB_TABLE, kinds.ELASTICACHE_REPLICATION_GROUP,
    kinds.ELASTICACHE_CLUSTER, kinds.SEARCH_DOMAIN, kinds.SQS_QUEUE, kinds.SNS_TOPIC,
})
"""Kinds always drawn: what serves, processes or stores data."""

DATA_STORES = frozenset({
    kinds.S3_BUCKET, *kinds.DATABASES, *kinds.WAREHOUSES, kinds.DYNAMODB_TABLE, kinds.ELASTICACHE_REPLICATION_GROUP,
    kinds.ELASTICACHE_CLUSTER, kinds.SEARCH_DOMAIN,
})
"""Drawn as cylinders."""

RED = "#d62728"
OPEN_FILL = "#fdecea"
ZONE_TITLES = {EDGE: "Edge", AWS: "AWS", PUBLIC: "Public subnets", PRIVATE: "Private subnets"}
ZONE_ORDER = (EDGE, AWS, VPC, PUBLIC, PRIVATE)
ZONE_STYLES = {
    # Light fills that tell the zones apart; the reachable ones warmer.
    EDGE: "fill:#f3efff,stroke:#7f6fbf",
    AWS: "fill:#f5f7fa,stroke:#8a99ad",
    VPC: "fill:#ffffff,stroke:#5b7a99",
    PUBLIC: "fill:#fff4e0,stroke:#d9a441",
    PRIVATE: "fill:#ebf6ec,stroke:#5fa36a",
}


# --- layout, shared with the DOT format ------------------------------------------------------------


@dataclass
class Group:
    """A zone drawn as a subgraph / cluster."""

    key: str
    """Stable and unique: ``edge``, ``aws``, ``vpc:<vpc id>``, ``vpc:<vpc id>:public``..."""
    title: str
    zone: str
    """``edge``, ``aws``, ``vpc`` (one VPC), ``public`` or ``private`` (one VPC's subnets)."""
    component: ModelComponent | None = None
    """The VPC a VPC group stands for (its open threats mark the group)."""
    nodes: list[ModelComponent] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)


@dataclass
class Layout:
    top: list[ModelComponent]
    """Drawn outside every zone: components of a zone we do not know, flow ends not in the model."""
    groups: list[Group]
    flows: list[Flow]
    open_threats: dict[str, int]
    """Drawn id -> number of its open threats (a collapsed block's: all its instances')."""
    left_out: list[ModelComponent]
    instances: dict[str, int] = field(default_factory=dict)
    """Drawn id -> the number of ``count``/``for_each`` instances it stands for (when collapsed)."""
    badges: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Drawn id -> the controls shown on it (``views.BADGES``)."""
    paths: list[tuple[str, str]] = field(default_factory=list)
    """Attack-path steps drawn as such (drawn ids)."""
    alias: dict[str, str] = field(default_factory=dict)
    """Component id -> the drawn id that stands for it (itself unless collapsed or folded)."""


def layout(model: ThreatModel, paths: tuple[tuple[str, str], ...] = (), fold: bool = True) -> Layout:
    """``fold`` false draws every component as itself, all of them (a change's diagram: each
    node is classed as added, removed or unchanged, which a block standing for several cannot be)."""
    components_in = sorted(model.components, key=lambda c: c.id)
    folded = views.collapse(components_in) if fold else \
        views.Collapsed(components_in, {c.id: c.id for c in components_in}, {})
    alias = folded.alias
    flows = views.collapse_flows(model.flows, alias)
    steps = views.path_steps(paths, alias)
    open_threats = _open_threats(model, alias)
    badges = views.badges(model.threats, alias)
    alike = views.fold_alike(folded.components, flows, steps, open_threats, badges, folded.instances) if fold \
        else folded
    if len(alike.components) < len(folded.components):
        alias = {cid: alike.alias.get(drawn, drawn) for cid, drawn in alias.items()}
        flows = views.collapse_flows(flows, alike.alias)
        steps = views.path_steps(tuple(steps), alike.alias)
        open_threats = _open_threats(model, alias)
        badges = views.badges(model.threats, alias)
    touched = {end for f in flows for end in (f.source, f.target)} | {end for s in steps for end in s}
    components = alike.components
    known = {c.id for c in components}

    edge, aws = Group(EDGE, ZONE_TITLES[EDGE], EDGE), Group(AWS, ZONE_TITLES[AWS], AWS)
    vpcs: dict[str | None, Group] = {}
    top: list[ModelComponent] = []
    left_out: list[ModelComponent] = []

    def vpc_group(vpc: str | None) -> Group:
        if vpc not in vpcs:
            vpcs[vpc] = Group(f"vpc:{vpc}", f"VPC {vpc}", VPC) if vpc is not None \
                else Group("vpc", "VPC (not known)", VPC)
        return vpcs[vpc]

    for comp in components:
        if comp.kind == kinds.VPC and comp.zone == VPC:
            # The VPC is its own subgraph; drawn as a node too only when a flow touches it.
            vpc_group(comp.vpc or comp.id).component = comp
            if comp.id not in touched:
                continue
        elif fold and not (comp.kind in SHOWN_KINDS or comp.id in touched or open_threats.get(comp.id)):
            left_out.append(comp)
            continue
        if comp.zone == EDGE:
            edge.nodes.append(comp)
        elif comp.zone == AWS:
            aws.nodes.append(comp)
        elif comp.zone == VPC:
            vpc_group(comp.vpc).nodes.append(comp)
        elif comp.zone in (PUBLIC, PRIVATE):
            group = vpc_group(comp.vpc)
            sub = next((g for g in group.groups if g.zone == comp.zone), None)
            if sub is None:
                sub = Group(f"{group.key}:{comp.zone}", ZONE_TITLES[comp.zone], comp.zone)
                group.groups.append(sub)
            sub.nodes.append(comp)
        else:
            top.append(comp)
    for end in sorted(touched - known - {INTERNET}):
        top.append(ModelComponent(end, "", "", None, label=end))

    for group in vpcs.values():
        group.groups.sort(key=lambda g: g.zone != PUBLIC)  # public, then private
    # VPCs by id, the generic one last; an empty VPC is drawn only to show its open threats.
    for vpc in sorted(vpcs, key=lambda v: (v is None, v or "")):
        group = vpcs[vpc]
        marked = group.component is not None and open_threats.get(group.component.id)
        if group.nodes or group.groups or marked:
            aws.groups.append(group)
        elif group.component is not None:
            left_out.append(group.component)
    groups = [g for g in (edge, aws) if g.nodes or g.groups]
    dropped = {c.id for c in left_out}
    left_out = [c for c in sorted(model.components, key=lambda c: c.id) if alias[c.id] in dropped]
    return Layout(top, groups, flows, open_threats, left_out, alike.instances, badges, steps, alias)


def _open_threats(model: ThreatModel, alias: dict[str, str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for threat in model.threats:
        if threat.status == "open":
            target = alias.get(threat.target, threat.target)
            out[target] = out.get(target, 0) + 1
    return out


def group_title(group: Group, open_count: int) -> str:
    if not open_count:
        return group.title
    return f"{group.title} ({open_count} open threat{'s' if open_count != 1 else ''})"


def flow_label(flow: Flow) -> str:
    """``HTTPS 443``, ``TCP 5432``, ``HTTP 80 plaintext``; ``all ports`` when the port is not one."""
    proto = flow.protocol or "any protocol"
    port = str(flow.port) if flow.port is not None else "all ports"
    text = f"{proto} {port}"
    return f"{text} plaintext" if flow.encrypted is False else text


def node_lines(comp: ModelComponent, open_count: int, badges: tuple[str, ...] = (), instances: int = 0) -> list[str]:
    """A node's label, line by line: its name, its kind, its open threats, its badges."""
    lines = [comp.label or comp.id]
    if comp.label and comp.label != comp.id and not instances:
        lines.append(comp.id)
    if comp.kind:
        lines.append(comp.kind)
    if open_count:
        lines.append(f"{open_count} open threat{'s' if open_count != 1 else ''}")
    if badges:
        lines.append(" · ".join(f"[{b}]" for b in badges))
    return lines


# --- Mermaid ---------------------------------------------------------------------------------------

_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.,/-[]()@+=*!?'")


def escape(text: str) -> str:
    """Text for inside a quoted Mermaid label: anything not plainly safe as an entity.

    ``"`` would close the string, ``#`` and ``;`` start or end an entity, ``%`` a directive, ``<``
    and ``&`` HTML, a backtick a Markdown string, ``|`` an edge label, ``:`` a ``style`` line's
    rewrite; line breaks and other controls become spaces. Non-ASCII is written as a numeric
    entity too, which keeps the text plain ASCII. (One quirk remains, Mermaid's own: it decodes
    its entity placeholders ``ﬂ°°``, ``ﬂ°`` and ``¶ß`` once more after the entities, so a name
    holding those very characters shows ``&#``, ``&`` or ``;`` there: as text, never as markup.)"""
    out = []
    for ch in visible(text, breaks=" "):  # bidi and invisible characters shown as escapes first
        if ch in _SAFE:
            out.append(ch)
        elif ch == '"':
            out.append("#quot;")
        elif ord(ch) < 32 or ord(ch) == 127 or ch in "\u2028\u2029\x85":
            out.append(" ")
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out)


class _Ids:
    """Mermaid ids from arbitrary names: a prefix, ASCII letters, digits and ``_``, unique."""

    def __init__(self) -> None:
        self._by_key: dict[tuple[str, str], str] = {}
        self._used: set[str] = set()

    def get(self, key: str, prefix: str) -> str:
        if (prefix, key) not in self._by_key:
            base = prefix + (re.sub(r"[^A-Za-z0-9]+", "_", key).strip("_") or "x")
            candidate, n = base, 1
            while candidate in self._used:
                n += 1
                candidate = f"{base}_{n}"
            self._used.add(candidate)
            self._by_key[prefix, key] = candidate
        return self._by_key[prefix, key]


MAX_TEXT = 50_000
"""Mermaid's default ``maxTextSize`` (GitHub renders with it): a longer diagram is not drawn."""
TOO_LARGE = "see the DOT/JSON output (iac-assist model -f dot)"


def render(model: ThreatModel, options: RenderOptions | None = None) -> str:
    """The diagram of the view asked for (``full`` or ``attack-paths``; ``per-vpc`` makes several
    diagrams, which one Mermaid text cannot hold: the Markdown and DOT formats draw it). A diagram
    over Mermaid's text limit is replaced by one node saying so."""
    view = options.view if options is not None else "full"
    if view == "per-vpc":
        raise ValueError("the per-vpc view draws several diagrams: use --format markdown or dot")
    (diagram,) = views.diagrams(model, view)
    out = lines(diagram.model, paths=diagram.paths)
    text = "\n".join(out) + "\n"
    if len(text) > MAX_TEXT:
        text = "\n".join(too_large(len(text), len(model.components))) + "\n"
    return text


def too_large(size: int, components: int, instead: str = f"{TOO_LARGE}, or --view attack-paths or per-vpc") \
        -> list[str]:
    """A valid diagram of one node that says why the real one is not drawn, and what to read ``instead``."""
    note = (f"Diagram too large for Mermaid ({size} characters over its {MAX_TEXT} limit, {components} "
            f"components): {instead}")
    return ["flowchart LR", f'  too_large["{escape(note)}"]']


@dataclass
class Marks:
    """What a change's diagram (``diff_diagram``) classes: component id -> ``added``, ``removed``
    or ``unchanged``; a flow's ``(source, target, port, protocol)`` and an attack-path step's
    ``(source, target)`` -> ``added``, ``removed`` or ``unchanged``. Every component is drawn, none folded."""

    nodes: dict[str, str] = field(default_factory=dict)
    flows: dict[tuple[str, str, int | None, str | None], str] = field(default_factory=dict)
    steps: dict[tuple[str, str], str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    """Component id -> one more line of its label (what the change does to its threats)."""


MARK_STYLES = {
    "added": ("fill:#e6f4ea,stroke:#2ca02c,stroke-width:3px,color:#1b5e20", "stroke:#2ca02c,stroke-width:3px"),
    "removed": (f"fill:#ffffff,stroke:{RED},stroke-width:2px,stroke-dasharray:5,color:{RED}",
                f"stroke:{RED},stroke-width:2px,stroke-dasharray:5"),
    "unchanged": ("fill:#f2f2f2,stroke:#bbbbbb,color:#999999", "stroke:#bbbbbb,color:#999999"),
}
"""Mark -> (node style, edge style): added green and bold, removed red and dashed, the unchanged
neighbours grey."""


def lines(model: ThreatModel, paths: tuple[tuple[str, str], ...] = (), legend: bool = True,
          marks: Marks | None = None) -> list[str]:
    """The diagram's lines; ``legend`` false leaves the legend out (the Markdown report has it as a
    table, where it cannot overlap an edge). ``marks``: a change's diagram, every component drawn
    and classed as the marks say."""
    plan = layout(model, paths, fold=marks is None)
    ids = _Ids()
    # Component ids are handed out first, in id order, so that a node's id does not depend on
    # where the walk below meets it.
    for comp in sorted([*model.components, *plan_nodes(plan)], key=lambda c: c.id):
        ids.get(comp.id, "n_")
    out = ["flowchart LR", '  internet(("Internet"))']
    marked: list[str] = []
    marked_zones: list[str] = []
    zoned: dict[str, list[str]] = {}
    classed: dict[str, list[str]] = {}
    edge_marks: dict[str, list[int]] = {}

    def node(comp: ModelComponent, indent: str) -> None:
        count = plan.open_threats.get(comp.id, 0)
        parts = node_lines(comp, count, plan.badges.get(comp.id, ()), plan.instances.get(comp.id, 0))
        if marks is not None and comp.id in marks.notes:
            parts.append(marks.notes[comp.id])
        label = "<br/>".join(escape(line) for line in parts)
        nid = ids.get(comp.id, "n_")
        start, end = ('[("', '")]') if comp.kind in DATA_STORES else ('["', '"]')
        out.append(f"{indent}{nid}{start}{label}{end}")
        if count:
            marked.append(nid)
        if marks is not None and comp.id in marks.nodes:
            classed.setdefault(marks.nodes[comp.id], []).append(nid)

    def group(g: Group, indent: str) -> None:
        gid = ids.get(g.key, "z_")
        count = plan.open_threats.get(g.component.id, 0) if g.component is not None else 0
        out.append(f'{indent}subgraph {gid}["{escape(group_title(g, count))}"]')
        for comp in g.nodes:
            node(comp, indent + "  ")
        for sub in g.groups:
            group(sub, indent + "  ")
        out.append(f"{indent}end")
        zoned.setdefault(g.zone, []).append(gid)
        if count:
            marked_zones.append(gid)

    for comp in plan.top:
        node(comp, "  ")
    for g in plan.groups:
        group(g, "  ")

    plaintext: list[int] = []
    for index, flow in enumerate(plan.flows):
        source = "internet" if flow.source == INTERNET else ids.get(flow.source, "n_")
        target = "internet" if flow.target == INTERNET else ids.get(flow.target, "n_")
        arrow = "-.->" if flow.encrypted is False else "-->"
        out.append(f'  {source} {arrow}|"{escape(flow_label(flow))}"| {target}')
        if flow.encrypted is False:
            plaintext.append(index)  # linkStyle names edges by their order in the text
        mark = marks.flows.get((flow.source, flow.target, flow.port, flow.protocol)) if marks else None
        if mark:
            edge_marks.setdefault(mark, []).append(index)
    steps: list[int] = []
    for source, target in plan.paths:
        a = "internet" if source == INTERNET else ids.get(source, "n_")
        b = "internet" if target == INTERNET else ids.get(target, "n_")
        out.append(f'  {a} ==>|"attack path"| {b}')
        mark = marks.steps.get((source, target)) if marks else None
        if mark:
            edge_marks.setdefault(mark, []).append(len(plan.flows) + len(steps))
        steps.append(len(plan.flows) + len(steps))

    for zone in ZONE_ORDER:
        if zone in zoned:
            out.append(f"  classDef {zone}Zone {ZONE_STYLES[zone]}")
            out.append(f"  class {','.join(zoned[zone])} {zone}Zone")
    if legend and (marked or marked_zones or plaintext or steps or plan.badges):
        # The legend is kept apart from every edge: an invisible link puts it before the internet,
        # left of the drawing, where no edge runs (every edge leaves the internet rightwards).
        out.append('  subgraph legend["Legend"]')
        if marked or marked_zones:
            out.append('    legend_open["component with open threats"]')
            marked.append("legend_open")
        texts = []
        if plaintext:
            texts.append('    legend_plain["red dotted arrow: plaintext flow"]')
        if steps:
            texts.append('    legend_path["thick red arrow: attack path"]')
        if plan.badges:
            texts.append('    legend_badges["badges: controls in place"]')
        out += texts
        out.append("  end")
        out.append("  legend ~~~ internet")
        out.append("  classDef legendBox fill:#ffffff,stroke:#bbbbbb")
        out.append("  class legend legendBox")
        if texts:
            out.append("  classDef legendText fill:none,stroke:none")
            out.append(f"  class {','.join(t.split('[')[0].strip() for t in texts)} legendText")
    if marked:
        out.append(f"  classDef openThreat fill:{OPEN_FILL},stroke:{RED},stroke-width:3px,color:{RED}")
        out.append(f"  class {','.join(marked)} openThreat")
    if marked_zones:
        # A zone with open threats of its own (a VPC's): red border, keeping the zone's fill.
        out.append(f"  classDef openZone stroke:{RED},stroke-width:3px,color:{RED}")
        out.append(f"  class {','.join(marked_zones)} openZone")
    if plaintext:
        out.append(f"  linkStyle {','.join(map(str, plaintext))} stroke:{RED},stroke-width:2px,color:{RED}")
    if steps:
        out.append(f"  linkStyle {','.join(map(str, steps))} stroke:{RED},stroke-width:4px,color:{RED}")
    # The change's marks last: a later class and linkStyle win over the ones above.
    for mark, (node_style, edge_style) in MARK_STYLES.items():
        if classed.get(mark):
            out.append(f"  classDef {mark} {node_style}")
            out.append(f"  class {','.join(classed[mark])} {mark}")
        if edge_marks.get(mark) and edge_style:
            out.append(f"  linkStyle {','.join(map(str, edge_marks[mark]))} {edge_style}")
    return out


def plan_nodes(plan: Layout) -> list[ModelComponent]:
    """Every component a layout draws (collapsed blocks included)."""
    out = list(plan.top)
    todo = list(plan.groups)
    while todo:
        group = todo.pop()
        out += group.nodes
        todo += group.groups
    return out
