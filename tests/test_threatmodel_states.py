"""Threat states (open, undetermined, mitigated) with their evidence, in both formats: findings
linked to the components they concern whatever the addressing, unique ids, flow threats judged
from the flow, and a library that covers the whole control catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.model import kinds
from iac_assist.parsers.terraform.inputs import VariableInputs
from iac_assist.threatmodel.build import build
from iac_assist.threatmodel.formats import render
from tests.conftest import SEED

CATALOG = Path(__file__).parent / "data" / "controls.yaml"


def catalog() -> set[str]:
    data = yaml.safe_load(CATALOG.read_text(encoding="utf-8"))
    return {entry["slug"] for wave in ("wave1", "wave2", "wave3") for entry in data[wave]}


def model_of(root: Path) -> dict:
    result = scan([root])
    assert not result.has_errors, [str(e) for e in result.errors]
    return build(result).to_json()


def threats_of(root: Path) -> dict[str, dict]:
    return {t["id"]: t for t in model_of(root)["threats"]}


def controls_of(root: Path) -> dict[str, tuple[str, str, str, int]]:
    return {f.fingerprint: (f.control, f.resource, f.loc.file, f.loc.line) for f in scan([root]).findings}


# --- the library ---------------------------------------------------------------------------------


def test_every_catalog_control_opens_or_mitigates_a_threat_and_every_drawn_kind_has_threats():
    from iac_assist.threatmodel.formats.mermaid_format import SHOWN_KINDS
    from iac_assist.threatmodel.threats import library

    lib = library()
    assert lib.controls() == catalog()
    assert set(lib.control_specs) == catalog()
    drawn = set(SHOWN_KINDS) | {
        kinds.LAMBDA_FUNCTION, kinds.LAMBDA_URL, kinds.APIGW_API, kinds.APIGW_REST_API, kinds.APIGW_METHOD,
        kinds.APIGW_ROUTE, kinds.DYNAMODB_TABLE, kinds.SQS_QUEUE, kinds.SNS_TOPIC, kinds.ELASTICACHE_CLUSTER,
        kinds.ELASTICACHE_REPLICATION_GROUP, kinds.EKS_CLUSTER, kinds.CLOUDTRAIL, kinds.KMS_KEY, kinds.IAM_ROLE,
        kinds.IAM_USER, kinds.IAM_POLICY, kinds.SEARCH_DOMAIN, kinds.SECURITY_GROUP, kinds.VPC, kinds.NETWORK_ACL,
        kinds.LAUNCH_TEMPLATE, kinds.VOLUME, kinds.EFS_FILE_SYSTEM, kinds.SECRET, kinds.ECR_REPOSITORY,
        kinds.GLACIER_VAULT,
    }
    assert {k for k in drawn if not lib.components.get(k)} == set()
    for spec in lib.specs():
        assert spec.capec and all(c.startswith("CAPEC-") for c in spec.capec), spec.id
        assert spec.attack and all(a.startswith("T") for a in spec.attack), spec.id


# --- ids -----------------------------------------------------------------------------------------

ELB_TF = '''
resource "aws_elb" "web" {
  availability_zones = ["us-east-1a"]
  listener {
    instance_port     = 8000
    instance_protocol = "http"
    lb_port           = 80
    lb_protocol       = "http"
  }
  listener {
    instance_port      = 8000
    instance_protocol  = "http"
    lb_port            = 443
    lb_protocol        = "https"
    ssl_certificate_id = "arn:aws:iam::123456789012:server-certificate/web"
  }
}
'''
ELB_CFN = '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:
    Type: AWS::ElasticLoadBalancing::LoadBalancer
    Properties:
      AvailabilityZones: [us-east-1a]
      Listeners:
        - LoadBalancerPort: "80"
          InstancePort: "8000"
          Protocol: HTTP
        - LoadBalancerPort: "443"
          InstancePort: "8000"
          Protocol: HTTPS
          SSLCertificateId: arn:aws:iam::123456789012:server-certificate/web
'''


@pytest.mark.parametrize("files,lb", [({"main.tf": ELB_TF}, "aws_elb.web"), ({"t.yaml": ELB_CFN}, "Web")])
def test_a_classic_load_balancer_and_its_listeners_have_distinct_ids(write_tree, files, lb):
    doc = model_of(write_tree(files))
    ids = [c["id"] for c in doc["components"]]
    assert len(ids) == len(set(ids))
    assert {i for i in ids if i.startswith(lb)} == {lb, f"{lb}/listener:80", f"{lb}/listener:443"}
    # The listeners' findings still count for the load balancer's threats.
    assert threats_of(write_tree(files))[f"lb-eavesdropping@{lb}"]["status"] == "open"


# --- links between findings and components -------------------------------------------------------

IMDS = '''
resource "aws_instance" "web" {
  %s
  ami           = "ami-12345678"
  instance_type = "t3.micro"
  metadata_options {
    http_tokens = "optional"
  }
}
'''


@pytest.mark.parametrize("files,instance", [
    ({"main.tf": IMDS % "count = 2"}, "aws_instance.web[1]"),
    ({"main.tf": IMDS % 'for_each = toset(["a", "b"])'}, 'aws_instance.web["b"]'),
    ({"main.tf": 'module "app" {\n  source = "./app"\n}\n', "app/main.tf": IMDS % "count = 2"},
     "module.app.aws_instance.web[0]"),
    ({"main.tf": 'module "app" {\n  count  = 2\n  source = "./app"\n}\n', "app/main.tf": IMDS % ""},
     "module.app[1].aws_instance.web"),
])
def test_a_finding_on_a_block_opens_the_threat_of_each_instance(write_tree, files, instance):
    root = write_tree(files)
    controls = controls_of(root)
    threat = threats_of(root)[f"instance-credential-theft@{instance}"]
    assert threat["status"] == "open"
    assert [controls[fp][0] for fp in threat["findings"]] == ["ec2-imdsv1-enabled"]
    (control, _resource, file, line) = controls[threat["findings"][0]]
    assert {"file": file, "line": line} in [{"file": e["file"], "line": e["line"]} for e in threat["evidence"]]


PARENT = '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Data:
    Type: AWS::CloudFormation::Stack
    Properties:
      TemplateURL: ./child.yaml
'''
CHILD = '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      StorageEncrypted: false
      DeletionProtection: true
      BackupRetentionPeriod: 7
'''


def test_a_finding_in_a_nested_stack_opens_the_threat_of_its_component(write_tree):
    root = write_tree({"parent.yaml": PARENT, "child.yaml": CHILD})
    controls = controls_of(root)
    threats = threats_of(root)
    threat = threats["db-data-at-rest@Data.Db"]
    assert threat["status"] == "open"
    assert [controls[fp] for fp in threat["findings"]] == [("db-storage-unencrypted", "Data.Db", "child.yaml", 8)]
    assert threats["db-data-loss@Data.Db"]["status"] == "mitigated"


# --- undetermined --------------------------------------------------------------------------------

DB_VAR_TF = '''
variable "encrypted" {
  type = bool
}
resource "aws_db_instance" "db" {
  engine                  = "postgres"
  instance_class          = "db.t3.micro"
  storage_encrypted       = var.encrypted
  deletion_protection     = true
  backup_retention_period = 7
}
'''
DB_PARAM_CFN = '''AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Encrypted:
    Type: String
    AllowedValues: ["true", "false"]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      StorageEncrypted: !Ref Encrypted
      DeletionProtection: true
      BackupRetentionPeriod: 7
'''
DB_CONDITION_CFN = '''AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: postgres
      DBInstanceClass: db.t3.micro
      StorageEncrypted: !If [IsProd, true, false]
      DeletionProtection: true
      BackupRetentionPeriod: 7
'''


@pytest.mark.parametrize("files,db,line,name", [
    ({"main.tf": DB_VAR_TF}, "aws_db_instance.db", 8, "variable encrypted"),
    ({"t.yaml": DB_PARAM_CFN}, "Db", 12, "Encrypted"),
    ({"t.yaml": DB_CONDITION_CFN}, "Db", 13, "condition IsProd"),
])
def test_a_control_that_depends_on_an_unknown_value_is_undetermined_naming_it(write_tree, files, db, line, name):
    root = write_tree(files)
    threats = threats_of(root)
    threat = threats[f"db-data-at-rest@{db}"]
    assert threat["status"] == "undetermined" and threat["findings"] == []
    [evidence] = threat["evidence"]
    assert evidence["line"] == line and name in evidence["what"] and "storage_encrypted" in evidence["what"]
    # What is known still mitigates: the backups and deletion protection are written.
    assert threats[f"db-data-loss@{db}"]["status"] == "mitigated"


CONDITIONAL_WAF = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env:
    Type: String
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Scheme: internet-facing
      Type: application
      Subnets: [subnet-1, subnet-2]
  Acl:
    Type: AWS::WAFv2::WebACL
    Properties:
      Scope: REGIONAL
      DefaultAction: {Allow: {}}
      VisibilityConfig: {SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: acl}
  Assoc:
    Type: AWS::WAFv2::WebACLAssociation
    Condition: IsProd
    Properties:
      ResourceArn: !Ref Lb
      WebACLArn: !GetAtt Acl.Arn
"""


