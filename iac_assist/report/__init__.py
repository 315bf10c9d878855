"""Reporters: turn a ScanResult into text for people, JSON for scripts, SARIF for code scanning,
and for CI: GitHub workflow annotations, JUnit XML test reports, a Markdown summary.

Each format lives in its own module, imported only when asked for: a text scan in a terminal
should not pay for (or depend on) the SARIF object model.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iac_assist.analysis.result import ScanResult

FORMATS = ("text", "json", "sarif", "github", "junit", "markdown")


def render(result: ScanResult, fmt: str, *, color: bool = False, verbose: bool = False, quiet: bool = False,
           show_source: bool = False) -> str:
    """The report of ``result`` in format ``fmt``; ``color``, ``verbose`` (list the resource
    types no rule models), ``quiet`` (the findings' lines only) and ``show_source`` (the source
    lines of each finding) only affect the text format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")
    module = import_module(f"{__name__}.{fmt}")
    if fmt == "text":
        return module.render(result, color=color, verbose=verbose, quiet=quiet, show_source=show_source)
    return module.render(result)
