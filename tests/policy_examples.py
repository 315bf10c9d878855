"""The harness of the policy tests (``tests/test_policies_*.py``).

Writing configurations: ``tf`` and ``cfn`` turn indented text into a Terraform file and a
CloudFormation template whose line numbers are easy to count; ``line`` finds a line by its text.

Scanning the tests' own configurations: these helpers give a finding as ``(resource, file,
line)``, the file relative to the scanned folder. ``hits`` scans a tree the test has written;
``found`` writes the usual pair (``tf/main.tf`` and ``cfn/template.yaml``) and scans it;
``messages`` gives the findings' messages.

The examples shipped with each policy (``policies/examples/<control>/``): an insecure and a fixed
twin per format (``insecure.tf``/``fixed.tf``, ``insecure.yaml``/``fixed.yaml``), the policy's
documentation and its fixtures, and ``expected.json``, the snapshot of the control's findings on
each insecure twin. ``tests/test_policies_examples.py`` checks every folder against its snapshot
(the fixed twins give none) with ``example_findings``; after adding or changing an example, write
the snapshot with ``python -m pytest tests/test_policies_examples.py --update-snapshots`` and
review its diff. Nothing is counted by hand.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from iac_assist.analysis.policy import EXAMPLE_FILES
from tests.conftest import findings_of

EXAMPLES = Path(__file__).resolve().parent.parent / "policies" / "examples"
SNAPSHOT = "expected.json"
"""The name of an example folder's snapshot: a test file, left out of the wheel (pyproject.toml)."""

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


def example_folders() -> list[Path]:
    """Every example folder ``policies/examples/<control>/``, by name."""
    return sorted(d for d in EXAMPLES.iterdir() if d.is_dir())


def example_formats(folder: Path) -> list[str]:
    """The formats whose insecure twin is in ``folder``, in ``EXAMPLE_FILES`` order."""
    return [fmt for fmt, (insecure, _) in EXAMPLE_FILES.items() if (folder / insecure).is_file()]


def example_findings(control: str, fmt: str, variant: str, tmp_path: Path) -> list[dict[str, object]]:
    """``control``'s findings when one example twin is scanned alone, as the snapshot writes them:
    ``{resource, file, line, message}`` sorted by file, line, resource and message.

    The twin is scanned alone as ``iac-assist rules --check-examples`` scans one
    (``iac_assist.analysis.examples.scan_twin``): Terraform reads a whole module folder, and the
    insecure and fixed twins must not be evaluated together."""
    from iac_assist.analysis.examples import scan_twin

    insecure, fixed = EXAMPLE_FILES[fmt]
    name = insecure if variant == "insecure" else fixed
    result = scan_twin(EXAMPLES / control / name, tmp_path / f"{control}-{fmt}-{variant}")
    assert not result.has_errors, [str(e) for e in result.errors]
    rows = [{"resource": f.resource, "file": f.loc.file, "line": f.loc.line, "message": f.message}
            for f in result.findings if f.control == control]
    return sorted(rows, key=lambda r: (r["file"], r["line"], r["resource"], r["message"]))
