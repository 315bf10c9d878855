"""The harness for the examples shipped with each policy (``policies/examples/<control>/``).

Each example folder holds an insecure and a fixed twin per format; they are the policy's
documentation and its fixtures. A test module per service lists, for every control, the exact
findings ``(resource, line)`` its insecure twins cause, and calls ``example_hits``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from iac_assist.policy import EXAMPLE_FILES

EXAMPLES = Path(__file__).resolve().parent.parent / "policies" / "examples"
SCANNED_AS = {"terraform": "main.tf", "cloudformation": "template.yaml"}


def example_hits(control: str, fmt: str, variant: str, tmp_path: Path) -> set[tuple[str, int]]:
    """``(resource, line)`` of the findings of ``control`` when one example file is scanned alone.

    The file is copied into a folder of its own: Terraform reads a whole module folder, and the
    insecure and fixed twins must not be evaluated together."""
    from iac_assist.engine import scan

    insecure, fixed = EXAMPLE_FILES[fmt]
    source = EXAMPLES / control / (insecure if variant == "insecure" else fixed)
    folder = tmp_path / f"{control}-{fmt}-{variant}"
    folder.mkdir()
    shutil.copyfile(source, folder / SCANNED_AS[fmt])
    result = scan([folder])
    assert not result.has_errors, [str(e) for e in result.errors]
    return {(f.resource, f.loc.line) for f in result.findings if f.control == control}


def cases(expected: dict[str, dict[str, set[tuple[str, int]]]]) -> list:
    """pytest params ``(control, fmt, hits)`` from ``{control: {format: {(resource, line)}}}``."""
    return [
        pytest.param(control, fmt, hits, id=f"{control}-{fmt}")
        for control, by_format in expected.items()
        for fmt, hits in by_format.items()
    ]
