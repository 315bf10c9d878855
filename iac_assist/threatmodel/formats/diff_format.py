"""What a change does to the threat model (``iac-assist model --base REF``), in three formats.

- ``json``: ``{"diff": ...}``, the contract of ``iac_assist.threatmodel.diff``;
- ``markdown``: for a pull-request comment or a job summary: the verdict first, the
  trust-boundary crossings added and removed, a Mermaid diagram of the changed part
  (``diff_diagram``), then a table per kind of change, what the change adds or opens first,
  each with the lines that cause it;
- ``text``: the same, readable in a terminal or a CI log.

Names, messages and file names come from the scanned code: Markdown escapes them with
``report.markdown_text``; the text format is made safe by the command line (``cli.safe``), and
JSON writes controls and bidi characters as escapes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from iac_assist.report.markdown_text import code, text
from iac_assist.report.safe_text import guard_lines, json_text
from iac_assist.threatmodel.diff import ModelDiff
from iac_assist.threatmodel.formats import diff_diagram

FORMATS = ("json", "markdown", "text")
MAX_EVIDENCE = 3
"""Places shown per entry (JSON has them all)."""


def render(change: ModelDiff, fmt: str, base: str) -> str:
    """``change`` in ``fmt``; ``base``: the git revision compared with (shown, escaped)."""
    if fmt == "json":
        return json_text(json.dumps({"diff": change.to_json()}, indent=2, ensure_ascii=False) + "\n")
    if fmt == "markdown":
        return guard_lines(_markdown(change, base))
    if fmt == "text":
        return _text(change, base)
    raise ValueError(f"unknown diff format {fmt!r}")


# (title, part, key, at the base): what the change adds or opens first, then the rest.
SECTIONS = (
    ("Attack paths added", "attack_paths", "added", False),
    ("Threats opened", "threats", "opened", False),
    ("Flows added", "flows", "added", False),
    ("Components added", "components", "added", False),
    ("Threats now undetermined", "threats", "undetermined", False),
    ("Attack paths removed", "attack_paths", "removed", True),
    ("Threats closed", "threats", "closed", True),
    ("Flows removed", "flows", "removed", True),
    ("Components removed", "components", "removed", True),
    ("Components renamed", "components", "renamed", False),
)


def _entries(change: ModelDiff, part: str) -> dict[str, list[dict[str, Any]]]:
    entries: dict[str, list[dict[str, Any]]] = getattr(change, part)
    return entries


# Markdown -----------------------------------------------------------------------------------------


def _markdown(change: ModelDiff, base: str) -> str:
    verdict = change.summary()["verdict"]
    out = ["## Threat model: what this change does", "",
           f"**{text(verdict[:1].upper() + verdict[1:])}.** Compared with {code(base, cell=False)}.", ""]
    if change.changed:
        out += [_crossings(change) + ".", ""]
    out += _diagram(change, base)
    for title, part, key, at_base in SECTIONS:
        entries = _entries(change, part)[key]
        if not entries:
            continue
        out += [f"### {title} ({len(entries)})", ""]
        if at_base:
            out += [f"Lines as they were at {code(base, cell=False)}.", ""]
        header, row = _TABLES[(part, key)] if (part, key) in _TABLES else _TABLES[(part, "")]
        out += [header, "| " + " | ".join("---" for _ in header.split(" | ")) + " |"]
        out += [row(entry) for entry in entries]
        out.append("")
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _crossings(change: ModelDiff) -> str:
    crossings = change.summary()["crossings"]
    return f"Trust-boundary crossings: {crossings['added']} added, {crossings['removed']} removed"


def _diagram(change: ModelDiff, base: str) -> list[str]:
    drawn = diff_diagram.diagram(change)
    if drawn is None:
        return []
    out = ["### Diagram of the change", "",
           f"Green, bold: added; red, dashed: removed (as at {code(base, cell=False)}); grey: unchanged "
           "neighbours, and what holds a threat the change opens or closes.", ""]
    if drawn.left_out_nodes or drawn.left_out_edges:
        out += [f"Left out to stay within GitHub's Mermaid limits: {drawn.left_out_nodes} changed components "
                f"and {drawn.left_out_edges} changed flows or attack-path steps (all are in the tables below).", ""]
    return out + ["```mermaid", *drawn.lines, "```", ""]


def _at(file: str | None, line: int | None) -> str:
    return code(f"{file}:{line}") if file else "not known"


def _places(evidence: list[dict[str, Any]]) -> str:
    shown = [f"{_at(e['file'], e['line'])} {text(e['what'])}" for e in evidence[:MAX_EVIDENCE] if e.get("file")]
    more = len(evidence) - MAX_EVIDENCE
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "") if shown else "not known"


def _path_row(path: dict[str, Any]) -> str:
    hops = " → ".join(code(h) for h in path["hops"])
    evidence = [e for step in path["steps"] for e in step["evidence"]]
    return (f"| {code(path['target'])} | {hops} | {text(path['exposure'])} | {path['score']:g} "
            f"| {_places(evidence)} |")


def _threat_row(threat: dict[str, Any]) -> str:
    return (f"| {code(threat['id'])} | {text(threat['severity'] or 'not rated')} | {text(threat['was'] or 'new')} "
            f"→ {text(threat['status'])} | {text(threat['title'])} | {_places(threat['evidence'])} |")


def _flow_row(flow: dict[str, Any]) -> str:
    port = str(flow["port"]) if flow["port"] is not None else "all"
    crosses = ", ".join(code(c) for c in flow["crosses"]) or "none"
    return (f"| {code(flow['source'])} | {code(flow['target'])} | {text(flow['protocol'] or 'any')} | {port} "
            f"| {crosses} | {text(flow['why'])} | {_at(flow['file'], flow['line'])} |")


def _component_row(comp: dict[str, Any]) -> str:
    return f"| {code(comp['id'])} | {code(comp['kind'])} | {code(comp['zone'])} | {_at(comp['file'], comp['line'])} |"


def _rename_row(rename: dict[str, Any]) -> str:
    return f"| {code(rename['from'])} | {code(rename['to'])} | {_at(rename['file'], rename['line'])} |"


_TABLES: dict[tuple[str, str], tuple[str, Callable[[dict[str, Any]], str]]] = {
    ("attack_paths", ""): ("| Target | Path | Exposure | Score | Where |", _path_row),
    ("threats", ""): ("| Threat | Severity | Status | Title | Where |", _threat_row),
    ("flows", ""): ("| Source | Target | Protocol | Port | Crosses | Why | Where |", _flow_row),
    ("components", ""): ("| Component | Kind | Zone | Where |", _component_row),
    ("components", "renamed"): ("| From | To | Where |", _rename_row),
}


# Text ---------------------------------------------------------------------------------------------


def _text(change: ModelDiff, base: str) -> str:
    out = [f"Threat model compared with {base}: {change.summary()['verdict']}."]
    if change.changed:
        out.append(_crossings(change) + ".")
    for title, part, key, at_base in SECTIONS:
        entries = _entries(change, part)[key]
        if not entries:
            continue
        out.append(f"{title} ({len(entries)}){f', lines at {base}' if at_base else ''}:")
        for entry in entries:
            out += ["  " + line for line in _TEXT[part](entry, key)]
    return "\n".join(out) + "\n"


def _text_evidence(evidence: list[dict[str, Any]]) -> list[str]:
    lines = [f"  {e['file']}:{e['line']} {e['what']}" for e in evidence[:MAX_EVIDENCE] if e.get("file")]
    more = len(evidence) - MAX_EVIDENCE
    return lines + ([f"  and {more} more"] if more > 0 else [])


def _text_path(path: dict[str, Any], key: str) -> list[str]:
    evidence = [e for step in path["steps"] for e in step["evidence"]]
    return [f"{' -> '.join(path['hops'])} ({path['exposure']}, score {path['score']:g})", *_text_evidence(evidence)]


def _text_threat(threat: dict[str, Any], key: str) -> list[str]:
    return [f"{threat['id']} [{threat['severity'] or 'not rated'}] {threat['was'] or 'new'} -> {threat['status']}: "
            f"{threat['title']}", *_text_evidence(threat["evidence"])]


def _text_flow(flow: dict[str, Any], key: str) -> list[str]:
    port = flow["port"] if flow["port"] is not None else "all ports"
    crosses = f", crosses {', '.join(flow['crosses'])}" if flow["crosses"] else ""
    where = f" at {flow['file']}:{flow['line']}" if flow["file"] else ""
    return [f"{flow['source']} -> {flow['target']} {flow['protocol'] or 'any'} {port}{crosses}{where}: {flow['why']}"]


def _text_component(comp: dict[str, Any], key: str) -> list[str]:
    if key == "renamed":
        return [f"{comp['from']} -> {comp['to']} at {comp['file']}:{comp['line']}"]
    where = f" at {comp['file']}:{comp['line']}" if comp["file"] else ""
    return [f"{comp['id']} ({comp['kind']}, {comp['zone']}){where}"]


_TEXT: dict[str, Callable[[dict[str, Any], str], list[str]]] = {
    "attack_paths": _text_path, "threats": _text_threat, "flows": _text_flow, "components": _text_component,
}
