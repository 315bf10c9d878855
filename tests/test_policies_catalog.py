"""Every policy matches its control in the catalog (slug, severity, STRIDE, CWE); ids are unique;
every control of the catalog has its policy.

The catalog lives beside the repository (``../shared/controls.yaml``); ``tests/data/controls.yaml``
is a snapshot of it so that a clean clone checks the same, and a test keeps the two identical
whenever the shared file is there."""

from __future__ import annotations

import re

import pytest
import yaml

from iac_assist.policies import all_policies
from tests.conftest import REPO

SHARED_CATALOG = REPO.parent / "shared" / "controls.yaml"
CATALOG = REPO / "tests" / "data" / "controls.yaml"


def waves() -> dict[str, list[dict]]:
    return yaml.safe_load(CATALOG.read_text(encoding="utf-8"))


def catalog() -> dict[str, dict]:
    return {c["slug"]: c for wave in waves().values() for c in wave}


def test_the_snapshot_is_the_shared_catalog():
    if not SHARED_CATALOG.is_file():
        pytest.skip(f"shared catalog not found at {SHARED_CATALOG}")
    assert CATALOG.read_text(encoding="utf-8") == SHARED_CATALOG.read_text(encoding="utf-8"), (
        "tests/data/controls.yaml is stale: copy ../shared/controls.yaml over it")


@pytest.mark.parametrize("wave", ["wave1", "wave2", "wave3"])
def test_every_control_of_the_catalog_has_a_policy(wave):
    registered = {p.control for p in all_policies()}
    missing = [c["slug"] for c in waves()[wave] if c["slug"] not in registered]
    assert missing == []


def test_policies_agree_with_the_catalog():
    controls = catalog()
    for pol in all_policies():
        control = controls.get(pol.control)
        assert control is not None, f"{pol.id}: unknown control {pol.control}"
        assert (pol.severity, set(pol.stride), pol.cwe) == (
            control["severity"], set(control["stride"]), control["cwe"]), pol.id


def test_policy_ids_and_controls_are_unique_and_readable():
    policies = all_policies()
    assert len({p.id for p in policies}) == len(policies)
    assert len({p.control for p in policies}) == len(policies)
    for pol in policies:
        assert re.fullmatch(r"IAC-[A-Z0-9]+-\d{3}", pol.id), pol.id
        assert pol.rationale and pol.remediation and pol.title


def test_seed_controls_are_all_registered():
    from tests.conftest import SEED_CONTROLS

    assert {p.control for p in all_policies()} >= SEED_CONTROLS

