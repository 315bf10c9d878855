"""The declared vocabulary: its documentation is current, and the mapping tables give both formats
the same facts (a drift between them is a bug with a test here)."""

from __future__ import annotations

from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.model import vocabulary
from tests.conftest import REPO
from tests.policy_examples import cfn, tf


def test_docs_vocabulary_is_generated_from_the_declarations() -> None:
    out = CliRunner().invoke(cli, ["vocabulary"])
    assert out.exit_code == 0
    assert (REPO / "docs" / "vocabulary.md").read_text(encoding="utf-8") == out.output, \
        "regenerate with: iac-assist vocabulary --output docs/vocabulary.md"


def test_a_fact_a_kind_does_not_declare_cannot_be_set_or_read() -> None:
    from iac_assist.model import Component, Location

    db = Component("db", vocabulary.rds.RDS_INSTANCE, "db", "aws_db_instance", Location("main.tf", 1))
    for act in (lambda: db.set("versioning", "Enabled"), lambda: db.get("versioning")):
        try:
            act()
        except KeyError as err:
            assert "versioning" in str(err)
        else:
            raise AssertionError("an undeclared fact was accepted")


def _engines(tmp_path, files: dict[str, str]) -> set[str]:
    return {db.get("engine") for dbs in _facts(tmp_path, files, vocabulary.rds.RDS_INSTANCE).values() for db in dbs}


def test_engine_names_are_lower_case_in_both_formats(tmp_path) -> None:
    # Drift the tables revealed: CloudFormation's engine was lower-cased, Terraform's was not.
    files = {
        "tf/main.tf": tf('''
            resource "aws_db_instance" "db" {
              engine = "Postgres"
            }
        '''),
        "cfn/template.yaml": cfn('''
            Db:
              Type: AWS::RDS::DBInstance
              Properties:
                Engine: Postgres
        '''),
    }
    assert _engines(tmp_path, files) == {"postgres"}


def test_a_null_attribute_is_not_written(tmp_path) -> None:
    # Terraform's "= null" leaves the provider default: the instance inherits its cluster's flag.
    files = {"main.tf": tf('''
        resource "aws_rds_cluster" "c" {
          engine            = "aurora-postgresql"
          storage_encrypted = true
        }
        resource "aws_rds_cluster_instance" "i" {
          cluster_identifier = aws_rds_cluster.c.id
          engine             = null
        }
    ''')}
    (tmp_path / "main.tf").write_text(files["main.tf"], encoding="utf-8")
    result = scan([tmp_path])
    (inst,) = [c for c in result.graph.components.values() if c.kind == vocabulary.rds.RDS_INSTANCE]
    assert not inst.has("engine")


def _facts(tmp_path, files: dict[str, str], kind: str) -> dict[str, list]:
    """Every component of ``kind`` by front end (tf/ or cfn/), as its facts' values."""
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    out: dict[str, list] = {}
    for c in scan([tmp_path]).graph.components.values():
        if c.kind == kind:
            out.setdefault(c.loc.file.split("/")[0], []).append({k: f.value for k, f in c.facts.items()})
    return out


def _actions(comp_facts: dict) -> list[dict]:
    return [a.value for a in comp_facts["default_actions"]]


def test_load_balancer_and_target_types_are_lower_case_in_both_formats(tmp_path) -> None:
    # Drift the tables revealed: CloudFormation lower-cased Type and TargetType, Terraform did not.
    files = {
        "tf/main.tf": tf('''
            resource "aws_lb" "lb" {
              load_balancer_type = "Network"
            }
            resource "aws_lb_target_group" "tg" {
              target_type = "IP"
            }
        '''),
        "cfn/template.yaml": cfn('''
            Lb:
              Type: AWS::ElasticLoadBalancingV2::LoadBalancer
              Properties:
                Type: Network
            Tg:
              Type: AWS::ElasticLoadBalancingV2::TargetGroup
              Properties:
                TargetType: IP
        '''),
    }
    lbs = _facts(tmp_path, files, vocabulary.lb.LB)
    assert [lb["type"] for lb in lbs["tf"]] == [lb["type"] for lb in lbs["cfn"]] == ["network"]
    groups = _facts(tmp_path, files, vocabulary.lb.LB_TARGET_GROUP)
    assert [g["target_type"] for g in groups["tf"]] == [g["target_type"] for g in groups["cfn"]] == ["ip"]


