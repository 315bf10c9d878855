"""The CloudFormation front end: decoding, intrinsics, locations and normalized facts."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from iac_assist.model import Component, Fact, Location, Ref, Unknown
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.cloudformation import NORMALIZER, load_template, looks_like_template

# -- helpers --------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "template.yaml") -> tuple[Path, str]:
    text = textwrap.dedent(text).lstrip("\n")
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path, text


def load(tmp_path: Path, text: str, name: str = "template.yaml") -> dict[str, SourceResource]:
    path, _ = write(tmp_path, text, name)
    resources, errors = load_template(path, tmp_path)
    assert errors == []
    return {r.address: r for r in resources}


def body(tmp_path: Path, properties: str, extra: str = "", resources: str = "") -> dict:
    """Properties of resource ``R`` (type AWS::Test::Thing) after resolution; ``extra`` holds
    other sections, ``resources`` other resources (indented as inside Resources)."""
    text = extra + "Resources:\n" + resources + "  R:\n    Type: AWS::Test::Thing\n    Properties:\n"
    text += textwrap.indent(textwrap.dedent(properties), " " * 6)
    return load(tmp_path, text)["R"].body


def model(tmp_path: Path, text: str) -> dict[str, Component]:
    resources = load(tmp_path, text)
    builder = ModelBuilder()
    NORMALIZER.run(resources.values(), builder)
    return builder.components


def line_of(text: str, snippet: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line of ``text`` containing ``snippet``."""
    hits = [n for n, line in enumerate(text.splitlines(), 1) if snippet in line]
    return hits[nth - 1]


# -- detection --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "AWSTemplateFormatVersion: '2010-09-09'\nDescription: x\n",
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n",
        "Resources:\n  B:\n    Type: 'AWS::S3::Bucket'\n",
        '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}',
        '{\n  "Resources" : {\n    "B" : {\n      "Type" : "AWS::SQS::Queue"\n    }\n  }\n}\n',
        "Resources:\n  Thing:\n    Type: Custom::Thing\n",  # a custom resource is a resource
    ],
)
def test_looks_like_template_accepts_templates(text: str) -> None:
    assert looks_like_template(text)


@pytest.mark.parametrize(
    "text",
    [
        "name: CI\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n",
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - resources:\n        limits: {}\n",
        '{"name": "x", "version": "1.0.0", "dependencies": {"aws-sdk": "2"}}',
        "Type: AWS::S3::Bucket\n",
        "",
    ],
)
def test_looks_like_template_rejects_other_files(text: str) -> None:
    assert not looks_like_template(text)


def test_importing_the_package_does_not_import_cfn_lint() -> None:
    code = "import sys, iac_assist.parsers.cloudformation; print('cfnlint' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- decoding and locations -----------------------------------------------------------------


def test_resource_location_label_and_locs(tmp_path: Path) -> None:
    path, text = write(
        tmp_path,
        """
        AWSTemplateFormatVersion: '2010-09-09'
        Resources:
          Site:
            Type: AWS::S3::Bucket
            Metadata:
              aws:cdk:path: App/Site/Resource
            Properties:
              BucketName: site
              Tags:
                - Key: team
                  Value: web

          # belongs to nobody
          Queue:
            Type: AWS::SQS::Queue
        Outputs:
          Name:
            Value: !Ref Site
        """,
        "stacks/web.yaml",
    )
    resources, errors = load_template(path, tmp_path)
    assert errors == []
    site, queue = resources
    assert site.address == "Site"
    assert site.type == "AWS::S3::Bucket"
    assert site.format == "cloudformation"
    assert site.label == "App/Site/Resource"
    assert site.loc == Location("stacks/web.yaml", line_of(text, "Site:"), end_line=line_of(text, "Value: web"))
    assert site.body == {"BucketName": "site", "Tags": [{"Key": "team", "Value": "web"}]}
    assert site.at("BucketName").line == line_of(text, "BucketName")
    assert site.at("Tags").line == line_of(text, "Tags:")
    assert site.at("Tags", 0).line == line_of(text, "- Key: team")
    assert site.at("Tags", 0, "Value").line == line_of(text, "Value: web")
    assert site.at("Missing") == site.loc
    assert queue.label == ""
    assert queue.body == {}
    assert (queue.loc.line, queue.loc.end_line) == (line_of(text, "Queue:"), line_of(text, "AWS::SQS::Queue"))


