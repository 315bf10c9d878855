"""Terraform state in JSON (``terraform show -json`` of a state) and a plan's ``prior_state``:
recognition by content, values, module addresses, lines, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.inputs.discovery import read_text
from iac_assist.model import Ref, Unknown
from iac_assist.parsers.terraform.plan import looks_like_plan, looks_like_state
from iac_assist.parsers.terraform.state import load_prior_state, load_state, scan_prior_state
from tests.sarif_schema import validate_sarif
from tests.test_terraform_plan import module_node, plan_text, write

SERIOUS = {"critical", "high"}

MAIN_TF = """\
resource "aws_s3_bucket" "public" {
  bucket = "acme-public-data"
}

resource "aws_s3_bucket_acl" "public" {
  bucket = aws_s3_bucket.public.id
  acl    = "public-read"
}

resource "aws_db_instance" "main" {
  identifier          = "main"
  engine              = "postgres"
  instance_class      = "db.t3.micro"
  publicly_accessible = true
  storage_encrypted   = true
}
"""

BUCKET = {"address": "aws_s3_bucket.public", "type": "aws_s3_bucket", "name": "public",
          "values": {"bucket": "acme-public-data", "id": "acme-public-data", "acl": None,
                     "arn": "arn:aws:s3:::acme-public-data", "force_destroy": False, "tags": None,
                     "logging": [], "versioning": [{"enabled": False, "mfa_delete": False}]},
          "sensitive_values": {"logging": [], "versioning": [{}]}}
ACL = {"address": "aws_s3_bucket_acl.public", "type": "aws_s3_bucket_acl", "name": "public",
       "values": {"bucket": "acme-public-data", "acl": "public-read", "id": "acme-public-data,public-read",
                  "expected_bucket_owner": ""}, "sensitive_values": {}}
DATABASE = {"address": "aws_db_instance.main", "type": "aws_db_instance", "name": "main",
            "values": {"identifier": "main", "engine": "postgres", "instance_class": "db.t3.micro",
                       "publicly_accessible": True, "storage_encrypted": True, "password": "hunter2-deployed",
                       "deletion_protection": False, "kms_key_id": None},
            "sensitive_values": {"password": True}}
CALLER = {"address": "data.aws_caller_identity.me", "mode": "data", "type": "aws_caller_identity", "name": "me",
          "values": {"account_id": "123456789012"}, "sensitive_values": {}}


def state_text(resources: list[dict], *, indent: int | None = 2, **top) -> str:
    """A state as ``terraform show -json`` writes it: ``resources`` in ``values.root_module``
    (``module`` puts one in a child module), no ``planned_values``."""
    root: dict = {"resources": []}
    for entry in resources:
        entry = dict(entry)
        module = entry.pop("module", None)
        entry.setdefault("mode", "managed")
        entry.setdefault("provider_name", "registry.terraform.io/hashicorp/aws")
        entry.setdefault("schema_version", 0)
        module_node(root, module)["resources"].append(entry)
    state = {"format_version": "1.0", "terraform_version": "1.7.5", "values": {"root_module": root}, **top}
    return json.dumps(state, indent=indent)


def serious(*paths: Path) -> set[tuple[str, str, str, int]]:
    result = scan(list(paths))
    assert not result.has_errors, [str(e) for e in result.errors]
    return {(f.control, f.resource, f.loc.file, f.loc.line) for f in result.findings if f.severity in SERIOUS}


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_looks_like_state():
    assert looks_like_state(state_text([BUCKET]))
    assert looks_like_state(state_text([BUCKET], indent=None))
    assert not looks_like_state(plan_text([BUCKET]))  # a plan holds states, but is a plan
    assert not looks_like_plan(state_text([BUCKET]))
    # The raw state file (terraform.tfstate) is another format, not read.
    assert not looks_like_state('{"version": 4, "terraform_version": "1.7.5", "resources": []}')
    assert not looks_like_state('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}')
    # Other JSON outputs of Terraform (validate, providers schema) have no terraform_version.
    assert not looks_like_state('{"format_version": "1.0", "valid": true, "error_count": 0, "diagnostics": []}')


def test_empty_state_is_a_state_with_nothing_deployed(tmp_path):
    state = write(tmp_path, "foo.json", '{"format_version": "1.0", "terraform_version": "1.7.5"}')
    assert looks_like_state(state.read_text())
    assert load_state(state, tmp_path) == ([], [])
    result = scan([tmp_path])
    assert result.files == ["foo.json"] and not result.errors


def test_state_alone_points_at_its_resources(tmp_path):
    state = write(tmp_path, "state.json", state_text([CALLER, BUCKET, ACL, DATABASE]))
    # The line of the value that causes the finding, as the .tf files would give it.
    assert serious(state) == {
        ("s3-public-read", "aws_s3_bucket.public", "state.json", line_of(state, '"acl": "public-read"')),
        ("db-publicly-accessible", "aws_db_instance.main", "state.json", line_of(state, '"publicly_accessible": true')),
    }
    resources, _errors = load_state(state, tmp_path)
    assert [r.loc.line for r in resources] == [line_of(state, f'"address": "{e["address"]}"')
                                               for e in (BUCKET, ACL, DATABASE)]


def test_state_beside_its_tf_files_takes_their_lines(tmp_path):
    write(tmp_path, "main.tf", MAIN_TF)
    state = write(tmp_path, "state.json", state_text([CALLER, BUCKET, ACL, DATABASE]))
    expected = {("s3-public-read", "aws_s3_bucket.public", "main.tf", 7),
                ("db-publicly-accessible", "aws_db_instance.main", "main.tf", 14)}
    assert serious(state) == expected


def test_state_found_beside_tf_files_does_not_replace_the_code(tmp_path):
    """Deployed state may be older than the code: found in a folder (not named), it is not used
    in place of the .tf files, which are analysed, and a warning names it."""
    write(tmp_path, "main.tf", MAIN_TF.replace("publicly_accessible = true", "publicly_accessible = false"))
    write(tmp_path, "state.json", state_text([BUCKET, ACL, DATABASE]))
    result = scan([tmp_path])
    assert [(e.file, e.level, e.category) for e in result.errors] == [("state.json", "warning", "plan-not-used")]
    assert "Terraform state not used" in result.errors[0].message
    assert {(f.control, f.loc.file) for f in result.findings if f.severity in SERIOUS} == {
        ("s3-public-read", "main.tf")}


def test_recognised_by_content_whatever_its_name(tmp_path):
    write(tmp_path, "foo.json", state_text([BUCKET, ACL, DATABASE], indent=None))
    assert {(c, r, f) for c, r, f, _line in serious(tmp_path)} == {
        ("s3-public-read", "aws_s3_bucket.public", "foo.json"),
        ("db-publicly-accessible", "aws_db_instance.main", "foo.json")}


def test_values_of_a_state(tmp_path):
    state = write(tmp_path, "state.json", state_text([CALLER, BUCKET, DATABASE]))
    resources, errors = load_state(state, tmp_path)
    assert errors == []
    by_address = {r.address: r for r in resources}
    assert list(by_address) == ["aws_s3_bucket.public", "aws_db_instance.main"]  # data sources left out
    bucket = by_address["aws_s3_bucket.public"].body
    assert "acl" not in bucket and "tags" not in bucket  # null is unset
    assert bucket["versioning"] == [{"enabled": False, "mfa_delete": False}]
    db = by_address["aws_db_instance.main"].body
    assert isinstance(db["password"], Unknown)  # a deployed secret is not one the repository holds
    assert db["publicly_accessible"] is True


def test_deposed_object_is_not_a_second_resource(tmp_path):
    """create_before_destroy leaves the replaced object in the state, under the same address."""
    deposed = {**DATABASE, "deposed_key": "00000001", "values": {**DATABASE["values"], "publicly_accessible": False}}
    state = write(tmp_path, "state.json", state_text([DATABASE, deposed]))
    resources, errors = load_state(state, tmp_path)
    assert errors == []
    assert [(r.address, r.body["publicly_accessible"]) for r in resources] == [("aws_db_instance.main", True)]


def test_state_inside_modules(tmp_path):
    write(tmp_path, "main.tf", 'module "data" {\n  source = "./modules/data"\n}\n')
    module_tf = write(tmp_path / "modules" / "data", "main.tf", MAIN_TF.replace('"main"', '"db"'))
    entries = [
        {**BUCKET, "module": 'module.data["eu"]', "address": 'module.data["eu"].aws_s3_bucket.public',
         "index": None},
        {**ACL, "module": 'module.data["eu"]', "address": 'module.data["eu"].aws_s3_bucket_acl.public'},
        {**DATABASE, "module": 'module.data["eu"]', "name": "db", "index": 0,
         "address": 'module.data["eu"].aws_db_instance.db[0]'},
        {**DATABASE, "module": 'module.data["eu"]', "name": "db", "index": 1,
         "address": 'module.data["eu"].aws_db_instance.db[1]',
         "values": {**DATABASE["values"], "identifier": "db-1", "publicly_accessible": False}},
    ]
    state = write(tmp_path, "state.json", state_text(entries))
    resources, errors = load_state(state, tmp_path)
    assert errors == []
    assert [r.address for r in resources] == [e["address"] for e in entries]
    rel = "modules/data/main.tf"
    assert module_tf.relative_to(tmp_path).as_posix() == rel
    # Findings name the source block, and the instances in it (as for code and plans).
    assert serious(state) == {
        ("s3-public-read", "module.data.aws_s3_bucket.public", rel, 7),
        ("db-publicly-accessible", "module.data.aws_db_instance.db", rel, 14),
    }
    db = next(f for f in scan([state]).findings if f.control == "db-publicly-accessible")
    assert db.instances == ('module.data["eu"].aws_db_instance.db[0]',)


def test_prior_state_of_a_plan_is_a_base_state(tmp_path):
    planned = {**DATABASE, "values": {**DATABASE["values"], "publicly_accessible": False}}
    prior = {"format_version": "1.0", "terraform_version": "1.7.5",
             "values": {"root_module": {"resources": [
                 {**BUCKET, "mode": "managed"}, {**DATABASE, "mode": "managed"}, {**CALLER}]}}}
    plan = write(tmp_path, "plan.json", plan_text([planned], prior_state=prior))
    base, errors = load_prior_state(plan, tmp_path)
    assert errors == []
    assert [r.address for r in base] == ["aws_s3_bucket.public", "aws_db_instance.main"]
    db = base[1]
    assert db.body["publicly_accessible"] is True  # the base, not what the plan makes of it
    lines = plan.read_text().splitlines()
    in_prior = next(n for n, line in enumerate(lines, 1) if '"prior_state"' in line)
    assert db.loc.file == "plan.json"
    assert db.loc.line == next(n for n, line in enumerate(lines[in_prior:], in_prior + 1)
                               if '"address": "aws_db_instance.main"' in line)
    # The plan itself (the head) is unchanged by all this.
    assert serious(plan) == set()


def test_plan_without_prior_state_has_an_empty_base(tmp_path):
    plan = write(tmp_path, "plan.json", plan_text([DATABASE]))
    base, errors = load_prior_state(plan, tmp_path)
    assert base == []
    assert [(e.file, e.level) for e in errors] == [("plan.json", "warning")]


@pytest.mark.parametrize(("text", "line", "message"), [
    ('{\n  "format_version": "1.0",\n  "terraform_version": "1.7.5",\n  "values": {"root_module": {\n}',
     5, "invalid JSON"),
    ('{"format_version": "9.0", "terraform_version": "1.7.5", "values": {"root_module": {}}}', 1,
     "unsupported Terraform state format_version '9.0'"),
    ('{"format_version": "1.0", "terraform_version": "1.7.5", "values": ["root_module"]}', 1,
     "Terraform state whose values are not an object"),
])
def test_invalid_state_is_an_error_with_file_and_line(tmp_path, text, line, message):
    state = write(tmp_path, "state.json", text)
    resources, errors = load_state(state, tmp_path)
    assert resources == []
    assert [(e.file, e.line) for e in errors] == [("state.json", line)]
    assert message in errors[0].message


def test_hostile_state_is_bounded(tmp_path):
    deep: object = "x"
    for _ in range(200):
        deep = {"a": [deep]}
    nested = {**BUCKET, "values": {**BUCKET["values"], "tags": deep}}
    modules: dict = {"resources": [], "address": "module.m"}
    node = modules
    for _n in range(100):
        child = {"resources": [], "address": node["address"] + ".module.m"}
        node["child_modules"] = [child]
        node = child
    node["resources"].append({**DATABASE, "mode": "managed", "address": node["address"] + ".aws_db_instance.main"})
    state = write(tmp_path, "state.json", json.dumps({
        "format_version": "1.0", "terraform_version": "1.7.5",
        "values": {"root_module": {"resources": [{**nested, "mode": "managed"}], "child_modules": [modules]}}}))
    resources, errors = load_state(state, tmp_path)
    assert [r.address for r in resources] == ["aws_s3_bucket.public"]  # too deep a module: cut off
    assert all(e.level != "error" or "internal error" not in e.message for e in errors)
    result = scan([state])
    assert not any("internal error" in e.message for e in result.errors)
    # Nesting the JSON decoder cannot follow: an error naming the file, not a crash.
    deepest = write(tmp_path, "deepest.json", '{"format_version": "1.0", "terraform_version": "1.7.5", "values": '
                    + "[" * 200_000 + "]" * 200_000 + "}")
    assert load_state(deepest, tmp_path)[0] == []
    assert [(e.file, e.message) for e in load_state(deepest, tmp_path)[1]] == [
        ("deepest.json", "invalid JSON: nesting too deep")]


def test_cli_scan_and_model_on_a_state(tmp_path):
    write(tmp_path, "main.tf", MAIN_TF)
    state = write(tmp_path, "state.json", state_text([BUCKET, ACL, DATABASE]))
    runner = CliRunner()
    result = runner.invoke(cli, ["scan", str(state), "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert doc["errors"] == []
    found = {(f["control"], f["resource"], f["file"], f["line"]) for f in doc["findings"]
             if f["severity"] in SERIOUS}
    assert found == {("s3-public-read", "aws_s3_bucket.public", "main.tf", 7),
                     ("db-publicly-accessible", "aws_db_instance.main", "main.tf", 14)}
    sarif = runner.invoke(cli, ["scan", str(state), "--format", "sarif"], catch_exceptions=False)
    validate_sarif(json.loads(sarif.output))
    model = runner.invoke(cli, ["model", str(state)], catch_exceptions=False)
    assert model.exit_code == 0, model.output
    assert "aws_db_instance.main" in model.output


def test_state_read_by_default_reader(tmp_path):
    state = write(tmp_path, "state.json", state_text([DATABASE]))
    assert load_state(state, tmp_path)[0][0].address == load_state(state, tmp_path, read_text)[0][0].address


NETWORK_TF = """\
resource "aws_security_group" "db" {
  name = "db"
  ingress {
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_db_instance" "main" {
  identifier             = "main"
  engine                 = "postgres"
  instance_class         = "db.t3.micro"
  publicly_accessible    = false
  storage_encrypted      = true
  vpc_security_group_ids = [aws_security_group.db.id]
}
"""
GROUP = {"address": "aws_security_group.db", "type": "aws_security_group", "name": "db",
         "values": {"id": "sg-0abc", "arn": "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0abc", "name": "db",
                    "egress": [], "ingress": [{"from_port": 5432, "to_port": 5432, "protocol": "tcp",
                                               "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": [],
                                               "prefix_list_ids": [], "security_groups": [], "self": False,
                                               "description": ""}]},
         "sensitive_values": {}}
ATTACHED = {**DATABASE, "values": {**DATABASE["values"], "id": "db-XYZ", "publicly_accessible": False,
                                   "vpc_security_group_ids": ["sg-0abc"]}}


def test_ids_in_a_state_refer_to_the_instances_they_name(tmp_path):
    """A state has no references: the id a value holds names the instance it belongs to, so the
    database is attached to its security group as in the code."""
    state = write(tmp_path / "deployed", "state.json", state_text([GROUP, ATTACHED]))
    resources, _errors = load_state(state, tmp_path / "deployed")
    db = {r.address: r for r in resources}["aws_db_instance.main"]
    assert db.body["vpc_security_group_ids"] == [Ref("aws_security_group.db", "id", "sg-0abc")]
    assert db.body["id"] == "db-XYZ"  # its own id names itself: not a reference
    # A name is the resource's own, even when another resource's id is spelled the same.
    subnets = {"address": "aws_db_subnet_group.db", "type": "aws_db_subnet_group", "name": "db",
               "values": {"id": "db", "name": "db", "subnet_ids": []}, "sensitive_values": {}}
    named = write(tmp_path / "named", "state.json", state_text([GROUP, subnets]))
    group = {r.address: r for r in load_state(named, tmp_path / "named")[0]}["aws_security_group.db"]
    assert group.body["name"] == "db"
    from_state = {(c, r) for c, r, _f, _l in serious(state)}
    code = write(tmp_path / "code", "main.tf", NETWORK_TF)
    assert from_state == {(c, r) for c, r, _f, _l in serious(code)} == {
        ("db-open-security-group", "aws_db_instance.main"), ("sg-database-ports-open", "aws_security_group.db")}
    # Beside the code, the state gives the code's findings at the code's lines.
    write(tmp_path / "code", "state.json", state_text([GROUP, ATTACHED]))
    assert serious(tmp_path / "code" / "state.json") == serious(code)


def test_scan_of_a_prior_state_models_the_base(tmp_path):
    """The prior state's scan result, as a threat model is built from: findings of the deployed
    database at the .tf line, none of what the plan changes it to."""
    write(tmp_path, "main.tf", MAIN_TF.replace("publicly_accessible = true", "publicly_accessible = false"))
    planned = [{**e, "values": {**e["values"], "publicly_accessible": False}} if e is DATABASE else e
               for e in (BUCKET, ACL, DATABASE)]
    prior = json.loads(state_text([CALLER, BUCKET, ACL, DATABASE]))
    plan = write(tmp_path, "plan.json", plan_text(planned, prior_state=prior))
    base = scan_prior_state(plan)
    assert not base.has_errors, [str(e) for e in base.errors]
    assert {(f.control, f.resource, f.loc.file, f.loc.line) for f in base.findings if f.severity in SERIOUS} == {
        ("s3-public-read", "aws_s3_bucket.public", "main.tf", 7),
        ("db-publicly-accessible", "aws_db_instance.main", "main.tf", 14)}
    assert base.files == ["main.tf", "plan.json"]
    assert {c.address for c in base.graph.components.values()} >= {"aws_s3_bucket.public", "aws_db_instance.main"}
    assert {(f.control, f.loc.file) for f in scan([plan]).findings if f.severity in SERIOUS} == {
        ("s3-public-read", "main.tf")}
    from iac_assist.threatmodel.build import build

    assert "aws_db_instance.main" in {c.id for c in build(base).components}
