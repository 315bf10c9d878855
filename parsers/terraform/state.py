"""Deployed state as source resources: ``terraform show -json`` of a state, and a plan's ``prior_state``.

A state is read as a plan is (``plan.py``), from ``values.root_module`` instead of
``planned_values``: same addresses (modules, ``count`` and ``for_each`` keys), data sources left
out, null values unset, sensitive values unknown (a secret in a state is not one written in the
repository), lines from the ``.tf`` files beside it where they declare the resource, else the
resource's entry in the state file. A state has no unknowns and no configuration, so no
references either: satellites find their owners by name, as with literal ids in code.

A plan's ``prior_state`` is the state the plan was made from: the base of what the apply changes,
read with the plan's configuration (its references) and without its changes (nothing in a
state is unknown or about to be deleted). These are library entry points, for comparing a base
with a head (``load_state`` or ``load_prior_state`` against ``load_plan`` or the code), and
``scan_prior_state`` gives the prior state's scan result, as ``scan`` gives a state's or a plan's
(a threat model is built from either). A scan finds states among the JSON files by content, as it
finds plans (``load_plans``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from iac_assist.model import ScanError
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.plan import PRIOR_STATE, STATE, Plan, Read, load_plan

if TYPE_CHECKING:
    from iac_assist.analysis.policy import Policy
    from iac_assist.analysis.result import ScanResult


def load_state(path: Path, root: Path, read: Read | None = None) -> tuple[list[SourceResource], list[ScanError]]:
    """The resources of a state file (``terraform show -json`` of a state), and the problems
    found (never raised). ``root``: the scanned root, which paths in findings are relative to
    and the ``.tf`` files giving lines must be under. ``read(path, rel, errors)``: a file's text
    or None; by default ``read_text``."""
    loaded = _load(path, root, read, STATE)
    return loaded.resources, loaded.errors


def load_prior_state(path: Path, root: Path, read: Read | None = None) -> tuple[list[SourceResource], list[ScanError]]:
    """The resources of the state a plan file was made from (its ``prior_state``): the base side
    of what the plan changes. A plan made before anything was applied has none: no resources
    and a warning."""
    loaded = _load(path, root, read, PRIOR_STATE)
    return loaded.resources, loaded.errors


def scan_prior_state(plan: Path, root: Path | None = None, policies: list[Policy] | None = None) -> ScanResult:
    """The scan result of the state ``plan`` was made from: its model (``result.graph``) and
    findings, at the lines of the ``.tf`` files beside the plan where they declare the resources,
    else in the plan file. ``root``: the scanned root (default: the plan's folder); ``policies``:
    all registered ones by default. No suppressions or baseline are applied."""
    from iac_assist.analysis.engine import analyse_loaded
    from iac_assist.analysis.frontend import Loaded, Scope
    from iac_assist.parsers.terraform.normalizer import NORMALIZER

    root = (root or plan.resolve().parent).resolve()
    path = plan.resolve()
    rel = path.relative_to(root).as_posix()
    loaded = _load(path, root, None, PRIOR_STATE)
    scopes = [Scope(rel, loaded.resources)] if loaded.resources else []
    inputs = Loaded(scopes=scopes, errors=list(loaded.errors), files={rel, *loaded.tf_files})
    return analyse_loaded(inputs, NORMALIZER, root, policies)


def _load(path: Path, root: Path, read: Read | None, section: tuple[str, ...]) -> Plan:
    if read is None:
        from iac_assist.inputs.discovery import read_text

        read = read_text
    rel = path.relative_to(root).as_posix()
    try:
        return load_plan(path, root, read, section=section)
    except Exception as err:  # a defect of ours must not pass for an empty state
        return Plan(errors=[ScanError(rel, 0, f"internal error while analysing this file ({type(err).__name__}: "
                                               f"{err}); please report it")])