def test_a_control_met_only_under_an_open_condition_is_undetermined(write_tree):
    # Without the condition there is no web ACL: the finding holds in one deployment only, so
    # there is none, and the association is no evidence for the other deployment.
    threat = threats_of(write_tree({"t.yaml": CONDITIONAL_WAF}))["lb-denial-of-service@Lb"]
    assert threat["status"] == "undetermined"
    assert [(e["line"], e["what"]) for e in threat["evidence"]] == [
        (25, "lb-no-waf: web_acl is not known (set by Assoc only when condition IsProd holds)")]


CONDITIONAL_WAF_TF = """variable "waf" {
  type = bool
}

resource "aws_lb" "web" {
  internal           = false
  load_balancer_type = "application"
  subnets            = ["subnet-1", "subnet-2"]
}

resource "aws_wafv2_web_acl" "acl" {
  name  = "acl"
  scope = "REGIONAL"
}

resource "aws_wafv2_web_acl_association" "web" {
  count        = var.waf ? 1 : 0
  resource_arn = aws_lb.web.arn
  web_acl_arn  = aws_wafv2_web_acl.acl.arn
}

resource "aws_s3_bucket" "logs" {
  count  = var.waf ? 1 : 0
  bucket = "waf-logs"
}
"""


def test_a_control_met_only_by_a_block_whose_count_is_unknown_is_undetermined(write_tree):
    # Terraform's twin of the open condition: with `var.waf` unset the association may not exist,
    # so it proves nothing; a finding on a block of unknown count says so.
    root = write_tree({"main.tf": CONDITIONAL_WAF_TF})
    threat = threats_of(root)["lb-denial-of-service@aws_lb.web"]
    assert threat["status"] == "undetermined"
    assert [(e["line"], e["what"]) for e in threat["evidence"]] == [
        (19, "lb-no-waf: web_acl is not known (set by aws_wafv2_web_acl_association.web[0] only when condition "
             "aws_wafv2_web_acl_association.web.count > 0 holds)")]
    result = scan([root], select=["s3-versioning-missing"])
    assert [(f.resource, f.loc.line, "(when condition aws_s3_bucket.logs.count > 0 holds)" in f.message)
            for f in result.findings] == [("aws_s3_bucket.logs", 22, True)]
    # Known, the count decides as before: no association, a definite finding on the load balancer.
    known = scan([root], select=["lb-no-waf"], variables=VariableInputs((), (("waf", "false"),), {}))
    assert [(f.resource, "when condition" in f.message) for f in known.findings] == [("aws_lb.web", False)]


