"""The AWS::LanguageExtensions transform: Fn::ForEach expanded, Fn::Length, Fn::ToJsonString and
Fn::FindInMap's DefaultValue resolved."""

from __future__ import annotations

import json

from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.model import Unknown
from iac_assist.parsers.cloudformation import load_template
from iac_assist.parsers.cloudformation.options import TemplateOptions

BUCKETS = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Parameters:
  Sites:
    Type: CommaDelimitedList
    Default: "Logs, Site"
Mappings:
  Access:
    Logs: {Acl: Private}
    Site: {Acl: PublicRead}
    Media: {Acl: PublicReadWrite}
Resources:
  Fn::ForEach::Buckets:
    - Name
    - !Ref Sites
    - ${Name}Bucket:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Sub "orders-${Name}-${AWS::AccountId}"
          AccessControl: !FindInMap [Access, !Ref Name, Acl]
  Plain:
    Type: AWS::S3::Bucket
Outputs:
  Fn::ForEach::Names:
    - Name
    - !Ref Sites
    - ${Name}BucketName:
        Value: !Ref
          Fn::Sub: ${Name}Bucket
"""


def findings(root, control: str, **options) -> set[tuple[str, str, int]]:
    result = scan([root], template_options=TemplateOptions(**options))
    assert not result.has_errors, [str(e) for e in result.errors]
    return {(f.resource, f.loc.file, f.loc.line) for f in result.findings if f.control == control}


def test_for_each_is_expanded_and_findings_point_into_the_loop(write_tree):
    root = write_tree({"buckets.yaml": BUCKETS})
    result = scan([root])
    assert [str(e) for e in result.errors] == []
    addresses = {c.address for c in result.graph.components.values()}
    assert {"LogsBucket", "SiteBucket", "Plain"} <= addresses
    # The AccessControl line of the templated resource.
    assert findings(root, "s3-public-read") == {("SiteBucket", "buckets.yaml", 20)}
    site = next(c for c in result.graph.components.values() if c.address == "SiteBucket")
    assert (site.loc.line, site.loc.end_line) == (16, 20)


def test_the_collection_takes_the_deployments_parameters(write_tree):
    root = write_tree({"buckets.yaml": BUCKETS})
    assert findings(root, "s3-public-write", parameters={"Sites": "Logs,Media"}) == {
        ("MediaBucket", "buckets.yaml", 20)}
    assert findings(root, "s3-public-read", parameters={"Sites": "Logs"}) == set()


def test_a_collection_not_known_before_deployment_is_reported_not_guessed(write_tree):
    text = BUCKETS.replace('    Default: "Logs, Site"\n', "")
    root = write_tree({"buckets.yaml": text})
    result = scan([root])
    assert not result.has_errors
    lines = text.splitlines()
    loops = [lines.index("  Fn::ForEach::Buckets:") + 1, lines.index("  Fn::ForEach::Names:") + 1]
    assert [(e.file, e.line, e.level, e.category) for e in result.errors] == [
        ("buckets.yaml", line, "warning", "transform-unexpanded") for line in loops]
    assert "collection is not known" in result.errors[0].message
    assert {c.address for c in result.graph.components.values()} == {"Plain"}
    out = CliRunner().invoke(cli, ["scan", str(root), "--format", "json"])
    assert [e["line"] for e in json.loads(out.stdout)["errors"]] == loops


def test_without_the_transform_a_loop_is_not_expanded(write_tree):
    root = write_tree({"buckets.yaml": BUCKETS.replace("Transform: AWS::LanguageExtensions\n", "")})
    result = scan([root])
    loops = [(e.line, e.category) for e in result.errors if "Fn::ForEach" in e.message]
    assert loops == [(12, "transform-unexpanded")]
    assert findings(root, "s3-public-read") == set()


NESTED = """AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Resources:
  Fn::ForEach::Tiers:
    - Tier
    - [web, app]
    - Fn::ForEach::Ports:
        - Port
        - ["22", "443"]
        - "&{Tier}Port${Port}":
            Type: AWS::EC2::SecurityGroupIngress
            Properties:
              GroupId: !Ref Group
              IpProtocol: tcp
              FromPort: !Ref Port
              ToPort: !Ref Port
              CidrIp: 0.0.0.0/0
              Description: !Sub "${Tier} tier"
  Group:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: tiers
