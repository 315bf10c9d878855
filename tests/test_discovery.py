"""Discovery: what is IaC is decided by what a file is, and nothing is left out without a word."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from iac_assist.cli import cli
from iac_assist.inputs.discovery import is_template

PUBLIC_DB = 'resource "aws_db_instance" "db" {\n  engine              = "postgres"\n  publicly_accessible = true\n}\n'


def run_json(*args: str) -> tuple[int, dict]:
    out = CliRunner().invoke(cli, ["scan", *args, "--format", "json"], catch_exceptions=False)
    return out.exit_code, json.loads(out.output)


def public(report: dict) -> set[tuple[str, str, str, str, int]]:
    return {(f["rule_id"], f["control"], f["resource"], f["file"], f["line"]) for f in report["findings"]
            if f["control"] in {"s3-public-read", "s3-public-write", "db-publicly-accessible"}}


def warnings(report: dict) -> list[tuple[str, str]]:
    return [(e["file"], e["message"]) for e in report["errors"]]


# --- CloudFormation by what the file is -------------------------------------------------------

SPELLINGS = {
    # Flow style, unquoted keys: no line starts with "Resources:".
    "flow.yaml": ('{Resources: {Data: {Type: "AWS::S3::Bucket", Properties: {AccessControl: PublicReadWrite}}}}\n',
                  1, 1),
    # JSON escapes spell the key and the type.
    "escaped.json": ('{\n  "\\u0052esources": {\n    "Data": {\n      "Type": "AWS\\u003a\\u003aS3::Bucket",\n'
                     '      "Properties": {"AccessControl": "PublicReadWrite"}\n    }\n  }\n}\n', 3, 5),
    # The type through an alias, the key quoted, no AWSTemplateFormatVersion.
    "alias.yml": ("Metadata:\n  Kinds:\n    bucket: &bucket AWS::S3::Bucket\n'Resources':\n  Data:\n"
                  "    Type: *bucket\n    Properties:\n      AccessControl: PublicReadWrite\n", 5, 8),
    # YAML double-quoted escapes.
    "double.template": ('"\\x52esources":\n  Data:\n    "Type": "AWS\\x3a:S3::Bucket"\n    Properties:\n'
                        "      AccessControl: PublicReadWrite\n", 2, 5),
}


@pytest.mark.parametrize("name", sorted(SPELLINGS))
def test_templates_are_recognised_in_any_spelling(tmp_path, name):
    """The text pattern missed each of these: the template was skipped quietly, exit 0."""
    text, _resource_line, line = SPELLINGS[name]
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert is_template(text) is True
    code, report = run_json(str(tmp_path))
    assert code == 1
    assert public(report) == {("IAC-S3-001", "s3-public-read", "Data", name, line),
                              ("IAC-S3-002", "s3-public-write", "Data", name, line)}
    assert report["errors"] == []


@pytest.mark.parametrize("text", [
    "Resources:\n  limits:\n    Type: cpu\n",  # a Resources key, no CloudFormation type
    "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - resources: {limits: {cpu: '1'}}\n",
    '{"Resources": ["AWS::S3::Bucket"]}',
    '{"data": {"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}}',  # not at the top
    "- Resources:\n    B:\n      Type: AWS::S3::Bucket\n",
])
def test_other_yaml_and_json_is_not_a_template(text):
    assert is_template(text) is False


def test_merge_keys_are_followed_once_each():
    """Merge keys repeating a mapping 10**30 times over, the resources at the bottom: each mapping
    is looked at once (expanding them, as a YAML loader does, would never end)."""
    import time

    lines = ['a0: &a0 {B: {Type: "AWS::S3::Bucket"}}']
    for n in range(1, 30):
        lines.append(f"a{n}: &a{n} {{<<: [{', '.join([f'*a{n - 1}'] * 10)}]}}")
    lines.append(f"Resources: {{<<: [{', '.join(['*a29'] * 10)}]}}")
    start = time.monotonic()
    assert is_template("\n".join(lines) + "\n") is True
    assert time.monotonic() - start < 2


# --- a virtualenv is a virtualenv, and what is skipped is said --------------------------------


def test_a_folder_named_like_a_virtualenv_is_analysed(write_tree):
    """``.venv`` and ``venv`` were skipped by name: an insecure module there was never read."""
    root = write_tree({".venv/main.tf": PUBLIC_DB, "venv/db/main.tf": PUBLIC_DB})
    code, report = run_json(str(root))
    assert code == 1
    assert public(report) == {("IAC-RDS-001", "db-publicly-accessible", "aws_db_instance.db", ".venv/main.tf", 3),
                              ("IAC-RDS-001", "db-publicly-accessible", "aws_db_instance.db", "venv/db/main.tf", 3)}


def test_iac_in_skipped_folders_is_counted(write_tree):
    """A real virtualenv (pyvenv.cfg), node_modules and an excluded folder are not analysed, and
    each says how many IaC files it held; .git and .terraform are left alone quietly."""
    template = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
    root = write_tree({
        "env/pyvenv.cfg": "home = /usr/bin\n", "env/main.tf": PUBLIC_DB, "env/lib/t.yaml": template,
        "env/lib/package.json": '{"name": "x"}\n',
        "node_modules/x/main.tf": PUBLIC_DB, "node_modules/x/package.json": '{"name": "x"}\n',
        "examples/a/main.tf": PUBLIC_DB,
        ".terraform/modules/m/main.tf": PUBLIC_DB, ".git/x.tf": PUBLIC_DB,
        "cache/__pycache__/readme.json": '{"name": "x"}\n',
        "main.tf": 'resource "aws_s3_bucket" "b" {}\n',
    })
    code, report = run_json(str(root), "--exclude", "examples", "--fail-on", "critical")
    assert code == 0
    assert public(report) == set()
    assert [(e["file"], e["line"], e["level"], e.get("category", "skipped-iac")) for e in report["errors"]] == [
        ("env", 0, "warning", "skipped-iac"), ("examples", 0, "warning", "skipped-iac"),
        ("node_modules", 0, "warning", "skipped-iac")]
    assert warnings(report) == [
        ("env", "2 IaC files not analysed: a Python virtualenv (pyvenv.cfg), skipped"),
        ("examples", "1 IaC file not analysed: excluded by 'examples' (--exclude or the configuration's exclude)"),
        ("node_modules", "1 IaC file not analysed: a node_modules folder, skipped"),
    ]


def test_excluded_files_are_counted_by_pattern(write_tree):
    root = write_tree({"main.tf": 'resource "aws_s3_bucket" "b" {}\n', "old/a.tf": PUBLIC_DB, "old/b.tf": "",
                       "old/notes.yaml": "a: b\n", "old/stack.yaml": "Resources:\n  B:\n    Type: AWS::SNS::Topic\n"})
    code, report = run_json(str(root), "--exclude", "old/*.*", "--fail-on", "critical")
    assert code == 0
    assert warnings(report) == [
        ("old/a.tf", "3 IaC files not analysed: excluded by 'old/*.*' (--exclude or the configuration's exclude)")]
    from iac_assist.analysis.engine import scan

    result = scan([root], exclude=["old/*.*"])
    assert [(e.file, e.category, e.level) for e in result.errors] == [("old/a.tf", "skipped-iac", "warning")]


def test_an_iac_file_over_the_size_cap_is_a_skipped_iac_error(write_tree):
    from iac_assist.analysis.engine import scan

    root = write_tree({"main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "' + "x" * 300 + '"\n}\n'})
    result = scan([root], max_file_size=200)
    assert [(e.file, e.level, e.category) for e in result.errors] == [("main.tf", "error", "skipped-iac")]


def test_a_skipped_folder_that_is_a_link_is_not_walked(tmp_path):
    """Counting never follows a link out of the scanned root."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "main.tf").write_text(PUBLIC_DB, encoding="utf-8")
    scanned = tmp_path / "scanned"
    scanned.mkdir()
    (scanned / "main.tf").write_text('resource "aws_s3_bucket" "b" {}\n', encoding="utf-8")
    (scanned / "node_modules").symlink_to(outside, target_is_directory=True)
    code, report = run_json(str(scanned), "--fail-on", "critical")
    assert (code, report["errors"]) == (0, [])
