"""A Terraform repository laid out like a real one (fixtures/terraform-repo): a root module
calling four local modules (network, web, data, static-site), values shared by every environment
in terraform.tfvars, and envs/<env>.tfvars making the differences a scanner has to evaluate.

dev places the database in the public subnets through a module input, serves plain HTTP on the
load balancer (no certificate: a null from the var file) and lets "*" read the static site's
bucket through a variable used in an aws_iam_policy_document; prod does none of it. Without a
var file, the environment-specific variables have no value and nothing may be reported from them.

Exact findings are asserted for the seed controls only (SEED_CONTROLS): other policies are being
added in parallel and must not make these tests move.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.analysis.engine import build_graph, scan
from iac_assist.cli import cli
from iac_assist.model import Component, Fact, Ref, Unknown
from iac_assist.parsers.terraform.inputs import VariableInputs
from tests.conftest import FIXTURES, SEED_CONTROLS

ROOT = FIXTURES / "terraform-repo"
DEV = ROOT / "envs" / "dev.tfvars"
PROD = ROOT / "envs" / "prod.tfvars"

DB = "module.data.aws_db_instance.this"
SUBNET_GROUP = "module.data.aws_db_subnet_group.this"
BUCKET = "module.static_site.aws_s3_bucket.site"
HTTP_LISTENER = "module.web.aws_lb_listener.http"

DEV_SEED_FINDINGS = {
    # subnet_ids of the subnet group: the root passes module.network.public_subnet_ids when db_public.
    ("db-in-public-subnet", DB, "modules/data/main.tf", 13),
    ("db-publicly-accessible", DB, "modules/data/main.tf", 108),
    # The policy half of the public access block is off so that the "*" statement is accepted...
    ("s3-public-access-block-missing", BUCKET, "modules/static-site/main.tf", 39),
    # ...and the DirectRead statement of the policy document grants s3:GetObject to "*".
    ("s3-public-read", BUCKET, "modules/static-site/main.tf", 162),
    # alb_certificate_arn = null: port 80 forwards to the application instead of redirecting.
    ("lb-listener-plaintext", HTTP_LISTENER, "modules/web/main.tf", 138),
}


def variables(*var_files: Path, **assignments: str) -> VariableInputs:
    return VariableInputs(var_files=var_files, assignments=tuple(assignments.items()))


def scan_repo(inputs: VariableInputs):
    result = scan([ROOT], variables=inputs)
    assert result.errors == [], [str(e) for e in result.errors]
    return result


def seed_findings(result) -> set[tuple[str, str, str, int]]:
    return {(f.control, f.resource, f.loc.file, f.loc.line) for f in result.findings if f.control in SEED_CONTROLS}


def component(graph, address: str) -> Component:
    (found,) = [c for c in graph.components.values() if c.address == address]
    return found


def graph_of(inputs: VariableInputs):
    graph, result = build_graph([ROOT], variables=inputs)
    assert result.errors == [], [str(e) for e in result.errors]
    return graph


def addresses(refs) -> set[str]:
    assert isinstance(refs, list) and all(isinstance(r, Ref) for r in refs), refs
    return {r.address for r in refs}


def subnets(tier: str, *zones: str) -> set[str]:
    return {f'module.network.aws_subnet.{tier}["{zone}"]' for zone in zones}


def statement(document: dict, sid: str) -> dict:
    (found,) = [s for s in document["Statement"] if isinstance(s, dict) and s.get("Sid") == sid]
    return found


def actions(listener: Component) -> list[dict]:
    return [a.value if isinstance(a, Fact) else a for a in listener.get("default_actions")]


# --- dev -------------------------------------------------------------------------------------


def test_dev_exact_seed_findings():
    assert seed_findings(scan_repo(variables(DEV))) == DEV_SEED_FINDINGS


def test_dev_database_is_in_public_subnets_through_the_module_input():
    result = scan_repo(variables(DEV))
    (finding,) = [f for f in result.findings if f.control == "db-in-public-subnet"]
    related = {(loc.file, loc.line) for loc, _ in finding.related}
    # The route to the internet gateway is declared in another module than the database.
    assert ("modules/network/main.tf", 71) in related
    assert ("modules/data/main.tf", 105) in related

    graph = graph_of(variables(DEV))
    zones = ("eu-central-1a", "eu-central-1b")
    assert addresses(component(graph, SUBNET_GROUP).get("subnets")) == subnets("public", *zones)

    # The same repository with the variable turned off puts the database in the private subnets.
    private = graph_of(variables(DEV, db_public="false"))
    assert addresses(component(private, SUBNET_GROUP).get("subnets")) == subnets("private", *zones)
    assert seed_findings(scan_repo(variables(DEV, db_public="false"))) == {
        f for f in DEV_SEED_FINDINGS if not f[0].startswith("db-")}


def test_dev_bucket_is_public_through_the_policy_document():
    result = scan_repo(variables(DEV))
    (finding,) = [f for f in result.findings if f.control == "s3-public-read"]
    assert "'DirectRead'" in finding.message

    bucket = component(graph_of(variables(DEV)), BUCKET)
    policy = bucket.get("policy")
    assert statement(policy, "DirectRead")["Principal"] == {"AWS": "*"}
    assert statement(policy, "CloudFrontRead")["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert bucket.get("public_access_block") == {
        "block_public_acls": True, "block_public_policy": False,
        "ignore_public_acls": True, "restrict_public_buckets": False,
    }


def test_dev_listener_forwards_plain_http_because_the_certificate_is_null():
    graph = graph_of(variables(DEV))
    listener = component(graph, HTTP_LISTENER)
    assert listener.get("protocol") == "HTTP"
    assert [a["type"] for a in actions(listener)] == ["forward"]
    assert not [c for c in graph.components.values() if c.address.startswith("module.web.aws_lb_listener.https")]


# --- prod ------------------------------------------------------------------------------------


def test_prod_has_none_of_the_seed_controls():
    assert seed_findings(scan_repo(variables(PROD))) == set()


def test_prod_is_clean_because_its_values_are_known_and_hardened():
    graph = graph_of(variables(PROD))
    zones = ("eu-central-1a", "eu-central-1b", "eu-central-1c")
    db = component(graph, DB)
    assert db.get("publicly_accessible") is False
    assert addresses(component(graph, SUBNET_GROUP).get("subnets")) == subnets("private", *zones)

    assert actions(component(graph, HTTP_LISTENER)) == [{"type": "redirect", "redirect_protocol": "HTTPS"}]
    https = component(graph, "module.web.aws_lb_listener.https[0]")
    assert (https.get("protocol"), https.get("port")) == ("HTTPS", 443)

    bucket = component(graph, BUCKET)
    assert set(bucket.get("public_access_block").values()) == {True}
    sids = [s.get("Sid") for s in bucket.get("policy")["Statement"]]
    assert sids == ["CloudFrontRead", "DenyInsecureTransport"]


# --- no var file -----------------------------------------------------------------------------


def test_without_a_var_file_environment_values_stay_unknown():
    """terraform.tfvars still loads; the variables only envs/<env>.tfvars gives stay unknown, and
    so does everything computed from them."""
    graph = graph_of(variables())
    db = component(graph, DB)
    assert isinstance(db.get("publicly_accessible"), Unknown)
    assert isinstance(component(graph, SUBNET_GROUP).get("subnets"), Unknown)

    (action,) = actions(component(graph, HTTP_LISTENER))
    assert isinstance(action["type"], Unknown)

    bucket = component(graph, BUCKET)
    shield = bucket.get("public_access_block")
    assert isinstance(shield["block_public_policy"], Unknown)
    assert isinstance(shield["restrict_public_buckets"], Unknown)
    assert isinstance(statement(bucket.get("policy"), "DirectRead")["Principal"]["AWS"], Unknown)
    assert bucket.get("logging_target") == "acme-log-archive-eu-central-1"  # from terraform.tfvars


def test_without_a_var_file_no_seed_finding_and_no_error():
    assert seed_findings(scan_repo(variables())) == set()


# --- the CLI ---------------------------------------------------------------------------------


def run_cli(*args: str):
    result = CliRunner().invoke(cli, ["scan", str(ROOT), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


@pytest.mark.parametrize(("var_file", "fail_on", "exit_code"), [
    (DEV, "critical", 1),  # db-publicly-accessible
    (DEV, "high", 1),
    (PROD, "high", 0),
])
def test_cli_exit_codes_per_environment(var_file, fail_on, exit_code):
    result = run_cli("--var-file", str(var_file), "--fail-on", fail_on)
    assert result.exit_code == exit_code, result.output


def test_cli_without_a_var_file_passes_the_high_gate():
    result = run_cli("--fail-on", "high")
    assert result.exit_code == 0, result.output


def test_cli_json_reports_the_dev_findings_with_module_paths():
    result = run_cli("--var-file", str(DEV), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["errors"] == []
    found = {(f["control"], f["resource"], f["file"], f["line"]) for f in report["findings"]
             if f["control"] in SEED_CONTROLS}
    assert found == DEV_SEED_FINDINGS
