"""Exclude patterns that matched nothing, reported where they were written.

A pattern that leaves nothing out is most often a typo or a path written from another folder
(``infra/examples`` when ``infra`` is the scan root), and the code it meant to exclude is then
scanned after all, or, worse, the author believes some code is excluded that is not. Each one is a
warning in the scan result, so every format shows it (the text and Markdown error lists, JSON
``errors``, SARIF notifications, GitHub annotations, JUnit), naming the pattern and where it came
from: the command line (``--exclude``) or the configuration file, at the line of its ``exclude``.
Warnings do not change the exit code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from iac_assist.model import ScanError

if TYPE_CHECKING:
    from iac_assist.analysis.result import ScanResult
    from iac_assist.gate.config import Settings

WHAT = "matches no file or folder of the scan, so it leaves nothing out"


def report(result: ScanResult, settings: Settings) -> None:
    """Add to ``result.errors`` a warning for each exclude pattern of ``settings`` that matched
    nothing in ``result``'s scan."""
    mine = set(settings.exclude)
    unmatched = [p for p in result.unmatched_excludes if p in mine]
    if not unmatched:
        return
    from_file = settings.source is not None and "exclude" not in settings.from_command_line
    notes = []
    for pattern in unmatched:
        shown = json.dumps(pattern, ensure_ascii=True)
        if from_file:
            assert settings.source is not None
            table = "[tool.iac-assist]" if settings.source.name == "pyproject.toml" else settings.source.name
            notes.append(ScanError(_shown(settings.source, result.root), settings.lines.get("exclude", 0),
                                   f"exclude pattern {shown} in {table} {WHAT}", level="warning"))
        else:
            notes.append(ScanError("", 0, f"--exclude {shown} {WHAT}", level="warning"))
    result.errors = sorted(set(result.errors) | set(notes), key=lambda e: (e.file, e.line, e.column, e.message))


def _shown(path: Path, root: Path) -> str:
    """The configuration file relative to the scan root (``../`` above it)."""
    try:
        return Path(os.path.relpath(path.resolve(), root)).as_posix()
    except ValueError:  # another drive (Windows)
        return path.resolve().as_posix()
