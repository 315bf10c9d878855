"""Rules as documentation: the docs are generated from the policies and their examples (the examples
themselves are checked by test_policies_examples.py), the CLI explains."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.analysis.policy import EXAMPLE_FILES
from iac_assist.cli import cli
from iac_assist.policies import all_policies
from iac_assist.report.rule_docs import rule_markdown, rules_document
from tests.policy_examples import EXAMPLES

REPO = Path(__file__).resolve().parent.parent
POLICIES = all_policies()


def test_the_documentation_shows_the_twins_and_never_the_snapshot():
    # expected.json sits beside the twins: the generated documentation must not pick it up.
    for policy in POLICIES:
        twins = {fmt: tuple((EXAMPLES / policy.control / name).read_text(encoding="utf-8") for name in names)
                 for fmt, names in EXAMPLE_FILES.items() if fmt in policy.formats}
        assert policy.examples() == twins, policy.control
        assert '"resource":' not in rule_markdown(policy), policy.control


def test_rule_ids_are_unique_and_grouped_by_service():
    ids = [p.id for p in POLICIES]
    assert len(ids) == len(set(ids))
    for p in POLICIES:
        prefix, service, number = p.id.split("-")
        assert prefix == "IAC" and service.isalnum() and service.isupper(), p.id
        assert number.isdigit() and len(number) == 3, p.id


def test_docs_rules_md_is_generated_and_current():
    generated = rules_document(POLICIES)
    current = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == generated, "docs/rules.md is stale: run iac-assist rules --format markdown -o docs/rules.md"


def test_rules_lists_every_rule():
    out = CliRunner().invoke(cli, ["rules"])
    assert out.exit_code == 0, out.output
    lines = out.output.splitlines()
    assert lines[0].split()[:4] == ["RULE", "CONTROL", "SEVERITY", "STRIDE"]
    assert [line.split()[0] for line in lines[1:]] == [p.id for p in POLICIES]


@pytest.mark.parametrize("key", ["IAC-S3-001", "s3-public-read", "iac-s3-001"])
def test_rules_explains_one_rule_by_id_or_control(key):
    out = CliRunner().invoke(cli, ["rules", key])
    assert out.exit_code == 0, out.output
    for expected in ("IAC-S3-001", "s3-public-read", "How to fix", "```hcl", "```yaml", "CWE-284"):
        assert expected in out.output


def test_rules_unknown_id_is_a_usage_error():
    out = CliRunner().invoke(cli, ["rules", "IAC-NOPE-999"])
    assert out.exit_code == 2
    assert "IAC-NOPE-999" in out.output


def test_rules_json_lists_metadata():
    import json

    out = CliRunner().invoke(cli, ["rules", "--format", "json"])
    rules = json.loads(out.output)
    assert [r["id"] for r in rules] == [p.id for p in POLICIES]
    assert set(rules[0]) == {"id", "control", "title", "severity", "stride", "cwe", "rationale", "remediation",
                             "references", "fix"}
    by_control = {r["control"]: r for r in rules}
    assert by_control["db-deletion-protection-missing"]["fix"] == (
        "**Automatic fix** (`iac-assist fix`, Terraform, CloudFormation): Set deletion_protection = true.")
    assert by_control["sg-admin-ports-open"]["fix"].startswith(
        "**No automatic fix:** the addresses that may reach SSH or RDP are only known to you")