"""


def test_nested_loops_and_alphanumeric_identifiers(write_tree):
    root = write_tree({"sg.yaml": NESTED})
    result = scan([root])
    assert [str(e) for e in result.errors] == []
    resources, _ = load_template(root / "sg.yaml", root)
    by_address = {r.address: r for r in resources}
    assert set(by_address) == {"webPort22", "webPort443", "appPort22", "appPort443", "Group"}
    assert by_address["appPort22"].get("FromPort") == "22"
    assert by_address["appPort22"].get("Description") == "app tier"
    assert by_address["appPort22"].loc.line == 10
    admin = [(f.resource, f.loc.line, f.message) for f in result.findings if f.control == "sg-admin-ports-open"]
    # On the loop's CidrIp line, once per generated rule that opens port 22.
    assert [(r, line) for r, line, _ in admin] == [("Group", 17), ("Group", 17)]
    assert sorted(m.split("through rule ")[1].split()[0] for *_, m in admin) == ["appPort22", "webPort22"]


def test_loops_that_would_multiply_the_template_are_bounded(write_tree):
    items = "[" + ", ".join(f'"{i}"' for i in range(40)) + "]"
    loops = "".join(f"{'  ' * (2 * i + 1)}Fn::ForEach::L{i}:\n{'  ' * (2 * i + 2)}- V{i}\n"
                    f"{'  ' * (2 * i + 2)}- {items}\n{'  ' * (2 * i + 2)}-\n" for i in range(3))
    key = "x".join(f"${{V{i}}}" for i in range(3))
    body = f"{'  ' * 7}B{key}:\n{'  ' * 8}Type: AWS::S3::Bucket\n"
    template = f"AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::LanguageExtensions\nResources:\n{loops}{body}"
    root = write_tree({"big.yaml": template})
    result = scan([root])
    assert [(e.line, e.category) for e in result.errors] == [(4, "transform-unexpanded")]
    assert "more than 5000" in result.errors[0].message


def test_length_to_json_string_and_find_in_map_default(tmp_path):
    (tmp_path / "t.yaml").write_text("""AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Parameters:
  Zones:
    Type: CommaDelimitedList
    Default: "a,b,c"
  Env:
    Type: String
    Default: staging
Mappings:
  Retention:
    prod: {Days: 35}
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      BackupRetentionPeriod: !FindInMap [Retention, !Ref Env, Days, DefaultValue: 1]
      AllocatedStorage: !Length {Ref: Zones}
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: !ToJsonString {deadLetterTargetArn: arn:aws:sqs:eu-west-1:1:dlq, maxReceiveCount: 3}
      Tags:
        - Key: source
          Value: !ToJsonString [!GetAtt Db.Endpoint.Address]
""")
    resources, errors = load_template(tmp_path / "t.yaml", tmp_path)
    assert errors == []
    db, queue = resources
    assert db.get("BackupRetentionPeriod") == 1
    assert db.get("AllocatedStorage") == 3
    assert queue.get("RedrivePolicy") == '{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:1:dlq","maxReceiveCount":3}'
    source = queue.get("Tags", 0, "Value")
    assert isinstance(source, Unknown) and [r.address for r in source.refs] == ["Db"]
    resources, _ = load_template(tmp_path / "t.yaml", tmp_path, TemplateOptions(parameters={"Env": "prod"}))
    assert resources[0].get("BackupRetentionPeriod") == 35


def test_json_templates_expand_alike(write_tree):
    from cfnlint.decode import decode_str

    template, _ = decode_str(BUCKETS)
    root = write_tree({"buckets.json": json.dumps(template, indent=2, default=str)})
    text = (root / "buckets.json").read_text().splitlines()
    line = next(i for i, row in enumerate(text, 1) if '"AccessControl"' in row)
    assert findings(root, "s3-public-read") == {("SiteBucket", "buckets.json", line)}
    resources, _ = load_template(root / "buckets.json", root)
    site = next(r for r in resources if r.address == "SiteBucket")
    # From the templated key to the brace closing it.
    assert site.loc.line == next(i for i, row in enumerate(text, 1) if '"${Name}Bucket"' in row)
    assert text[site.loc.end_line - 1].strip() == "}" and site.loc.end_line > line
