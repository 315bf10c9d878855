"""The threat model as a Markdown report, for a pull request or a design review.

Sections: top risks (the best-ranked attack path to each of the few targets most at risk, and
the open threats on them: what a reviewer must read), summary counts, the diagram (the Mermaid
format in a ```mermaid block, which GitHub renders), threats (open first), attack paths (ranked,
hop by hop, with what allows each hop and where it is written) and flows. It renders on GitHub as is.
Past ``MAX_BYTES`` (what a job summary keeps), the three tables end with how many rows they left out.

Resource names, messages and file names are untrusted: identifiers go into code spans (whose
fence outgrows any backtick run inside), other text has Markdown's and HTML's special
characters backslash-escaped, and ``|`` is escaped everywhere so that it cannot split a table
cell. Line breaks become spaces: a table row is one line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from iac_assist.model import Location
from iac_assist.report.markdown_text import code, text
from iac_assist.report.safe_text import guard_lines
from iac_assist.threatmodel.formats import markdown_diagram
from iac_assist.threatmodel.model import INTERNET, AttackPath, Flow, Threat, ThreatModel
from iac_assist.threatmodel.zones import ZONES

if TYPE_CHECKING:
    from iac_assist.threatmodel.formats import RenderOptions

STRIDE = {
    "S": "Spoofing",
    "T": "Tampering",
    "R": "Repudiation",
    "I": "Information disclosure",
    "D": "Denial of service",
    "E": "Elevation of privilege",
}


def where(loc: Location | None, cell: bool = True) -> str:
    return code(f"{loc.file}:{loc.line}", cell) if loc is not None else "not known"


MAX_BYTES = 900_000
"""Budget for the whole report, in UTF-8 bytes: GitHub keeps 1 MiB of a job's summary (the Action writes this
report there, after the findings' summary), and shows nothing of a larger one. Past it, the
threats, attack paths and flows tables end with how many rows were left out; the JSON format
lists them all."""


def render(model: ThreatModel, options: RenderOptions | None = None) -> str:
    out = ["# Threat model", ""]
    out += _top_risks(model)
    out += _summary(model)
    out += markdown_diagram.section(model, options.view if options is not None else "full")
    # Open threats first, then the most likely paths: what is cut is the least telling. Each
    # table takes at most half of what is left, the last one all of it.
    left = MAX_BYTES - _size(out)
    threats = _threats(model.threats, left // 2)
    left -= _size(threats)
    paths = _attack_paths(model.attack_paths, left // 2)
    left -= _size(paths)
    out += threats + paths + _flows(model.flows, left)
    while out and out[-1] == "":
        out.pop()
    return guard_lines("\n".join(out) + "\n")


def _size(lines: list[str]) -> int:
    # In bytes, as GitHub counts: names are the repository's and may be any characters.
    return sum(len(line.encode("utf-8", "surrogatepass")) + 1 for line in lines)


def _left_out(count: int, what: str) -> list[str]:
    return ["", f"… and {_plural(count, what)} not shown here (`iac-assist model --format json` lists them all).",
            ""]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _summary(model: ThreatModel) -> list[str]:
    open_threats = [t for t in model.threats if t.status == "open"]
    crossing = [f for f in model.flows if f.crosses]
    plaintext = [f for f in model.flows if f.encrypted is False]
    out = [
        "## Summary",
        "",
        f"- **Components:** {len(model.components)}" + (", by trust zone below." if model.components else "."),
        f"- **Flows:** {len(model.flows)}, {len(crossing)} crossing a trust boundary, "
        f"{len(plaintext)} in plaintext.",
        f"- **Threats:** {len(open_threats)} open, "
        f"{sum(t.status == 'undetermined' for t in model.threats)} undetermined, "
        f"{sum(t.status == 'mitigated' for t in model.threats)} mitigated.",
        f"- **Attack paths:** {len(model.attack_paths)} from the internet, "
        f"{sum(p.exposure != 'internal' for p in model.attack_paths)} needing no compromise.",
        "",
    ]
    by_zone: dict[str, int] = {}
    for comp in model.components:
        by_zone[comp.zone] = by_zone.get(comp.zone, 0) + 1
    if by_zone:
        order = [z for z in ZONES if z in by_zone] + sorted(z for z in by_zone if z not in ZONES)
        out += ["| Trust zone | Components |", "| --- | ---: |"]
        out += [f"| {code(zone)} | {by_zone[zone]} |" for zone in order]
        out.append("")
    out += ["| STRIDE | Open | Undetermined | Mitigated |", "| --- | ---: | ---: | ---: |"]
    for letter, name in STRIDE.items():
        related = [t for t in model.threats if letter in t.stride]
        counts = [sum(t.status == status for t in related) for status in ("open", "undetermined", "mitigated")]
        out.append(f"| {letter}: {name} | {' | '.join(map(str, counts))} |")
    return out + ["", "A threat with several STRIDE letters counts under each.", ""]


def _threats(threats: list[Threat], budget: int = MAX_BYTES) -> list[str]:
    out = ["## Threats", ""]
    if not threats:
        return out + ["None: no component of a kind the threat library covers.", ""]
    out += [
        "Open threats first, then undetermined ones (a control depends on a value not known before "
        "deployment, or no rule checks it yet), then mitigated ones. Evidence: where the findings, the "
        "unknown values or the settings that mitigate it are written.",
        "",
        "| Status | Threat | STRIDE | Target | Title | Controls | Findings | Evidence | CAPEC / ATT&CK |",
        "| --- | --- | --- | --- | --- | --- | ---: | --- | --- |",
    ]
    rank = {"open": 0, "undetermined": 1}
    ordered = sorted(threats, key=lambda t: rank.get(t.status, 2))  # stable: the model's order within
    return _fitted(out, (_threat_row(t) for t in ordered), len(ordered), "more threat", budget)


def _threat_row(t: Threat) -> list[str]:
    status = "**open**" if t.status == "open" else text(t.status)
    name = t.id[: -len(t.target) - 1] if t.id.endswith(f"@{t.target}") else t.id
    controls = ", ".join(code(c) for c in t.controls) or "none"
    evidence = ", ".join(code(f"{e.file}:{e.line}") for e in t.evidence[:3] if e.file) or "none"
    if len(t.evidence) > 3:
        evidence += f" and {len(t.evidence) - 3} more"
    refs = ", ".join(text(r) for r in (*t.capec, *t.attack)) or "none"
    return [f"| {status} | {code(name)} | {text(t.stride)} | {code(t.target)} | {text(t.title)} "
            f"| {controls} | {len(t.findings)} | {evidence} | {refs} |"]


def _fitted(out: list[str], items: Iterator[list[str]], count: int, what: str, budget: int) -> list[str]:
    """``out`` and the lines of each item, in order, while they fit ``budget`` bytes; then how
    many items were left out."""
    used = _size(out) + _LEFT_OUT_SIZE
    for n, lines in enumerate(items):
        used += _size(lines)
        if used > budget:
            return out + _left_out(count - n, what)
        out += lines
    return out + [""]


_LEFT_OUT_SIZE = 120
"""Room kept in a table's budget for the line saying how much was left out."""


