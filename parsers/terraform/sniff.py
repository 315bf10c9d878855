"""Terraform plans and states among a scan's JSON files: whether a text is one (a look at its
keys, without parsing it), and the record of what loading them gave (``LoadedPlans``).

Apart from ``plan.py`` (which reads them) because every scan asks, a CloudFormation-only one
included, and must not import the plan reader to be told there is no plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iac_assist.model import ScanError
    from iac_assist.model.resource import SourceResource

_FORMAT_KEY = re.compile(r'"format_version"\s*:')
_PLAN_KEY = re.compile(r'"(?:planned_values|resource_changes)"\s*:')
_STATE_KEY = re.compile(r'"terraform_version"\s*:')


def looks_like_plan(text: str) -> bool:
    """Cheap content check (no parse): is this text a Terraform plan in JSON?"""
    if not text.lstrip("\ufeff \t\r\n").startswith("{"):
        return False
    return _FORMAT_KEY.search(text) is not None and _PLAN_KEY.search(text) is not None


def looks_like_state(text: str) -> bool:
    """Cheap content check (no parse): is this text a Terraform state in JSON (``terraform show
    -json`` of a state: ``values.root_module``, no ``planned_values``; without ``values`` when
    nothing is deployed)? Not the raw ``.tfstate`` format, which has no ``format_version``, nor
    the other JSON outputs of Terraform, which have no ``terraform_version``."""
    if not text.lstrip("\ufeff \t\r\n").startswith("{") or _PLAN_KEY.search(text) is not None:
        return False
    return _FORMAT_KEY.search(text) is not None and _STATE_KEY.search(text) is not None


@dataclass
class LoadedPlans:
    """What the plans of a scan gave, and which discovered files they account for."""

    roots: list[tuple[str, list[SourceResource]]] = field(default_factory=list)
    """One entry per plan: its scope (the plan file, relative to the root) and its resources."""
    errors: list[ScanError] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    """Files analysed: the plans and the ``.tf`` files they took lines from."""
    plans: set[Path] = field(default_factory=set)
    """The plan files: not CloudFormation candidates any more."""
    superseded: set[Path] = field(default_factory=set)
    """Discovered ``.tf`` files of the root modules (and their local modules) a plan replaces."""