def test_a_control_no_rule_checks_yet_is_undetermined_never_mitigated(write_tree, monkeypatch):
    # Every catalog control has a rule now: this version is made to lack the one of efs-unencrypted.
    from iac_assist.threatmodel import threats

    every = threats.implemented()
    monkeypatch.setattr(threats, "implemented", lambda: every - {"efs-unencrypted"})
    root = write_tree({"main.tf": 'resource "aws_efs_file_system" "files" {\n  encrypted = true\n}\n'})
    threat = threats_of(root)["efs-data-at-rest@aws_efs_file_system.files"]
    assert threat["status"] == "undetermined"
    assert [e["what"] for e in threat["evidence"]] == [
        "efs-unencrypted: no rule of this version of iac-assist checks it yet"]


# --- mitigated, with evidence --------------------------------------------------------------------

HARDENED = {
    "terraform": (SEED / "terraform" / "hardened", {
        "lb": "aws_lb.web", "cdn": "aws_cloudfront_distribution.site", "bucket": "aws_s3_bucket.site",
        "waf": ("web.tf", 'resource "aws_wafv2_web_acl_association" "alb"'),
        "oac": ("static.tf", "origin_access_control_id"),
        "kms": ("static.tf", 'sse_algorithm     = "aws:kms"'),
    }),
    "cloudformation": (SEED / "cloudformation" / "hardened.yaml", {
        "lb": "LoadBalancer", "cdn": "SiteDistribution", "bucket": "SiteBucket",
        "waf": ("hardened.yaml", "Type: AWS::WAFv2::WebACLAssociation"),
        "oac": ("hardened.yaml", "OriginAccessControlId"),
        "kms": ("hardened.yaml", "SSEAlgorithm: aws:kms"),
    }),
}


