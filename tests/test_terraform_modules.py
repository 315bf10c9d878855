"""Modules evaluated as Terraform's graph evaluates them: one value at a time, on demand. Two
modules may take each other's outputs; only a value that depends on itself is unknown, and that
cycle is named. for_each and count instances inside modules, and the threat model's link between
a count instance and the finding on its block."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.model.network import rules_of
from iac_assist.threatmodel.build import build
from tests.conftest import findings_of
from tests.sarif_schema import validate_sarif

FIXTURE = Path(__file__).parent / "fixtures" / "tf-module-cycle"


def test_modules_taking_each_others_outputs_keep_every_finding():
    # The application module is placed in the network module's public subnets, whose database
    # security group admits the application's group: the database subnet group in public subnets
    # is only seen when the network's outputs reach the application module.
    assert findings_of(FIXTURE) == {
        ("sg-admin-ports-open", "module.app.aws_security_group.web", "modules/app/main.tf", 36),
        ("ec2-public-ip", "module.app.aws_instance.web", "modules/app/main.tf", 57),
        ("db-in-public-subnet", "module.app.aws_db_instance.db", "modules/app/main.tf", 70),
    }


def test_modules_taking_each_others_outputs_report_no_cycle():
    result = scan([FIXTURE])
    assert [e for e in result.errors if e.category == "value-cycle"] == []


def test_modules_taking_each_others_outputs_have_their_flows():
    flows = {(f["source"], f["target"], f["port"]) for f in build(scan([FIXTURE])).to_json()["flows"]}
    for n in (0, 1):
        web = f"module.app.aws_instance.web[{n}]"
        assert ("internet", web, 22) in flows
        assert ("internet", web, 443) in flows
        # Through the network module's for_each rule over the application's security group ids.
        assert (web, "module.app.aws_db_instance.db", 5432) in flows


def test_a_for_each_rule_over_another_modules_group_ids_folds_onto_its_group():
    result = scan([FIXTURE])
    group = next(c for c in result.graph.components.values() if c.address == "module.network.aws_security_group.db")
    rules = rules_of(group, "ingress")
    assert [r.origin for r in rules] == [
        'module.network.aws_security_group_rule.db_clients["module.app.aws_security_group.web.id"]']
    assert rules[0].loc.file == "modules/network/main.tf"
    source = result.graph.resolve(group, rules[0].entry["source_groups"][0])
    assert source is not None and source.address == "module.app.aws_security_group.web"


def test_a_for_each_rule_in_a_module_over_cidrs_is_judged_on_its_group(write_tree):
    root = write_tree({
        "main.tf": """
module "db" {
  source       = "./db"
  client_cidrs = ["10.0.0.0/8", "0.0.0.0/0"]
}
""",
        "db/main.tf": """
variable "client_cidrs" {
  type = list(string)
}

resource "aws_security_group" "db" {
  name = "db"
}

resource "aws_vpc_security_group_ingress_rule" "clients" {
  for_each          = toset(var.client_cidrs)
  security_group_id = aws_security_group.db.id
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  cidr_ipv4         = each.value
}
""",
    })
    assert findings_of(root) == {("sg-database-ports-open", "module.db.aws_security_group.db", "db/main.tf", 16)}


def test_a_real_value_cycle_is_unknown_and_named(write_tree):
    root = write_tree({
        "main.tf": """
module "a" {
  source = "./a"
  name   = module.b.name
}

module "b" {
  source = "./b"
  name   = module.a.name
}
""",
        "a/main.tf": """
variable "name" {}

resource "aws_s3_bucket" "logs" {
  bucket = var.name
}

output "name" {
  value = "${var.name}-a"
}
""",
        "b/main.tf": """
variable "name" {}

output "name" {
  value = var.name
}
""",
    })
    result = scan([root])
    cycles = [e for e in result.errors if e.category == "value-cycle"]
    assert len(cycles) == 1
    warning = cycles[0]
    assert (warning.level, warning.file, warning.line) == ("warning", "a/main.tf", 9)
    assert warning.message == (
        "values depend on each other in a cycle and are not known: module.a.output.name (a/main.tf:9) -> "
        "module.a.var.name (main.tf:4) -> module.b.output.name (b/main.tf:5) -> module.b.var.name (main.tf:9) "
        "-> module.a.output.name (a/main.tf:9)")
    # The rest of the module is still analysed; the bucket's unknown name decides nothing.
    bucket = next(c for c in result.graph.components.values() if c.address == "module.a.aws_s3_bucket.logs")
    assert not isinstance(bucket.get("name"), str)
    assert any(f.resource == "module.a.aws_s3_bucket.logs" for f in result.findings)


def test_a_cycle_of_locals_is_named_once(write_tree):
    root = write_tree({"main.tf": """
locals {
  a = local.b
  b = "${local.a}-x"
}

resource "aws_security_group" "s" {
  name = local.a
}
"""})
    cycles = [e for e in scan([root]).errors if e.category == "value-cycle"]
    assert [(e.file, e.line) for e in cycles] == [("main.tf", 3)]
    assert "local.a (main.tf:3) -> local.b (main.tf:4) -> local.a (main.tf:3)" in cycles[0].message


COUNTED = """
resource "aws_instance" "web" {
  count         = 1
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  root_block_device {
    encrypted = true
  }
}
"""


def test_a_threat_on_a_count_instance_is_open_with_the_finding_on_its_block(write_tree):
    result = scan([write_tree({"main.tf": COUNTED})])
    finding = next(f for f in result.findings if f.control == "ec2-imdsv1-enabled")
    assert (finding.resource, finding.instances) == ("aws_instance.web", ("aws_instance.web[0]",))
    threats = {t.id: t for t in build(result).threats}
    threat = threats["instance-credential-theft@aws_instance.web[0]"]
    assert threat.status == "open"
    assert threat.findings == (finding.fingerprint,)


def test_sarif_names_the_block_and_its_instances(write_tree):
    root = write_tree({"main.tf": COUNTED})
    out = CliRunner().invoke(cli, ["scan", str(root), "--format", "sarif"])
    log = json.loads(out.output)
    validate_sarif(log)
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "IAC-EC2-001")
    assert result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "aws_instance.web"
    assert result["properties"]["instances"] == ["aws_instance.web[0]"]


def test_module_folders_are_the_resolved_folders_of_the_resolved_files(tmp_path):
    # A folder reached through a link is the folder it links to; a file that is a link belongs to
    # the folder it is listed in, under the path it resolves to.
    from iac_assist.parsers.terraform import module_folders

    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "main.tf").write_text("")
    (tmp_path / "through").symlink_to(tmp_path / "real")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "linked.tf").symlink_to(tmp_path / "real" / "main.tf")
    (tmp_path / "other" / "plain.tf").write_text("")
    files = [tmp_path / "through" / "main.tf", tmp_path / "other" / "linked.tf", tmp_path / "other" / "plain.tf",
             tmp_path / "real" / "main.tf"]
    real = tmp_path.resolve()
    assert module_folders(files) == {
        real / "real": [real / "real" / "main.tf", real / "real" / "main.tf"],
        real / "other": [real / "real" / "main.tf", real / "other" / "plain.tf"],
    }
