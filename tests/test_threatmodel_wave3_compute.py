"""Wave 3 controls on compute and the network's edge in the threat model: a finding opens the
threat on its component, a configuration that passes mitigates it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.policy_examples import EXAMPLES
from tests.test_threatmodel_states import threats_of


@pytest.mark.parametrize(("control", "name", "threat"), [
    ("default-security-group-open", "insecure.tf", "default-sg-exposure@aws_default_security_group.default"),
    ("nacl-admin-ports-open", "insecure.tf", "nacl-wide-open@aws_network_acl.public"),
    ("nacl-admin-ports-open", "insecure.yaml", "nacl-wide-open@PublicNetworkAcl"),
])
def test_the_examples_open_then_mitigate_their_threat(tmp_path: Path, control: str, name: str, threat: str):
    for variant, status in (("insecure", "open"), ("fixed", "mitigated")):
        folder = tmp_path / variant
        folder.mkdir()
        twin = name.replace("insecure", variant)
        (folder / twin).write_text((EXAMPLES / control / twin).read_text(encoding="utf-8"), encoding="utf-8")
        found = threats_of(folder)[threat]
        assert found["status"] == status, (variant, found)
