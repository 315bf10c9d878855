"""No value a repository can write crashes a rule or a normalizer.

Every attribute of every policy example (``policies/examples/<control>/{insecure,fixed}.{tf,yaml}``)
is replaced in turn by an unknown value and by each wrong type (string, number, a huge 10**400
and an overflowing 1e309, bool, list, map, null) or removed, nested blocks removed, emptied, made
unknown (a ``dynamic`` block over an unknown collection) or written as an attribute; the scan
finishes without an internal error. The default run scans a fixed sample of every example's
mutations (each kind of value at least once per example); ``IAC_ASSIST_MUTATIONS=all`` scans them
all (about 34,000 scans, ten minutes).

When a defect of ours does raise while a rule judges one resource, the rule's findings on the
other resources stay, and an error names the resource it could not judge, at its file and line.
"""

from __future__ import annotations

import os
import random
from collections import defaultdict
from pathlib import Path

import pytest

from iac_assist.analysis.engine import scan
from iac_assist.analysis.policy import Hit, policy
from iac_assist.model import Component, kinds
from tests.mutations import Mutation, example_files, mutations
from tests.policy_examples import cfn, example_formats, line, tf

EXHAUSTIVE = os.environ.get("IAC_ASSIST_MUTATIONS") == "all"
PER_KIND = 2
"""Sampled mutations of each kind per example file in the default run."""

FILES = example_files()


