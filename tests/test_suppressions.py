"""Inline suppressions as a user writes them: Terraform comments, CloudFormation comments and
Metadata; what they waive, what they warn about, and how each report shows it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.gate.suppressions import scan_hcl, scan_yaml
from iac_assist.report import render
from tests.sarif_schema import validate_sarif

TODAY = date(2026, 6, 1)
S3_RULES = ["IAC-S3-001", "IAC-S3-006"]  # public read (a cause in the ACL), versioning (the bucket)

PUBLIC_BUCKET = """\
{above_bucket}
resource "aws_s3_bucket" "site" {{
  bucket = "site"
}}
{above_acl}
resource "aws_s3_bucket_acl" "site" {{
  bucket = aws_s3_bucket.site.id
  acl    = "public-read"
}}
"""


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def outcome(result) -> set[tuple[str, str, int, int | None]]:
    """(rule, resource, line, line of the suppression or None) of every finding."""
    return {(f.rule_id, f.resource, f.loc.line, f.suppressed.line if f.suppressed else None) for f in result.findings}


def warnings(result) -> list[tuple[str, int, str]]:
    return [(e.file, e.line, e.message) for e in result.errors if e.level == "warning"]


def scan_files(write_tree, files: dict[str, str], **options):
    root = write_tree(files)
    options.setdefault("select", S3_RULES)
    return scan([root], today=TODAY, **options)


# Terraform ---------------------------------------------------------------------------------------


def test_hash_comment_above_the_owner_waives_a_cause_in_its_satellite(write_tree):
    text = PUBLIC_BUCKET.format(above_bucket="# iac-assist:ignore=IAC-S3-001 public website, no PII", above_acl="")
    result = scan_files(write_tree, {"main.tf": text})
    assert outcome(result) == {
        ("IAC-S3-001", "aws_s3_bucket.site", 8, 1),  # the ACL line, waived by the comment above the bucket
        ("IAC-S3-006", "aws_s3_bucket.site", 2, None),
    }
    waived = next(f for f in result.findings if f.suppressed)
    assert (waived.suppressed.reason, waived.suppressed.file) == ("public website, no PII", "main.tf")
    assert warnings(result) == []


def test_slash_comment_above_the_satellite_waives_the_cause_written_there(write_tree):
    text = PUBLIC_BUCKET.format(above_bucket="", above_acl="// iac-assist:ignore=s3-public-read -- downloads site")
    result = scan_files(write_tree, {"main.tf": text})
    assert outcome(result) == {
        ("IAC-S3-001", "aws_s3_bucket.site", 8, 5),
        ("IAC-S3-006", "aws_s3_bucket.site", 2, None),  # about the bucket: the satellite's comment is not for it
    }
    assert result.findings[1].suppressed.reason == "downloads site"


def test_comments_inside_the_block_and_after_code(write_tree):
    text = """\
resource "aws_s3_bucket" "site" {
  bucket = "site" # iac-assist:ignore=IAC-S3-006 a cache, rebuilt nightly
}

resource "aws_s3_bucket" "other" {
  /* iac-assist:ignore=s3-versioning-missing
     until=2099-12-31 replaced next quarter */
  bucket = "other"
}
"""
    result = scan_files(write_tree, {"main.tf": text})
    assert outcome(result) == {("IAC-S3-006", "aws_s3_bucket.site", 1, 2), ("IAC-S3-006", "aws_s3_bucket.other", 5, 6)}
    assert warnings(result) == []


def test_several_ids_and_comment_lines_between_the_suppression_and_the_block(write_tree):
    text = """\
# iac-assist:ignore=IAC-S3-001,s3-versioning-missing  static website
# owned by the web team
resource "aws_s3_bucket" "site" {
  bucket = "site"
  acl    = "public-read"
}
"""
    result = scan_files(write_tree, {"main.tf": text})
    assert {f.rule_id for f in result.findings if f.suppressed} == {"IAC-S3-001", "IAC-S3-006"}
    assert warnings(result) == []


def test_a_blank_line_detaches_the_comment(write_tree):
    text = '# iac-assist:ignore=IAC-S3-006 reason\n\nresource "aws_s3_bucket" "site" {\n  bucket = "site"\n}\n'
    result = scan_files(write_tree, {"main.tf": text})
    assert outcome(result) == {("IAC-S3-006", "aws_s3_bucket.site", 3, None)}
    assert warnings(result) == [
        ("main.tf", 1, "suppression is neither inside a resource nor on the line above one; it applies to nothing"),
    ]


def test_markers_in_strings_and_heredocs_are_not_comments(write_tree):
    text = """\
