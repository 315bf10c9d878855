"""Terraform semantics a repository could use to hide code: override files, the JSON syntax's
array forms, and root modules another folder also calls."""

from __future__ import annotations

import json

from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli

BUCKET = (
    'resource "aws_s3_bucket" "data" {\n'
    '  bucket = "customer-data"\n'
    "}\n"
    "\n"
    'resource "aws_s3_bucket_acl" "data" {\n'
    "  bucket = aws_s3_bucket.data.id\n"
    '  acl    = "private"\n'
    "}\n"
)


def seen(result) -> set[tuple[str, str, str, int]]:
    return {(f.control, f.resource, f.loc.file, f.loc.line) for f in result.findings}


def cli_json(*args: str) -> tuple[int, dict]:
    out = CliRunner().invoke(cli, ["scan", *args, "--format", "json"], catch_exceptions=False)
    return out.exit_code, json.loads(out.output)


# --- override files ------------------------------------------------------------------------


def test_an_override_file_replaces_the_argument_it_overrides(write_tree):
    """override.tf makes the bucket public; it sorted after main.tf and was dropped as a duplicate
    (exit 0). Its argument wins, at its own file and line."""
    root = write_tree({"main.tf": BUCKET,
                       "override.tf": 'resource "aws_s3_bucket_acl" "data" {\n  acl = "public-read"\n}\n'})
    code, report = cli_json(str(root))
    assert code == 1
    assert {(f["rule_id"], f["control"], f["resource"], f["file"], f["line"]) for f in report["findings"]
            if f["control"] == "s3-public-read"} == {
        ("IAC-S3-001", "s3-public-read", "aws_s3_bucket.data", "override.tf", 2)}
    assert report["errors"] == []


def test_an_override_sorting_first_does_not_replace_the_whole_original(write_tree):
    """a_override.tf sorted before main.tf: the original was dropped as the duplicate and the
    override's lone argument was the whole resource. Arguments it does not set stay the original's."""
    root = write_tree({
        "main.tf": 'resource "aws_db_instance" "db" {\n  engine              = "postgres"\n'
                   "  publicly_accessible = true\n}\n",
        "a_override.tf": 'resource "aws_db_instance" "db" {\n  engine = "mysql"\n}\n',
    })
    result = scan([root])
    assert not result.errors, [str(e) for e in result.errors]
    assert ("db-publicly-accessible", "aws_db_instance.db", "main.tf", 3) in seen(result)


def test_override_files_apply_in_name_order_and_nested_blocks_are_replaced(write_tree):
    root = write_tree({
        "main.tf": ('resource "aws_security_group" "web" {\n'
                    '  name = "web"\n'
                    "  ingress {\n"
                    "    from_port   = 443\n"
                    "    to_port     = 443\n"
                    '    protocol    = "tcp"\n'
                    '    cidr_blocks = ["10.0.0.0/8"]\n'
                    "  }\n"
                    "}\n"),
        # Processed first: opens SSH to the world, replacing the only ingress block.
        "a_override.tf": ('resource "aws_security_group" "web" {\n'
                          "  ingress {\n"
                          "    from_port   = 22\n"
                          "    to_port     = 22\n"
                          '    protocol    = "tcp"\n'
                          '    cidr_blocks = ["0.0.0.0/0"]\n'
                          "  }\n"
                          "}\n"),
        # Processed last: the name only; the ingress of a_override.tf stays.
        "z_override.tf.json": json.dumps({"resource": {"aws_security_group": {"web": {"name": "web2"}}}}),
    })
    result = scan([root])
    assert not result.errors, [str(e) for e in result.errors]
    ssh = {(f.control, f.loc.file, f.loc.line) for f in result.findings if f.resource == "aws_security_group.web"}
    assert ("sg-admin-ports-open", "a_override.tf", 2) in ssh
    sg = next(c for c in result.graph.components.values() if c.address == "aws_security_group.web")
    assert sg.loc.file == "main.tf"


def test_locals_are_overridden_value_by_value(write_tree):
    root = write_tree({
        "main.tf": 'locals {\n  public = false\n  engine = "postgres"\n}\n\n'
                   'resource "aws_db_instance" "db" {\n  engine              = local.engine\n'
                   "  publicly_accessible = local.public\n}\n",
        "override.tf": "locals {\n  public = true\n}\n",
    })
    result = scan([root])
    assert not result.errors, [str(e) for e in result.errors]
    assert ("db-publicly-accessible", "aws_db_instance.db", "main.tf", 8) in seen(result)