def test_listener_actions_are_read_alike_in_both_formats(tmp_path) -> None:
    # Drift: Terraform kept an action's type as written ("Redirect") and upper-cased the
    # "#{protocol}" placeholder, writing it even when the redirect named no protocol;
    # CloudFormation lower-cased the type, kept the placeholder and wrote nothing unnamed.
    files = {
        "tf/main.tf": tf('''
            resource "aws_lb_listener" "keep" {
              default_action {
                type = "Redirect"
                redirect {
                  protocol    = "#{protocol}"
                  status_code = "HTTP_301"
                }
              }
            }
            resource "aws_lb_listener" "unnamed" {
              default_action {
                type = "redirect"
                redirect {
                  status_code = "HTTP_301"
                }
              }
            }
        '''),
        "cfn/template.yaml": cfn('''
            Keep:
              Type: AWS::ElasticLoadBalancingV2::Listener
              Properties:
                DefaultActions:
                  - Type: Redirect
                    RedirectConfig:
                      Protocol: "#{protocol}"
                      StatusCode: HTTP_301
            Unnamed:
              Type: AWS::ElasticLoadBalancingV2::Listener
              Properties:
                DefaultActions:
                  - Type: redirect
                    RedirectConfig:
                      StatusCode: HTTP_301
        '''),
    }
    listeners = _facts(tmp_path, files, vocabulary.lb.LB_LISTENER)
    expected = [[{"type": "redirect", "redirect_protocol": "#{protocol}"}], [{"type": "redirect"}]]
    assert [_actions(x) for x in listeners["tf"]] == [_actions(x) for x in listeners["cfn"]] == expected


def test_terraform_internal_written_as_text_makes_an_internal_load_balancer(tmp_path) -> None:
    # Before: only the boolean true was internal; "true" (a string variable) read as internet-facing.
    files = {"tf/main.tf": tf('''
        resource "aws_lb" "lb" {
          internal = "true"
        }
    ''')}
    assert [lb["scheme"] for lb in _facts(tmp_path, files, vocabulary.lb.LB)["tf"]] == ["internal"]


def test_a_single_subnet_or_security_group_is_a_list_in_both_formats(tmp_path) -> None:
    # Drift: Terraform made a single value a list of one; CloudFormation kept it as written.
    files = {
        "tf/main.tf": tf('''
            resource "aws_lb" "lb" {
              subnets         = "subnet-1"
              security_groups = "sg-1"
            }
        '''),
        "cfn/template.yaml": cfn('''
            Lb:
              Type: AWS::ElasticLoadBalancingV2::LoadBalancer
              Properties:
                Subnets: subnet-1
                SecurityGroups: sg-1
        '''),
    }
    lbs = _facts(tmp_path, files, vocabulary.lb.LB)
    for front_end in ("tf", "cfn"):
        assert [(lb["subnets"], lb["security_groups"]) for lb in lbs[front_end]] == [(["subnet-1"], ["sg-1"])]


def test_an_empty_string_that_says_none_is_not_written_in_either_format(tmp_path) -> None:
    # The tables' rule (a converter's None is not written): "" is how both formats say "no web
    # ACL" and "no ACM certificate"; the next certificate attribute written is the one read.
    files = {
        "tf/main.tf": tf('''
            resource "aws_cloudfront_distribution" "d" {
              web_acl_id = ""
              viewer_certificate {
                acm_certificate_arn = ""
                iam_certificate_id  = "ASCA1"
              }
            }
        '''),
        "cfn/template.yaml": cfn('''
            D:
              Type: AWS::CloudFront::Distribution
              Properties:
                DistributionConfig:
                  WebACLId: ""
                  ViewerCertificate:
                    AcmCertificateArn: ""
                    IamCertificateId: ASCA1
        '''),
    }
    found = _facts(tmp_path, files, vocabulary.cdn.CLOUDFRONT)
    for front_end in ("tf", "cfn"):
        assert [("web_acl" in d, d.get("certificate")) for d in found[front_end]] == [(False, "ASCA1")]


def test_object_ownership_is_read_in_both_formats(tmp_path) -> None:
    # Drift: Terraform read a bucket's ownership controls (ACLs disabled: a public canned ACL
    # grants nothing), CloudFormation ignored OwnershipControls and reported the ACL.
    files = {
        "tf/main.tf": tf('''
            resource "aws_s3_bucket" "b" {
              bucket = "b"
            }
            resource "aws_s3_bucket_ownership_controls" "b" {
              bucket = aws_s3_bucket.b.id
              rule {
                object_ownership = "BucketOwnerEnforced"
              }
            }
        '''),
        "cfn/template.yaml": cfn('''
            B:
              Type: AWS::S3::Bucket
              Properties:
                BucketName: b
                OwnershipControls:
                  Rules:
                    - ObjectOwnership: BucketOwnerEnforced
        '''),
    }
    buckets = _facts(tmp_path, files, vocabulary.s3.S3_BUCKET)
    for front_end in ("tf", "cfn"):
        assert [b.get("object_ownership") for b in buckets[front_end]] == ["BucketOwnerEnforced"]


