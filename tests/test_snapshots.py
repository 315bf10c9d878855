"""Results snapshots: what a scan reports, byte for byte, on every fixture tree (and on the real-code
corpus when it is there). A refactoring of the front ends, the model or the policies must leave them
unchanged; a change of behaviour shows as a reviewed diff of ``tests/snapshots/``.

Update after an intended change with ``python -m pytest tests/test_snapshots.py --update-snapshots``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
CORPUS = Path(os.environ.get("IAC_ASSIST_CORPUS", REPO.parent / "shared" / "corpus"))


def _roots() -> dict[str, Path]:
    roots = {f"fixtures-{p.name}": p for p in sorted(FIXTURES.iterdir()) if p.is_dir()}
    roots.update({f"tests-{p.name}": p for p in sorted((REPO / "tests" / "fixtures").iterdir()) if p.is_dir()})
    roots.update({f"example-{p.name}": p for p in sorted((REPO / "policies" / "examples").iterdir()) if p.is_dir()})
    return roots


def render(root: Path, *, model: bool = True) -> str:
    """The JSON report of a scan of ``root``, then its threat model's JSON."""
    from iac_assist.analysis.engine import scan
    from iac_assist.report import json as json_report
    from iac_assist.threatmodel.build import build
    from iac_assist.threatmodel.formats import json_format

    result = scan([root])
    text = json_report.render(result).rstrip("\n") + "\n"
    if model:
        text += json_format.render(build(result)).rstrip("\n") + "\n"
    return text


def _check(name: str, actual: str, update: bool) -> None:
    path = SNAPSHOTS / f"{name}.json"
    if update:
        path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"no snapshot {path.name}: run pytest {__file__} --update-snapshots"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} differs from tests/snapshots/{path.name} (update with --update-snapshots)"


@pytest.mark.parametrize("name", sorted(_roots()))
def test_fixture_results_are_unchanged(name: str, update_snapshots: bool) -> None:
    _check(name, render(_roots()[name]), update_snapshots)


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the real-code corpus is not at {CORPUS} (set IAC_ASSIST_CORPUS)")
def test_corpus_results_are_unchanged(update_snapshots: bool) -> None:
    _check("corpus", render(CORPUS, model=False), update_snapshots)
