"""Threat model renderers: one module per format, each ``render(model, options) -> str``."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from iac_assist.threatmodel.model import ThreatModel

FORMATS = ("json", "markdown", "mermaid", "dot", "otm", "sarif", "html")


@dataclass(frozen=True)
class RenderOptions:
    """What ``iac-assist model`` asks of a format beyond the model (each format reads its own)."""

    view: str = "full"
    """Diagrams: ``full``, ``attack-paths`` or ``per-vpc`` (``views.VIEWS``)."""
    project_id: str = ""
    project_name: str = ""
    """OTM: the project's id and name (defaults: from the scanned folder's name)."""
    otm_mapping: Any = None
    """OTM: an ``otm_mapping.Mapping`` of zones and component types to a consumer's, or None."""
    places: Any = None
    """SARIF: the ``report.locations.RepoLocations`` that turn scan paths into repository ones."""
    result: Any = None
    """HTML: the ``ScanResult`` the model is built from (its findings, their source lines and
    remediation, shown beside their threats)."""
    change: Any = None
    """HTML: a ``ModelDiff`` (``--base``) whose additions and removals the page marks."""


def render(model: ThreatModel, fmt: str, options: RenderOptions | None = None) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown model format {fmt!r}")
    module = importlib.import_module(f"iac_assist.threatmodel.formats.{fmt}_format")
    if fmt == "json":
        return module.render(model)
    return module.render(model, options)