def test_a_classic_listener_names_its_certificate_in_both_formats(tmp_path) -> None:
    # Drift: Terraform read a classic listener's ssl_certificate_id, CloudFormation left its
    # SSLCertificateId out.
    arn = "arn:aws:acm:eu-west-1:123456789012:certificate/a"
    files = {
        "tf/main.tf": tf(f'''
            resource "aws_elb" "elb" {{
              listener {{
                lb_port            = 443
                lb_protocol        = "https"
                instance_port      = 80
                instance_protocol  = "http"
                ssl_certificate_id = "{arn}"
              }}
            }}
        '''),
        "cfn/template.yaml": cfn(f'''
            Elb:
              Type: AWS::ElasticLoadBalancing::LoadBalancer
              Properties:
                Listeners:
                  - LoadBalancerPort: "443"
                    Protocol: HTTPS
                    InstancePort: "80"
                    InstanceProtocol: HTTP
                    SSLCertificateId: {arn}
        '''),
    }
    listeners = _facts(tmp_path, files, vocabulary.lb.LB_LISTENER)
    for front_end in ("tf", "cfn"):
        assert [(x["protocol"], x["port"], x.get("certificate")) for x in listeners[front_end]] == [("HTTPS", 443, arn)]


# --- EC2 compute and VPC networking: the two formats agree --------------------------------------


def _components(tmp_path, files: dict[str, str], kind: str) -> list:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    result = scan([tmp_path])
    return sorted((c for c in result.graph.components.values() if c.kind == kind), key=lambda c: c.source_type)


def test_security_group_rules_have_the_same_shape_in_both_formats(tmp_path) -> None:
    # Drift: Terraform kept the protocol's case ("TCP") and the ports written with protocol -1
    # (0 to 0, as Terraform wants them); CloudFormation lower-cased it and gave all ports.
    files = {
        "tf/main.tf": tf('''
            resource "aws_security_group" "web" {
              ingress {
                protocol    = "TCP"
                from_port   = 443
                to_port     = 443
                cidr_blocks = ["10.0.0.0/8"]
              }
              egress {
                protocol    = "-1"
                from_port   = 0
                to_port     = 0
                cidr_blocks = ["10.0.0.0/8"]
              }
            }
        '''),
        "cfn/template.yaml": cfn('''
            Web:
              Type: AWS::EC2::SecurityGroup
              Properties:
                GroupDescription: web
                SecurityGroupIngress:
                  - IpProtocol: TCP
                    FromPort: 443
                    ToPort: 443
                    CidrIp: 10.0.0.0/8
                SecurityGroupEgress:
                  - IpProtocol: "-1"
                    FromPort: 0
                    ToPort: 0
                    CidrIp: 10.0.0.0/8
        '''),
    }
    shapes = set()
    for group in _components(tmp_path, files, vocabulary.vpc.SECURITY_GROUP):
        for direction in ("ingress", "egress"):
            (rule,) = group.get(direction)
            shapes.add((direction, rule.value["protocol"], rule.value["from_port"], rule.value["to_port"]))
    assert shapes == {("ingress", "tcp", 443, 443), ("egress", "-1", 0, 65535)}


def test_a_null_metadata_option_is_not_written_in_either_format(tmp_path) -> None:
    # Drift: CloudFormation set http_tokens to None for HttpTokens: null (which then read as
    # "written, not optional"); Terraform left it unset, so the account default decides.
    files = {
        "tf/main.tf": tf('''
            resource "aws_instance" "app" {
              metadata_options {
                http_tokens   = null
                http_endpoint = "ENABLED"
              }
            }
        '''),
        "cfn/template.json": """{"Resources": {"App": {"Type": "AWS::EC2::Instance", "Properties": {
            "MetadataOptions": {"HttpTokens": null, "HttpEndpoint": "ENABLED"}}}}}""",
    }
    instances = _components(tmp_path, files, vocabulary.ec2.INSTANCE)
    assert len(instances) == 2
    assert [(i.has("http_tokens"), i.get("http_endpoint")) for i in instances] == [(False, "enabled")] * 2


def test_user_data_written_as_base64_text_is_decoded_in_both_formats(tmp_path) -> None:
    # Drift: a template's base64 user data was decoded, Terraform's user_data was not, though the
    # provider passes base64 text through as already encoded and the instance runs the script.
    script = "#!/bin/bash\necho hello\n"
    encoded = __import__("base64").b64encode(script.encode()).decode()
    files = {
        "tf/main.tf": tf(f'''
            resource "aws_instance" "literal" {{
              user_data = "{encoded}"
            }}
            resource "aws_instance" "function" {{
              user_data = base64encode("#!/bin/bash\\necho hello\\n")
            }}
        '''),
        "cfn/template.yaml": cfn(f'''
            App:
              Type: AWS::EC2::Instance
              Properties:
                UserData: {encoded}
        '''),
    }
    instances = _components(tmp_path, files, vocabulary.ec2.INSTANCE)
    assert [i.get("user_data") for i in instances] == [script] * 3