resource "aws_s3_bucket" "site" {
  bucket = "site # iac-assist:ignore=IAC-S3-006 not a comment"
  tags = {
    Note = "${upper("x // iac-assist:ignore=IAC-S3-006 nor this")}"
  }
}

resource "aws_iam_policy" "p" {
  policy = <<EOF
# iac-assist:ignore=IAC-S3-006 inside a heredoc
{"Version": "2012-10-17", "Statement": []}
EOF
}
"""
    result = scan_files(write_tree, {"main.tf": text})
    assert outcome(result) == {("IAC-S3-006", "aws_s3_bucket.site", 1, None)}
    assert warnings(result) == []


def test_module_call_suppression_covers_the_module_resources(write_tree):
    result = scan_files(write_tree, {
        "main.tf": '# iac-assist:ignore=IAC-S3-006 vendored module, tracked upstream\nmodule "store" {\n'
                   '  source = "./modules/store"\n}\n',
        "modules/store/main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n',
    })
    assert outcome(result) == {("IAC-S3-006", "module.store.aws_s3_bucket.b", 1, 1)}


def test_the_same_address_in_another_root_module_is_not_waived(write_tree):
    bucket = 'resource "aws_s3_bucket" "site" {\n  bucket = "site"\n}\n'
    result = scan_files(write_tree, {"a/main.tf": "# iac-assist:ignore=IAC-S3-006 dev only\n" + bucket,
                                     "b/main.tf": "\n" + bucket})
    assert {(f.loc.file, f.suppressed is not None) for f in result.findings} == {("a/main.tf", True),
                                                                                ("b/main.tf", False)}


def test_count_instances_are_waived_with_their_block(write_tree):
    text = ('# iac-assist:ignore=IAC-S3-006 scratch buckets\nresource "aws_s3_bucket" "b" {\n  count = 2\n'
            '  bucket = "b-${count.index}"\n}\n')
    result = scan_files(write_tree, {"main.tf": text})
    assert [(f.resource, f.instances, f.suppressed.line) for f in result.findings] == [
        ("aws_s3_bucket.b", ("aws_s3_bucket.b[0]", "aws_s3_bucket.b[1]"), 1)]


# Warnings ----------------------------------------------------------------------------------------


def test_reasonless_unused_expired_and_unknown_suppressions_warn_with_file_and_line(write_tree):
    text = """\
# iac-assist:ignore=IAC-S3-006
resource "aws_s3_bucket" "a" {
  bucket = "a"
}

# iac-assist:ignore=IAC-S3-001 nothing public here
resource "aws_s3_bucket" "b" {
  bucket = "b"
}

# iac-assist:ignore=IAC-S3-006 until=2026-05-31 waiting for the migration
resource "aws_s3_bucket" "c" {
  bucket = "c"
}

# iac-assist:ignore=IAC-S3-006 until=2026-06-01 last day today
resource "aws_s3_bucket" "d" {
  bucket = "d"
}

# iac-assist:ignore=IAC-S3-06 typo
resource "aws_s3_bucket" "e" {
  bucket = "e"
}

# iac-assist:ignore=IAC-S3-006 until=soon whenever
resource "aws_s3_bucket" "f" {
  bucket = "f"
}
"""
    result = scan_files(write_tree, {"main.tf": text})
    assert {(f.resource, f.suppressed is not None) for f in result.findings} == {
        ("aws_s3_bucket.a", True),  # reasonless still applies, with a warning
        ("aws_s3_bucket.b", False),
        ("aws_s3_bucket.c", False),  # expired yesterday: no longer applies
        ("aws_s3_bucket.d", True),  # "until" is the last day it applies
        ("aws_s3_bucket.e", False),
        ("aws_s3_bucket.f", False),
    }
    assert warnings(result) == [
        ("main.tf", 1, "suppression of IAC-S3-006 gives no reason; write why the risk is accepted after the ids"),
        ("main.tf", 6, "suppression of IAC-S3-001 matches no finding"),
        ("main.tf", 11, "suppression of IAC-S3-006 expired on 2026-05-31; it no longer applies"),
        ("main.tf", 21, "suppression names 'IAC-S3-06', which is no rule id or control slug"),
        ("main.tf", 26, "until='soon' is not a date (YYYY-MM-DD); the suppression does not apply"),
    ]
    assert not result.has_errors  # warnings never fail the gate by themselves
    assert [e.column for e in result.errors][:1] == [3]  # where the marker starts


def test_a_suppression_of_a_rule_that_did_not_run_is_not_unused(write_tree):
    text = PUBLIC_BUCKET.format(above_bucket="# iac-assist:ignore=IAC-S3-003 account-wide block", above_acl="")
    result = scan_files(write_tree, {"main.tf": text})  # IAC-S3-003 not selected
    assert warnings(result) == []


# CloudFormation ----------------------------------------------------------------------------------

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  # iac-assist:ignore=IAC-S3-001 public downloads
  Downloads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: 'downloads #1'   # iac-assist:ignore=s3-versioning-missing rebuilt from CI
      AccessControl: PublicRead
  Notes:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: "notes # iac-assist:ignore=IAC-S3-006 in a string"
      Tags:
        - Key: doc
          Value: |
            # iac-assist:ignore=IAC-S3-006 in a block scalar
  Site:
    Type: AWS::S3::Bucket
    Metadata:
      iac-assist:
        ignore:
          - id: IAC-S3-001
            reason: static website
          - id: [s3-versioning-missing]
            reason: content is in git
            until: 2099-01-01
    Properties:
      AccessControl: PublicRead
"""