def _ids(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def _sample(path: Path) -> list[Mutation]:
    by_kind: dict[str, list[Mutation]] = defaultdict(list)
    for mutation in mutations(path):
        by_kind[mutation.kind].append(mutation)
    pick = random.Random(_ids(path))  # the same sample on every run
    return [m for kind in sorted(by_kind) for m in pick.sample(by_kind[kind], min(PER_KIND, len(by_kind[kind])))]


def _scan_each(selected: list[Mutation], tmp_path: Path) -> None:
    failures = []
    for n, mutation in enumerate(selected):
        folder = tmp_path / str(n)
        folder.mkdir(parents=True)
        (folder / mutation.name).write_text(mutation.text, encoding="utf-8")
        try:
            result = scan([folder])
        except Exception as err:  # noqa: BLE001 - collected, reported below with the mutation
            failures.append(f"{mutation}: raised {type(err).__name__}: {err}")
            continue
        failures += [f"{mutation}: {e}" for e in result.errors if "please report" in e.message]
        # What could not be analysed names its file and a line.
        failures += [f"{mutation}: error without file or line: {e}" for e in result.errors
                     if not e.file or e.line < 1]
    assert not failures, "\n".join(failures[:40])


def test_every_example_has_mutations_of_every_kind():
    kinds = {path.suffix: {m.kind for m in mutations(path)} for path in FILES}
    for kind in ("unknown", "string", "number", "huge", "overflow", "bool", "list", "map", "null", "missing"):
        assert kind in kinds[".tf"] and kind in kinds[".yaml"], kind
    # Both twins of every format an example folder holds (a Terraform-only control has no .yaml).
    for folder in {p.parent for p in FILES}:
        assert len([p for p in FILES if p.parent == folder]) == 2 * len(example_formats(folder)), folder.name


@pytest.mark.slow  # ~190 scans in process (~20 s)
@pytest.mark.parametrize("path", FILES, ids=_ids)
def test_sampled_mutations_of_each_example_scan_without_internal_error(path, tmp_path):
    _scan_each(_sample(path), tmp_path)


# One test, not one per example: left out of the default run, it should not count as ninety skips.
@pytest.mark.slow
@pytest.mark.skipif(not EXHAUSTIVE, reason="every mutation: IAC_ASSIST_MUTATIONS=all (about ten minutes)")
def test_every_mutation_of_every_example_scans_without_internal_error(tmp_path):
    for i, path in enumerate(FILES):
        _scan_each(list(mutations(path)), tmp_path / str(i))


# --- a defect in judging one resource costs that resource's findings only ----------------------


@policy(id="TEST-001", control="test-defect", title="A rule with a defect", severity="high", stride="T", cwe=20,
        remediation="None.")
def _defective(graph) -> object:
    """Reports every bucket, and raises on the one named "broken" (a defect of ours)."""
    for bucket in graph.of_kind(kinds.S3_BUCKET):
        if bucket.address.endswith(("broken", "Broken")):
            raise TypeError("the truth of an unknown value is unknown")
        yield Hit(bucket, bucket.loc, f"bucket {bucket.address}")


TF_BUCKETS = tf('''
    resource "aws_s3_bucket" "first" {
      bucket = "first"
    }

    resource "aws_s3_bucket" "broken" {
      bucket = "broken"
    }

    resource "aws_s3_bucket" "last" {
      bucket = "last"
    }
''')
CFN_BUCKETS = cfn('''
    First:
      Type: AWS::S3::Bucket
    Broken:
      Type: AWS::S3::Bucket
    Last:
      Type: AWS::S3::Bucket
''')


@pytest.mark.parametrize(("name", "text", "resources", "broken"), [
    ("main.tf", TF_BUCKETS, {"aws_s3_bucket.first", "aws_s3_bucket.last"}, "aws_s3_bucket.broken"),
    ("template.yaml", CFN_BUCKETS, {"First", "Last"}, "Broken"),
], ids=["terraform", "cloudformation"])
def test_a_defect_judging_one_resource_keeps_the_rules_findings_on_the_others(
        write_tree, name, text, resources, broken):
    result = scan([write_tree({name: text})], policies=[_defective])
    assert {f.resource for f in result.findings} == resources
    at = line(text, '"broken" {' if name == "main.tf" else "Broken:")
    assert [(e.file, e.line, e.level, e.category) for e in result.errors] == [(name, at, "error", "internal-error")]
    assert f"rule TEST-001 could not judge {broken} (TypeError" in result.errors[0].message
    assert result.has_errors  # the gate fails (exit 2): an unjudged resource is no pass


def test_a_defect_outside_any_resource_loses_the_rule_and_says_so(write_tree):
    @policy(id="TEST-002", control="test-defect", title="A rule with a defect", severity="high", stride="T",
            cwe=20, remediation="None.")
    def broken_everywhere(graph) -> object:
        """Raises before it looks at any component."""
        raise KeyError("x")
        yield  # pragma: no cover

    result = scan([write_tree({"main.tf": TF_BUCKETS})], policies=[broken_everywhere])
    assert result.findings == []
    assert [e.message.split(" (")[0] for e in result.errors] == ["internal error in rule TEST-002"]


def test_a_defect_in_a_nested_loop_names_the_resource_of_the_outer_loop(write_tree):
    @policy(id="TEST-003", control="test-defect", title="A rule with a defect", severity="high", stride="T",
            cwe=20, remediation="None.")
    def nested(graph) -> object:
        """For every bucket, looks at every other bucket; raises when the outer one is "broken"."""
        for bucket in graph.of_kind(kinds.S3_BUCKET):
            others: list[Component] = [o for o in graph.of_kind(kinds.S3_BUCKET) if o is not bucket]
            assert len(others) == 2  # the broken one is still seen by the others' judgment
            for _other in others:
                if bucket.address.endswith("broken"):
                    raise ValueError("defect")
            yield Hit(bucket, bucket.loc, "seen")

    result = scan([write_tree({"main.tf": TF_BUCKETS})], policies=[nested])
    assert {f.resource for f in result.findings} == {"aws_s3_bucket.first", "aws_s3_bucket.last"}
    assert [e.line for e in result.errors] == [line(TF_BUCKETS, '"broken" {')]


# --- IAC-CDN-001: a cache behavior without a viewer protocol policy or path ----------------------

CDN_TF = tf('''
    variable "legacy_path" {
      type = string
    }

    resource "aws_cloudfront_distribution" "shop" {
      enabled = true

      origin {
        origin_id   = "app"
        domain_name = "app.shop.example.com"
        custom_origin_config {
          http_port              = 80
          https_port             = 443
          origin_protocol_policy = "https-only"
          origin_ssl_protocols   = ["TLSv1.2"]
        }
      }

      default_cache_behavior {
        target_origin_id = "app"
        allowed_methods  = ["GET", "HEAD"]
        cached_methods   = ["GET", "HEAD"]
      }

      ordered_cache_behavior {
        target_origin_id       = "app"
        viewer_protocol_policy = "allow-all" # no path_pattern
        allowed_methods        = ["GET", "HEAD"]
        cached_methods         = ["GET", "HEAD"]
      }

      ordered_cache_behavior {
        path_pattern           = var.legacy_path
        target_origin_id       = "app"
        viewer_protocol_policy = "allow-all" # unknown path
        allowed_methods        = ["GET", "HEAD"]
        cached_methods         = ["GET", "HEAD"]
      }

      ordered_cache_behavior {
        path_pattern     = "/api/*"
        target_origin_id = "app"
        allowed_methods  = ["GET", "HEAD"]
        cached_methods   = ["GET", "HEAD"]
      }

      ordered_cache_behavior {
        path_pattern           = "/img/*"
        target_origin_id       = "app"
        viewer_protocol_policy = "allow-all" # plain
        allowed_methods        = ["GET", "HEAD"]
        cached_methods         = ["GET", "HEAD"]
      }

      restrictions {
        geo_restriction {
          restriction_type = "none"
        }
      }

      viewer_certificate {
        cloudfront_default_certificate = true
      }
    }
''')
CDN_CFN = cfn('''
    Shop:
      Type: AWS::CloudFront::Distribution
      Properties:
        DistributionConfig:
          Enabled: true
          Origins:
            - Id: app
              DomainName: app.shop.example.com
              CustomOriginConfig:
                OriginProtocolPolicy: https-only
          DefaultCacheBehavior:
            TargetOriginId: app
          CacheBehaviors:
            - TargetOriginId: app
              ViewerProtocolPolicy: allow-all # no path_pattern
            - PathPattern: !Ref LegacyPath
              TargetOriginId: app
              ViewerProtocolPolicy: allow-all # unknown path
            - PathPattern: /api/*
              TargetOriginId: app
            - PathPattern: /img/*
              TargetOriginId: app
              ViewerProtocolPolicy: allow-all # plain
          ViewerCertificate:
            CloudFrontDefaultCertificate: true
''', parameters='''
    LegacyPath:
      Type: String
''')


@pytest.mark.parametrize(("name", "text", "resource"), [
    ("main.tf", CDN_TF, "aws_cloudfront_distribution.shop"),
    ("template.yaml", CDN_CFN, "Shop"),
], ids=["terraform", "cloudformation"])
def test_cache_behaviors_without_policy_or_path_keep_every_viewer_finding(write_tree, name, text, resource):
    # Behaviors without a viewer protocol policy are not judged plain (the policy has no default to
    # assume); those whose path is missing or unknown are judged like any other.
    result = scan([write_tree({name: text})])
    assert [str(e) for e in result.errors] == []
    found = {(f.resource, f.loc.file, f.loc.line) for f in result.findings if f.rule_id == "IAC-CDN-001"}
    assert found == {(resource, name, line(text, f"# {why}")) for why in ("no path_pattern", "unknown path", "plain")}


# --- the crashes the mutations found, each in both formats where it can be written --------------


def _scanned(write_tree, files: dict[str, str]) -> tuple[set[tuple[str, str, str, int]], list[str]]:
    result = scan([write_tree(files)])
    return {(f.rule_id, f.resource, f.loc.file, f.loc.line) for f in result.findings}, [str(e) for e in result.errors]


HUGE = "1" + "0" * 400

SG_TF = tf(f'''
    resource "aws_security_group" "app" {{
      name = "app"

      ingress {{
        protocol    = 1e309
        from_port   = 0
        to_port     = 0
        cidr_blocks = ["0.0.0.0/0"]
      }}

      ingress {{ # ssh
        protocol    = "tcp"
        from_port   = 22
        to_port     = 22
        cidr_blocks = ["0.0.0.0/0"]
      }}

      tags = {{ cost_center = {HUGE} }}
    }}
''')
SG_CFN = cfn(f'''
    App:
      Type: AWS::EC2::SecurityGroup
      Properties:
        GroupDescription: {HUGE}
        SecurityGroupIngress:
          - IpProtocol: 1.0e+309
            CidrIp: 0.0.0.0/0
          - IpProtocol: {HUGE}
            CidrIp: 0.0.0.0/0
          - IpProtocol: tcp # ssh
            FromPort: 22
            ToPort: 22
            CidrIp: 0.0.0.0/0
''')


def test_numbers_too_large_or_infinite_are_unknown_and_the_other_rules_stay(write_tree):
    # Before: OverflowError in the literal-secret search (the whole file unanalysed) and in the
    # protocol name (IAC-VPC-001..003 lost).
    found, errors = _scanned(write_tree, {"tf/main.tf": SG_TF, "cfn/template.yaml": SG_CFN})
    assert errors == []
    assert found == {
        ("IAC-VPC-001", "aws_security_group.app", "tf/main.tf", line(SG_TF, "# ssh")),
        ("IAC-VPC-001", "App", "cfn/template.yaml", line(SG_CFN, "# ssh")),
    }


S3_POLICY_TF = tf('''
    variable "sid" {
      type = string
    }

    resource "aws_s3_bucket" "site" {
      bucket = "site"
    }

    resource "aws_s3_bucket_policy" "site" {
      bucket = aws_s3_bucket.site.id
      policy = jsonencode({
        Version = "2012-10-17"
        Statement = [{
          Sid       = var.sid
          Effect    = "Allow"
          Principal = "*"
          Action    = "s3:GetObject"
          Resource  = "${aws_s3_bucket.site.arn}/*"
        }]
      })
    }
''')
S3_POLICY_CFN = cfn('''
    Site:
      Type: AWS::S3::Bucket
      Properties:
        PublicAccessBlockConfiguration: !Ref Settings
    Reports:
      Type: AWS::S3::Bucket
      Properties:
        PublicAccessBlockConfiguration: not-a-block
    SitePolicy:
      Type: AWS::S3::BucketPolicy
      Properties:
        Bucket: !Ref Site
        PolicyDocument:
          Statement:
            - Sid: !Ref StatementId
              Effect: Allow
              Principal: "*"
              Action: s3:GetObject
              Resource: !Sub "${Site.Arn}/*"
''', parameters='''
    Settings:
      Type: String
    StatementId:
      Type: String
''')


def test_unknown_statement_ids_and_public_access_blocks_are_judged(write_tree):
    # Before: TypeError (the truth of an unknown value) in IAC-S3-001, -002 and -003. An unknown
    # public access block may block the public policy: CloudFormation's bucket is not reported.
    found, errors = _scanned(write_tree, {"tf/main.tf": S3_POLICY_TF, "cfn/template.yaml": S3_POLICY_CFN})
    assert errors == []
    public = {(rule, resource, file, n) for rule, resource, file, n in found if rule in ("IAC-S3-001", "IAC-S3-003")}
    assert public == {
        ("IAC-S3-001", "aws_s3_bucket.site", "tf/main.tf", line(S3_POLICY_TF, "policy = jsonencode")),
        ("IAC-S3-003", "aws_s3_bucket.site", "tf/main.tf", line(S3_POLICY_TF, 'aws_s3_bucket" "site" {')),
    }


LB_TF = tf('''
    resource "aws_lb" "web" {
      name    = "web"
      subnets = ["subnet-1", "subnet-2"]
    }

    resource "aws_lb_listener" "odd" {
      load_balancer_arn = aws_lb.web.arn
      port              = 8080
      protocol          = ["HTTP"]

      default_action {
        type     = "redirect"
        redirect = ["https"]
      }
    }

    resource "aws_lb_listener" "http" {
      load_balancer_arn = aws_lb.web.arn
      port              = 80
      protocol          = "HTTP" # plain

      default_action {
        type             = "forward"
        target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/1"
      }
    }

    resource "aws_instance" "app" {
      ami           = "ami-12345678"
      instance_type = "t3.micro"

      root_block_device {
        encrypted = true
      }

      ebs_block_device {
        device_name = { name = "/dev/sdf" }
        encrypted   = false # data
      }
    }
''')
LB_CFN = cfn('''
    Web:
      Type: AWS::ElasticLoadBalancingV2::LoadBalancer
      Properties:
        Subnets: [subnet-1, subnet-2]
        LoadBalancerAttributes:
          - Key: [access_logs.s3.enabled]
            Value: "true"
    Odd:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: !Ref Web
        Port: 8080
        Protocol: {Name: HTTPS}
        DefaultActions:
          - Type: forward
            TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/1
    Http:
      Type: AWS::ElasticLoadBalancingV2::Listener
      Properties:
        LoadBalancerArn: !Ref Web
        Port: 80
        Protocol: HTTP # plain
        DefaultActions:
          - Type: forward
            TargetGroupArn: arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/web/1
    App:
      Type: AWS::EC2::Instance
      Properties:
        ImageId: ami-12345678
        BlockDeviceMappings:
          - DeviceName: {Name: /dev/sdf}
            Ebs:
              Encrypted: false # data
''')


def test_structures_where_text_is_expected_are_unknown_and_the_other_rules_stay(write_tree):
    # Before: a list as a load balancer attribute's key lost the whole template; a map as a
    # listener's protocol or a device name, a list for a redirect block raised in IAC-LB-002,
    # IAC-EC2-003 and the Terraform normalizer (the whole module unanalysed).
    found, errors = _scanned(write_tree, {"tf/main.tf": LB_TF, "cfn/template.yaml": LB_CFN})
    assert errors == []
    kept = {(rule, resource, file, n) for rule, resource, file, n in found if rule in ("IAC-LB-001", "IAC-EC2-003")}
    assert kept == {
        ("IAC-LB-001", "aws_lb_listener.http", "tf/main.tf", line(LB_TF, "# plain")),
        ("IAC-LB-001", "Http", "cfn/template.yaml", line(LB_CFN, "# plain")),
        ("IAC-EC2-003", "aws_instance.app", "tf/main.tf", line(LB_TF, "# data")),
        ("IAC-EC2-003", "App", "cfn/template.yaml", line(LB_CFN, "# data")),
    }


ROUTE_TF = tf('''
    variable "destination" {
      type = string
    }

    variable "grantee" {
      type = string
    }

    resource "aws_route_table" "public" {
      vpc_id = "vpc-1"

      route {
        cidr_block = var.destination
        gateway_id = "igw-1"
      }
    }

    resource "aws_s3_bucket" "logs" { # bucket
      bucket = "logs"
    }

    resource "aws_s3_bucket_acl" "logs" {
      bucket = aws_s3_bucket.logs.id

      access_control_policy {
        grant {
          grantee {
            id   = var.grantee
            type = "CanonicalUser"
          }
          permission = "READ"
        }
        owner {
          id = "owner"
        }
      }
    }
''')


def test_unknown_route_destinations_and_grantees_keep_the_module_analysed(write_tree):
    # Before: TypeError (the truth of an unknown value) in the Terraform normalizers: the whole
    # module was left unanalysed.
    found, errors = _scanned(write_tree, {"main.tf": ROUTE_TF})
    assert errors == []
    assert ("IAC-S3-005", "aws_s3_bucket.logs", "main.tf", line(ROUTE_TF, "# bucket")) in found


def test_a_defect_reading_one_resource_costs_that_resource_only(write_tree, monkeypatch):
    # A normalizer that raises on one bucket: that bucket is named as not analysed (exit 2), the
    # file's other resources keep their findings.
    from iac_assist.parsers.terraform.normalizer import NORMALIZER

    # The bucket is a table's (iac_assist/model/vocabulary/s3.py): the defect is in its extension.
    (original,) = NORMALIZER._extensions["aws_s3_bucket"]

    def defective(comp, res, b):
        if res.address == "aws_s3_bucket.broken":
            raise KeyError("defect")
        return original(comp, res, b)

    monkeypatch.setitem(NORMALIZER._extensions, "aws_s3_bucket", [defective])
    root = write_tree({"main.tf": 'resource "aws_s3_bucket" "broken" {\n  bucket = "a"\n}\n\n'
                                  'resource "aws_s3_bucket" "fine" {\n  bucket = "b"\n}\n'})
    result = scan([root], select=["s3-versioning-missing"])
    assert {(f.resource, f.loc.line) for f in result.findings} == {("aws_s3_bucket.fine", 5)}
    assert [(e.file, e.line, e.level, e.category) for e in result.errors] == [
        ("main.tf", 1, "error", "internal-error")]
    assert "aws_s3_bucket.broken" in result.errors[0].message
