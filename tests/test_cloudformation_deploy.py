"""CloudFormation as it would deploy: parameter values, open conditions, --assume-worst."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.parsers.cloudformation.options import TemplateOptions, read_parameters

BUCKET = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Acl:
    Type: String
    Default: PublicRead
Resources:
  Site:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: !Ref Acl
"""

GATED_DATABASE = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [!Ref Env, dev]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      PubliclyAccessible: !If [IsProd, false, true]
  DevOnlyDb:
    Type: AWS::RDS::DBInstance
    Condition: IsDev
    Properties:
      Engine: postgres
      PubliclyAccessible: true
  ProdOnlyDb:
    Type: AWS::RDS::DBInstance
    Condition: IsProd
    Properties:
      Engine: mysql
      PubliclyAccessible: !If [IsDev, true, false]
"""


def found(root: Path, control: str, **options) -> set[tuple[str, int]]:
    result = scan([root], template_options=TemplateOptions(**options))
    assert not result.has_errors, [str(e) for e in result.errors]
    return {(f.resource, f.loc.line) for f in result.findings if f.control == control}


def test_parameter_default_makes_the_bucket_public(write_tree):
    root = write_tree({"t.yaml": BUCKET})
    assert found(root, "s3-public-read") == {("Site", 10)}


def test_a_parameters_file_that_makes_it_private_is_obeyed(write_tree):
    root = write_tree({"t.yaml": BUCKET, "prod.json": json.dumps(
        [{"ParameterKey": "Acl", "ParameterValue": "Private"}])})
    assert found(root, "s3-public-read", parameters=read_parameters([str(root / "prod.json")])) == set()
    assert found(root, "s3-public-read", parameters=read_parameters(["Acl=Private"])) == set()


@pytest.mark.parametrize(("text", "name"), [
    ('[{"ParameterKey": "Env", "ParameterValue": "prod"}, {"ParameterKey": "N", "ParameterValue": "1"}]', "p.json"),
    ('{"Parameters": {"Env": "prod", "N": 1}}', "p.json"),
    ('{"Env": "prod", "N": "1"}', "p.json"),
    ("# deployment\nEnv=prod\nN = 1\n", "p.properties"),
])
def test_parameter_file_shapes(tmp_path, text, name):
    (tmp_path / name).write_text(text)
    assert read_parameters([str(tmp_path / name)]) == {"Env": "prod", "N": "1"}


def test_bad_parameter_arguments_are_usage_errors(tmp_path):
    (tmp_path / "bad.json").write_text('[{"Key": "x"}]')
    runner = CliRunner()
    out = runner.invoke(cli, ["scan", str(tmp_path), "--parameters", str(tmp_path / "bad.json")])
    assert out.exit_code == 2 and "bad.json" in out.output
    out = runner.invoke(cli, ["scan", str(tmp_path), "--parameters", "nonsense"])
    assert out.exit_code == 2 and "neither a file nor Key=Value" in out.output


def test_open_condition_reports_only_what_holds_in_every_deployment(write_tree):
    root = write_tree({"t.yaml": GATED_DATABASE})
    # Db is public unless Env is prod: not in every deployment. DevOnlyDb exists only when
    # Env is dev, and is public in every deployment that creates it. ProdOnlyDb is never public
    # (IsDev is false whenever it exists).
    assert found(root, "db-publicly-accessible") == {("DevOnlyDb", 19)}


def test_assume_worst_reports_what_holds_in_any_deployment(write_tree):
    root = write_tree({"t.yaml": GATED_DATABASE})
    assert found(root, "db-publicly-accessible", assume_worst=True) == {("Db", 13), ("DevOnlyDb", 19)}


def test_given_parameters_close_the_conditions(write_tree):
    root = write_tree({"t.yaml": GATED_DATABASE})
    assert found(root, "db-publicly-accessible", parameters={"Env": "dev"}) == {("Db", 13), ("DevOnlyDb", 19)}
    assert found(root, "db-publicly-accessible", parameters={"Env": "prod"}) == set()
    assert found(root, "db-publicly-accessible", parameters={"Env": "test"}) == {("Db", 13)}


ALLOWED = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Public:
    Type: String
    AllowedValues: ["true", "false"]
%s
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      PubliclyAccessible: !Ref Public
"""