def test_json_template_lines(tmp_path: Path) -> None:
    template = {
        "Resources": {
            "Web": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {
                    "GroupDescription": "web {braces} \"quoted\"",
                    "SecurityGroupIngress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443}],
                },
            },
            "Other": {"Type": "AWS::SQS::Queue"},
        }
    }
    path, text = write(tmp_path, json.dumps(template, indent=2), "t.json")
    resources, errors = load_template(path, tmp_path)
    assert errors == []
    web = resources[0]
    assert web.loc.line == line_of(text, '"Web"')
    assert web.loc.end_line == line_of(text, '"Other"') - 1  # the line of its closing brace
    assert text.splitlines()[web.loc.end_line - 1].strip() == "},"
    assert web.at("SecurityGroupIngress", 0, "FromPort").line == line_of(text, '"FromPort"')
    assert web.body["SecurityGroupIngress"][0]["FromPort"] == 443


def test_decode_error_is_reported_with_file_and_line(tmp_path: Path) -> None:
    path, _ = write(tmp_path, "Resources:\n  A:\n    Type: AWS::S3::Bucket\n    Properties: [\n", "bad.yaml")
    resources, errors = load_template(path, tmp_path)
    assert resources == []
    assert len(errors) == 1
    assert errors[0].file == "bad.yaml"
    assert errors[0].line >= 4
    assert errors[0].level == "error"


def test_duplicate_keys_are_decode_errors(tmp_path: Path) -> None:
    path, _ = write(tmp_path, "Resources:\n  A:\n    Type: AWS::S3::Bucket\n  A:\n    Type: AWS::S3::Bucket\n")
    resources, errors = load_template(path, tmp_path)
    assert resources == []
    assert {e.line for e in errors} == {2, 4}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("- just\n- a list\n", "not a mapping"),
        ("Resources: [1, 2]\n", "Resources is not a mapping"),
        ("Resources:\n  A:\n    Properties: {}\n", "no Type"),
        ("Resources:\n  A: 3\n", "no Type"),
    ],
)
def test_malformed_templates_are_errors(tmp_path: Path, content: str, expected: str) -> None:
    path, _ = write(tmp_path, content)
    resources, errors = load_template(path, tmp_path)
    assert resources == []
    assert len(errors) == 1 and expected in errors[0].message


def test_unreadable_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"Resources:\n  \xff\xfe: 1\n")
    resources, errors = load_template(path, tmp_path)
    assert resources == [] and errors[0].file == "binary.yaml"


@pytest.mark.parametrize("depth", [100, 5000])
def test_deep_nesting_never_raises(tmp_path: Path, depth: int) -> None:
    deep = "[" * depth + "]" * depth
    text = f"Resources:\n  A:\n    Type: AWS::Test::Thing\n    Properties:\n      Deep: {deep}\n"
    path, _ = write(tmp_path, text)
    resources, errors = load_template(path, tmp_path)
    if depth > 1000:  # beyond what the decoder accepts: an error, not an exception
        assert resources == [] and errors[0].line == 5
        return
    assert errors == []
    node = resources[0].body["Deep"]
    while isinstance(node, list):
        node = node[0]
    assert isinstance(node, Unknown)  # the walk stopped at its depth bound


def test_for_each_without_its_transform_is_a_warning(tmp_path: Path) -> None:
    # With AWS::LanguageExtensions declared it is expanded: see test_cloudformation_foreach.py.
    path, _ = write(
        tmp_path,
        """
        Resources:
          Fn::ForEach::Buckets:
            - Name
            - [a, b]
            - ${Name}Bucket:
                Type: AWS::S3::Bucket
          Plain:
            Type: AWS::S3::Bucket
        """,
    )
    resources, errors = load_template(path, tmp_path)
    assert [r.address for r in resources] == ["Plain"]
    assert [(e.level, e.category) for e in errors] == [("warning", "transform-unexpanded")]


# -- intrinsics ---------------------------------------------------------------------------------

PARAMETERS = """
Parameters:
  Env:
    Type: String
    Default: prod
  Vpc:
    Type: AWS::EC2::VPC::Id
  Zones:
    Type: CommaDelimitedList
    Default: "a, b ,c"
  Ami:
    Type: AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>
    Default: /aws/service/ami
  Port:
    Type: Number
    Default: 8080
Mappings:
  Sizes:
    prod: {Instance: m5.large}
    "80": {Name: http}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  HasVpc: !Not [!Equals [!Ref Vpc, ""]]
  ProdOrVpc: !Or [!Condition IsProd, !Condition HasVpc]
  DevAndVpc: !And [!Condition IsDev, !Condition HasVpc]
  ProdAndVpc: !And [!Condition IsProd, !Condition HasVpc]
"""


def test_parameters_and_pseudo_parameters(tmp_path: Path) -> None:
    got = body(
        tmp_path,
        """
        Env: !Ref Env
        Vpc: !Ref Vpc
        Zones: !Ref Zones
        Ami: !Ref Ami
        Port: !Ref Port
        Region: !Ref AWS::Region
        Account: !Ref "AWS::AccountId"
        """,
        PARAMETERS,
    )
    assert got["Env"] == "prod"
    assert isinstance(got["Vpc"], Unknown)
    assert got["Zones"] == ["a", "b", "c"]
    assert isinstance(got["Ami"], Unknown)
    assert got["Port"] == 8080
    assert isinstance(got["Region"], Unknown) and isinstance(got["Account"], Unknown)


