"""The threat model as Graphviz DOT: ``dot -Tsvg model.dot > model.svg``.

The same drawing as the Mermaid format (``mermaid_format.layout``: which components are drawn and
how the zones nest), as clusters: ``edge`` and ``aws`` at the top, each VPC a cluster inside
``aws`` with its ``public`` and ``private`` subnets as clusters inside it. Edges are labelled with
protocol and port; plaintext flows are red and dashed; components (and VPCs) with open threats
have a red border and their number of open threats.

Every id is quoted and every string escaped (``\\`` and ``"``; line breaks become spaces, other
controls and bidi or invisible characters visible escapes, see ``report.safe_text``), so that
a resource name cannot end a string, bring in a statement or hide what it says; labels never use
HTML-like strings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from iac_assist.report.safe_text import visible
from iac_assist.threatmodel.formats import views
from iac_assist.threatmodel.formats.mermaid_format import (
    DATA_STORES,
    OPEN_FILL,
    RED,
    Group,
    flow_label,
    group_title,
    layout,
    node_lines,
)
from iac_assist.threatmodel.model import INTERNET, ModelComponent, ThreatModel

if TYPE_CHECKING:
    from iac_assist.threatmodel.formats import RenderOptions

CLUSTER_STYLES = {
    # The Mermaid format's zone colours.
    "edge": ("#f3efff", "#7f6fbf"),
    "aws": ("#f5f7fa", "#8a99ad"),
    "vpc": ("#ffffff", "#5b7a99"),
    "public": ("#fff4e0", "#d9a441"),
    "private": ("#ebf6ec", "#5fa36a"),
}


def quote(text: str) -> str:
    """A DOT double-quoted string. A backslash is doubled so that Graphviz's label escapes
    (``\\N``, ``\\l``...) cannot be triggered from a name, nor the closing quote escaped."""
    out = []
    for ch in visible(text, breaks=" "):
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ord(ch) < 32 or ord(ch) == 127 or ch in "\u2028\u2029\x85":
            out.append(" ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _label(lines: list[str]) -> str:
    """A multi-line label: each line quoted on its own, joined with DOT's ``\\n`` escape."""
    return '"' + "\\n".join(quote(line)[1:-1] for line in lines) + '"'


def render(model: ThreatModel, options: RenderOptions | None = None) -> str:
    """One ``digraph`` per diagram of the view (``per-vpc``: several, which ``dot -Tsvg -O``
    writes to one file each)."""
    parts = views.diagrams(model, options.view if options is not None else "full")
    out: list[str] = []
    for index, diagram in enumerate(parts):
        name = "threat_model" if index == 0 else f"threat_model_{index + 1}"
        out += _graph(diagram, name)
    return "\n".join(out) + "\n"


def _graph(diagram: views.Diagram, name: str) -> list[str]:
    plan = layout(diagram.model, diagram.paths)
    out = [
        f"digraph {name} {{",
        '  graph [rankdir=LR, compound=true, fontname="Helvetica", fontsize=11, nodesep=0.4, ranksep=0.9];',
        '  node [shape=box, style="rounded,filled", fillcolor="#eef0ff", color="#6b6fb5", fontname="Helvetica", '
        "fontsize=10];",
        '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
        '  "internet" [label="Internet", shape=ellipse, fillcolor="#eef0ff"];',
    ]
    marked = False

    def node(comp: ModelComponent, indent: str) -> None:
        nonlocal marked
        count = plan.open_threats.get(comp.id, 0)
        # Graphviz's usual fonts have no emoji: the lock would be a box.
        badges = tuple(b.removeprefix("🔒 ") for b in plan.badges.get(comp.id, ()))
        lines = node_lines(comp, count, badges, plan.instances.get(comp.id, 0))
        attrs = [f"label={_label(lines)}"]
        if comp.kind in DATA_STORES:
            attrs.append("shape=cylinder")
        if count:
            marked = True
            attrs += [f'color="{RED}"', f'fontcolor="{RED}"', f'fillcolor="{OPEN_FILL}"', "penwidth=2.5"]
        out.append(f"{indent}{quote(comp.id)} [{', '.join(attrs)}];")

    def cluster(group: Group, indent: str) -> None:
        nonlocal marked
        count = plan.open_threats.get(group.component.id, 0) if group.component is not None else 0
        fill, stroke = CLUSTER_STYLES.get(group.zone, ("#ffffff", "#999999"))
        out.append(f"{indent}subgraph {quote('cluster_' + group.key)} {{")
        out.append(f"{indent}  label={quote(group_title(group, count))};")
        if count:
            marked = True
            stroke, font, pen = RED, RED, "2.5"
        else:
            # Set on every cluster: a cluster inherits what its parent sets (a VPC's red).
            font, pen = "#333333", "1"
        out.append(f'{indent}  style="filled,rounded"; fillcolor="{fill}"; color="{stroke}"; fontcolor="{font}"; '
                   f"penwidth={pen};")
        for comp in group.nodes:
            node(comp, indent + "  ")
        for sub in group.groups:
            cluster(sub, indent + "  ")
        out.append(f"{indent}}}")

    for comp in plan.top:
        node(comp, "  ")
    for group in plan.groups:
        cluster(group, "  ")

    plaintext = False
    for flow in plan.flows:
        source = quote("internet" if flow.source == INTERNET else flow.source)
        target = quote("internet" if flow.target == INTERNET else flow.target)
        attrs = [f"label={quote(flow_label(flow))}"]
        if flow.encrypted is False:
            plaintext = True
            attrs += ["style=dashed", f'color="{RED}"', f'fontcolor="{RED}"', "penwidth=1.5"]
        out.append(f"  {source} -> {target} [{', '.join(attrs)}];")

    for a, b in plan.paths:
        out.append(f"  {quote(a)} -> {quote(b)} [label=\"attack path\", color=\"{RED}\", fontcolor=\"{RED}\", "
                   "penwidth=3.5];")

    legend = []
    if plan.paths:
        legend.append("thick red edge: attack path step")
    if plan.badges:
        legend.append("[...]: controls in place")
    if marked:
        legend.append("red border: open threats")
    if plaintext:
        legend.append("red dashed edge: plaintext flow")
    # The legend is the graph's label, below the drawing: apart from every edge.
    title = f"{diagram.title}\n" if diagram.title else ""
    if legend or title:
        text = title + ("Legend: " + "; ".join(legend) if legend else "")
        # Each line ended by \l: left-justified, as a legend reads.
        label = "".join(quote(line)[1:-1] + "\\l" for line in text.splitlines())
        out.append(f'  label="{label}"; labelloc=b; labeljust=l;')
    out.append("}")
    return out