def test_yaml_comments_and_metadata(write_tree):
    result = scan_files(write_tree, {"stack.yaml": TEMPLATE})
    assert outcome(result) == {
        ("IAC-S3-001", "Downloads", 8, 3),
        ("IAC-S3-006", "Downloads", 4, 7),
        ("IAC-S3-006", "Notes", 9, None),  # "#" in a quoted or block scalar is no comment
        ("IAC-S3-001", "Site", 28, 22),
        ("IAC-S3-006", "Site", 17, 24),
    }
    reasons = {(f.resource, f.rule_id): f.suppressed.reason for f in result.findings if f.suppressed}
    assert reasons[("Site", "IAC-S3-006")] == "content is in git"
    assert warnings(result) == []


def test_yaml_comment_above_a_satellite_resource(write_tree):
    template = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
  # iac-assist:ignore=s3-public-write partners upload builds here
  BucketPolicy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref Bucket
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: "*"
            Action: s3:PutObject
            Resource: !Sub "${Bucket.Arn}/*"
"""
    result = scan_files(write_tree, {"stack.yaml": template}, select=["IAC-S3-002", "IAC-S3-006"])
    assert outcome(result) == {("IAC-S3-002", "Bucket", 10, 5), ("IAC-S3-006", "Bucket", 3, None)}


def test_json_template_metadata_and_its_warnings(write_tree):
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Site": {
                "Type": "AWS::S3::Bucket",
                "Metadata": {"iac-assist": {"ignore": [{"id": "IAC-S3-001"}, {"reason": "no id"}]}},
                "Properties": {"AccessControl": "PublicRead"},
            },
        },
    }
    result = scan_files(write_tree, {"stack.json": json.dumps(template, indent=2)})
    assert {(f.rule_id, f.suppressed is not None) for f in result.findings} == {("IAC-S3-001", True),
                                                                                ("IAC-S3-006", False)}
    assert [(line, message) for _, line, message in warnings(result)] == [
        (10, "suppression of IAC-S3-001 gives no reason; write why the risk is accepted after the ids"),
        (12, "Metadata iac-assist ignore entry has no id (a rule id or control slug); it applies to nothing"),
    ]


# Reports and gate --------------------------------------------------------------------------------

ALL_WAIVED = """\
# iac-assist:ignore=IAC-S3-001,IAC-S3-006 public website
resource "aws_s3_bucket" "site" {
  bucket = "site"
  acl    = "public-read"
}
"""


def test_suppressed_findings_leave_the_gate_and_the_text_but_stay_in_json(write_tree):
    root = write_tree({"main.tf": ALL_WAIVED})
    text = run("scan", str(root), "--select", "IAC-S3-001,IAC-S3-006")
    assert text.exit_code == 0
    # Out of the findings; what the repository waived is named once, as a warning (see test_trust.py).
    assert text.output.splitlines() == [
        "Errors",
        "  main.tf:1: warning: inline suppression waived 2 findings: IAC-S3-001 on aws_s3_bucket.site, "
        "IAC-S3-006 on aws_s3_bucket.site",
        "",
        "No findings. 1 file scanned (2 suppressed); 1 warning",
        "Waived by the repository's own settings: 1 setting (see the warnings above; --untrusted refuses them)"]
    doc = json.loads(run("scan", str(root), "--select", "IAC-S3-001,IAC-S3-006", "-f", "json").output)
    assert [f["suppressed"] for f in doc["findings"]] == [
        {"reason": "public website", "file": "main.tf", "line": 1}] * 2
    assert list(doc["findings"][0])[-4:] == ["suppressed", "origins", "fix", "no_fix"]
    assert doc["findings"][0]["no_fix"] == "it is suppressed"
    assert (doc["summary"]["findings"], doc["summary"]["suppressed"]) == (0, 2)
    assert doc["summary"]["by_severity"] == {"critical": 0, "high": 0, "medium": 0, "low": 0}


def test_json_suppressed_is_null_when_not_waived(write_tree):
    root = write_tree({"main.tf": ALL_WAIVED.replace("IAC-S3-001,", "")})
    doc = json.loads(run("scan", str(root), "--select", "IAC-S3-001,IAC-S3-006", "-f", "json").output)
    assert {f["rule_id"]: f["suppressed"] for f in doc["findings"]} == {
        "IAC-S3-001": None, "IAC-S3-006": {"reason": "public website", "file": "main.tf", "line": 1}}
    assert doc["summary"]["findings"] == 1


def test_sarif_marks_suppressed_results_in_source_and_validates(write_tree):
    result = scan_files(write_tree, {"main.tf": ALL_WAIVED.replace("IAC-S3-001,", "")})
    doc = json.loads(render(result, "sarif"))
    validate_sarif(doc)
    by_rule = {r["ruleId"]: r for r in doc["runs"][0]["results"]}
    assert by_rule["IAC-S3-006"]["suppressions"] == [{"kind": "inSource", "justification": "public website"}]
    assert "suppressions" not in by_rule["IAC-S3-001"]


def test_no_inline_suppressions_voids_every_one(write_tree):
    root = write_tree({"main.tf": ALL_WAIVED, "stack.yaml": TEMPLATE})
    doc = json.loads(run("scan", str(root), "--select", "IAC-S3-001,IAC-S3-006", "-f", "json",
                         "--no-inline-suppressions").output)
    assert doc["summary"]["suppressed"] == 0 and all(f["suppressed"] is None for f in doc["findings"])
    assert doc["errors"] == []  # void suppressions are not even read: no warnings about them
    assert run("scan", str(root), "--select", "IAC-S3-001,IAC-S3-006", "--no-inline-suppressions").exit_code == 1


def test_configuration_can_void_inline_suppressions_and_the_command_line_restore_them(write_tree):
    root = write_tree({"main.tf": ALL_WAIVED, ".iac-assist.toml": "no-inline-suppressions = true\n"})
    assert run("scan", str(root), "--select", "IAC-S3-001,IAC-S3-006").exit_code == 1
    assert run("scan", str(root), "--select", "IAC-S3-001,IAC-S3-006", "--inline-suppressions").exit_code == 0


# The lexers --------------------------------------------------------------------------------------


def test_hcl_lexer_blocks_and_comments():
    text = ('locals {\n  a = "}" # c1\n}\n\nresource "x" "y" { /* c2 */\n  b = <<-EOT\n    { #\n    EOT\n}\n'
            'module "m" {\n  s = "${"{"}"\n}\n')
    found = scan_hcl(text)
    assert [(b.start, b.end, b.keyword, b.labels) for b in found.blocks] == [
        (1, 3, "locals", ()), (5, 9, "resource", ("x", "y")), (10, 12, "module", ("m",))]
    assert [(line, comment.strip()) for line, _, comment in found.comments] == [(2, "c1"), (5, "c2")]


def test_yaml_lexer_quotes_and_block_scalars():
    text = ("a: 'it''s # not' # yes\nb: it's # also\nc: x#y\nd: >-\n  # folded text\n  more\n"
            "- |\n  # literal\ne: !Sub \"x # y\" # tagged\n")
    found = scan_yaml(text)
    assert [(line, comment.strip()) for line, _, comment in found.comments] == [
        (1, "yes"), (2, "also"), (9, "tagged")]


def test_an_unreadable_text_file_is_left_to_the_scan(write_tree, tmp_path: Path):
    root = write_tree({"main.tf": ALL_WAIVED})
    (root / "broken.tf").write_bytes(b"\xff\xfe iac-assist:ignore=IAC-S3-001")
    result = scan([root], today=TODAY, select=S3_RULES)
    assert [e.file for e in result.errors] == ["broken.tf"]  # the scan's error, no suppression noise