def test_no_value_removes_properties_and_items(tmp_path: Path) -> None:
    got = body(
        tmp_path,
        """
        Gone: !Ref AWS::NoValue
        Kept: 1
        List:
          - first
          - !Ref AWS::NoValue
          - !If [IsDev, dev, !Ref AWS::NoValue]
          - last
        """,
        PARAMETERS,
    )
    assert got == {"Kept": 1, "List": ["first", "last"]}


def test_references_to_resources(tmp_path: Path) -> None:
    resources = load(
        tmp_path,
        """
        Resources:
          Named:
            Type: AWS::S3::Bucket
            Properties:
              BucketName: logs
          Anonymous:
            Type: AWS::S3::Bucket
          R:
            Type: AWS::Test::Thing
            Properties:
              A: !Ref Anonymous
              B: !Ref Named
              C: !GetAtt Anonymous.Arn
              D: {"Fn::GetAtt": ["Anonymous", "DomainName"]}
              E: {"Fn::GetAtt": "Anonymous.RegionalDomainName"}
              F: !Ref Nowhere
        """,
    )
    got = resources["R"].body
    assert got["A"] == Ref("Anonymous", "Ref")
    assert got["B"] == Ref("Named", "Ref", "logs")  # Ref to a bucket is its name, stated here
    assert got["C"] == Ref("Anonymous", "Arn")
    assert got["D"] == Ref("Anonymous", "DomainName")
    assert got["E"] == Ref("Anonymous", "RegionalDomainName")
    assert isinstance(got["F"], Unknown)


def test_sub(tmp_path: Path) -> None:
    got = body(
        tmp_path,
        """
        Known: !Sub "${Env}-${Port}-x"
        Literal: !Sub "${!Env} and ${Env}"
        Whole: !Sub "${Other.Arn}"
        WholeRef: !Sub "${Other}"
        Mixed: !Sub "arn:${AWS::Partition}:s3:::${Other}/*"
        Vars: !Sub ["${A}/${B}", {A: !Ref Env, B: x}]
        VarRef: !Sub ["${A}", {A: !GetAtt Other.Arn}]
        NamedBucket: !Sub "arn:aws:s3:::${Named}/*"
        """,
        PARAMETERS,
        """
  Other:
    Type: AWS::SQS::Queue
  Named:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "${Env}-logs"
""",
    )
    assert got["Known"] == "prod-8080-x"
    assert got["Literal"] == "${Env} and prod"
    assert got["Whole"] == Ref("Other", "Arn")
    assert got["WholeRef"] == Ref("Other", "Ref")
    assert isinstance(got["Mixed"], Unknown)
    assert Ref("Other", "Ref") in got["Mixed"].refs  # the graph keeps the edge
    assert got["Vars"] == "prod/x"
    assert got["VarRef"] == Ref("Other", "Arn")
    assert got["NamedBucket"] == "arn:aws:s3:::prod-logs/*"


def test_join_select_split_find_in_map_base64(tmp_path: Path) -> None:
    got = body(
        tmp_path,
        """
        Join: !Join ["-", [a, !Ref Env, 3]]
        JoinUnknown: !Join ["-", [a, !Ref AWS::Region]]
        Select: !Select [1, !Ref Zones]
        SelectString: !Select ["0", [x, y]]
        SelectAz: !Select [0, !GetAZs ""]
        Split: !Split [",", "a,b"]
        SplitSelect: !Select [2, !Split ["-", !Sub "${Env}-one-two"]]
        Map: !FindInMap [Sizes, !Ref Env, Instance]
        MapNumberKey: !FindInMap [Sizes, 80, Name]
        MapMissing: !FindInMap [Sizes, test, Instance]
        MapDefault: !FindInMap [Sizes, test, Instance, {DefaultValue: t3.micro}]
        MapUnknown: !FindInMap [Sizes, !Ref AWS::Region, Instance]
        Base64: {"Fn::Base64": !Sub "#!/bin/sh\\necho ${Env}"}
        Import: !ImportValue shared-vpc
        Cidr: !Cidr ["10.0.0.0/16", 4, 8]
        Secret: "{{resolve:secretsmanager:db:SecretString:password}}"
        """,
        PARAMETERS,
    )
    assert got["Join"] == "a-prod-3"
    assert isinstance(got["JoinUnknown"], Unknown)
    assert got["Select"] == "b"
    assert got["SelectString"] == "x"
    assert isinstance(got["SelectAz"], Unknown)
    assert got["Split"] == ["a", "b"]
    assert got["SplitSelect"] == "two"
    assert got["Map"] == "m5.large"
    assert got["MapNumberKey"] == "http"
    assert isinstance(got["MapMissing"], Unknown)
    assert got["MapDefault"] == "t3.micro"
    assert isinstance(got["MapUnknown"], Unknown)
    assert got["Base64"] == "#!/bin/sh\necho prod"
    assert isinstance(got["Import"], Unknown)
    assert got["Cidr"] == ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"]
    assert got["Secret"] == "{{resolve:secretsmanager:db:SecretString:password}}"


