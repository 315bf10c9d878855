"""The shipped examples carry their expectations: every folder ``policies/examples/<control>/``
holds its insecure and fixed twins and ``expected.json``, the control's findings on each insecure
twin (``{format: [{resource, file, line, message}]}``, sorted). The insecure twins give exactly
the snapshot, the fixed twins nothing; every policy has a folder and every folder a policy.

After adding or changing an example (or a policy's findings on it), write the snapshots with
``python -m pytest tests/test_policies_examples.py --update-snapshots`` and review the diff of
``policies/examples/*/expected.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iac_assist.analysis.policy import EXAMPLE_FILES
from iac_assist.policies import all_policies
from tests.policy_examples import EXAMPLES, SNAPSHOT, example_findings, example_folders, example_formats

POLICIES = all_policies()
FOLDERS = example_folders()
UPDATE = f"python -m pytest {Path(__file__).relative_to(EXAMPLES.parent.parent)} --update-snapshots"


def render(snapshot: dict[str, list[dict[str, object]]]) -> str:
    """The snapshot file's text: stable, one field a line, so that a change reads as a small diff."""
    return json.dumps(snapshot, indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_insecure_twins_give_exactly_the_snapshot(folder: Path, tmp_path: Path, update_snapshots: bool) -> None:
    actual = {fmt: example_findings(folder.name, fmt, "insecure", tmp_path) for fmt in example_formats(folder)}
    path = folder / SNAPSHOT
    if update_snapshots and (not path.is_file() or path.read_text(encoding="utf-8") != render(actual)):
        path.write_text(render(actual), encoding="utf-8")
    # An insecure twin the policy does not find documents nothing: even an update fails on it.
    unfound = [EXAMPLE_FILES[fmt][0] for fmt, rows in actual.items() if not rows]
    assert not unfound, f"{folder.name}: {unfound} give no {folder.name} finding"
    assert path.is_file(), f"no {SNAPSHOT} in {folder.name}: run {UPDATE}"
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert actual == expected, f"{folder.name} differs from its {SNAPSHOT}; if intended, run {UPDATE}"
    assert path.read_text(encoding="utf-8") == render(expected), f"{folder.name}/{SNAPSHOT}: not as {UPDATE} writes it"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_fixed_twins_give_none(folder: Path, tmp_path: Path) -> None:
    for fmt in example_formats(folder):
        assert example_findings(folder.name, fmt, "fixed", tmp_path) == [], f"{folder.name}: {EXAMPLE_FILES[fmt][1]}"


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_folder_holds_the_twins_and_the_snapshot_only(folder: Path) -> None:
    # A stray file would be neither documented (rule_docs reads the twins) nor checked.
    allowed = {name for names in EXAMPLE_FILES.values() for name in names} | {SNAPSHOT}
    assert sorted(p.name for p in folder.iterdir() if p.name not in allowed) == []
    assert example_formats(folder), f"{folder.name}: no insecure twin in any format"
    for insecure, fixed in EXAMPLE_FILES.values():
        assert (folder / insecure).is_file() == (folder / fixed).is_file(), f"{folder.name}: {insecure} without {fixed}"


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.control)
def test_every_policy_has_an_example_folder_with_twins_in_every_format(policy) -> None:
    # Every format the policy can judge (``formats``: all of them unless the format cannot say it).
    missing = [name for fmt in policy.formats for name in EXAMPLE_FILES[fmt]
               if not (EXAMPLES / policy.control / name).is_file()]
    assert not missing, f"{policy.control}: add {missing} under policies/examples/{policy.control}/"
    assert set(policy.examples()) == set(policy.formats)


def test_every_example_folder_belongs_to_a_policy() -> None:
    controls = {p.control for p in POLICIES}
    assert [f.name for f in FOLDERS if f.name not in controls] == []
