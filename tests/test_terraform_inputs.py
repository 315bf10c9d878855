"""Terraform the way ``terraform plan`` sees it: variable inputs, JSON syntax, files, downloaded
modules, providers, and one finding per source block."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.parsers.terraform.inputs import VariableInputs

BUCKET = '''
variable "acl" {
  type    = string
  default = "%s"
}
resource "aws_s3_bucket" "b" { bucket = "b" }
resource "aws_s3_bucket_acl" "b" {
  bucket = aws_s3_bucket.b.id
  acl    = var.acl
}
resource "aws_s3_bucket_public_access_block" "b" {
  bucket = aws_s3_bucket.b.id
}
'''


def public(root: Path, **kwargs) -> set[tuple[str, str, int]]:
    result = scan([root], **kwargs)
    assert not result.has_errors, [str(e) for e in result.errors]
    return {(f.resource, f.loc.file, f.loc.line) for f in result.findings if f.control == "s3-public-read"}


def errors_of(root: Path, **kwargs) -> list[str]:
    return [str(e) for e in scan([root], **kwargs).errors]


def test_public_default_overridden_to_private_by_terraform_tfvars(write_tree):
    root = write_tree({"main.tf": BUCKET % "public-read", "terraform.tfvars": 'acl = "private"\n'})
    assert public(root) == set()


def test_private_default_overridden_to_public_by_terraform_tfvars(write_tree):
    root = write_tree({"main.tf": BUCKET % "private", "terraform.tfvars": 'acl = "public-read"\n'})
    assert public(root) == {("aws_s3_bucket.b", "main.tf", 9)}


def test_auto_tfvars_load_in_lexical_order_after_terraform_tfvars(write_tree):
    root = write_tree({
        "main.tf": BUCKET % "private",
        "terraform.tfvars": 'acl = "public-read"\n',
        "a.auto.tfvars": 'acl = "public-read"\n',
        "b.auto.tfvars.json": '{"acl": "private"}\n',
    })
    assert public(root) == set()


def test_var_file_and_var_win_in_that_order(write_tree):
    root = write_tree({"main.tf": BUCKET % "private", "envs/prod.tfvars": 'acl = "public-read"\n'})
    var_file = VariableInputs(var_files=(root / "envs/prod.tfvars",))
    assert public(root, variables=var_file) == {("aws_s3_bucket.b", "main.tf", 9)}
    both = VariableInputs(var_files=(root / "envs/prod.tfvars",), assignments=(("acl", "private"),))
    assert public(root, variables=both) == set()


def test_environment_variables_are_the_lowest_given_value(write_tree):
    root = write_tree({"main.tf": BUCKET % "private"})
    env = VariableInputs(environ={"TF_VAR_acl": "public-read", "TF_VAR_unrelated": "x"})
    assert public(root, variables=env) == {("aws_s3_bucket.b", "main.tf", 9)}
    (root / "terraform.tfvars").write_text('acl = "private"\n')
    assert public(root, variables=env) == set()


def test_complex_values_from_the_command_line_are_parsed_as_hcl(write_tree):
    root = write_tree({"main.tf": '''
variable "acls" { type = map(string) }
resource "aws_s3_bucket" "b" {
  for_each = var.acls
  bucket   = each.key
  acl      = each.value
}
'''})
    given = VariableInputs(assignments=(("acls", '{logs = "private", www = "public-read"}'),))
    result = scan([root], variables=given)
    found = {(f.resource, f.instances) for f in result.findings if f.control == "s3-public-read"}
    assert found == {("aws_s3_bucket.b", ('aws_s3_bucket.b["www"]',))}


def test_a_variable_without_a_value_is_unknown_and_gives_no_definite_finding(write_tree):
    root = write_tree({"main.tf": (BUCKET % "x").replace('  default = "x"\n', "")})
    assert public(root) == set()


def test_undeclared_values_and_bad_files_are_reported_with_file_and_line(write_tree):
    root = write_tree({
        "main.tf": BUCKET % "private",
        "terraform.tfvars": 'acl = "private"\nregion = "eu-west-1"\n',
        "x.auto.tfvars.json": '{"acl": \n  "private",}\n',
    })
    errors = errors_of(root)
    assert any(e.startswith("terraform.tfvars:2") and "undeclared variable 'region'" in e for e in errors), errors
    assert any(e.startswith("x.auto.tfvars.json:2") for e in errors), errors


def test_cli_var_and_var_file(write_tree):
    root = write_tree({"main.tf": BUCKET % "private", "prod.tfvars": 'acl = "public-read"\n'})
    runner = CliRunner()
    assert runner.invoke(cli, ["scan", str(root), "--fail-on", "high"]).exit_code == 0
    assert runner.invoke(cli, ["scan", str(root), "--fail-on", "high", "--var", "acl=public-read"]).exit_code == 1
    out = runner.invoke(cli, ["scan", str(root), "--fail-on", "high", "--var-file", str(root / "prod.tfvars")])
    assert out.exit_code == 1
    bad = runner.invoke(cli, ["scan", str(root), "--var", "acl"])
    assert bad.exit_code == 2 and "NAME=VALUE" in bad.output


def test_tf_json_files_are_terraform(write_tree):
    root = write_tree({"main.tf.json": json.dumps({
        "variable": {"acl": {"type": "string", "default": "public-read"}},
        "resource": {
            "aws_s3_bucket": {"b": {"bucket": "b-${var.acl}", "tags": {"Name": "b"}}},
            "aws_s3_bucket_acl": {"b": {"bucket": "${aws_s3_bucket.b.id}", "acl": "${var.acl}"}},
            "aws_s3_bucket_public_access_block": {"b": {"bucket": "${aws_s3_bucket.b.id}"}},
        },
    }, indent=2)})
    assert public(root) == {("aws_s3_bucket.b", "main.tf.json", 20)}


def test_tf_json_beside_tf_is_one_module(write_tree):
    root = write_tree({
        "main.tf": 'resource "aws_s3_bucket" "b" { bucket = "b" }\n',
        "override_acl.tf.json": '{"resource": {"aws_s3_bucket_acl": {"b": {\n'
                                '  "bucket": "${aws_s3_bucket.b.id}",\n  "acl": "public-read"}}}}\n',
    })
    result = scan([root])
    assert ("aws_s3_bucket.b", "override_acl.tf.json", 3) in {
        (f.resource, f.loc.file, f.loc.line) for f in result.findings if f.control == "s3-public-read"}


def test_invalid_tf_json_names_file_and_line(write_tree):
    root = write_tree({"main.tf.json": '{\n  "resource": {\n    "aws_s3_bucket": [}\n}\n'})
    errors = errors_of(root)
    assert any(e.startswith("main.tf.json:3:") for e in errors), errors


def test_file_and_templatefile_read_inside_the_root(write_tree):
    root = write_tree({
        "main.tf": '''
resource "aws_s3_bucket" "b" { bucket = "b" }
resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = templatefile("${path.module}/policy.json.tpl", { bucket = "b", who = "*" })
}
resource "aws_s3_bucket" "c" { bucket = "c" }
resource "aws_s3_bucket_policy" "c" {
  bucket = aws_s3_bucket.c.id
  policy = fileexists("missing.json") ? file("missing.json") : file("read.json")
}
''',
        "policy.json.tpl": '{"Statement": [{"Effect": "Allow", "Principal": "${who}", '
                           '"Action": "s3:PutObject", "Resource": "arn:aws:s3:::${bucket}/*"}]}',
        "read.json": '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", '
                     '"Resource": "*"}]}',
    })
    result = scan([root])
    found = {(f.control, f.resource, f.loc.line) for f in result.findings}
    assert {("s3-public-write", "aws_s3_bucket.b", 5), ("s3-public-read", "aws_s3_bucket.c", 10)} <= found


def test_no_file_outside_the_scanned_root_is_ever_opened(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.tf").write_text('resource "aws_s3_bucket" "x" { acl = "public-read" }\n')
    (outside / "policy.json").write_text('{"Statement": []}')
    (outside / "modules.json").write_text('{"Modules": [{"Key": "remote", "Dir": "../outside"}]}')
    root = tmp_path / "root"
    (root / "linked").mkdir(parents=True)
    (root / "linked" / "secret.tf").symlink_to(outside / "secret.tf")
    (root / "link_dir").symlink_to(outside, target_is_directory=True)
    (root / ".terraform" / "modules").mkdir(parents=True)
    (root / ".terraform" / "modules" / "modules.json").write_text(
        '{"Modules": [{"Key": "remote", "Source": "registry.terraform.io/x/y/aws", "Dir": "../outside"}]}')
    (root / "main.tf").write_text('''
module "up" { source = "../outside" }
module "remote" { source = "x/y/aws" }
resource "aws_s3_bucket_policy" "p" {
  bucket = "b"
  policy = file("../outside/policy.json")
}
resource "aws_s3_bucket_policy" "q" {
  bucket = "b"
  policy = templatefile("${path.module}/link_dir/policy.json", {})
}
''')
    opened: list[str] = []

    def audit(event: str, args: tuple) -> None:
        if event == "open" and isinstance(args[0], (str, Path)) and str(outside) in str(args[0]):
            opened.append(str(args[0]))

    sys.addaudithook(audit)
    auditing = True
    try:
        result = scan([root])
    finally:
        auditing = False  # the hook cannot be removed; it only collects paths under ``outside``
    assert auditing is False
    assert opened == []
    messages = [str(e) for e in result.errors]
    assert any("outside the scanned root" in m for m in messages), messages
    assert not any(f.resource.endswith(".x") for f in result.findings)


def test_downloaded_modules_are_analysed_from_the_manifest(write_tree):
    root = write_tree({
        "main.tf": '''
module "db" {
  source  = "terraform-aws-modules/rds/aws"
  version = "6.0.0"
  public  = true
}
module "cache" { source = "git::https://example.com/cache.git" }
''',
        ".terraform/modules/modules.json": json.dumps({"Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {"Key": "db", "Source": "registry.terraform.io/terraform-aws-modules/rds/aws", "Version": "6.0.0",
             "Dir": ".terraform/modules/db"},
        ]}),
        ".terraform/modules/db/main.tf": '''
variable "public" { default = false }
resource "aws_db_instance" "this" {
  engine              = "postgres"
  publicly_accessible = var.public
}
''',
    })
    result = scan([root])
    found = {(f.control, f.resource, f.loc.file, f.loc.line) for f in result.findings}
    assert ("db-publicly-accessible", "module.db.aws_db_instance.this", ".terraform/modules/db/main.tf", 5) in found
    warnings = [str(e) for e in result.errors]
    assert [w for w in warnings if "not downloaded" in w] == [
        "main.tf:7: module cache not analysed (not downloaded): source "
        "'git::https://example.com/cache.git'"
    ]


def test_provider_blocks_are_part_of_the_model(write_tree):
    from iac_assist.analysis.engine import build_graph

    root = write_tree({"main.tf": '''
provider "aws" {
  region = "eu-west-1"
}
provider "aws" {
  alias  = "us"
  region = "us-east-1"
}
'''})
    graph, _ = build_graph([root])
    providers = {c.address: c.source_type for c in graph.components.values()}
    assert providers == {"provider.aws": "provider", "provider.aws.us": "provider"}


def test_count_and_for_each_findings_are_reported_once_per_block(write_tree):
    root = write_tree({"main.tf": '''
resource "aws_s3_bucket" "many" {
  count  = 3
  bucket = "b${count.index}"
  acl    = count.index == 1 ? "private" : "public-read"
}
module "site" {
  for_each = toset(["a", "b"])
  source   = "./site"
}
''', "site/main.tf": '''
resource "aws_s3_bucket" "this" {
  acl = "public-read"
}
'''})
    result = scan([root])
    found = {(f.resource, f.loc.file, f.loc.line, f.instances) for f in result.findings
             if f.control == "s3-public-read"}
    assert found == {
        ("aws_s3_bucket.many", "main.tf", 5, ("aws_s3_bucket.many[0]", "aws_s3_bucket.many[2]")),
        ("module.site.aws_s3_bucket.this", "site/main.tf", 3,
         ('module.site["a"].aws_s3_bucket.this', 'module.site["b"].aws_s3_bucket.this')),
    }
    message = next(f.message for f in result.findings if f.resource == "aws_s3_bucket.many"
                   and f.control == "s3-public-read")
    assert "aws_s3_bucket.many[0], aws_s3_bucket.many[2]" in message


@pytest.mark.parametrize("count", ["0", "false ? 1 : 0"])
def test_count_zero_removes_the_block(write_tree, count):
    root = write_tree({"main.tf": f'resource "aws_s3_bucket" "b" {{\n  count = {count}\n  acl = "public-read"\n}}\n'})
    assert public(root) == set()


def test_path_module_is_relative_to_the_root_module(write_tree):
    from iac_assist.analysis.engine import build_graph

    root = write_tree({
        "live/main.tf": 'module "m" { source = "../modules/m" }\noutput "x" { value = path.module }\n',
        "modules/m/main.tf": 'resource "aws_s3_bucket" "b" { bucket = "${path.module}|${path.root}" }\n',
    })
    graph, _ = build_graph([root])
    bucket = next(c for c in graph.components.values() if c.address == "module.m.aws_s3_bucket.b")
    assert bucket.get("name") == "../modules/m|."


POLICY_DOCUMENT = '''
variable "who" {
  type    = string
  default = "*"
}
resource "aws_s3_bucket" "b" { bucket = "b" }
resource "aws_s3_bucket_public_access_block" "b" { bucket = aws_s3_bucket.b.id }
data "aws_iam_policy_document" "read" {
  statement {
    sid       = "Read"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.b.arn}/*"]
    principals {
      type        = "*"
      identifiers = [var.who]
    }
%s  }
}
resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = data.aws_iam_policy_document.read.json
}
'''
ORG_CONDITION = '''    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-abc123"]
    }
'''


def test_policy_document_with_principal_star_makes_the_bucket_public(write_tree):
    root = write_tree({"main.tf": POLICY_DOCUMENT % ""})
    assert public(root) == {("aws_s3_bucket.b", "main.tf", 21)}


def test_policy_document_with_a_restricting_condition_is_not_public(write_tree):
    root = write_tree({"main.tf": POLICY_DOCUMENT % ORG_CONDITION})
    assert public(root) == set()


def test_policy_document_with_an_unknown_principal_gives_no_definite_finding(write_tree):
    root = write_tree({"main.tf": (POLICY_DOCUMENT % "").replace('  default = "*"\n', "")})
    assert public(root) == set()


def test_policy_document_renders_like_the_provider(write_tree):
    from iac_assist.analysis.engine import build_graph

    root = write_tree({"main.tf": (POLICY_DOCUMENT % ORG_CONDITION).replace("${aws_s3_bucket.b.arn}", "arn:b")})
    graph, _ = build_graph([root])
    bucket = next(c for c in graph.components.values() if c.address == "aws_s3_bucket.b")
    assert bucket.get("policy") == {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "Read",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:b/*",
            "Principal": "*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}},
        }],
    }