def test_allowed_values_the_default_decides_unless_assuming_the_worst(write_tree):
    root = write_tree({"t.yaml": ALLOWED % '    Default: "false"'})
    assert found(root, "db-publicly-accessible") == set()
    assert found(root, "db-publicly-accessible", assume_worst=True) == {("Db", 12)}
    assert found(root, "db-publicly-accessible", assume_worst=True, parameters={"Public": "false"}) == set()


def test_allowed_values_bound_a_parameter_without_default(write_tree):
    root = write_tree({"t.yaml": ALLOWED % ""})
    assert found(root, "db-publicly-accessible") == set()
    assert found(root, "db-publicly-accessible", assume_worst=True) == {("Db", 12)}


@pytest.mark.parametrize("declaration", [
    "    NoEcho: true\n    Default: PublicRead",
    "    Type: AWS::SSM::Parameter::Value<String>\n    Default: /site/acl",
])
def test_noecho_and_ssm_parameters_are_unknown_unless_given(write_tree, declaration):
    template = BUCKET.replace("    Type: String\n    Default: PublicRead", "    Type: String\n" + declaration)
    template = template.replace("    Type: String\n    Type: AWS::SSM", "    Type: AWS::SSM")
    root = write_tree({"t.yaml": template})
    line = template.splitlines().index("      AccessControl: !Ref Acl") + 1
    assert found(root, "s3-public-read") == set()
    assert found(root, "s3-public-read", parameters={"Acl": "PublicRead"}) == {("Site", line)}


def test_too_many_worlds_fall_back_to_unknown_with_a_warning(write_tree):
    params = "".join(f"  P{i}:\n    Type: String\n" for i in range(7))
    conditions = "".join(f"  C{i}: !Equals [!Ref P{i}, x]\n" for i in range(7))
    template = f"""AWSTemplateFormatVersion: "2010-09-09"
Parameters:
{params}Conditions:
{conditions}Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      PubliclyAccessible: !If [C0, true, true]
"""
    root = write_tree({"t.yaml": template})
    result = scan([root])
    assert not result.has_errors
    assert any("128 combinations" in str(e) for e in result.errors)


def test_cli_parameters_and_assume_worst(write_tree):
    root = write_tree({"t.yaml": GATED_DATABASE})
    runner = CliRunner()
    # DevOnlyDb is public wherever it exists; Db only in some deployments.
    assert runner.invoke(cli, ["scan", str(root), "--fail-on", "critical"]).exit_code == 1
    assert runner.invoke(cli, ["scan", str(root), "--fail-on", "critical", "--parameters", "Env=prod"]).exit_code == 0
    assert runner.invoke(cli, ["scan", str(root), "--fail-on", "critical", "--assume-worst"]).exit_code == 1
    assert runner.invoke(cli, ["scan", str(root), "--fail-on", "critical", "--parameters", "Env=dev"]).exit_code == 1


def test_cidr_get_azs_import_value_and_dynamic_references(tmp_path):
    from iac_assist.model import Unknown
    from iac_assist.parsers.cloudformation import load_template

    (tmp_path / "t.yaml").write_text("""AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      CidrBlock: !Select [1, !Cidr ["10.0.0.0/16", 4, 8]]
      AvailabilityZone: !Select [0, !GetAZs ""]
      VpcId: !ImportValue network-VpcId
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      MasterUserPassword: "{{resolve:secretsmanager:prod/db:SecretString:password}}"
      Port: !Length [1, 2, 3]
""")
    resources, errors = load_template(tmp_path / "t.yaml", tmp_path)
    assert errors == []
    subnet, db = resources
    assert subnet.get("CidrBlock") == "10.0.1.0/24"
    assert isinstance(subnet.get("AvailabilityZone"), Unknown)
    assert isinstance(subnet.get("VpcId"), Unknown)
    assert db.get("MasterUserPassword") == "{{resolve:secretsmanager:prod/db:SecretString:password}}"
    assert db.get("Port") == 3
