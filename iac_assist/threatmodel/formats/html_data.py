"""What the HTML view knows beyond the picture: every component, flow, threat, finding (with the
source lines it points at and its remediation) and attack path, as one JSON document the page's
script reads. Text in it is the scanned repository's and untrusted: the page only ever puts it in
the document as text (``textContent``), and ``embed`` makes it safe inside a ``<script>`` element.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from iac_assist.analysis.findings import SEVERITIES, SEVERITY_RANK
from iac_assist.report.safe_text import visible
from iac_assist.report.source_lines import SourceLines as _Sources
from iac_assist.threatmodel.model import AttackPath, ThreatModel, flow_name


def document(model: ThreatModel, alias: dict[str, str], drawn_edges: dict[int, int], result: Any = None,
             change: Any = None) -> dict[str, Any]:
    """The page's data. ``alias``: component id -> the drawn node standing for it; ``drawn_edges``:
    index of a flow in ``model.flows`` -> index of the edge drawing it; ``result``: the scan (its
    findings, their source and remediation); ``change``: a ``ModelDiff`` whose marks the page shows."""
    findings = _findings(result) if result is not None else {}
    rated = _policy_severities(result)
    threats = []
    for t in model.threats:
        levels = [findings[f]["severity"] for f in t.findings if f in findings]
        if not levels:
            levels = [rated[c] for c in t.controls if c in rated]
        severity = min(levels, key=SEVERITIES.index) if levels else ""
        threats.append({
            "id": t.id, "stride": t.stride, "target": t.target, "title": t.title, "status": t.status,
            "severity": severity, "rated_by": "finding" if t.findings and t.status == "open" else "rule",
            "controls": list(t.controls), "findings": [f for f in t.findings if f in findings],
            "description": t.description,
            "evidence": [{"file": e.file, "line": e.line, "what": e.what} for e in t.evidence],
            "capec": list(t.capec), "attack": list(t.attack)})
    return {
        "components": [{
            "id": c.id, "kind": c.kind, "zone": c.zone, "vpc": c.vpc, "label": c.label or c.id,
            "address": c.address or c.id, "type": c.source_type, "file": c.loc.file if c.loc else None,
            "line": c.loc.line if c.loc else None, "drawn": alias.get(c.id)} for c in model.components],
        "flows": [{
            "index": i, "source": f.source, "target": f.target, "port": f.port, "protocol": f.protocol,
            "encrypted": f.encrypted, "crosses": list(f.crosses), "redirect": f.redirect, "why": f.why,
            "file": f.loc.file if f.loc else None, "line": f.loc.line if f.loc else None,
            "threat_target": flow_name(f.source, f.target, f.port), "edge": drawn_edges.get(i)}
            for i, f in enumerate(model.flows)],
        "threats": threats,
        "findings": findings,
        "paths": [_path(p) for p in model.attack_paths],
        "change": _change(change),
    }


def _path(path: AttackPath) -> dict[str, Any]:
    return {
        "rank": path.rank, "target": path.target, "hops": list(path.hops), "score": path.score,
        "likelihood": path.likelihood, "impact": path.impact, "exposure": path.exposure,
        "classification": path.classification,
        "steps": [{"from": s.source, "to": s.target, "kind": s.kind, "exposure": s.exposure,
                   "likelihood": s.likelihood,
                   "evidence": [{"id": e.id, "file": e.loc.file if e.loc else None,
                                 "line": e.loc.line if e.loc else None, "what": e.what} for e in s.evidence]}
                  for s in path.edges],
    }


def _policy_severities(result: Any) -> dict[str, str]:
    """Control -> the severity of the rule that checks it: what an unopened threat would weigh."""
    if result is None:
        return {}
    out: dict[str, str] = {}
    for p in result.policies:
        if p.control not in out or SEVERITY_RANK[p.severity] > SEVERITY_RANK[out[p.control]]:
            out[p.control] = p.severity
    return out


def _findings(result: Any) -> dict[str, dict[str, Any]]:
    remediation = {p.id: p.remediation for p in result.policies}
    sources = _Sources(Path(result.root))
    out: dict[str, dict[str, Any]] = {}
    for f in result.findings:
        if f.suppressed is not None:
            continue
        out[f.fingerprint] = {
            "rule": f.rule_id, "control": f.control, "severity": f.severity, "title": f.title,
            "resource": f.resource, "file": f.loc.file, "line": f.loc.line, "end_line": f.loc.end_line or f.loc.line,
            "message": f.message, "remediation": remediation.get(f.rule_id, ""),
            "origins": [str(o) for o in f.origins], "source": sources.lines(f)}
    return out


def _change(change: Any) -> dict[str, Any] | None:
    if change is None:
        return None
    return change.to_json()


def shown(value: Any) -> Any:
    """Every string of ``value`` as the page may show it: bidi overrides, zero-width and control
    characters written as visible escapes (line breaks kept: text is shown as text, and a
    remediation has paragraphs). Ids too, so they match the SVG's ``data-id`` attributes, made
    the same way."""
    if isinstance(value, str):
        return "\n".join(visible(part) for part in value.split("\n"))
    if isinstance(value, dict):
        return {shown(k): shown(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [shown(v) for v in value]
    return value


def embed(data: dict[str, Any]) -> str:
    """JSON for inside ``<script type="application/json">``, strings ``shown``: no ``<``, ``>``
    or ``&`` (no ``</script>`` or ``<!--`` can end or change the element), no line or paragraph
    separators."""
    text = json.dumps(shown(data), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                    ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text
