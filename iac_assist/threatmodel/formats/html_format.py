"""The threat model as one self-contained, interactive HTML page (``iac-assist model -f html``).

One file: the diagram as inline SVG (laid out by ``html_layout``, drawn here), the model as a JSON
document (``html_data``), and the page's own script and style (``html/viewer.js``,
``html/viewer.css``, written for this page: no framework, no vendored code). It works from
``file://`` and offline, and fetches nothing: its Content-Security-Policy allows no connection,
no frame, no form, no base, and only the page's own script and style, by their SHA-256 hashes
(``default-src 'none'``), so even a name that slipped through as markup could not run or load.

Every text of the scanned repository (names, addresses, messages, source lines) is untrusted: in
the SVG it is escaped for XML after ``visible`` has written bidi overrides and other invisible
characters as visible escapes; in the JSON it is escaped for a ``<script>`` element
(``html_data.embed``); the script puts it in the page only as text (``textContent``).

With a change (``--base``), the components, flows and attack paths the change adds and removes are
drawn marked (green, red dashed): the head's model with what the base had and the head has not.
"""

from __future__ import annotations

import base64
import hashlib
import re
from html import escape as _escape
from importlib import resources
from typing import TYPE_CHECKING, Any

from iac_assist import __version__
from iac_assist.report.safe_text import visible
from iac_assist.threatmodel.formats import html_change, html_data, html_layout, mermaid_format
from iac_assist.threatmodel.model import INTERNET, ThreatModel

if TYPE_CHECKING:
    from iac_assist.threatmodel.formats import RenderOptions

LABEL_CHARS = 28
"""Characters of a name that fit a node; a longer one is cut with "…" (its full text is the
node's tooltip and in the details panel)."""


def esc(value: object) -> str:
    """Untrusted text for XML/HTML content or a quoted attribute."""
    return _escape(visible(value, breaks=" "), quote=True)


def key(value: str) -> str:
    """An id for a ``data-`` attribute: the JSON document's form of it (``html_data.shown``), so
    the script finds one by the other."""
    # A line break as a character reference: no line of the file can start with what a CI runner
    # reads as a command (the attribute's value is the same).
    return _escape(html_data.shown(value), quote=True).replace("\n", "&#10;")


def render(model: ThreatModel, options: RenderOptions | None = None) -> str:
    result = getattr(options, "result", None) if options is not None else None
    change = getattr(options, "change", None) if options is not None else None
    title = getattr(options, "project_name", "") or "iac-assist"
    marks: dict[str, Any] = {}
    if change is not None:
        model, marks = html_change.merged(change)
    plan = mermaid_format.layout(model)
    picture = html_layout.place(plan, _drawn_steps(model, plan))
    drawn_edges = _drawn_edges(model, plan, picture)
    on_picture = {cid: drawn for cid, drawn in plan.alias.items() if drawn in picture.nodes}
    data = html_data.document(model, on_picture, drawn_edges, result, change)
    data["marks"] = _drawn_marks(marks, plan.alias, model, drawn_edges)
    data["meta"] = {"title": title, "version": __version__, "components": len(model.components),
                    "drawn": len(picture.nodes) - 1, "left_out": [c.id for c in plan.left_out]}
    data["meta"]["not_analysed"] = _not_analysed(result)
    svg = _svg(plan, picture, data["marks"])
    return _page(title, svg, html_data.embed(data))


MAX_GAPS = 500
"""Problems listed on the page at most (all are counted)."""


def _not_analysed(result: Any) -> dict[str, Any]:
    """What the scan could not analyse, as the command line reports it: a model drawn without it
    must say so on the page too, not only on the terminal of whoever made the page."""
    if result is None:
        return {"summary": "", "lines": [], "count": 0}
    from iac_assist.report.text import error_line, gaps

    lines = gaps(result)
    summary = lines[0] if result.gaps else ""
    return {"summary": summary.replace(" (see the warnings above)", ""),
            "lines": [error_line(e) for e in result.errors[:MAX_GAPS]], "count": len(result.errors)}


