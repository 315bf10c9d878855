"""The Markdown report's "Diagram" section: Mermaid blocks of the view asked for, a legend table and
a table of the plumbing left out of the picture.

Size limits: Mermaid draws no diagram over 50,000 characters (its default ``maxTextSize``, which
GitHub uses), and a GitHub comment holds 65,536 characters (a job summary 1 MiB). So each block
stays under ``mermaid_format.MAX_TEXT`` and all blocks together under ``BUDGET``, leaving room for
the report's tables: a ``full`` diagram over the limit is drawn per VPC instead, and a diagram that
still does not fit is replaced by a note that points to the DOT and JSON outputs.

The legend is a table under the diagrams, not a Mermaid subgraph: it can never overlap an edge.
"""

from __future__ import annotations

from iac_assist.report.markdown_text import code, text
from iac_assist.threatmodel.formats import mermaid_format, views
from iac_assist.threatmodel.model import ModelComponent, ThreatModel

BUDGET = 40_000
"""Characters of Mermaid in one report, all blocks together."""
LISTED = 10
"""Component ids named per kind in the plumbing table; the rest are counted."""


def section(model: ThreatModel, view: str = "full") -> list[str]:
    out = ["## Diagram", ""]
    parts = views.diagrams(model, view)
    if view == "full":
        size = _size(mermaid_format.lines(model, legend=False))
        if size > mermaid_format.MAX_TEXT:
            out += [f"The whole architecture is too large for one Mermaid diagram ({size} characters over its "
                    f"{mermaid_format.MAX_TEXT} limit): drawn per VPC below. For one picture, "
                    f"{mermaid_format.TOO_LARGE}.", ""]
            parts = views.per_vpc(model)
    used = 0
    plans = []
    for part in parts:
        diagram = mermaid_format.lines(part.model, part.paths, legend=False)
        size = _size(diagram)
        if part.title:
            out += [f"### {text(part.title)}", ""]
        if size > mermaid_format.MAX_TEXT:
            out += [f"Diagram too large to draw ({size} characters over Mermaid's {mermaid_format.MAX_TEXT} limit; "
                    f"{len(part.model.components)} components): {mermaid_format.TOO_LARGE}.", ""]
            continue
        if used + size > BUDGET:
            out += [f"Diagram left out: with it the report's diagrams would pass {BUDGET} characters, and the "
                    f"report GitHub's comment size limit ({size} characters; {len(part.model.components)} "
                    f"components): {mermaid_format.TOO_LARGE}.", ""]
            continue
        used += size
        plans.append(mermaid_format.layout(part.model, part.paths))
        # The Mermaid text never holds a backtick (labels escape it), so a plain fence is safe.
        out += ["```mermaid", *diagram, "```", ""]
    out += _legend(plans)
    return out + _plumbing(mermaid_format.layout(model).left_out)


def _size(lines: list[str]) -> int:
    return sum(len(line) + 1 for line in lines)


def _legend(plans: list[mermaid_format.Layout]) -> list[str]:
    rows = []
    if any(p.open_threats for p in plans):
        rows.append(("red border, \"N open threats\"", "a component (or VPC) with open threats"))
    if any(f.encrypted is False for p in plans for f in p.flows):
        rows.append(("red dotted arrow, \"plaintext\"", "a flow in plaintext"))
    if any(p.paths for p in plans):
        rows.append(("thick red arrow, \"attack path\"", "a step of an attack path from the internet"))
    if any(p.instances for p in plans):
        rows.append(("name ×N", "the N instances of one `count` or `for_each` block"))
    if any(p.badges for p in plans):
        rows.append(("\\[WAF\\], \\[🔒 KMS\\]...", "controls in place: the threats they mitigate there are mitigated"))
    if not rows:
        return []
    return ["| Mark | Meaning |", "| --- | --- |", *(f"| {mark} | {meaning} |" for mark, meaning in rows), ""]


def _plumbing(left_out: list[ModelComponent]) -> list[str]:
    if not left_out:
        return []
    by_kind: dict[str, list[str]] = {}
    for comp in left_out:
        by_kind.setdefault(comp.kind, []).append(comp.id)
    out = [
        "Not drawn: configuration and network plumbing that no flow touches and with no open threat "
        "(route tables, NACLs, gateways, security groups and their rules, policies, attachments...). "
        "They are in the JSON and OTM outputs.",
        "",
        "| Kind | Count | Components |",
        "| --- | ---: | --- |",
    ]
    for kind, ids in sorted(by_kind.items()):
        named = ", ".join(code(i) for i in ids[:LISTED])
        more = f" and {len(ids) - LISTED} more" if len(ids) > LISTED else ""
        out.append(f"| {code(kind or 'other')} | {len(ids)} | {named}{more} |")
    return out + [""]
