"""The harness of the policy tests (``tests/test_policies_*.py``).

Writing configurations: ``tf`` and ``cfn`` turn indented text into a Terraform file and a
CloudFormation template whose line numbers are easy to count; ``line`` finds a line by its text.

Scanning: every helper gives a finding as ``(resource, file, line)``, the file relative to the
scanned folder. ``hits`` scans a tree the test has written; ``found`` writes the usual pair
(``tf/main.tf`` and ``cfn/template.yaml``) and scans it; ``messages`` gives the findings' messages.

The examples shipped with each policy (``policies/examples/<control>/``): each example folder holds
an insecure and a fixed twin per format; they are the policy's documentation and its fixtures. A
test module per service lists, for every control, the exact findings ``(resource, line)`` its
insecure twins cause, and declares the two tests over that table with ``example_tests``::

    test_insecure_example_gives_exactly_these_findings, test_fixed_example_gives_none = example_tests(EXPECTED)
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from iac_assist.analysis.policy import EXAMPLE_FILES
from tests.conftest import findings_of

EXAMPLES = Path(__file__).resolve().parent.parent / "policies" / "examples"
SCANNED_AS = {"terraform": "main.tf", "cloudformation": "template.yaml"}

# --- writing configurations --------------------------------------------------------------------


def tf(text: str) -> str:
    """Terraform text whose first line is line 1."""
    return textwrap.dedent(text).lstrip("\n")


def cfn(resources: str, parameters: str = "") -> str:
    """A template: line 1 format version, then Parameters when given, then Resources."""
    head = 'AWSTemplateFormatVersion: "2010-09-09"\n'
    if parameters:
        head += "Parameters:\n" + textwrap.indent(textwrap.dedent(parameters).lstrip("\n"), "  ")
    return head + "Resources:\n" + textwrap.indent(textwrap.dedent(resources).lstrip("\n"), "  ")


def line(text: str, needle: str) -> int:
    """The line of the one occurrence of ``needle`` in ``text``."""
    lines = [n for n, content in enumerate(text.splitlines(), 1) if needle in content]
    assert len(lines) == 1, f"{needle!r} occurs on lines {lines}"
    return lines[0]


# --- scanning ----------------------------------------------------------------------------------


def hits(root: Path, control: str) -> set[tuple[str, str, int]]:
    """``(resource, file, line)`` of ``control``'s findings when ``root`` is scanned."""
    return {(resource, file, n) for c, resource, file, n in findings_of(root) if c == control}


def found(write_tree, control: str, terraform: str = "", cloudformation: str = "") -> set[tuple[str, str, int]]:
    """``(resource, file, line)`` of ``control``'s findings when ``terraform`` (written as
    ``tf/main.tf``) and ``cloudformation`` (as ``cfn/template.yaml``) are scanned together; an
    empty one is not written."""
    files = {}
    if terraform:
        files["tf/main.tf"] = terraform
    if cloudformation:
        files["cfn/template.yaml"] = cloudformation
    return hits(write_tree(files), control)


def messages(root: Path, control: str) -> list[str]:
    """The messages of ``control``'s findings when ``root`` is scanned."""
    from iac_assist.analysis.engine import scan

    return [f.message for f in scan([root]).findings if f.control == control]


# --- the shipped examples ----------------------------------------------------------------------


def example_hits(control: str, fmt: str, variant: str, tmp_path: Path) -> set[tuple[str, int]]:
    """``(resource, line)`` of the findings of ``control`` when one example file is scanned alone.

    The file is copied into a folder of its own: Terraform reads a whole module folder, and the
    insecure and fixed twins must not be evaluated together."""
    from iac_assist.analysis.engine import scan

    insecure, fixed = EXAMPLE_FILES[fmt]
    source = EXAMPLES / control / (insecure if variant == "insecure" else fixed)
    folder = tmp_path / f"{control}-{fmt}-{variant}"
    folder.mkdir()
    shutil.copyfile(source, folder / SCANNED_AS[fmt])
    result = scan([folder])
    assert not result.has_errors, [str(e) for e in result.errors]
    return {(f.resource, f.loc.line) for f in result.findings if f.control == control}


def cases(table: dict[str, dict[str, set[tuple[str, int]]]]) -> list:
    """pytest params ``(control, fmt, expected)`` from ``{control: {format: {(resource, line)}}}``."""
    return [
        pytest.param(control, fmt, expected, id=f"{control}-{fmt}")
        for control, by_format in table.items()
        for fmt, expected in by_format.items()
    ]


def example_tests(table: dict[str, dict[str, set[tuple[str, int]]]]):
    """The two tests of a module's ``EXPECTED`` table ``{control: {format: {(resource, line)}}}``,
    one case per control and format (id ``<control>-<format>``): the insecure example gives
    exactly these findings, the fixed one none. Bind them at module level, where pytest collects
    them under the names they are given there."""
    over_the_table = pytest.mark.parametrize(("control", "fmt", "expected"), cases(table))

    @over_the_table
    def test_insecure_example_gives_exactly_these_findings(control, fmt, expected, tmp_path):
        assert example_hits(control, fmt, "insecure", tmp_path) == expected

    @over_the_table
    def test_fixed_example_gives_none(control, fmt, expected, tmp_path):
        assert example_hits(control, fmt, "fixed", tmp_path) == set()

    return test_insecure_example_gives_exactly_these_findings, test_fixed_example_gives_none
