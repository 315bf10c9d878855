"""The CloudFormation editor behind ``iac-assist fix``: where each edit goes (the property, the
parameter's Default, a list entry, the line of an element), when none is made and why."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.fixes.plan import plan
from iac_assist.fixes.sources import SourceFiles
from iac_assist.parsers.cloudformation.options import TemplateOptions


def planned(root: Path, **options):
    result = scan([root], jobs=1, **options)
    return plan(result, SourceFiles(result.root, result.digests))


def reasons(fixes) -> dict[str, str]:
    return {u.finding.control: u.reason for u in fixes.unfixed}


DB = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Protect:
    Type: String
    Default: "false"  # prod overrides it
    AllowedValues: ["true", "false"]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t4g.medium
      StorageEncrypted: true
      BackupRetentionPeriod: 7
      DeletionProtection: !Ref Protect
"""


def test_a_value_from_a_parameter_read_once_is_fixed_at_its_default(write_tree):
    fixes = planned(write_tree({"db.yaml": DB}))
    assert fixes.edited()["db.yaml"] == DB.replace('Default: "false"  #', 'Default: "true"  #')


def test_a_parameter_read_twice_is_left_alone_with_the_reason(write_tree):
    text = DB + "Outputs:\n  Protected: {Value: !Ref Protect}\n"
    fixes = planned(write_tree({"db.yaml": text}))
    assert not fixes.fixes
    assert reasons(fixes)["db-deletion-protection-missing"] == (
        "Resources.Db.Properties.DeletionProtection is set from parameter Protect (!Ref Protect), which the "
        "template reads 2 times: changing its Default would change more than this setting")


def test_a_parameter_given_at_deployment_is_left_alone_with_the_reason(write_tree):
    root = write_tree({"db.yaml": DB})
    fixes = planned(root, template_options=TemplateOptions(parameters={"Protect": "false"}))
    assert "whose value is given at deployment (--parameters sets Protect = " in \
        reasons(fixes)["db-deletion-protection-missing"]


def test_a_value_chosen_by_a_condition_is_left_alone_with_the_reason(write_tree):
    text = DB.replace("!Ref Protect", "!If [IsProd, true, false]").replace(
        "Resources:", "Conditions:\n  IsProd: !Equals [!Ref Protect, \"true\"]\nResources:")
    fixes = planned(write_tree({"db.yaml": text}), template_options=TemplateOptions(assume_worst=True))
    assert reasons(fixes)["db-deletion-protection-missing"] == \
        "Resources.Db.Properties.DeletionProtection is chosen by a condition (!If)"


def test_a_listener_redirects_when_an_https_listener_is_beside_it(write_tree):
    text = """\
Resources:
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Subnets: [subnet-1, subnet-2]
  Tg:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {Port: 8080, Protocol: HTTP, VpcId: vpc-1}
  Https:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: 443
      Protocol: HTTPS
      SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
      Certificates: [{CertificateArn: arn:aws:acm:eu-west-1:123456789012:certificate/abc}]
      DefaultActions: [{Type: forward, TargetGroupArn: !Ref Tg}]
  Http:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: 80
      Protocol: HTTP
      DefaultActions:
        - Type: forward
          TargetGroupArn: !Ref Tg
"""
    root = write_tree({"lb.yaml": text})
    fixes = planned(root, select=["lb-listener-plaintext"])
    assert fixes.edited()["lb.yaml"] == text.replace("""\
        - Type: forward
          TargetGroupArn: !Ref Tg
""", """\
        - Type: redirect
          RedirectConfig:
            Protocol: HTTPS
            Port: "443"
            StatusCode: HTTP_301
""")


BUCKET = {
    "Resources": {
        "Reports": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "reports"}},
    },
}


def test_a_json_template_keeps_its_indentation(write_tree):
    text = json.dumps(BUCKET, indent=4) + "\n"
    fixes = planned(write_tree({"bucket.json": text}), select=["s3-versioning-missing"])
    expected = json.loads(text)
    expected["Resources"]["Reports"]["Properties"]["VersioningConfiguration"] = {"Status": "Enabled"}
    assert fixes.edited()["bucket.json"] == json.dumps(expected, indent=4) + "\n"


def test_a_resource_a_loop_generates_is_left_alone_with_the_reason(write_tree):
    text = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Buckets:
    - Name
    - [a, b]
    - Bucket${Name}:
        Type: AWS::S3::Bucket