def line_of(root: Path, rel: str, text: str) -> int:
    path = root / rel if root.is_dir() else root.parent / rel
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


@pytest.mark.parametrize("fmt", sorted(HARDENED))
def test_the_hardened_seed_app_is_mitigated_with_evidence_lines(fmt):
    root, p = HARDENED[fmt]
    threats = threats_of(root)
    assert not [t for t in threats.values() if t["status"] == "open"]
    for t in threats.values():
        assert t["evidence"] and all(e["file"] and e["line"] > 0 and e["what"] for e in t["evidence"]), t

    def evidence(threat: str) -> set[tuple[str, int]]:
        t = threats[threat]
        assert t["status"] == "mitigated", t
        return {(e["file"], e["line"]) for e in t["evidence"]}

    # The WAF association, the origin access control and the KMS key, each at its line.
    waf = line_of(root, *p["waf"])
    assert any(file == p["waf"][0] and waf <= line <= waf + 3
               for file, line in evidence(f"lb-denial-of-service@{p['lb']}"))
    oac = line_of(root, *p["oac"])
    assert any(file == p["oac"][0] and abs(line - oac) <= 3
               for file, line in evidence(f"cdn-origin-bypass@{p['cdn']}"))
    assert (p["kms"][0], line_of(root, *p["kms"])) in evidence(f"bucket-data-at-rest@{p['bucket']}")
    # The HTTP listener only redirects: its flow is no plaintext channel for data.
    redirect = threats[f"flow-eavesdropping@internet->{p['lb']}:80"]
    assert redirect["status"] == "mitigated" and "only redirects to HTTPS" in redirect["evidence"][0]["what"]
    flows = {(f["source"], f["target"], f["port"]): f["redirect"] for f in model_of(root)["flows"]}
    assert flows[("internet", p["lb"], 80)] is True and flows[("internet", p["lb"], 443)] is False


# --- flows ---------------------------------------------------------------------------------------

TWO_LISTENERS = '''
resource "aws_lb" "web" {
  load_balancer_type         = "application"
  internal                   = false
  subnets                    = ["subnet-1", "subnet-2"]
  drop_invalid_header_fields = true
}
resource "aws_lb_target_group" "web" {
  port     = 80
  protocol = "HTTP"
  vpc_id   = "vpc-1"
}
resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}
resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = "arn:aws:acm:us-east-1:123456789012:certificate/web"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}
'''


def test_an_https_flow_is_not_opened_by_a_plaintext_finding_on_another_listener(write_tree):
    root = write_tree({"main.tf": TWO_LISTENERS})
    controls = controls_of(root)
    threats = threats_of(root)
    https = threats["flow-eavesdropping@internet->aws_lb.web:443"]
    assert https["status"] == "mitigated" and https["findings"] == []
    assert "HTTPS on port 443, encrypted" in https["evidence"][0]["what"]
    http = threats["flow-eavesdropping@internet->aws_lb.web:80"]
    assert http["status"] == "open"
    assert [controls[fp][:2] for fp in http["findings"]] == [("lb-listener-plaintext", "aws_lb_listener.http")]
    # The component threat has the same finding: one root cause, one threat per target.
    assert threats["lb-eavesdropping@aws_lb.web"]["findings"] == http["findings"]


SEED_INSECURE = {
    "terraform": (SEED / "terraform" / "insecure", "aws_instance.web[0]", "module.database.aws_db_instance.this",
                  "aws_lb.web"),
    "cloudformation": (SEED / "cloudformation" / "insecure.yaml", "WebInstance1", "Database", "LoadBalancer"),
}


