"""CloudFormation resources that exist only under a condition: judged in the deployments that
create them, their findings naming the condition."""

from __future__ import annotations

import json

from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.parsers.cloudformation.options import TemplateOptions

SITE = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
    Description: deployment environment, given at deploy time
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Site:
    Type: AWS::S3::Bucket
    Condition: IsProd
    Properties:
      AccessControl: PublicRead
  Archive:
    Type: AWS::S3::Bucket
    Condition: IsProd
    Properties:
      AccessControl: !If [IsProd, Private, PublicRead]
"""


def public(result) -> list[tuple[str, str, int, str]]:
    return [(f.resource, f.loc.file, f.loc.line, f.message) for f in result.findings if f.control == "s3-public-read"]


def test_a_resource_under_an_open_condition_is_judged_where_it_exists(write_tree):
    root = write_tree({"site.yaml": SITE})
    result = scan([root])
    assert not result.has_errors, [str(e) for e in result.errors]
    # Archive is private in every deployment that creates it (its !If follows the same condition).
    [(resource, file, line, message)] = public(result)
    assert (resource, file, line) == ("Site", "site.yaml", 13)
    assert message.endswith("(when condition IsProd holds)")


def test_a_condition_statically_false_drops_the_resource(write_tree):
    root = write_tree({"site.yaml": SITE})
    assert public(scan([root], template_options=TemplateOptions(parameters={"Env": "dev"}))) == []
    given = public(scan([root], template_options=TemplateOptions(parameters={"Env": "prod"})))
    # Decided by the parameter: no condition left to name.
    assert [(r, f, line) for r, f, line, _ in given] == [("Site", "site.yaml", 13)]
    assert "when condition" not in given[0][3]


def test_assume_worst_reports_a_finding_of_any_deployment_naming_the_condition(write_tree):
    template = SITE.replace("AccessControl: !If [IsProd, Private, PublicRead]",
                            "AccessControl: !If [IsEu, PublicRead, Private]").replace(
        "  IsProd: !Equals [!Ref Env, prod]\n",
        "  IsProd: !Equals [!Ref Env, prod]\n  IsEu: !Equals [!Ref AWS::Region, eu-west-1]\n")
    root = write_tree({"site.yaml": template})
    # Archive is public only in eu-west-1: not in every deployment that creates it.
    assert [r for r, *_ in public(scan([root]))] == ["Site"]
    worst = public(scan([root], template_options=TemplateOptions(assume_worst=True)))
    assert [(r, line) for r, _, line, _ in worst] == [("Site", 14), ("Archive", 19)]
    assert all(m.endswith("(when condition IsProd holds)") for *_, m in worst)


def test_text_and_json_reports_name_the_condition(write_tree):
    root = write_tree({"site.yaml": SITE})
    runner = CliRunner()
    text = runner.invoke(cli, ["scan", str(root), "--select", "s3-public-read"])
    assert text.exit_code == 1
    [line] = [row for row in text.output.splitlines() if "IAC-S3-001" in row]
    assert line.startswith("site.yaml:13:1: IAC-S3-001 [high]") and "Site" in line
    assert line.endswith("(when condition IsProd holds)")
    out = runner.invoke(cli, ["scan", str(root), "--select", "s3-public-read", "--format", "json"])
    report = json.loads(out.stdout)
    assert [(f["resource"], f["file"], f["line"]) for f in report["findings"]] == [("Site", "site.yaml", 13)]
    assert report["findings"][0]["message"].endswith("(when condition IsProd holds)")
    given = runner.invoke(cli, ["scan", str(root), "--select", "s3-public-read", "--parameters", "Env=dev"])
    assert given.exit_code == 0


PARENT = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  WithData:
    Type: String
    AllowedValues: ["yes", "no"]
Conditions:
  UseData: !Equals [!Ref WithData, "yes"]
Resources:
  Data:
    Type: AWS::CloudFormation::Stack
    Condition: UseData
    Properties:
      TemplateURL: data.yaml
"""
CHILD = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Tier:
    Type: String
    Default: shared
Conditions:
  Shared: !Equals [!Ref Tier, shared]
  Dedicated: !Equals [!Ref Tier, dedicated]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Condition: Shared
    Properties:
      Engine: postgres
      PubliclyAccessible: true
  Spare:
    Type: AWS::RDS::DBInstance
    Condition: Dedicated
    Properties:
      Engine: postgres
      PubliclyAccessible: true
"""


def test_a_nested_stack_under_a_condition_passes_it_to_its_resources(write_tree):
    root = write_tree({"parent.yaml": PARENT, "data.yaml": CHILD})
    result = scan([root])
    assert not result.has_errors, [str(e) for e in result.errors]
    db = [(f.resource, f.loc.file, f.loc.line, f.message) for f in result.findings
          if f.control == "db-publicly-accessible"]
    # Spare's condition is false with the child's default; Db exists when the parent's does.
    assert [(r, file, line) for r, file, line, _ in db] == [("Data.Db", "data.yaml", 15)]
    assert db[0][3].endswith("(when condition UseData holds)")
