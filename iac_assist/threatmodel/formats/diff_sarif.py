"""What a change does to the threat model as SARIF 2.1.0: ``iac-assist model --base REF -f sarif``.

One result per attack path the change adds, in the shape ``model -f sarif`` gives a path (rule
``IAC-TM-PATH``, the path as a code flow, see ``sarif_format``), but placed on the line that
opened it, so that code scanning shows it in the pull request's diff view. Among the evidence of
the path's new steps (those no attack path of the base takes; all its steps when the base is not
given or none is new), that is:

1. the evidence that admits a flow the change adds (the security group rule now open to the
   internet);
2. else the evidence of a component the change adds (a new gateway, rule or listener);
3. else the most specific evidence of the path (the last one with a place: nearest the target);
4. else the path's target.

Evidence of an added path is the head's (lines of the working tree). The run's automation id is
``iac-assist-model-diff/<scanned folder>/``: its own category, so a pull request's diff results
neither replace nor are replaced by the whole model's or the scan's.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from iac_assist.model import Location
from iac_assist.report.locations import RepoLocations
from iac_assist.threatmodel.diff import ModelDiff
from iac_assist.threatmodel.formats.sarif_format import path_result, sarif_log
from iac_assist.threatmodel.model import ThreatModel

FORMAT = "sarif"
CATEGORY = "iac-assist-model-diff"


def render(change: ModelDiff, head: ThreatModel, places: RepoLocations | None = None,
           base: ThreatModel | None = None) -> str:
    """The attack paths ``change`` adds, found in ``head`` (the model it was computed from);
    ``base``: the model compared with, to tell the paths' new steps."""
    places = places or RepoLocations()
    renamed = {r["from"]: r["to"] for r in change.components["renamed"]}
    taken = {(renamed.get(s.source, s.source), renamed.get(s.target, s.target), s.kind)
             for p in (base.attack_paths if base else ()) for s in p.edges}
    paths = {p.hops: p for p in head.attack_paths}
    where = {c.id: c.loc for c in head.components}
    results = []
    for entry in change.attack_paths["added"]:
        path = paths.get(tuple(entry["hops"]))
        if path is None:
            continue  # not of this head (a caller's mistake); nothing to place
        result = path_result(path, opened_at(change, entry, taken) or where.get(path.target), places,
                             prefix="This change opens an attack path. ")
        if result is not None:
            results.append(result)
    return sarif_log(results, places, CATEGORY)


def opened_at(change: ModelDiff, path: dict[str, Any],
              taken: Collection[tuple[str, str, str]] = ()) -> Location | None:
    """The line of the head that opened ``path`` (an entry of ``change.attack_paths["added"]``),
    by the order of the module's docstring; ``taken``: the steps ``(from, to, kind)`` of the
    base's paths, named as the head names them. None when no evidence has a place."""
    steps = [s for s in path["steps"] if (s["from"], s["to"], s["kind"]) not in taken] or path["steps"]
    evidence = [e for step in steps for e in step["evidence"] if e.get("file") and e.get("line")]
    if not evidence:
        evidence = [e for step in path["steps"] for e in step["evidence"] if e.get("file") and e.get("line")]
    admits = {(f["file"], f["line"], f["why"]) for f in change.flows["added"] if f["file"]}
    added = {c["id"] for c in change.components["added"]}
    for chosen in (
        [e for e in evidence if (e["file"], e["line"], e["what"]) in admits],
        [e for e in evidence if e["id"] in added],
        evidence[-1:],
    ):
        if chosen:
            return Location(chosen[0]["file"], chosen[0]["line"])
    return None