@pytest.mark.parametrize("fmt", sorted(SEED_INSECURE))
def test_the_app_to_database_flow_is_no_direct_access_threat(fmt):
    root, web, db, lb = SEED_INSECURE[fmt]
    doc = model_of(root)
    # The application reaches its database across the boundary (the database sits in a public
    # subnet): that is its job, not a threat of direct access. The internet's flow to it is.
    assert any(f["source"] == web and f["target"] == db and f["crosses"] for f in doc["flows"])
    direct = {t["target"] for t in doc["threats"] if t["id"].startswith("flow-direct-access@")}
    assert not any(target.startswith(f"{web}->") for target in direct)
    assert f"internet->{db}:5432" in direct
    # One finding opens at most one flow threat of a kind per component.
    opened: dict[tuple[str, str], int] = {}
    for t in doc["threats"]:
        if t["id"].startswith("flow-"):
            for fp in t["findings"]:
                key = (t["id"].split("@")[0], fp)
                opened[key] = opened.get(key, 0) + 1
    assert opened and max(opened.values()) == 1
    # A plaintext flow is never mitigated.
    for t in doc["threats"]:
        flow = next((f for f in doc["flows"] if t["target"] == f"{f['source']}->{f['target']}:{f['port']}"), None)
        if t["id"].startswith("flow-eavesdropping@") and flow is not None and flow["encrypted"] is False:
            assert t["status"] == "open", t


def test_the_json_and_markdown_carry_status_evidence_and_references():
    root = SEED / "terraform" / "insecure"
    out = CliRunner().invoke(cli, ["model", str(root), "--format", "json"])
    assert out.exit_code == 0, out.output
    threat = next(t for t in json.loads(out.output)["threats"]
                  if t["id"] == "db-exposure@module.database.aws_db_instance.this")
    assert threat["status"] == "open"
    assert threat["capec"] == ["CAPEC-1", "CAPEC-300"] and threat["attack"] == ["T1190", "T1213"]
    controls = controls_of(root)
    assert sorted((e["file"], e["line"]) for e in threat["evidence"]) == sorted(
        (file, line) for fp in threat["findings"] for _control, _resource, file, line in [controls[fp]])
    again = CliRunner().invoke(cli, ["model", str(root), "--format", "json"])
    assert again.output == out.output
    markdown = render(build(scan([root])), "markdown")
    assert "- **Threats:** 29 open, 0 undetermined, 17 mitigated." in markdown
    row = next(line for line in markdown.splitlines() if line.startswith("| **open** | `db-exposure` |"))
    assert "`modules/database/main.tf:62`" in row and "CAPEC-1, CAPEC-300, T1190, T1213" in row


def test_a_finding_in_a_terraform_plan_opens_the_threat_of_each_module_instance(tmp_path):
    from tests.test_terraform_plan import plan_text

    resources = [{"address": f"module.app[{i}].aws_instance.web", "module": f"module.app[{i}]",
                  "type": "aws_instance", "name": "web",
                  "values": {"ami": "ami-12345678", "instance_type": "t3.micro",
                             "metadata_options": [{"http_tokens": "optional"}]}} for i in range(2)]
    (tmp_path / "plan.json").write_text(plan_text(resources), encoding="utf-8")
    controls = controls_of(tmp_path)
    threats = threats_of(tmp_path)
    for i in range(2):
        threat = threats[f"instance-credential-theft@module.app[{i}].aws_instance.web"]
        assert threat["status"] == "open"
        assert [controls[fp][:2] for fp in threat["findings"]] == [
            ("ec2-imdsv1-enabled", "module.app.aws_instance.web")]


ACCOUNT_TF = '''
resource "aws_guardduty_detector" "main" {
  enable = true
}
resource "aws_ebs_encryption_by_default" "main" {
  enabled = true
}
'''
TRAIL_TF = '''
resource "aws_cloudtrail" "main" {
  name                       = "main"
  s3_bucket_name             = "logs"
  is_multi_region_trail      = true
  enable_log_file_validation = true
  kms_key_id                 = "arn:aws:kms:us-east-1:123456789012:key/main"
}
'''


def test_a_missing_trail_is_one_threat_of_the_configuration(write_tree):
    threats = threats_of(write_tree({"main.tf": ACCOUNT_TF}))
    repudiation = [t for t in threats.values() if t["id"].startswith("account-repudiation@")]
    assert [(t["target"], t["status"]) for t in repudiation] == [("aws_guardduty_detector.main", "open")]
    # With a trail that qualifies, the trail's settings are the evidence.
    threats = threats_of(write_tree({"main.tf": ACCOUNT_TF, "trail.tf": TRAIL_TF}))
    [repudiation] = [t for t in threats.values() if t["id"].startswith("account-repudiation@")]
    assert repudiation["status"] == "mitigated"
    assert {(e["file"], e["line"]) for e in repudiation["evidence"]} == {("trail.tf", 5), ("trail.tf", 6)}


