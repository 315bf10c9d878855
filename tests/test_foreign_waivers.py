"""Waivers written for checkov and trivy (``#checkov:skip=CKV_AWS_20:reason``,
``#trivy:ignore:AVD-AWS-0089``, trivy's long ids, checkov's CloudFormation ``Metadata``) waive the
iac-assist controls their ids map to (``iac_assist/gate/foreign_waivers.yaml``), with the same
governance as ``iac-assist:ignore``: reasons, expiry, ``--no-inline-suppressions``,
``--untrusted``, reported as the repository's own settings. An id with no mapping is a warning.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.cli import cli
from iac_assist.gate import foreign
from iac_assist.policies import builtin_policies

README = Path(__file__).resolve().parent.parent / "README.md"
BUCKET_TF = """\
{comment}
resource "aws_s3_bucket" "logs" {{
  bucket = "acme-logs"
}}
"""
BUCKET_YAML = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  {comment}
  Logs:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: acme-logs
"""


def scan(folder: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(cli, ["scan", str(folder), "-f", "json", *args], catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def waived(doc: dict) -> dict[str, dict]:
    return {f["control"]: f["suppressed"] for f in doc["findings"] if f["suppressed"]}


def warnings(doc: dict) -> list[tuple[str, int, str]]:
    return [(e["file"], e["line"], e["message"]) for e in doc["errors"]
            if e["level"] == "warning" and e["category"] != "repository-setting"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "infra"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


COMMENTS = {
    "checkov": ("#checkov:skip=CKV_AWS_18:the log bucket logs nowhere", "checkov:skip=CKV_AWS_18"),
    "trivy": ("# trivy:ignore:AVD-AWS-0089 the log bucket logs nowhere", "trivy:ignore:AVD-AWS-0089"),
    "trivy-long": ("#trivy:ignore:aws-s3-enable-bucket-logging the log bucket logs nowhere",
                   "trivy:ignore:aws-s3-enable-bucket-logging"),
}


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
@pytest.mark.parametrize("style", sorted(COMMENTS))
def test_a_foreign_comment_waives_the_mapped_control_only(tmp_path: Path, fmt: str, style: str) -> None:
    comment, via = COMMENTS[style]
    if fmt == "terraform":
        folder, line = write(tmp_path, "main.tf", BUCKET_TF.format(comment=comment)), 1
    else:
        folder, line = write(tmp_path, "template.yaml", BUCKET_YAML.format(comment=comment)), 3
    _, doc = scan(folder)
    name = "main.tf" if fmt == "terraform" else "template.yaml"
    assert waived(doc) == {"s3-access-logging-missing": {
        "reason": f"{via}: the log bucket logs nowhere", "file": name, "line": line}}
    assert warnings(doc) == []
    # Reported as the repository's own waiver, like iac-assist:ignore.
    notes = [e for e in doc["errors"] if e["category"] == "repository-setting"]
    assert [(e["file"], e["line"]) for e in notes] == [(name, line)]
    assert notes[0]["message"].startswith("inline suppression waived 1 finding: IAC-S3-005 on ")


def test_checkovs_cloudformation_metadata_waives_too(tmp_path: Path) -> None:
    template = ('{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"Site": {"Type": "AWS::S3::Bucket",\n'
                ' "Metadata": {"checkov": {"skip": [{"id": "CKV_AWS_21", "comment": "rebuilt from git"},\n'
                '   {"id": "CKV_AWS_53"}]}},\n'
                ' "Properties": {"BucketName": "acme-site"}}}}\n')
    _, doc = scan(write(tmp_path, "site.json", template))
    assert waived(doc) == {"s3-versioning-missing": {"reason": "checkov:skip=CKV_AWS_21: rebuilt from git",
                                                     "file": "site.json", "line": 2}}
    assert [m for _, _, m in warnings(doc)] == [
        "checkov:skip=CKV_AWS_53 is not honoured: no iac-assist control means the same; the README's table lists "
        "those that are"]


def test_an_unmapped_id_is_a_warning_not_a_silent_no_op(tmp_path: Path) -> None:
    text = BUCKET_TF.format(comment="#checkov:skip=CKV_AWS_999:made up\n# trivy:ignore:AVD-AWS-0086")
    _, doc = scan(write(tmp_path, "main.tf", text))
    assert waived(doc) == {}
    assert warnings(doc) == [
        ("main.tf", 1, "checkov:skip=CKV_AWS_999 is not honoured: no iac-assist control means the same; the "
                       "README's table lists those that are"),
        ("main.tf", 2, "trivy:ignore:AVD-AWS-0086 is not honoured: no iac-assist control means the same (blocks "
                       "public ACLs only; s3-public-access-block-missing asks for all four settings); the README's "
                       "table lists those that are"),
    ]


def test_an_acl_waiver_does_not_waive_a_public_bucket_policy(tmp_path: Path) -> None:
    text = """\
        #checkov:skip=CKV_AWS_20:public website
        resource "aws_s3_bucket" "site" {
          bucket = "acme-site"
          acl    = "public-read"
        }

        #checkov:skip=CKV_AWS_20:public website
        resource "aws_s3_bucket" "data" {
          bucket = "acme-data"
        }

        resource "aws_s3_bucket_policy" "data" {
          bucket = aws_s3_bucket.data.id
          policy = jsonencode({
            Version = "2012-10-17"
            Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject",
                           Resource = "arn:aws:s3:::acme-data/*" }]
          })
        }
        """
    _, doc = scan(write(tmp_path, "main.tf", "\n".join(line[8:] for line in text.splitlines()) + "\n"))
    public = {f["resource"]: f["suppressed"] is not None for f in doc["findings"] if f["control"] == "s3-public-read"}
    assert public == {"aws_s3_bucket.site": True, "aws_s3_bucket.data": False}
    assert ("main.tf", 7, "suppression of checkov:skip=CKV_AWS_20 (s3-public-read) matches no finding") in \
        warnings(doc)


def test_same_governance_reason_expiry_and_filters(tmp_path: Path) -> None:
    text = BUCKET_TF.format(comment="# trivy:ignore:AVD-AWS-0089\n"
                                    "# trivy:ignore:AVD-AWS-0090:exp:2020-01-01 old\n"
                                    "# trivy:ignore:AVD-AWS-0132[bucket=acme-logs]")
    _, doc = scan(write(tmp_path, "main.tf", text))
    assert set(waived(doc)) == {"s3-access-logging-missing"}  # no reason: applies, with a warning
    assert [m for _, _, m in warnings(doc)] == [
        "suppression of trivy:ignore:AVD-AWS-0089 (s3-access-logging-missing) gives no reason; write why the risk is "
        "accepted after the ids",
        "suppression of trivy:ignore:AVD-AWS-0090 (s3-versioning-missing) expired on 2020-01-01; it no longer "
        "applies",
        "trivy:ignore:AVD-AWS-0132 is not honoured: its [bucket=acme-logs] filter has no iac-assist meaning; put the "
        "comment on the resource instead",
    ]


@pytest.mark.parametrize("option", ["--untrusted", "--no-inline-suppressions"])
def test_untrusted_and_no_inline_suppressions_void_them(tmp_path: Path, option: str) -> None:
    text = BUCKET_TF.format(comment=COMMENTS["checkov"][0])
    exit_code, doc = scan(write(tmp_path, "main.tf", text), option)
    assert exit_code == 1
    assert waived(doc) == {}
    assert "s3-access-logging-missing" in {f["control"] for f in doc["findings"]}


def test_a_comment_inside_a_string_is_no_waiver(tmp_path: Path) -> None:
    text = ('resource "aws_s3_bucket" "logs" {\n  bucket = "acme-logs"\n'
            '  tags = { note = "#checkov:skip=CKV_AWS_18:x" }\n}\n')
    _, doc = scan(write(tmp_path, "main.tf", text))
    assert waived(doc) == {}


# --- the table ---------------------------------------------------------------------------------------


def test_every_mapped_control_exists_and_every_cause_compiles() -> None:
    controls = {p.control for p in builtin_policies()}
    for mapping in foreign.table().rows():
        assert set(mapping.controls) <= controls, mapping
        if mapping.cause:
            re.compile(mapping.cause)
    assert len(foreign.table().rows()) >= 15


def test_the_readme_lists_the_table_as_generated() -> None:
    text = README.read_text(encoding="utf-8")
    start = "<!-- foreign-waivers: generated from iac_assist/gate/foreign_waivers.yaml -->\n"
    assert start in text, "add the generated table to the README"
    block = text.split(start, 1)[1].split("<!-- /foreign-waivers -->", 1)[0]
    assert block == foreign.markdown_table(), (
        "README's table of foreign waivers is stale: paste python -c 'from iac_assist.gate import foreign; "
        "print(foreign.markdown_table(), end=\"\")'")


def test_parse_reads_several_waivers_in_one_comment() -> None:
    found = foreign.parse(" checkov:skip=CKV_AWS_18:no logs trivy:ignore:AVD-AWS-0090:exp:2030-12-31 kept")
    assert [(w.text, w.reason, str(w.until)) for w in found] == [
        ("checkov:skip=CKV_AWS_18", "no logs", "None"),
        ("trivy:ignore:AVD-AWS-0090", "kept", "2030-12-31"),
    ]