def test_conditions(tmp_path: Path) -> None:
    got = body(
        tmp_path,
        """
        Prod: !If [IsProd, then, else]
        Dev: !If [IsDev, then, else]
        Unknown: !If [HasVpc, then, else]
        Or: !If [ProdOrVpc, then, else]
        AndFalse: !If [DevAndVpc, then, else]
        AndUnknown: !If [ProdAndVpc, then, else]
        Undeclared: !If [Nope, then, else]
        Nested:
          Fn::If:
            - IsProd
            - {Size: !FindInMap [Sizes, !Ref Env, Instance]}
            - !Ref AWS::NoValue
        """,
        PARAMETERS,
    )
    assert got["Prod"] == "then"
    assert got["Dev"] == "else"
    assert isinstance(got["Unknown"], Unknown)
    assert got["Or"] == "then"  # one true operand decides an Or
    assert got["AndFalse"] == "else"  # one false operand decides an And
    assert isinstance(got["AndUnknown"], Unknown)
    assert isinstance(got["Undeclared"], Unknown)
    assert got["Nested"] == {"Size": "m5.large"}


def test_unknown_condition_keeps_references_of_both_branches(tmp_path: Path) -> None:
    got = body(
        tmp_path,
        "Value: !If [HasVpc, !Ref A, !GetAtt B.Arn]\n",
        PARAMETERS,
        "  A:\n    Type: AWS::SQS::Queue\n  B:\n    Type: AWS::SQS::Queue\n",
    )
    assert isinstance(got["Value"], Unknown)
    assert set(got["Value"].refs) == {Ref("A", "Ref"), Ref("B", "Arn")}


def test_resources_with_false_conditions_are_dropped(tmp_path: Path) -> None:
    resources = load(
        tmp_path,
        PARAMETERS
        + """
Resources:
  ProdOnly:
    Type: AWS::S3::Bucket
    Condition: IsProd
  DevOnly:
    Type: AWS::S3::Bucket
    Condition: IsDev
  Maybe:
    Type: AWS::S3::Bucket
    Condition: HasVpc
""",
    )
    assert sorted(resources) == ["Maybe", "ProdOnly"]


def test_locations_follow_the_chosen_branch(tmp_path: Path) -> None:
    path, text = write(
        tmp_path,
        PARAMETERS
        + """
Resources:
  R:
    Type: AWS::Test::Thing
    Properties:
      Items:
        - !Ref AWS::NoValue
        - Fn::If:
            - IsProd
            - Name: chosen
            - Name: other
""",
    )
    resources, _ = load_template(path, tmp_path)
    res = resources[0]
    assert res.body == {"Items": [{"Name": "chosen"}]}
    assert res.at("Items", 0, "Name").line == line_of(text, "Name: chosen")


# -- normalization ------------------------------------------------------------------------------


def test_s3_bucket_and_policy(tmp_path: Path) -> None:
    text = """
    Resources:
      Site:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: site
          AccessControl: PublicRead
          PublicAccessBlockConfiguration:
            BlockPublicAcls: "false"
            BlockPublicPolicy: true
            IgnorePublicAcls: "TRUE"
      Plain:
        Type: AWS::S3::Bucket
      SitePolicy:
        Type: AWS::S3::BucketPolicy
        Properties:
          Bucket: !Ref Site
          PolicyDocument:
            Statement:
              - Effect: Allow
                Principal: "*"
                Action: s3:GetObject
                Resource: !Sub "arn:aws:s3:::${Site}/*"
      ByName:
        Type: AWS::S3::BucketPolicy
        Properties:
          Bucket: site
          PolicyDocument: '{"Statement": []}'
      Elsewhere:
        Type: AWS::S3::BucketPolicy
        Properties:
          Bucket: not-in-this-template
          PolicyDocument: {}
    """
    comps = model(tmp_path, text)
    site, plain = comps["Site"], comps["Plain"]
    src = textwrap.dedent(text).lstrip("\n")
    assert site.kind == "s3.bucket"
    assert site.get("name") == "site"
    assert site.get("acl") == "public-read"
    assert site.loc_of("acl").line == line_of(src, "AccessControl")
    assert site.get("public_access_block") == {
        "block_public_acls": False,
        "block_public_policy": True,
        "ignore_public_acls": True,
    }
    # The last policy folded onto the bucket wins; the by-name one came last.
    assert site.get("policy") == {"Statement": []}
    assert site.facts["policy"].origin == "ByName"
    assert site.loc_of("policy").line == line_of(src, "PolicyDocument: '")
    assert plain.facts == {}
    # A policy for a bucket of another stack is still this template's: judged on its own.
    assert comps["Elsewhere"].kind == "s3.bucket_policy"
    assert comps["Elsewhere"].get("targets") == ["not-in-this-template"]
    assert "SitePolicy" not in comps


