"""Nested stacks with a local TemplateURL, CDK output, and JSON/YAML parity."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from iac_assist.engine import build_graph, scan
from iac_assist.parsers.cloudformation.options import TemplateOptions

PARENT = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Public:
    Type: String
    Default: "true"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Data:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./stacks/data.yaml
      Parameters:
        Public: !Ref Public
        VpcId: !Ref Vpc
  Remote:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: https://s3.amazonaws.com/bucket/remote.yaml
"""
CHILD = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Public:
    Type: String
    Default: "false"
  VpcId:
    Type: AWS::EC2::VPC::Id
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 192.168.0.0/16
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: database
      VpcId: !Ref VpcId
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      PubliclyAccessible: !Ref Public
      VPCSecurityGroups: [!Ref Sg]
"""


def findings(root: Path, **options) -> set[tuple[str, str, str, int]]:
    result = scan([root], template_options=TemplateOptions(**options))
    return {(f.control, f.resource, f.loc.file, f.loc.line) for f in result.findings
            if f.control == "db-publicly-accessible"}


def test_child_stack_is_analysed_with_the_parameters_its_parent_passes(write_tree):
    root = write_tree({"parent.yaml": PARENT, "stacks/data.yaml": CHILD})
    # On its own the child's default would make the database private; through its parent it is public,
    # and it is analysed only through its parent (no second, default-valued copy).
    assert findings(root) == {("db-publicly-accessible", "Data.Db", "stacks/data.yaml", 22)}
    assert findings(root, parameters={"Public": "false"}) == set()


def test_child_addresses_are_prefixed_and_references_resolve_across_the_boundary(write_tree):
    root = write_tree({"parent.yaml": PARENT, "stacks/data.yaml": CHILD})
    graph, result = build_graph([root])
    addresses = {c.address for c in graph.components.values()}
    assert {"Vpc", "Data", "Data.Vpc", "Data.Sg", "Data.Db"} <= addresses
    sg = next(c for c in graph.components.values() if c.address == "Data.Sg")
    vpc = graph.resolve(sg, sg.get("vpc"), "ec2.vpc")
    assert vpc is not None and vpc.address == "Vpc"  # the parent's VPC, not the child's own "Vpc"
    db = next(c for c in graph.components.values() if c.address == "Data.Db")
    assert [graph.resolve(db, g).address for g in db.get("security_groups")] == ["Data.Sg"]
    assert set(result.files) == {"parent.yaml", "stacks/data.yaml"}
    messages = [str(e) for e in result.errors]
    assert any("parent.yaml:21" in m and "remote; not analysed" in m for m in messages), messages


def test_nested_stack_cycles_and_escapes_are_refused(write_tree, tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-outside.yaml"
    outside.write_text(CHILD)
    root = write_tree({
        "a/a.yaml": PARENT.replace("./stacks/data.yaml", "../b/b.yaml"),
        "b/b.yaml": PARENT.replace("./stacks/data.yaml", "../a/a.yaml"),
        "c/c.yaml": PARENT.replace("./stacks/data.yaml", f"../../{outside.name}"),
    })
    result = scan([root])
    messages = [str(e) for e in result.errors]
    assert any("cycle" in m for m in messages), messages
    assert any("outside the scanned root" in m for m in messages), messages


def test_cdk_path_names_the_resource_in_messages(write_tree):
    template = {
        "Resources": {
            "SiteBucket397A1860": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"AccessControl": "PublicRead"},
                "Metadata": {"aws:cdk:path": "WebStack/SiteBucket/Resource"},
            }
        }
    }
    root = write_tree({"cdk.out/WebStack.template.json": json.dumps(template, indent=1)})
    result = scan([root])
    public = [f for f in result.findings if f.control == "s3-public-read"]
    assert [(f.resource, f.loc.file, f.loc.line) for f in public] == [
        ("SiteBucket397A1860", "cdk.out/WebStack.template.json", 6)]
    assert "WebStack/SiteBucket/Resource" in public[0].message


def test_seed_app_json_and_yaml_give_identical_findings(tmp_path):
    from tests.conftest import SEED

    source = (SEED / "cloudformation" / "insecure.yaml").read_text()
    # Long-form intrinsics in JSON, from the YAML's decoded tree.
    from cfnlint.decode import decode_str

    template, _ = decode_str(source)
    as_json = json.dumps(template, indent=2, default=str)
    (tmp_path / "yaml").mkdir()
    (tmp_path / "json").mkdir()
    (tmp_path / "yaml" / "t.yaml").write_text(source)
    (tmp_path / "json" / "t.json").write_text(as_json)
    (tmp_path / "long").mkdir()
    (tmp_path / "long" / "t.yaml").write_text(yaml.safe_dump(json.loads(as_json), sort_keys=False))

    def controls(folder: str) -> list[tuple[str, str]]:
        return sorted((f.control, f.resource) for f in scan([tmp_path / folder]).findings)

    assert controls("yaml") == controls("json") == controls("long")
    assert controls("yaml")


NETWORK = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Igw:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: {VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw}
  PublicRoutes:
    Type: AWS::EC2::RouteTable
    Properties: {VpcId: !Ref Vpc}
  DefaultRoute:
    Type: AWS::EC2::Route
    Properties: {RouteTableId: !Ref PublicRoutes, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw}
  PublicA:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref Vpc, CidrBlock: 10.0.0.0/24}
  PublicAssoc:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: {SubnetId: !Ref PublicA, RouteTableId: !Ref PublicRoutes}
Outputs:
  PublicSubnet:
    Value: !Ref PublicA
"""
APP = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Network:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: network.yaml
  DbSubnets:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: db
      SubnetIds: [!GetAtt Network.Outputs.PublicSubnet]
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBSubnetGroupName: !Ref DbSubnets
"""


def test_outputs_of_a_nested_stack_connect_the_graph(write_tree):
    root = write_tree({"app.yaml": APP, "network.yaml": NETWORK})
    result = scan([root])
    found = {(f.control, f.resource, f.loc.file, f.loc.line) for f in result.findings
             if f.control == "db-in-public-subnet"}
    assert found == {("db-in-public-subnet", "Db", "app.yaml", 11)}
