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
with a head (``load_state`` or ``load_prior_state`` against ``load_plan`` or the code); a scan
finds states among the JSON files by content, as it finds plans (``load_plans``).
"""

from __future__ import annotations

from pathlib import Path

from iac_assist.model import ScanError
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.plan import PRIOR_STATE, STATE, Read, load_plan


def load_state(path: Path, root: Path, read: Read | None = None) -> tuple[list[SourceResource], list[ScanError]]:
    """The resources of a state file (``terraform show -json`` of a state), and the problems
    found (never raised). ``root``: the scanned root, which paths in findings are relative to
    and the ``.tf`` files giving lines must be under. ``read(path, rel, errors)``: a file's text
    or None; by default ``read_text``."""
    return _load(path, root, read, STATE)


def load_prior_state(path: Path, root: Path, read: Read | None = None) -> tuple[list[SourceResource], list[ScanError]]:
    """The resources of the state a plan file was made from (its ``prior_state``): the base side
    of what the plan changes. A plan made before anything was applied has none: no resources
    and a warning."""
    return _load(path, root, read, PRIOR_STATE)


def _load(path: Path, root: Path, read: Read | None, section: tuple[str, ...]
          ) -> tuple[list[SourceResource], list[ScanError]]:
    if read is None:
        from iac_assist.inputs.discovery import read_text

        read = read_text
    rel = path.relative_to(root).as_posix()
    try:
        loaded = load_plan(path, root, read, section=section)
    except Exception as err:  # a defect of ours must not pass for an empty state
        return [], [ScanError(rel, 0, f"internal error while analysing this file ({type(err).__name__}: {err}); "
                                      "please report it")]
    return loaded.resources, loaded.errors