def test_route_targets_are_typed_alike_in_both_formats(tmp_path) -> None:
    # Drift: Terraform typed an egress-only gateway "egress-only" (outside the vocabulary) and a
    # network interface "instance"; CloudFormation typed both "other". One table decides now.
    files = {
        "tf/main.tf": tf('''
            resource "aws_route_table" "rt" {
              route {
                ipv6_cidr_block        = "::/0"
                egress_only_gateway_id = "eigw-1"
              }
              route {
                cidr_block           = "0.0.0.0/0"
                network_interface_id = "eni-1"
              }
            }
        '''),
        "cfn/template.yaml": cfn('''
            Rt:
              Type: AWS::EC2::RouteTable
              Properties:
                VpcId: vpc-1
            Egress:
              Type: AWS::EC2::Route
              Properties:
                RouteTableId: !Ref Rt
                DestinationIpv6CidrBlock: "::/0"
                EgressOnlyInternetGatewayId: eigw-1
            Appliance:
              Type: AWS::EC2::Route
              Properties:
                RouteTableId: !Ref Rt
                DestinationCidrBlock: 0.0.0.0/0
                NetworkInterfaceId: eni-1
        '''),
    }
    tables = _components(tmp_path, files, vocabulary.vpc.ROUTE_TABLE)
    assert len(tables) == 2
    for table in tables:
        typed = {route.value["destination"]: route.value["target_type"] for route in table.get("routes")}
        assert typed == {"::/0": "other", "0.0.0.0/0": "instance"}, table.source_type


def test_a_role_declared_before_the_policy_it_lists_still_holds_it(tmp_path) -> None:
    # The tables make principals in phase 1, after the managed policies they name (a merge once lost
    # this and the policy read "not attached in this configuration").
    (tmp_path / "main.tf").write_text(tf('''
        resource "aws_iam_role" "app" {
          assume_role_policy  = "{}"
          managed_policy_arns = [aws_iam_policy.p.arn]
        }
        resource "aws_iam_policy" "p" {
          policy = jsonencode({ Version = "2012-10-17", Statement = [
            { Effect = "Allow", Action = "iam:PassRole", Resource = "*" }] })
        }
    '''), encoding="utf-8")
    messages = [f.message for f in scan([tmp_path]).findings if f.resource == "aws_iam_policy.p"]
    assert messages and all("attached to role aws_iam_role.app" in m for m in messages), messages


# --- the code keeps to the declarations ----------------------------------------------------------

_ASKING = {"has", "loc_of", "items", "is_true", "is_false", "equals", "one_of", "is_unset", "below"}
"""Component methods whose first argument is a fact name (``get`` is left out: dicts have one too;
strict checking covers it whenever it runs)."""


def _asked_facts() -> set[tuple[str, int, str]]:
    import ast

    found = set()
    places = [*(REPO / "policies").glob("*.py"), *(REPO / "iac_assist" / "threatmodel").rglob("*.py"),
              REPO / "iac_assist" / "model" / "network.py", REPO / "iac_assist" / "model" / "graph.py"]
    for path in places:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _ASKING
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.add((path.relative_to(REPO).as_posix(), node.lineno, node.args[0].value))
    return found


def test_every_kind_name_is_declared() -> None:
    from iac_assist.model import kinds

    names = {v for k, v in vars(kinds).items() if k.isupper() and isinstance(v, str)}
    assert names and names <= set(vocabulary.VOCABULARY), sorted(names - set(vocabulary.VOCABULARY))


def test_every_fact_the_code_asks_for_is_declared_by_some_kind() -> None:
    vocabulary.services()
    declared = set(vocabulary.ANY_KIND).union(*(spec.facts for spec in vocabulary.VOCABULARY.values()))
    asked = _asked_facts()
    assert len(asked) > 50
    assert not [a for a in asked if a[2] not in declared]


def test_every_table_row_sets_a_declared_fact_of_its_kind() -> None:
    from iac_assist.model.mapping import by_type

    rows = 0
    for front_end in ("terraform", "cloudformation"):
        for table in vocabulary.tables(front_end):
            for source_type, mapping in by_type(table).items():
                assert mapping.kind in vocabulary.VOCABULARY, (front_end, source_type)
                for fact in (*mapping.facts, *mapping.otherwise):
                    rows += 1
                    assert vocabulary.declares(mapping.kind, fact), (front_end, source_type, fact)
    assert rows > 200
