"""What the user gives a scan for Terraform's input variables (``--var-file``, ``--var``, the
environment), kept apart from ``inputs.py``, which applies them: the command line reads these on
every scan, a CloudFormation-only one included, and must not import the HCL parser to do so."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class VariableInputs:
    """What the user gave on the command line and in the environment."""

    var_files: tuple[Path, ...] = ()
    assignments: tuple[tuple[str, str], ...] = ()
    """``--var NAME=VALUE`` pairs, in order."""
    environ: Mapping[str, str] = field(default_factory=dict)


def parse_assignment(text: str) -> tuple[str, str]:
    """``NAME=VALUE`` from ``--var``; raises ValueError without ``=`` or a name."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value