QUEUE_TF = '''
variable "reader" {
  type = string
}
resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}
resource "aws_sqs_queue_policy" "jobs" {
  queue_url = aws_sqs_queue.jobs.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = var.reader }
      Action    = "sqs:ReceiveMessage"
      Resource  = aws_sqs_queue.jobs.arn
    }]
  })
}
'''
QUEUE_CFN = '''AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Reader:
    Type: String
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  JobsPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Jobs]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: !Ref Reader}
            Action: sqs:ReceiveMessage
            Resource: !GetAtt Jobs.Arn
'''


@pytest.mark.parametrize("files,queue,name", [
    ({"main.tf": QUEUE_TF}, "aws_sqs_queue.jobs", "variable reader"),
    ({"t.yaml": QUEUE_CFN}, "Jobs", "Reader"),
])
def test_a_policy_whose_principal_is_not_known_leaves_its_threat_undetermined(write_tree, files, queue, name):
    threat = threats_of(write_tree(files))[f"messaging-public@{queue}"]
    assert threat["status"] == "undetermined" and threat["findings"] == []
    [evidence] = threat["evidence"]
    assert "Principal of a statement" in evidence["what"] and name in evidence["what"]


AURORA_TF = '''
resource "aws_rds_cluster" "main" {
  engine              = "aurora-postgresql"
  master_username     = "app"
  manage_master_user_password = true
  storage_encrypted   = false
  deletion_protection = true
}
resource "aws_rds_cluster_instance" "one" {
  cluster_identifier = aws_rds_cluster.main.id
  engine             = "aurora-postgresql"
  instance_class     = "db.r6g.large"
}
'''


def test_a_cluster_instance_takes_its_storage_threats_from_its_cluster(write_tree):
    threats = threats_of(write_tree({"main.tf": AURORA_TF}))
    assert threats["db-data-at-rest@aws_rds_cluster.main"]["status"] == "open"
    # Not "mitigated" on the instance for want of a setting of its own: the threat is the cluster's.
    assert "db-data-at-rest@aws_rds_cluster_instance.one" not in threats
    assert "db-exposure@aws_rds_cluster_instance.one" in threats
    assert {t["id"] for t in threats.values() if t["findings"]} >= {"db-data-at-rest@aws_rds_cluster.main"}


EXAMPLES = Path(__file__).parent.parent / "policies" / "examples"


@pytest.mark.parametrize("name", ["fixed.tf", "fixed.yaml"])
def test_an_arn_built_at_deployment_in_a_resource_leaves_an_iam_threat_mitigated(name):
    # Who may do what is known; only the ARNs the statements name are built at deployment.
    threats = threats_of(EXAMPLES / "iam-privilege-escalation" / name)
    elevation = [t for t in threats.values() if t["id"].startswith("iam-elevation@")]
    assert elevation and all(t["status"] == "mitigated" for t in elevation), elevation


def test_every_finding_of_every_rule_example_opens_a_threat(tmp_path):
    for example in sorted(EXAMPLES.iterdir()):
        for name in ("insecure.tf", "insecure.yaml"):
            if not (example / name).is_file():
                continue
            result = scan([example / name])
            linked = {fp for t in build(result).threats for fp in t.findings}
            unlinked = [(f.control, f.resource) for f in result.findings
                        if f.control == example.name and f.fingerprint not in linked]
            assert not unlinked, (example.name, name, unlinked)


NLB_TF = '''
resource "aws_lb" "dns" {
  load_balancer_type = "network"
  internal           = false
  subnets            = ["subnet-1"]
}
resource "aws_lb_listener" "tcp" {
  load_balancer_arn = aws_lb.dns.arn
  port              = 53
  protocol          = "TCP"
  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/dns/1"
  }
}
resource "aws_lb_listener" "udp" {
  load_balancer_arn = aws_lb.dns.arn
  port              = 53
  protocol          = "UDP"
  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/dns/1"
  }
}
'''


def test_threat_ids_are_unique_when_two_flows_share_a_port(write_tree):
    doc = model_of(write_tree({"main.tf": NLB_TF}))
    assert len({(f["protocol"], f["port"]) for f in doc["flows"] if f["target"] == "aws_lb.dns"}) == 2
    ids = [t["id"] for t in doc["threats"]]
    assert len(ids) == len(set(ids))
    threat = next(t for t in doc["threats"] if t["id"] == "flow-eavesdropping@internet->aws_lb.dns:53")
    assert threat["status"] == "open" and {e["what"].split(" on ")[0] for e in threat["evidence"]} == {"TCP", "UDP"}