def _drawn_steps(model: ThreatModel, plan: mermaid_format.Layout) -> list[tuple[str, str]]:
    """Attack-path steps between the drawn nodes a path passes: the Markdown report's picture is
    drawn (no subnet or security group is added for a path), and a path through plumbing that is
    not drawn steps from the drawn node before it to the drawn node after."""
    drawn = {c.id for c in mermaid_format.plan_nodes(plan)} | {INTERNET}
    out: dict[tuple[str, str], None] = {}
    for path in model.attack_paths:
        hops = [plan.alias.get(h, h) for h in path.hops]
        hops = [h for h in hops if h in drawn]
        for a, b in zip(hops, hops[1:], strict=False):
            if a != b:
                out.setdefault((a, b))
    return list(out)


def _drawn_edges(model: ThreatModel, plan: mermaid_format.Layout, picture: html_layout.Picture) -> dict[int, int]:
    """Flow index in the model -> the index of the edge that draws it (collapsed flows share one)."""
    by_key = {(e.flow.source, e.flow.target, e.flow.port, e.flow.protocol, e.flow.encrypted): e.index
              for e in picture.edges if e.flow is not None}
    out = {}
    for i, f in enumerate(model.flows):
        key = (plan.alias.get(f.source, f.source), plan.alias.get(f.target, f.target), f.port, f.protocol,
               f.encrypted)
        if key in by_key:
            out[i] = by_key[key]
    return out


def _drawn_marks(marks: dict[str, Any], alias: dict[str, str], model: ThreatModel,
                 drawn_edges: dict[int, int]) -> dict[str, Any]:
    """A change's marks on what is drawn: a node or edge is ``added`` or ``removed`` when all it
    stands for is, ``changed`` when only some of it is."""
    if not marks:
        return {}
    nodes: dict[str, set[str]] = {}
    for cid, drawn in alias.items():
        nodes.setdefault(drawn, set()).add(marks["components"].get(cid, "unchanged"))
    edges: dict[int, set[str]] = {}
    for i, f in enumerate(model.flows):
        if i in drawn_edges:
            flow = html_change.flow_mark_key(f.source, f.target, f.port, f.protocol)
            edges.setdefault(drawn_edges[i], set()).add(marks["flows"].get(flow, "unchanged"))

    def one(found: set[str]) -> str:
        return next(iter(found)) if len(found) == 1 else "changed"

    return {
        "nodes": {d: one(m) for d, m in sorted(nodes.items()) if m != {"unchanged"}},
        "edges": {str(e): one(m) for e, m in sorted(edges.items()) if m != {"unchanged"}},
        "paths": [{"hops": list(hops), "mark": mark} for hops, mark in sorted(marks["paths"].items())],
    }


def _svg(plan: mermaid_format.Layout, picture: html_layout.Picture, marks: dict[str, Any]) -> str:
    w, h = picture.width + 40, picture.height + 40
    out = [f'<svg id="diagram" xmlns="http://www.w3.org/2000/svg" viewBox="-20 -20 {w:.0f} {h:.0f}" '
           f'data-width="{w:.0f}" data-height="{h:.0f}" role="img" aria-label="Architecture diagram">',
           "<defs>",
           *(f'<marker id="arrow{suffix}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead{suffix}"/></marker>'
             for suffix in ("", "-red", "-path")),
           "</defs>", '<g id="viewport">', '<g class="zones">']
    for placed in sorted(picture.groups, key=lambda g: g.depth):
        g, box = placed.group, placed.box
        count = plan.open_threats.get(g.component.id, 0) if g.component is not None else 0
        comp_attr = f' data-id="{key(g.component.id)}"' if g.component is not None else ""
        out.append(f'<g class="zone zone-{g.zone}{" open" if count else ""}" data-zone="{g.zone}"{comp_attr}>'
                   f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" rx="8"/>'
                   f'<text x="{box.x + 10:.1f}" y="{box.y + 18:.1f}" class="zone-title">'
                   f'{esc(mermaid_format.group_title(g, count))}</text></g>')
    out += ["</g>", '<g class="edges">']
    node_marks = marks.get("nodes", {}) if marks else {}
    edge_marks = marks.get("edges", {}) if marks else {}
    for edge in picture.edges:
        flow = edge.flow
        assert flow is not None
        classes = ["edge"]
        if flow.encrypted is False:
            classes.append("plaintext")
        mark = edge_marks.get(str(edge.index))
        if mark:
            classes.append(mark)
        x, y = edge.label_at
        label = mermaid_format.flow_label(flow)
        out.append(f'<g class="{" ".join(classes)}" data-edge="{edge.index}" data-source="{key(edge.source)}" '
                   f'data-target="{key(edge.target)}" tabindex="0" role="button" aria-label="{esc(label)}">'
                   f'<path d="{edge.path}" class="hit"/><path d="{edge.path}" class="line" '
                   f'marker-end="url(#arrow{"-red" if flow.encrypted is False else ""})"/>'
                   f'<text x="{x:.1f}" y="{y - 4:.1f}" class="edge-label">{esc(label)}</text></g>')
    out += ["</g>", '<g class="steps">']
    for step in picture.steps:
        out.append(f'<path d="{step.path}" class="step" data-from="{key(step.source)}" data-to="{key(step.target)}" '
                   'marker-end="url(#arrow-path)"/>')
    out += ["</g>", '<g class="nodes">']
    for cid, placed_node in picture.nodes.items():
        out.append(_node(placed_node, plan, node_marks.get(cid)))
    out += ["</g>", "</g>", "</svg>"]
    return "\n".join(out)


