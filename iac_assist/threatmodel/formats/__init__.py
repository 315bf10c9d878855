"""Threat model renderers: one module per format, each ``render(model) -> str``."""

from __future__ import annotations

import importlib

from iac_assist.threatmodel.model import ThreatModel

FORMATS = ("json", "markdown", "mermaid", "dot", "otm")


def render(model: ThreatModel, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown model format {fmt!r}")
    module = importlib.import_module(f"iac_assist.threatmodel.formats.{fmt}_format")
    return module.render(model)
