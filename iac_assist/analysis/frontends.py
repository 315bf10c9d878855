"""The registry of front ends: which formats a scan reads, and in which order they are offered files.

The built-in front ends are named here by module (each module's ``FRONT_END``), imported on first
use; another format plugs in with ``register`` (a plugin's import, a test) without the engine or
the policies changing. Order matters: a file taken by a front end is not offered to the next ones
(Terraform takes the plans among the JSON files before CloudFormation looks at the rest), and the
components of the model come in this order.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iac_assist.analysis.frontend import FrontEnd

BUILT_IN = ("iac_assist.parsers.terraform.frontend", "iac_assist.parsers.cloudformation.frontend")
"""Modules of the built-in front ends, in registry order. Importing them must stay cheap (a
Terraform-only scan never imports cfn-lint): they import their parsers when they load files."""

_registered: list[FrontEnd] = []
_loaded = False


def front_ends() -> list[FrontEnd]:
    """Every registered front end, in registry order (the built-in ones first)."""
    _load_built_in()
    return list(_registered)


def register(front_end: FrontEnd) -> FrontEnd:
    """Add a front end after those registered (replacing one of the same name, in its place)."""
    _load_built_in()
    _add(front_end)
    return front_end


def unregister(name: str) -> None:
    """Remove the front end called ``name`` (a plugin turned off, a test cleaning up)."""
    _load_built_in()
    _registered[:] = [f for f in _registered if f.name != name]


def check_options(options: dict[str, object]) -> None:
    """Raise TypeError for an option no front end reads, as for an unknown keyword argument, and
    for a value of the wrong type (rather than a failure deep in a parser)."""
    by_name = {f.option: f for f in front_ends() if f.option}
    for name, value in options.items():
        front_end = by_name.get(name)
        if front_end is None:
            raise TypeError(f"unexpected keyword argument {name!r} (front-end options: {', '.join(sorted(by_name))})")
        if value is not None and not isinstance(value, front_end.option_type):
            raise TypeError(f"{name} must be a {front_end.option_type.__name__}, not {type(value).__name__}")


def _add(front_end: FrontEnd) -> None:
    for i, existing in enumerate(_registered):
        if existing.name == front_end.name:
            _registered[i] = front_end
            return
    _registered.append(front_end)


def _load_built_in() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for module in BUILT_IN:
        _add(import_module(module).FRONT_END)