def test_an_override_without_original_is_an_error(write_tree):
    root = write_tree({"main.tf": BUCKET,
                       "override.tf": 'resource "aws_db_instance" "db" {\n  publicly_accessible = true\n}\n'})
    code, report = cli_json(str(root))
    assert code == 2
    assert [(e["file"], e["line"], e["level"]) for e in report["errors"]] == [("override.tf", 1, "error")]


# --- the JSON syntax's array forms ---------------------------------------------------------

PUBLIC_DB_BODY = {"engine": "postgres", "publicly_accessible": True}


def test_tf_json_array_forms_are_read(write_tree):
    """Each of these was dropped silently: no resource, exit 0."""
    root = write_tree({
        "a/main.tf.json": json.dumps({"resource": [{"aws_db_instance": {"db": PUBLIC_DB_BODY}}]}, indent=1),
        "b/main.tf.json": json.dumps({"resource": {"aws_db_instance": [{"db": PUBLIC_DB_BODY}]}}, indent=1),
        "c/main.tf.json": json.dumps({"resource": [{"aws_db_instance": [{"db": [PUBLIC_DB_BODY]}]}]}, indent=1),
    })
    code, report = cli_json(str(root))
    assert code == 1
    assert report["errors"] == []
    assert {(f["rule_id"], f["resource"], f["file"], f["line"]) for f in report["findings"]
            if f["control"] == "db-publicly-accessible"} == {
        ("IAC-RDS-001", "aws_db_instance.db", "a/main.tf.json", 7),
        ("IAC-RDS-001", "aws_db_instance.db", "b/main.tf.json", 7),
        ("IAC-RDS-001", "aws_db_instance.db", "c/main.tf.json", 9),
    }


def test_tf_json_dynamic_blocks_of_every_label_are_read(write_tree):
    """``"dynamic": {"egress": ..., "ingress": ...}``: only the first label was read."""
    rule = {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}
    group = {"name": "web", "dynamic": {
        "egress": {"for_each": ["x"], "content": {"from_port": 0, "to_port": 0, "protocol": "-1",
                                                  "cidr_blocks": ["0.0.0.0/0"]}},
        "ingress": [{"for_each": ["x"], "content": rule}]}}
    root = write_tree({"main.tf.json": json.dumps({"resource": {"aws_security_group": {"web": group}}}, indent=1)})
    result = scan([root])
    assert not result.errors, [str(e) for e in result.errors]
    assert {(f.control, f.loc.file) for f in result.findings if f.control == "sg-admin-ports-open"} == {
        ("sg-admin-ports-open", "main.tf.json")}


# --- a root module called from elsewhere is still a root --------------------------------------


def test_a_root_module_called_by_another_folder_is_still_analysed_as_a_root(write_tree):
    """live/ is applied with its terraform.tfvars (a public database); another folder calling it
    with harmless inputs made it analysed only through that call: no finding, exit 0."""
    root = write_tree({
        "live/main.tf": ('variable "public" {\n  type = bool\n}\n\n'
                         'resource "aws_db_instance" "db" {\n  engine              = "postgres"\n'
                         "  publicly_accessible = var.public\n}\n"),
        "live/terraform.tfvars": "public = true\n",
        "decoy/main.tf": 'module "live" {\n  source = "../live"\n  public = false\n}\n',
    })
    code, report = cli_json(str(root))
    assert code == 1
    assert {(f["rule_id"], f["resource"], f["file"], f["line"]) for f in report["findings"]
            if f["control"] == "db-publicly-accessible"} == {
        ("IAC-RDS-001", "aws_db_instance.db", "live/main.tf", 7)}
    assert report["errors"] == []


def test_a_child_module_without_values_of_its_own_is_analysed_through_its_caller_only(write_tree):
    root = write_tree({
        "modules/db/main.tf": ('variable "public" {\n  type = bool\n}\n\n'
                               'resource "aws_db_instance" "db" {\n  engine              = "postgres"\n'
                               "  publicly_accessible = var.public\n}\n"),
        "live/main.tf": 'module "db" {\n  source = "../modules/db"\n  public = true\n}\n',
    })
    result = scan([root])
    assert not result.errors
    assert {(f.control, f.resource, f.loc.file, f.loc.line) for f in result.findings
            if f.control == "db-publicly-accessible"} == {
        ("db-publicly-accessible", "module.db.aws_db_instance.db", "modules/db/main.tf", 7)}