def test_bucket_policy_document_keeps_statement(tmp_path: Path) -> None:
    comps = model(
        tmp_path,
        """
        Resources:
          B:
            Type: AWS::S3::Bucket
          P:
            Type: AWS::S3::BucketPolicy
            Properties:
              Bucket: !Ref B
              PolicyDocument:
                Statement:
                  - Effect: Allow
                    Principal: "*"
                    Resource: !Sub "arn:aws:s3:::${B}/*"
        """,
    )
    policy = comps["B"].facts["policy"]
    assert policy.origin == "P"
    statement = policy.value["Statement"][0]
    assert statement["Principal"] == "*"
    assert isinstance(statement["Resource"], Unknown)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("Private", "private"),
        ("PublicReadWrite", "public-read-write"),
        ("AuthenticatedRead", "authenticated-read"),
        ("LogDeliveryWrite", "log-delivery-write"),
        ("BucketOwnerRead", "bucket-owner-read"),
        ("BucketOwnerFullControl", "bucket-owner-full-control"),
        ("AwsExecRead", "aws-exec-read"),
    ],
)
def test_canned_acls(tmp_path: Path, written: str, expected: str) -> None:
    text = f"Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      AccessControl: {written}\n"
    assert model(tmp_path, text)["B"].get("acl") == expected


def test_load_balancer_and_listener(tmp_path: Path) -> None:
    text = """
    Resources:
      Alb:
        Type: AWS::ElasticLoadBalancingV2::LoadBalancer
        Properties:
          Subnets: [subnet-1, !Ref Sub]
          SecurityGroups: [!Ref Sg]
      Nlb:
        Type: AWS::ElasticLoadBalancingV2::LoadBalancer
        Properties:
          Type: network
          Scheme: internal
          SubnetMappings:
            - SubnetId: !Ref Sub
      Sub:
        Type: AWS::EC2::Subnet
      Sg:
        Type: AWS::EC2::SecurityGroup
      Tg:
        Type: AWS::ElasticLoadBalancingV2::TargetGroup
      Http:
        Type: AWS::ElasticLoadBalancingV2::Listener
        Properties:
          LoadBalancerArn: !Ref Alb
          Protocol: http
          Port: "80"
          DefaultActions:
            - Type: redirect
              RedirectConfig:
                Protocol: https
                Port: "443"
            - Type: forward
              TargetGroupArn: !Ref Tg
      Https:
        Type: AWS::ElasticLoadBalancingV2::Listener
        Properties:
          LoadBalancerArn: !Ref Alb
          Protocol: HTTPS
          Port: 443
          SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
          DefaultActions:
            - Type: forward
              ForwardConfig:
                TargetGroups:
                  - TargetGroupArn: !Ref Tg
    """
    comps = model(tmp_path, text)
    src = textwrap.dedent(text).lstrip("\n")
    alb, nlb = comps["Alb"], comps["Nlb"]
    assert alb.kind == "lb.load_balancer"
    assert (alb.get("type"), alb.get("scheme")) == ("application", "internet-facing")
    assert alb.loc_of("type") == alb.loc  # a default: the resource itself
    assert alb.get("subnets") == ["subnet-1", Ref("Sub", "Ref")]
    assert alb.get("security_groups") == [Ref("Sg", "Ref")]
    assert (nlb.get("type"), nlb.get("scheme")) == ("network", "internal")
    assert nlb.get("subnets") == [Ref("Sub", "Ref")]
    assert nlb.loc_of("subnets").line == line_of(src, "SubnetMappings")
    assert not nlb.has("security_groups")

    http = comps["Http"]
    assert http.kind == "lb.listener"
    assert http.get("load_balancer") == Ref("Alb", "Ref")
    assert (http.get("protocol"), http.get("port")) == ("HTTP", 80)
    assert not http.has("ssl_policy")
    redirect, forward = http.get("default_actions")
    assert redirect.value == {"type": "redirect", "redirect_protocol": "HTTPS"}
    assert redirect.loc.line == line_of(src, "Type: redirect")
    assert forward.value == {"type": "forward", "target_group": Ref("Tg", "Ref")}
    assert forward.loc.line == line_of(src, "Type: forward")

    https = comps["Https"]
    assert (https.get("protocol"), https.get("port")) == ("HTTPS", 443)
    assert https.get("ssl_policy") == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert https.get("default_actions")[0].value == {"type": "forward", "target_group": Ref("Tg", "Ref")}