TOP_RISKS = 5


def _top_risks(model: ThreatModel) -> list[str]:
    out = ["## Top risks", ""]
    best: dict[str, AttackPath] = {}
    for path in sorted(model.attack_paths, key=lambda p: p.rank):
        best.setdefault(path.target, path)
    top = list(best.values())[:TOP_RISKS]
    # At most two open threats per target, in the targets' order, so that every target shows.
    threats = [t for p in top for t in [t for t in model.threats if t.status == "open" and t.target == p.target][:2]]
    if not top and not threats:
        return out + ["None: no attack path from the internet and no open threat on what it reaches.", ""]
    if top:
        out += ["The most likely way in to each of the targets most at risk (score = likelihood × impact; "
                "every path is under Attack paths).", ""]
        for number, path in enumerate(top, 1):
            out.append(f"{number}. {code(path.target, cell=False)}, score {path.score:g} "
                       f"(path {path.rank}, {text(path.exposure)}, {text(path.classification)} data): "
                       + " → ".join(code(h, cell=False) for h in path.hops))
        out.append("")
    if threats:
        out += ["Open threats on them:", ""]
        out += [f"- {code(t.id, cell=False)}: {text(t.title)}" for t in threats]
        out.append("")
    return out


def _attack_paths(paths: list[AttackPath], budget: int = MAX_BYTES) -> list[str]:
    out = ["## Attack paths", ""]
    if not paths:
        return out + ["None: nothing the model ranks can be reached from the internet.", ""]
    out += ["From the internet to data stores and compute, most likely first, hop by hop, with what allows "
            "each hop. Exposure: `internet-reachable` needs no credential, `authenticated` a login or "
            "credentials the path itself yields, `internal` the compromise of a component.", ""]
    ordered = sorted(paths, key=lambda p: p.rank)
    return _fitted(out, (_path_lines(p) for p in ordered), len(ordered), "more attack path", budget)


def _path_lines(path: AttackPath) -> list[str]:
    lines = [f"{path.rank}. {' → '.join(code(h, cell=False) for h in path.hops)}"]
    if path.edges:
        kinds = ", ".join(s.kind for s in path.edges)
        lines.append(f"   score {path.score:g} = likelihood {path.likelihood:g} × impact {path.impact:g} "
                     f"({text(path.classification)}, {text(path.classification_source)}); "
                     f"{text(path.exposure)}; steps: {text(kinds)}")
    for index, hop in enumerate(path.hops[1:]):
        if index < len(path.steps):
            loc, why = path.steps[index]
            lines.append(f"   1. {code(hop, cell=False)}: {text(why)} ({where(loc, cell=False)})")
        else:
            lines.append(f"   1. {code(hop, cell=False)}")
    return lines


def _flows(flows: list[Flow], budget: int = MAX_BYTES) -> list[str]:
    out = ["## Flows", ""]
    if not flows:
        return out + ["None found in the configuration.", ""]
    out += [
        "| Source | Target | Protocol | Port | Encrypted | Crosses | Why | Where |",
        "| --- | --- | --- | ---: | --- | --- | --- | --- |",
    ]
    return _fitted(out, (_flow_row(f) for f in flows), len(flows), "more flow", budget)


_ENCRYPTED = {True: "yes", False: "**no**", None: "not known"}


def _flow_row(f: Flow) -> list[str]:
    source = "internet" if f.source == INTERNET else code(f.source)
    port = str(f.port) if f.port is not None else "all"
    crosses = ", ".join(code(c) for c in f.crosses) or "none"
    return [f"| {source} | {code(f.target)} | {text(f.protocol or 'any')} | {port} "
            f"| {_ENCRYPTED.get(f.encrypted, 'not known')} | {crosses} | {text(f.why)} | {where(f.loc)} |"]
