"""Every policy matches its control in the catalog (slug, severity, STRIDE, CWE); ids are unique."""

from __future__ import annotations

import re

import pytest
import yaml

from iac_assist.policies import all_policies
from tests.conftest import REPO

CATALOG = REPO.parent / "shared" / "controls.yaml"


def catalog() -> dict[str, dict]:
    if not CATALOG.is_file():
        pytest.skip(f"control catalog not found at {CATALOG}")
    data = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    return {c["slug"]: c for wave in data.values() for c in wave}


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