def test_classic_load_balancer(tmp_path: Path) -> None:
    text = """
    Resources:
      Elb:
        Type: AWS::ElasticLoadBalancing::LoadBalancer
        Properties:
          Scheme: internal
          Subnets: [subnet-1]
          SecurityGroups: [sg-1]
          Listeners:
            - LoadBalancerPort: "80"
              InstancePort: "8080"
              Protocol: http
              InstanceProtocol: http
            - LoadBalancerPort: 443
              InstancePort: 8443
              Protocol: HTTPS
    """
    comps = model(tmp_path, text)
    src = textwrap.dedent(text).lstrip("\n")
    elb = comps["Elb"]
    assert (elb.kind, elb.get("type"), elb.get("scheme")) == ("lb.load_balancer", "classic", "internal")
    assert (elb.get("subnets"), elb.get("security_groups")) == (["subnet-1"], ["sg-1"])
    first, second = comps["Elb.Listeners[0]"], comps["Elb.Listeners[1]"]
    assert first.kind == "lb.listener" and first.address == "Elb"
    assert first.loc.line == line_of(src, 'LoadBalancerPort: "80"')
    assert first.get("load_balancer") == Ref("Elb")
    assert (first.get("protocol"), first.get("port")) == ("HTTP", 80)
    assert (first.get("instance_protocol"), first.get("instance_port")) == ("HTTP", 8080)
    assert first.loc_of("protocol").line == line_of(src, "Protocol: http")
    assert (second.get("protocol"), second.get("port"), second.get("instance_port")) == ("HTTPS", 443, 8443)
    assert not second.has("instance_protocol")


def test_rds(tmp_path: Path) -> None:
    comps = model(
        tmp_path,
        """
        Resources:
          Db:
            Type: AWS::RDS::DBInstance
            Properties:
              Engine: MySQL
              PubliclyAccessible: "true"
              DBSubnetGroupName: !Ref Group
              VPCSecurityGroups: [!GetAtt Sg.GroupId]
              Port: "3306"
          Member:
            Type: AWS::RDS::DBInstance
            Properties:
              Engine: aurora-postgresql
              DBClusterIdentifier: !Ref Cluster
          Cluster:
            Type: AWS::RDS::DBCluster
            Properties:
              Engine: aurora-postgresql
              PubliclyAccessible: false
              DBSubnetGroupName: group
              VpcSecurityGroupIds: [sg-1]
          Group:
            Type: AWS::RDS::DBSubnetGroup
            Properties:
              DBSubnetGroupName: group
              SubnetIds: [subnet-1, subnet-2]
          Sg:
            Type: AWS::EC2::SecurityGroup
        """,
    )
    db = comps["Db"]
    assert db.kind == "rds.instance"
    assert db.get("publicly_accessible") is True
    assert db.get("subnet_group") == Ref("Group", "Ref")
    assert db.get("security_groups") == [Ref("Sg", "GroupId")]
    assert (db.get("engine"), db.get("port")) == ("mysql", 3306)
    assert not db.has("cluster")
    member = comps["Member"]
    assert member.get("cluster") == Ref("Cluster", "Ref")
    assert not member.has("publicly_accessible") and not member.has("port")
    cluster = comps["Cluster"]
    assert cluster.kind == "rds.cluster"
    assert cluster.get("publicly_accessible") is False
    assert (cluster.get("subnet_group"), cluster.get("security_groups")) == ("group", ["sg-1"])
    group = comps["Group"]
    assert group.kind == "rds.subnet_group"
    assert (group.get("name"), group.get("subnets")) == ("group", ["subnet-1", "subnet-2"])