"""
    fixes = planned(write_tree({"loop.yaml": text}), select=["s3-versioning-missing"])
    assert not fixes.fixes
    assert {u.reason for u in fixes.unfixed} == {
        f"resource Bucket{name} is not written in the template (a Fn::ForEach loop may generate it: no edit is made "
        "inside a loop)" for name in "ab"}


def test_fix_prints_the_diff_of_a_template_and_writes_only_with_write(write_tree):
    root = write_tree({"db.yaml": DB.replace("!Ref Protect", "false")})
    printed = CliRunner().invoke(cli, ["fix", "--select", "db-deletion-protection-missing", str(root)])
    assert printed.exit_code == 1, printed.output
    assert "-      DeletionProtection: false\n+      DeletionProtection: true\n" in printed.output
    assert "DeletionProtection: false" in (root / "db.yaml").read_text(encoding="utf-8")
    written = CliRunner().invoke(cli, ["fix", "--write", "--select", "db-deletion-protection-missing", str(root)])
    assert written.exit_code == 0, written.output
    assert "DeletionProtection: true" in (root / "db.yaml").read_text(encoding="utf-8")


def test_fixes_that_would_each_add_properties_are_made_one_run_at_a_time(write_tree):
    # Each fix alone adds `Properties:`; together they would write it three times.
    root = write_tree({"b.yaml": 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Bucket:\n'
                                 "    Type: AWS::S3::Bucket\n"})
    select = ["s3-public-access-block-missing", "s3-versioning-missing", "s3-kms-encryption-missing"]
    first = planned(root, select=select)
    assert [f.finding.control for f in first.fixes] == ["s3-public-access-block-missing"]
    assert {u.reason for u in first.unfixed} == {
        "with the fix of IAC-S3-003 on Bucket in the same file it would not read back: run fix again once that one "
        "is applied"}
    written = CliRunner().invoke(cli, ["fix", "--write", *(f"--select={s}" for s in select), str(root)])
    assert written.exit_code == 0, written.output
    second = planned(root, select=select)
    assert sorted(f.finding.control for f in second.fixes) == ["s3-kms-encryption-missing", "s3-versioning-missing"]
    assert (root / "b.yaml").read_text(encoding="utf-8").count("Properties:") == 1


def test_a_nested_stacks_resource_is_fixed_in_its_own_template_and_a_value_its_parent_passes_is_not(write_tree):
    parent = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Data:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: stacks/data.yaml
      Parameters:
        Protect: "false"
"""
    child = DB + """\
  Reports:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t4g.medium
      StorageEncrypted: true
      BackupRetentionPeriod: 7
      DeletionProtection: false
"""
    fixes = planned(write_tree({"parent.yaml": parent, "stacks/data.yaml": child}),
                    select=["db-deletion-protection-missing"])
    assert [f.finding.resource for f in fixes.fixes] == ["Data.Reports"]
    assert fixes.edited() == {"stacks/data.yaml": child.replace("DeletionProtection: false",
                                                                "DeletionProtection: true")}
    assert reasons(fixes)["db-deletion-protection-missing"].endswith(
        "whose value is given at deployment (parent.yaml:8 passes Protect = \"false\" to stack Data): change it there")


def test_a_secret_beside_the_edit_is_masked_in_every_report(write_tree):
    secret = "Zq8vWm3KpL0sXr5tNy"
    text = DB.replace("      BackupRetentionPeriod: 7\n", f"      MasterUserPassword: {secret}\n"
                      "      Credentials: {Password: " + secret + "}\n").replace("!Ref Protect", "false")
    root = write_tree({"db.yaml": text})
    for fmt in ("json", "markdown", "sarif"):
        out = CliRunner().invoke(cli, ["scan", str(root), "--format", fmt])
        assert secret not in out.output and secret[:5] not in out.output, fmt
    report = json.loads(CliRunner().invoke(cli, ["scan", str(root), "--format", "json"]).output)
    diffs = [f["fix"]["diff"] for f in report["findings"] if f.get("fix")]
    assert any("(a line holding a secret, not shown)" in d for d in diffs)


def test_which_lines_hold_a_secret():
    from iac_assist.fixes.secrets import holds_secret

    assert holds_secret('  password = "hunter2hunter2"')
    assert holds_secret("      MasterUserPassword: hunter2hunter2  # rotate")
    assert holds_secret('    "DbPassword": "hunter2hunter2",')
    assert not holds_secret("  manage_master_user_password = true")
    assert not holds_secret("      MasterUserPassword: !Ref DbPassword")
    assert not holds_secret("  password = var.db_password")
    assert not holds_secret("  minimum_password_length = 14")
