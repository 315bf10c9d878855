"""Nested stacks with a local TemplateURL, CDK output, and JSON/YAML parity."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from iac_assist.analysis.engine import build_graph, scan
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
    assert {e.category for e in result.errors if "not analysed" in e.message} == {"remote-template"}


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


PASSING = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  ParentVpc: {Type: String}
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.1.0.0/16}
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: app, VpcId: !Ref ParentVpc}
Outputs:
  GivenVpc: {Value: !Ref ParentVpc}
  OwnVpc: {Value: !Ref Vpc}
  Group: {Value: !Ref Sg}
"""
READING = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  Inner:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: inner.yaml
      Parameters: {ParentVpc: !Ref Vpc}
  First:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: first, VpcId: !GetAtt Inner.Outputs.GivenVpc}
  Second:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: second, VpcId: !GetAtt Inner.Outputs.OwnVpc}
  Third:
    Type: AWS::EC2::SecurityGroup
    Properties: {GroupDescription: third, VpcId: !GetAtt Inner.Outputs.GivenVpc}
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      VPCSecurityGroups: [!GetAtt Inner.Outputs.Group, !GetAtt Inner.Outputs.Group]
"""


def test_every_output_read_of_a_nested_stack_resolves_as_the_first(write_tree, monkeypatch):
    # A nested stack is resolved once per stack reading its outputs, not once per output read;
    # what the parent passed in still names the parent's resource on every read.
    from iac_assist.parsers.cloudformation import template

    resolved: list[str] = []
    real = template.outputs
    monkeypatch.setattr(template, "outputs", lambda text, file, *args: (resolved.append(file), real(
        text, file, *args))[1])
    root = write_tree({"app.yaml": READING, "inner.yaml": PASSING})
    graph, _ = build_graph([root])
    by_address = {c.address: c for c in graph.components.values()}
    vpc_of = {name: graph.resolve(by_address[name], by_address[name].get("vpc"), "ec2.vpc").address
              for name in ("First", "Second", "Third", "Inner.Sg")}
    assert vpc_of == {"First": "Vpc", "Second": "Inner.Vpc", "Third": "Vpc", "Inner.Sg": "Vpc"}
    db = by_address["Db"]
    assert [graph.resolve(db, g).address for g in db.get("security_groups")] == ["Inner.Sg", "Inner.Sg"]
    assert resolved == ["inner.yaml"]


# -- list parameters across stacks, packaged templates (remote TemplateURL) ----------------------

NESTED_LISTS = Path(__file__).parent / "fixtures" / "cfn-nested-lists"
NESTED_LISTS_FINDINGS = {
    ("IAC-LB-003", "Application.LoadBalancer", "templates/app.yaml", 23),
    ("IAC-LB-004", "Application.LoadBalancer", "templates/app.yaml", 23),
    ("IAC-LB-005", "Application.LoadBalancer", "templates/app.yaml", 23),
    ("IAC-LB-001", "Application.HttpListener", "templates/app.yaml", 34),
    ("IAC-LB-006", "Application.LoadBalancer", "templates/app.yaml", 43),  # HTTP target group
    ("IAC-EC2-001", "Application.Worker", "templates/app.yaml", 49),
    ("IAC-EC2-003", "Application.Worker", "templates/app.yaml", 49),
    # Passed the public subnets (a List<Subnet::Id> joined from the network stack's output).
    ("IAC-RDS-002", "Application.ReportingDatabase", "templates/app.yaml", 88),
    ("IAC-RDS-006", "Application.ReportingDatabase", "templates/app.yaml", 89),
    ("IAC-VPC-004", "Network.Vpc", "templates/vpc.yaml", 8),
}


def test_list_parameters_joined_by_the_parent_keep_their_subnets(tmp_path):
    import shutil

    from iac_assist.threatmodel.build import build
    from iac_assist.threatmodel.zones import subnets_of

    root = tmp_path / "repo"
    shutil.copytree(NESTED_LISTS, root)
    result = scan([root])
    assert {(f.rule_id, f.resource, f.loc.file, f.loc.line) for f in result.findings} == NESTED_LISTS_FINDINGS
    assert not result.has_errors
    graph = result.graph

    def component(address: str):
        return next(c for c in graph.components.values() if c.address == address)

    def placed(address: str) -> set[str]:
        return {s.address for s in subnets_of(graph, component(address))}

    # !Join [",", [!GetAtt ..PrivateSubnet1, ..PrivateSubnet2]] into a CommaDelimitedList used with !Ref
    assert placed("Application.Database") == {"Network.PrivateSubnet1", "Network.PrivateSubnet2"}
    # an output joined in the child stack, into a List<AWS::EC2::Subnet::Id>
    assert placed("Application.ReportingDatabase") == {"Network.PublicSubnet1", "Network.PublicSubnet2"}
    assert placed("Application.LoadBalancer") == {"Network.PublicSubnet1", "Network.PublicSubnet2"}
    # !Select [0, !Ref PrivateSubnets]
    assert placed("Application.Worker") == {"Network.PrivateSubnet1"}
    # !Split [",", !Ref PrivateSubnetIds] of a joined string
    cache = component("Application.CacheSubnetGroup")
    assert {graph.resolve(cache, ref).address for ref in cache.get("attributes")["SubnetIds"]} == {
        "Network.PrivateSubnet1", "Network.PrivateSubnet2"}
    zones = {c.id: c.zone for c in build(result).components}
    assert (zones["Application.Database"], zones["Application.ReportingDatabase"]) == ("private", "public")
    assert (zones["Application.Worker"], zones["Application.LoadBalancer"]) == ("private", "public")
    # Packaged layout: the remote URLs are followed to the templates of the same name, said so; the
    # network template is analysed only through its parent (no unprefixed copy).
    assert {(e.file, e.line, e.level, e.category) for e in result.errors} == {
        ("main.yaml", 11, "warning", ""), ("main.yaml", 17, "warning", "")}
    assert all("analysed in its place" in e.message for e in result.errors)
    assert "Vpc" not in {c.address for c in graph.components.values()}


def test_remote_template_urls_can_be_left_unfollowed(tmp_path):
    import shutil

    from click.testing import CliRunner

    from iac_assist.cli import cli

    root = tmp_path / "repo"
    shutil.copytree(NESTED_LISTS, root)
    out = CliRunner().invoke(cli, ["scan", str(root), "--no-local-nested-templates", "--format", "json"])
    report = json.loads(out.stdout)
    remote = [e for e in report["errors"] if "is remote; not analysed" in e["message"]]
    assert [(e["file"], e["line"]) for e in remote] == [("main.yaml", 11), ("main.yaml", 17)]
    assert all(e.get("category", "remote-template") == "remote-template" for e in remote)
    # Nothing binds the children now: each is analysed on its own, its parameters unknown.
    resources = {f["resource"] for f in report["findings"]}
    assert {"HttpListener", "Vpc"} <= resources
    assert not any(r.startswith(("Application.", "Network.")) for r in resources)
    result = scan([root], template_options=TemplateOptions(local_nested_templates=False))
    assert {e.category for e in result.errors if "remote" in e.message} == {"remote-template"}


def test_a_remote_url_whose_name_several_templates_share_is_not_followed(write_tree):
    parent = PARENT.replace("TemplateURL: ./stacks/data.yaml", "TemplateURL: https://s3.amazonaws.com/b/data.yaml")
    root = write_tree({"parent.yaml": parent, "stacks/data.yaml": CHILD, "old/data.yaml": CHILD})
    result = scan([root])
    ambiguous = [e for e in result.errors if "several templates" in e.message]
    assert [(e.file, e.line, e.level, e.category) for e in ambiguous] == [
        ("parent.yaml", 14, "warning", "remote-template")]
    assert "old/data.yaml, stacks/data.yaml" in ambiguous[0].message
    # Both are analysed on their own, with their defaults (Public: "false").
    assert {c.address for c in result.graph.components.values()} >= {"Db", "Data"}
    assert findings(root) == set()


# -- only a real binding makes a template a nested stack ---------------------------------------

def test_a_template_named_in_a_comment_is_still_analysed(write_tree):
    mention = '# The data tier was split out; see TemplateURL: ./stacks/data.yaml\n' + BUCKET
    child = CHILD.replace('    Default: "false"', '    Default: "true"')
    root = write_tree({"other.yaml": mention, "stacks/data.yaml": child})
    for jobs in (1, 2):
        result = scan([root], jobs=jobs)
        assert {(f.control, f.resource, f.loc.file, f.loc.line) for f in result.findings
                if f.control == "db-publicly-accessible"} == {("db-publicly-accessible", "Db", "stacks/data.yaml", 22)}


def test_a_child_whose_parent_failed_or_cannot_bind_it_is_analysed_on_its_own(write_tree):
    child = CHILD.replace('    Default: "false"', '    Default: "true"')
    broken = PARENT.replace("Resources:\n", "Resources:\n  Broken: [\n")
    never = PARENT.replace("  Data:\n    Type: AWS::CloudFormation::Stack\n",
                           "  Data:\n    Type: AWS::CloudFormation::Stack\n    Condition: Never\n").replace(
        "Resources:\n", 'Conditions:\n  Never: !Equals ["a", "b"]\nResources:\n')
    for parent in (broken, never):
        root = write_tree({"parent.yaml": parent, "stacks/data.yaml": child})
        result = scan([root])
        assert findings(root) == {("db-publicly-accessible", "Db", "stacks/data.yaml", 22)}, parent
        assert "stacks/data.yaml" in result.files


BUCKET = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Logs:
    Type: AWS::S3::Bucket
"""


def test_a_remote_url_picks_the_template_whose_folders_match_its_path(write_tree):
    parent = PARENT.replace("TemplateURL: ./stacks/data.yaml",
                            "TemplateURL: https://artifacts.s3.amazonaws.com/release-7/stacks/data.yaml")
    root = write_tree({"parent.yaml": parent, "stacks/data.yaml": CHILD, "legacy/data.yaml": CHILD})
    assert findings(root) == {("db-publicly-accessible", "Data.Db", "stacks/data.yaml", 22)}