def test_vpc_subnets_routes_and_gateways(tmp_path: Path) -> None:
    text = """
    Resources:
      Vpc:
        Type: AWS::EC2::VPC
        Properties:
          CidrBlock: 10.0.0.0/16
      Public:
        Type: AWS::EC2::Subnet
        Properties:
          VpcId: !Ref Vpc
          CidrBlock: 10.0.0.0/24
          MapPublicIpOnLaunch: "true"
      Igw:
        Type: AWS::EC2::InternetGateway
      Attach:
        Type: AWS::EC2::VPCGatewayAttachment
        Properties:
          VpcId: !Ref Vpc
          InternetGatewayId: !Ref Igw
      VpnAttach:
        Type: AWS::EC2::VPCGatewayAttachment
        Properties:
          VpcId: !Ref Vpc
          VpnGatewayId: vgw-1
      Table:
        Type: AWS::EC2::RouteTable
        Properties:
          VpcId: !Ref Vpc
      DefaultRoute:
        Type: AWS::EC2::Route
        DependsOn: Attach
        Properties:
          RouteTableId: !Ref Table
          DestinationCidrBlock: 0.0.0.0/0
          GatewayId: !Ref Igw
      NatRoute:
        Type: AWS::EC2::Route
        Properties:
          RouteTableId: !Ref Table
          DestinationIpv6CidrBlock: ::/0
          NatGatewayId: nat-1
      Assoc:
        Type: AWS::EC2::SubnetRouteTableAssociation
        Properties:
          SubnetId: !Ref Public
          RouteTableId: !Ref Table
    """
    comps = model(tmp_path, text)
    src = textwrap.dedent(text).lstrip("\n")
    assert comps["Vpc"].kind == "ec2.vpc" and comps["Vpc"].get("cidr") == "10.0.0.0/16"
    public = comps["Public"]
    assert public.kind == "ec2.subnet"
    assert public.get("vpc") == Ref("Vpc", "Ref")
    assert public.get("cidr") == "10.0.0.0/24"
    assert public.get("map_public_ip_on_launch") is True
    assert public.get("route_table") == Ref("Table", "Ref")
    assert public.facts["route_table"].origin == "Assoc"
    assert public.loc_of("route_table").line == line_of(src, "Assoc:")
    igw = comps["Igw"]
    assert igw.kind == "ec2.internet_gateway"
    assert igw.get("vpc") == Ref("Vpc", "Ref") and igw.facts["vpc"].origin == "Attach"
    assert comps["VpnAttach"].kind == "other"
    table = comps["Table"]
    assert table.kind == "ec2.route_table"
    assert table.get("vpc") == Ref("Vpc", "Ref") and table.get("main") is False
    first, second = table.get("routes")
    assert first.value == {"destination": "0.0.0.0/0", "target": Ref("Igw", "Ref"), "target_type": "gateway"}
    assert first.origin == "DefaultRoute" and first.loc.line == line_of(src, "DefaultRoute:")
    assert second.value == {"destination": "::/0", "target": "nat-1", "target_type": "nat"}
    for satellite in ("Attach", "DefaultRoute", "NatRoute", "Assoc"):
        assert satellite not in comps


def test_security_groups(tmp_path: Path) -> None:
    text = """
    Resources:
      Web:
        Type: AWS::EC2::SecurityGroup
        Properties:
          GroupName: web
          GroupDescription: web
          VpcId: !Ref Vpc
          SecurityGroupIngress:
            - IpProtocol: tcp
              FromPort: "443"
              ToPort: 443
              CidrIp: 0.0.0.0/0
            - IpProtocol: -1
              SourceSecurityGroupId: !Ref Lb
            - IpProtocol: 6
              FromPort: 22
              ToPort: 22
              CidrIpv6: ::/0
              SourcePrefixListId: pl-1
          SecurityGroupEgress:
            - IpProtocol: "-1"
              FromPort: -1
              ToPort: -1
              DestinationSecurityGroupId: sg-2
      Lb:
        Type: AWS::EC2::SecurityGroup
      Vpc:
        Type: AWS::EC2::VPC
      ExtraIngress:
        Type: AWS::EC2::SecurityGroupIngress
        Properties:
          GroupId: !GetAtt Web.GroupId
          IpProtocol: udp
          FromPort: 53
          ToPort: 53
          CidrIp: 10.0.0.0/8
      ByName:
        Type: AWS::EC2::SecurityGroupIngress
        Properties:
          GroupName: web
          IpProtocol: icmp
          CidrIp: 0.0.0.0/0
      ExtraEgress:
        Type: AWS::EC2::SecurityGroupEgress
        Properties:
          GroupId: !Ref Lb
          IpProtocol: tcp
          FromPort: 80
          ToPort: 80
          DestinationPrefixListId: pl-2
    """
    comps = model(tmp_path, text)
    src = textwrap.dedent(text).lstrip("\n")
    web = comps["Web"]
    assert web.kind == "ec2.security_group"
    assert (web.get("name"), web.get("vpc")) == ("web", Ref("Vpc", "Ref"))
    https, internal, ssh, extra, by_name = web.get("ingress")
    assert https.value == {
        "protocol": "tcp",
        "from_port": 443,
        "to_port": 443,
        "cidrs": ["0.0.0.0/0"],
        "source_groups": [],
        "prefix_lists": [],
    }
    assert https.loc.line == line_of(src, "IpProtocol: tcp") and https.origin == ""
    assert internal.value["protocol"] == "-1"
    assert (internal.value["from_port"], internal.value["to_port"]) == (0, 65535)
    assert internal.value["source_groups"] == [Ref("Lb", "Ref")]
    assert (ssh.value["protocol"], ssh.value["cidrs"], ssh.value["prefix_lists"]) == ("6", ["::/0"], ["pl-1"])
    assert extra.value["protocol"] == "udp" and extra.value["cidrs"] == ["10.0.0.0/8"]
    # A standalone rule points at the source it admits: the line a reviewer changes.
    assert extra.origin == "ExtraIngress" and extra.loc.line == line_of(src, "ExtraIngress:") + 7
    assert by_name.origin == "ByName" and by_name.value["protocol"] == "icmp"
    assert isinstance(by_name.value["from_port"], Unknown)
    (egress,) = web.get("egress")
    assert egress.value["source_groups"] == ["sg-2"]
    assert (egress.value["from_port"], egress.value["to_port"]) == (0, 65535)
    lb = comps["Lb"]
    assert not lb.has("ingress")
    (lb_egress,) = lb.get("egress")
    assert lb_egress.value["prefix_lists"] == ["pl-2"] and lb_egress.origin == "ExtraEgress"
    assert lb.loc_of("egress").line == line_of(src, "ExtraEgress:")