def _node(placed: html_layout.PlacedNode, plan: mermaid_format.Layout, mark: str | None) -> str:
    comp, box = placed.comp, placed.box
    if comp.id == INTERNET:
        return (f'<g class="node internet" data-id="{INTERNET}" tabindex="0" role="button" aria-label="Internet">'
                f'<ellipse cx="{box.cx:.1f}" cy="{box.cy:.1f}" rx="{box.w / 2:.1f}" ry="{box.h / 2:.1f}"/>'
                f'<text x="{box.cx:.1f}" y="{box.cy + 5:.1f}" class="name" text-anchor="middle">Internet</text></g>')
    count = plan.open_threats.get(comp.id, 0)
    lines = mermaid_format.node_lines(comp, count, plan.badges.get(comp.id, ()), plan.instances.get(comp.id, 0))
    classes = ["node", f"zone-{comp.zone or 'none'}"]
    if count:
        classes.append("open")
    if comp.kind in mermaid_format.DATA_STORES:
        classes.append("store")
    if mark:
        classes.append(mark)
    shape = (f'<rect x="{box.x:.1f}" y="{box.y:.1f}" width="{box.w:.1f}" height="{box.h:.1f}" '
             f'rx="{18 if comp.kind in mermaid_format.DATA_STORES else 4}"/>')
    name = lines[0]
    texts = [f'<text x="{box.x + 8:.1f}" y="{box.y + 17:.1f}" class="name">{esc(_cut(name))}</text>']
    rest = [line for line in lines[1:] if line != comp.id or not comp.label][:3]
    for n, line in enumerate(rest):
        cls = "threats" if line.endswith(("open threat", "open threats")) else "meta"
        texts.append(f'<text x="{box.x + 8:.1f}" y="{box.y + 32 + n * 13:.1f}" class="{cls}">'
                     f'{esc(_cut(line, 34))}</text>')
    return (f'<g class="{" ".join(classes)}" data-id="{key(comp.id)}" tabindex="0" role="button" '
            f'aria-label="{esc(name)}"><title>{esc(name)}</title>{shape}{"".join(texts)}</g>')


def _cut(text: str, size: int = LABEL_CHARS) -> str:
    return text if len(text) <= size else text[:size - 1] + "…"


def _asset(name: str) -> str:
    return resources.files("iac_assist.threatmodel.formats").joinpath("html", name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _page(title: str, svg: str, data: str) -> str:
    script, style = _asset("viewer.js"), _asset("viewer.css")
    csp = (f"default-src 'none'; script-src {_sha256(script)}; style-src {_sha256(style)}; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    slots = {"title": esc(title), "svg": svg}
    body = re.sub(r"\{\{(title|svg)\}\}", lambda m: slots[m[1]], _asset("viewer.html"))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{esc(title)} — iac-assist threat model</title>\n"
        f"<style>{style}</style>\n</head>\n<body>\n{body}\n"
        f'<script type="application/json" id="model-data">{data}</script>\n'
        f"<script>{script}</script>\n</body>\n</html>\n"
    )