def test_unknown_rule_entries_keep_the_shape(tmp_path: Path) -> None:
    comps = model(
        tmp_path,
        PARAMETERS
        + """
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      SecurityGroupIngress:
        - !If [HasVpc, {IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}, !Ref AWS::NoValue]
""",
    )
    (rule,) = comps["Sg"].get("ingress")
    assert isinstance(rule, Fact)
    assert all(isinstance(v, Unknown) for v in rule.value.values())


def test_instances(tmp_path: Path) -> None:
    comps = model(
        tmp_path,
        """
        Resources:
          Plain:
            Type: AWS::EC2::Instance
            Properties:
              SubnetId: subnet-1
              SecurityGroupIds: [sg-1]
              SecurityGroups: [legacy]
          WithNic:
            Type: AWS::EC2::Instance
            Properties:
              NetworkInterfaces:
                - DeviceIndex: "1"
                  SubnetId: subnet-other
                - DeviceIndex: 0
                  SubnetId: subnet-2
                  AssociatePublicIpAddress: "true"
                  GroupSet: [sg-2]
          Bare:
            Type: AWS::EC2::Instance
        """,
    )
    plain, nic, bare = comps["Plain"], comps["WithNic"], comps["Bare"]
    assert plain.kind == "ec2.instance"
    assert (plain.get("subnet"), plain.get("security_groups")) == ("subnet-1", ["sg-1", "legacy"])
    assert not plain.has("associate_public_ip_address")
    assert (nic.get("subnet"), nic.get("security_groups")) == ("subnet-2", ["sg-2"])
    assert nic.get("associate_public_ip_address") is True
    assert bare.facts == {}


def test_cloudfront(tmp_path: Path) -> None:
    text = """
    Resources:
      Cdn:
        Type: AWS::CloudFront::Distribution
        Properties:
          DistributionConfig:
            Enabled: true
            Origins:
              - Id: s3
                DomainName: !GetAtt Site.RegionalDomainName
                OriginAccessControlId: !GetAtt Oac.Id
                S3OriginConfig:
                  OriginAccessIdentity: ""
              - Id: legacy
                DomainName: bucket.s3.amazonaws.com
                S3OriginConfig:
                  OriginAccessIdentity: origin-access-identity/cloudfront/E1
              - Id: api
                DomainName: api.example.com
                CustomOriginConfig:
                  OriginProtocolPolicy: https-only
      Site:
        Type: AWS::S3::Bucket
      Oac:
        Type: AWS::CloudFront::OriginAccessControl
    """
    comps = model(tmp_path, text)
    src = textwrap.dedent(text).lstrip("\n")
    cdn = comps["Cdn"]
    assert cdn.kind == "cloudfront.distribution"
    s3, legacy, api = cdn.get("origins")
    assert s3.value == {
        "id": "s3",
        "domain_name": Ref("Site", "RegionalDomainName"),
        "s3": True,
        "oac": Ref("Oac", "Id"),
        "oai": None,
    }
    assert s3.loc.line == line_of(src, "- Id: s3")
    assert legacy.value["oai"] == "origin-access-identity/cloudfront/E1" and legacy.value["oac"] is None
    assert api.value["s3"] is False and api.value["oai"] is None


def test_unhandled_types_become_other_components(tmp_path: Path) -> None:
    comps = model(tmp_path, "Resources:\n  Q:\n    Type: AWS::Events::Rule\n    Properties:\n      State: ENABLED\n")
    assert comps["Q"].kind == "other"
    assert comps["Q"].get("attributes") == {"State": "ENABLED"}
