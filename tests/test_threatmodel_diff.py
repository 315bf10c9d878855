"""What a change does to the threat model (issue 19): ``diff(base, head)`` and ``model --base REF``.

Each change is written twice, before and after, in Terraform and in CloudFormation: opening a
database's security group to the internet, adding a WAF in front of a load balancer, renaming
resources. The command line reads the base from a real git repository."""

from __future__ import annotations

import json
import re
import subprocess
from itertools import takewhile
from pathlib import Path

import pytest
from click.testing import CliRunner

from iac_assist.analysis.engine import scan
from iac_assist.cli import cli
from iac_assist.threatmodel.build import build
from iac_assist.threatmodel.diff import diff
from tests.test_baseline import git
from tests.test_threatmodel import REACHABLE_TF

DB_TF = {"closed": REACHABLE_TF % {"from": 3306, "to": 3306, "cidr": '"10.0.0.0/8"', "extra": ""},
         "open": REACHABLE_TF % {"from": 3306, "to": 3306, "cidr": '"0.0.0.0/0"', "extra": ""}}

DB_CFN = '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  Gateway:
    Type: AWS::EC2::InternetGateway
  Attach:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties:
      VpcId: !Ref Vpc
      InternetGatewayId: !Ref Gateway
  SubnetA:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: !Ref Vpc
      CidrBlock: 10.0.0.0/24
  Public:
    Type: AWS::EC2::RouteTable
    Properties:
      VpcId: !Ref Vpc
  Default:
    Type: AWS::EC2::Route
    Properties:
      RouteTableId: !Ref Public
      DestinationCidrBlock: 0.0.0.0/0
      GatewayId: !Ref Gateway
  PublicA:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties:
      SubnetId: !Ref SubnetA
      RouteTableId: !Ref Public
  DbSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: db
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 3306
          ToPort: 3306
          CidrIp: %s
  DbSubnets:
    Type: AWS::RDS::DBSubnetGroup
    Properties:
      DBSubnetGroupDescription: db
      SubnetIds: [!Ref SubnetA]
  Db:
    Type: AWS::RDS::DBInstance
    Properties:
      Engine: mysql
      DBInstanceClass: db.t3.micro
      DBSubnetGroupName: !Ref DbSubnets
      VPCSecurityGroups: [!GetAtt DbSg.GroupId]
      PubliclyAccessible: true
'''

LB_TF = '''resource "aws_lb" "web" {
  internal                   = false
  load_balancer_type         = "application"
  subnets                    = ["subnet-1", "subnet-2"]
  drop_invalid_header_fields = true
}

resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.web.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = "arn:aws:acm:us-east-1:111122223333:certificate/abc"
  default_action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      status_code  = "200"
    }
  }
}
'''
WAF_TF = '''
resource "aws_wafv2_web_acl" "acl" {
  name  = "acl"
  scope = "REGIONAL"
}

resource "aws_wafv2_web_acl_association" "web" {
  resource_arn = aws_lb.web.arn
  web_acl_arn  = aws_wafv2_web_acl.acl.arn
}
'''
LB_CFN = '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Lb:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties:
      Scheme: internet-facing
      Type: application
      Subnets: [subnet-1, subnet-2]
      LoadBalancerAttributes:
        - Key: routing.http.drop_invalid_header_fields.enabled
          Value: "true"
  Https:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Lb
      Port: 443
      Protocol: HTTPS
      SslPolicy: ELBSecurityPolicy-TLS13-1-2-2021-06
      Certificates:
        - CertificateArn: arn:aws:acm:us-east-1:111122223333:certificate/abc
      DefaultActions:
        - Type: fixed-response
          FixedResponseConfig:
            ContentType: text/plain
            StatusCode: "200"
'''
WAF_CFN = '''  Acl:
    Type: AWS::WAFv2::WebACL
    Properties:
      Scope: REGIONAL
      DefaultAction: {Allow: {}}
      VisibilityConfig: {SampledRequestsEnabled: true, CloudWatchMetricsEnabled: true, MetricName: acl}
  Assoc:
    Type: AWS::WAFv2::WebACLAssociation
    Properties:
      ResourceArn: !Ref Lb
      WebACLArn: !GetAtt Acl.Arn
'''

CHANGES = {
    ("db-open", "terraform"): ({"main.tf": DB_TF["closed"]}, {"main.tf": DB_TF["open"]}),
    ("db-open", "cloudformation"): ({"t.yaml": DB_CFN % "10.0.0.0/8"}, {"t.yaml": DB_CFN % "0.0.0.0/0"}),
    ("waf", "terraform"): ({"main.tf": LB_TF}, {"main.tf": LB_TF + WAF_TF}),
    ("waf", "cloudformation"): ({"t.yaml": LB_CFN}, {"t.yaml": LB_CFN + WAF_CFN}),
}


def tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def compare(tmp_path: Path, before: dict[str, str], after: dict[str, str]) -> dict:
    """The diff's JSON between two trees written in tmp dirs, severities from both scans."""
    base, head = scan([tree(tmp_path / "base", before)]), scan([tree(tmp_path / "head", after)])
    severities = {f.fingerprint: f.severity for f in (*base.findings, *head.findings)}
    return diff(build(base), build(head), severities).to_json()


def kinds_of(change: dict) -> dict:
    """What a change does, whatever the format names its resources: counts and library threats."""
    return {"summary": {k: v for k, v in change["summary"].items() if k != "verdict"},
            "threats": {k: [(t["id"].split("@")[0], t["was"], t["status"], t["severity"]) for t in v]
                        for k, v in change["threats"].items()},
            "flows": [(f["port"], f["protocol"], f["crosses"]) for f in change["flows"]["added"]],
            "steps": [[s["kind"] for s in p["steps"]] for p in change["attack_paths"]["added"]]}


EMPTY_SUMMARY = {"components": {"added": 0, "removed": 0, "renamed": 0},
                 "flows": {"added": 0, "removed": 0, "crossing": 0}, "crossings": {"added": 0, "removed": 0},
                 "attack_paths": {"added": 0, "removed": 0},
                 "threats": {"opened": 0, "closed": 0, "undetermined": 0}}


# The difference ----------------------------------------------------------------------------------


def test_opening_a_database_security_group_to_the_internet_gives_the_new_flow_path_and_threats(tmp_path):
    change = compare(tmp_path, *CHANGES[("db-open", "terraform")])
    assert change["components"] == {"added": [], "removed": [], "renamed": []}
    assert change["flows"] == {"removed": [], "added": [{
        "source": "internet", "target": "aws_db_instance.db", "port": 3306, "protocol": "TCP", "encrypted": None,
        "crosses": ["internet/public"], "redirect": False, "file": "main.tf", "line": 21,
        "why": "security group aws_security_group.db admits 0.0.0.0/0 on tcp port 3306"}]}
    assert change["attack_paths"]["removed"] == []
    [path] = change["attack_paths"]["added"]
    assert path["hops"] == ["internet", "aws_internet_gateway.main", "aws_subnet.a", "aws_security_group.db",
                            "aws_db_instance.db"]
    assert [(s["kind"], [(e["id"], e["line"]) for e in s["evidence"]]) for s in path["steps"]] == [
        ("internet-exposure", [("aws_internet_gateway.main", 3), ("aws_subnet.a", 10), ("aws_security_group.db", 21),
                               ("aws_db_instance.db", 33)])]
    assert [(t["id"], t["was"], t["status"], t["severity"], [(e["file"], e["line"]) for e in t["evidence"]])
            for t in change["threats"]["opened"]] == [
        ("db-tampering@aws_db_instance.db", "mitigated", "open", "critical", [("main.tf", 21), ("main.tf", 33)]),
        ("flow-direct-access@internet->aws_db_instance.db:3306", None, "open", "critical",
         [("main.tf", 21), ("main.tf", 21), ("main.tf", 33)]),
        ("sg-exposure@aws_security_group.db", "mitigated", "open", "high", [("main.tf", 21)]),
    ]
    assert change["threats"]["closed"] == change["threats"]["undetermined"] == []
    assert change["summary"] == {
        "changed": True,
        "verdict": "this change opens 1 attack path from the internet to aws_db_instance.db and opens 3 threats",
        "components": {"added": 0, "removed": 0, "renamed": 0}, "flows": {"added": 1, "removed": 0, "crossing": 1},
        "crossings": {"added": 1, "removed": 0},
        "attack_paths": {"added": 1, "removed": 0}, "threats": {"opened": 3, "closed": 0, "undetermined": 0}}


def test_the_reverse_change_closes_what_the_change_opened(tmp_path):
    before, after = CHANGES[("db-open", "terraform")]
    change = compare(tmp_path, after, before)
    assert [f["target"] for f in change["flows"]["removed"]] == ["aws_db_instance.db"]
    assert [p["target"] for p in change["attack_paths"]["removed"]] == ["aws_db_instance.db"]
    # The flow's own threat goes with the flow: it was open, it no longer exists.
    assert [(t["id"], t["was"], t["status"], t["severity"]) for t in change["threats"]["closed"]] == [
        ("db-tampering@aws_db_instance.db", "open", "mitigated", "critical"),
        ("flow-direct-access@internet->aws_db_instance.db:3306", "open", None, "critical"),
        ("sg-exposure@aws_security_group.db", "open", "mitigated", "high"),
    ]
    assert change["summary"]["verdict"] == "this change closes 1 attack path to aws_db_instance.db and closes 3 threats"


def test_a_pure_rename_gives_an_empty_diff(tmp_path):
    before = DB_TF["open"]
    # Two resources renamed, the reference between them too, and every line moved.
    after = "# renamed\n\n" + (before.replace('aws_db_instance" "db"', 'aws_db_instance" "main"')
                               .replace('aws_security_group" "db"', 'aws_security_group" "database"')
                               .replace("aws_security_group.db.id", "aws_security_group.database.id"))
    change = compare(tmp_path, {"main.tf": before}, {"main.tf": after})
    assert change["components"]["renamed"] == [
        {"from": "aws_db_instance.db", "to": "aws_db_instance.main", "file": "main.tf", "line": 31},
        {"from": "aws_security_group.db", "to": "aws_security_group.database", "file": "main.tf", "line": 21}]
    assert {k: v for k, v in change.items() if k not in ("components", "summary")} == {
        "flows": {"added": [], "removed": []}, "attack_paths": {"added": [], "removed": []},
        "threats": {"opened": [], "closed": [], "undetermined": []}}
    assert change["components"]["added"] == change["components"]["removed"] == []
    assert change["summary"] == {"changed": False, "verdict": "nothing changed in the threat model (2 resources "
                                 "renamed)", **{**EMPTY_SUMMARY, "components": {"added": 0, "removed": 0,
                                                                                 "renamed": 2}}}


def test_a_renamed_resource_whose_facts_changed_is_removed_and_added(tmp_path):
    before = DB_TF["closed"]
    after = before.replace('aws_db_instance" "db"', 'aws_db_instance" "main"').replace('"mysql"', '"postgres"')
    change = compare(tmp_path, {"main.tf": before}, {"main.tf": after})
    assert [c["id"] for c in change["components"]["added"]] == ["aws_db_instance.main"]
    assert [c["id"] for c in change["components"]["removed"]] == ["aws_db_instance.db"]
    assert change["components"]["renamed"] == []


def test_resources_no_rule_models_are_renamed_only_within_their_type(tmp_path):
    # Both are of the kind ``other``, without facts: alike, yet not the same resource renamed.
    change = compare(tmp_path, {"main.tf": 'resource "aws_iot_thing" "a" {}\n'},
                     {"main.tf": 'resource "aws_iot_policy" "b" {}\nresource "aws_iot_thing" "c" {}\n'})
    assert [(c["id"], c["kind"]) for c in change["components"]["added"]] == [("aws_iot_policy.b", "other")]
    assert [(r["from"], r["to"]) for r in change["components"]["renamed"]] == [("aws_iot_thing.a", "aws_iot_thing.c")]


@pytest.mark.parametrize("fmt", ["terraform", "cloudformation"])
def test_adding_a_waf_to_a_load_balancer_closes_the_flooding_threats(tmp_path, fmt):
    change = compare(tmp_path, *CHANGES[("waf", fmt)])
    lb = {"terraform": "aws_lb.web", "cloudformation": "Lb"}[fmt]
    assert [(t["id"], t["was"], t["status"], t["severity"]) for t in change["threats"]["closed"]] == [
        (f"flow-flooding@internet->{lb}:443", "open", "mitigated", "medium"),
        (f"lb-denial-of-service@{lb}", "open", "mitigated", "medium")]
    # The head's evidence shows what mitigates them: the association, at its line.
    association = {"terraform": (30, "web_acl = aws_wafv2_web_acl.acl.arn"),
                   "cloudformation": (36, "web_acl = Acl.Arn")}[fmt]
    assert all((association[0], f"lb-no-waf passes: {association[1]}") in
               [(e["line"], e["what"]) for e in t["evidence"]] for t in change["threats"]["closed"])
    assert change["threats"]["opened"] == change["threats"]["undetermined"] == []
    assert change["flows"] == change["attack_paths"] == {"added": [], "removed": []}
    assert len(change["components"]["added"]) == 2 and change["components"]["removed"] == []
    assert change["summary"]["verdict"] == "this change closes 2 threats"


@pytest.mark.parametrize("name", ["db-open", "waf"])
def test_the_same_change_written_in_cloudformation_gives_the_same_diff(tmp_path, name):
    terraform = compare(tmp_path / "tf", *CHANGES[(name, "terraform")])
    cloudformation = compare(tmp_path / "cfn", *CHANGES[(name, "cloudformation")])
    assert kinds_of(cloudformation) == kinds_of(terraform)
    assert kinds_of(terraform)["summary"]["changed"]


def test_threat_ids_on_flows_follow_a_renamed_end(tmp_path):
    before = DB_TF["open"]
    after = before.replace('aws_db_instance" "db"', 'aws_db_instance" "main"')
    change = compare(tmp_path, {"main.tf": before}, {"main.tf": after})
    assert change["summary"]["changed"] is False
    assert [r["to"] for r in change["components"]["renamed"]] == ["aws_db_instance.main"]


# The command line --------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose one commit has the database closed to the internet."""
    root = tmp_path / "repo"
    tree(root, {"infra/main.tf": DB_TF["closed"], "README.md": "app\n"})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "database")
    return root


def model(*args: str) -> tuple[int, str]:
    out = CliRunner().invoke(cli, ["model", *args])
    return out.exit_code, out.output


def test_base_equal_to_the_working_tree_prints_that_nothing_changed(repo):
    for fmt, expected in [("text", "Threat model compared with HEAD: nothing changed in the threat model.\n"),
                          ("markdown", "## Threat model: what this change does\n\n**Nothing changed in the threat "
                                       "model.** Compared with `HEAD`.\n")]:
        assert model(str(repo / "infra"), "--base", "HEAD", "-f", fmt, "--fail-on-new-path") == (0, expected)
    code, output = model(str(repo / "infra"), "--base", "main", "-f", "json")
    assert code == 0 and json.loads(output)["diff"]["summary"] == {
        "changed": False, "verdict": "nothing changed in the threat model", **EMPTY_SUMMARY}


def test_base_reads_the_revision_from_git_and_the_change_from_the_working_tree(repo):
    (repo / "infra" / "main.tf").write_text(DB_TF["open"], encoding="utf-8")
    before = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout
    code, output = model(str(repo / "infra"), "--base", "HEAD", "-f", "json")
    assert code == 0  # no gate asked for
    change = json.loads(output)["diff"]
    assert change == compare(repo.parent / "direct", {"main.tf": DB_TF["closed"]}, {"main.tf": DB_TF["open"]})
    # Nothing was checked out: the working tree is as the change left it.
    assert subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True).stdout == before


def test_the_json_has_the_documented_shape(repo):
    (repo / "infra" / "main.tf").write_text(DB_TF["open"], encoding="utf-8")
    doc = json.loads(model(str(repo / "infra"), "--base", "HEAD", "-f", "json")[1])
    assert list(doc) == ["diff"]
    change = doc["diff"]
    assert list(change) == ["components", "flows", "attack_paths", "threats", "summary"]
    assert list(change["components"]) == ["added", "removed", "renamed"]
    assert list(change["flows"]) == list(change["attack_paths"]) == ["added", "removed"]
    assert list(change["threats"]) == ["opened", "closed", "undetermined"]
    assert list(change["summary"]) == ["changed", "verdict", "components", "flows", "crossings", "attack_paths",
                                       "threats"]
    assert list(change["flows"]["added"][0]) == ["source", "target", "port", "protocol", "encrypted", "crosses",
                                                 "redirect", "file", "line", "why"]
    assert list(change["attack_paths"]["added"][0]) == ["target", "hops", "rank", "score", "likelihood", "impact",
                                                        "exposure", "classification", "classification_source",
                                                        "steps"]
    assert list(change["threats"]["opened"][0]) == ["id", "stride", "target", "title", "was", "status", "severity",
                                                    "controls", "findings", "evidence", "capec", "attack"]
    for entries in (*change["components"].values(), *change["flows"].values(), *change["attack_paths"].values(),
                    *change["threats"].values()):
        assert isinstance(entries, list) and all(isinstance(e, dict) for e in entries)
    assert all(isinstance(e["line"], int) and isinstance(e["file"], str)
               for t in change["threats"]["opened"] for e in t["evidence"])


def test_fail_on_new_path_gates_what_the_change_opens(repo):
    infra = str(repo / "infra")
    (repo / "infra" / "main.tf").write_text(DB_TF["open"], encoding="utf-8")
    failed = CliRunner().invoke(cli, ["model", infra, "--base", "HEAD", "-f", "json", "--fail-on-new-path"])
    assert failed.exit_code == 1 and json.loads(failed.stdout)["diff"]["summary"]["changed"]
    assert failed.stderr == ("iac-assist: the gate fails (exit 1): this change opens 1 attack path from the internet "
                             "to aws_db_instance.db and opens 3 threats\n")
    # A new attack path fails whatever the threshold.
    assert model(infra, "--base", "HEAD", "-f", "json", "--fail-on-new-path", "--fail-on", "none")[0] == 1
    # A threat opened without a path: only at or above --fail-on (sg-exposure is high).
    sg = ('resource "aws_security_group" "ssh" {\n  ingress {\n    from_port   = 22\n    to_port     = 22\n'
          '    protocol    = "tcp"\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n')
    (repo / "infra" / "main.tf").write_text(DB_TF["closed"] + sg, encoding="utf-8")
    code, output = model(infra, "--base", "HEAD", "-f", "json", "--fail-on-new-path", "--fail-on", "critical")
    opened = [(t["id"], t["severity"]) for t in json.loads(output)["diff"]["threats"]["opened"]]
    assert (code, opened) == (0, [("sg-exposure@aws_security_group.ssh", "high")])
    assert model(infra, "--base", "HEAD", "-f", "json", "--fail-on-new-path", "--fail-on", "high")[0] == 1
    assert model(infra, "--base", "HEAD", "-f", "json")[0] == 0


def test_text_says_what_was_added_with_its_lines(repo):
    (repo / "infra" / "main.tf").write_text(DB_TF["open"], encoding="utf-8")
    code, output = model(str(repo / "infra"), "--base", "HEAD", "-f", "text")
    assert code == 0
    assert output.splitlines()[:4] == [
        "Threat model compared with HEAD: this change opens 1 attack path from the internet to aws_db_instance.db "
        "and opens 3 threats.",
        "Trust-boundary crossings: 1 added, 0 removed.",
        "Attack paths added (1):",
        "  internet -> aws_internet_gateway.main -> aws_subnet.a -> aws_security_group.db -> aws_db_instance.db "
        "(authenticated, score 0.375)"]
    assert ("  internet -> aws_db_instance.db TCP 3306, crosses internet/public at main.tf:21: security group "
            "aws_security_group.db admits 0.0.0.0/0 on tcp port 3306") in output.splitlines()


def outside_code(line: str) -> str:
    """``line`` without its code spans (a run of backticks to the next run as long), as GitHub reads it."""
    out, i = [], 0
    while i < len(line):
        if line[i] == "\\":
            out.append(line[i:i + 2])
            i += 2
        elif line[i] == "`":
            fence = re.match(r"`+", line[i:]).group()
            close = re.compile(rf"(?<!`){fence}(?!`)").search(line, i + len(fence))
            out.append("" if close else fence)
            i = close.end() if close else i + len(fence)
        else:
            out.append(line[i])
            i += 1
    return "".join(out)


HOSTILE = '|<img src=x onerror=alert(1)>@team`**x**\u202e'


def test_hostile_resource_names_are_escaped_in_markdown(repo):
    # A for_each key is free text: it becomes part of the resource's address.
    hostile = DB_TF["open"].replace('resource "aws_db_instance" "db" {',
                                    'resource "aws_db_instance" "db" {\n  for_each = toset(["' + HOSTILE + '"])')
    (repo / "infra" / "main.tf").write_text(hostile, encoding="utf-8")
    code, output = model(str(repo / "infra"), "--base", "HEAD", "-f", "markdown")
    assert code == 0
    lines = output.splitlines()
    assert lines[2] == ('**This change opens 1 attack path from the internet to aws\\_db\\_instance.db\\["\\|'
                        '\\<img src=x onerror=alert\\(1\\)\\>@\u200bteam\\`\\*\\*x\\*\\*\\\\u202e"\\] '
                        'and opens 3 threats.** Compared with `HEAD`.')
    # In tables the name is a code span (shown literally by GitHub: no HTML, no mention), its
    # fence longer than the backtick inside, its pipe escaped; elsewhere it is escaped text.
    assert '``aws_db_instance.db["\\|<img src=x onerror=alert(1)>@team`**x**\\u202e"]``' in output
    # The Mermaid block is escaped for Mermaid (tests/test_threatmodel_diff_diagram.py), not Markdown.
    start, end = lines.index("```mermaid"), lines.index("```")
    assert not any(re.search("<img|`|\u202e", line) for line in lines[start + 1:end])
    lines = lines[:start] + lines[end + 1:]
    prose = [outside_code(line) for line in lines]
    assert not any(re.search(r"(?<!\\)[<>`*]|@team", line) for line in prose[3:])
    assert "\u202e" not in output
    # Every table row keeps its columns: no pipe from a name splits a cell.
    for table in ("| Target | Path |", "| Threat | Severity |", "| Source | Target |"):
        start = next(i for i, line in enumerate(lines) if line.startswith(table))
        columns = lines[start].count(" | ")
        rows = list(takewhile(lambda line: line.startswith("| "), lines[start + 2:]))
        assert rows and all(row.replace("\\|", "").count(" | ") == columns for row in rows)


def test_base_options_are_checked_before_the_scan(repo, tmp_path):
    infra = str(repo / "infra")
    assert model(infra, "-f", "text")[0] == 2
    assert model(infra, "--fail-on-new-path")[0] == 2
    assert model(infra, "--base", "HEAD", "-f", "mermaid")[0] == 2
    code, output = model(infra, "--base", "no-such-ref")
    assert code == 2 and "--base: unknown revision 'no-such-ref'" in output
    outside = tree(tmp_path / "outside", {"main.tf": DB_TF["open"]})
    code, output = model(str(outside), "--base", "HEAD")
    assert code == 2 and "--base needs a git repository" in output


def test_a_base_that_cannot_be_analysed_is_a_warning(repo):
    (repo / "infra" / "main.tf").write_text('resource "aws_s3_bucket" "b" {\n', encoding="utf-8")
    git(repo, "commit", "-q", "-am", "broken")
    (repo / "infra" / "main.tf").write_text(DB_TF["open"], encoding="utf-8")
    result = CliRunner().invoke(cli, ["model", str(repo / "infra"), "--base", "HEAD", "-f", "json"])
    assert result.exit_code == 0 and len(json.loads(result.stdout)["diff"]["components"]["added"]) == 7
    assert result.stderr == ("iac-assist: warning: some inputs could not be analysed as they were at HEAD; what they "
                             "held reads as added\n")


def test_a_new_folder_has_everything_added(repo):
    tree(repo, {"new/main.tf": DB_TF["open"]})
    change = json.loads(model(str(repo / "new"), "--base", "HEAD", "-f", "json")[1])["diff"]
    assert change["components"]["removed"] == [] and len(change["components"]["added"]) == 7
    assert [p["target"] for p in change["attack_paths"]["added"]] == ["aws_db_instance.db"]


# --- against what is deployed: --base-state ------------------------------------------------------

DEPLOYED_PUBLIC = {"address": "aws_s3_bucket_acl.site", "type": "aws_s3_bucket_acl", "name": "site",
                   "values": {"bucket": "acme-site", "acl": "public-read"}, "sensitive_values": {}}
DEPLOYED_BUCKET = {"address": "aws_s3_bucket.site", "type": "aws_s3_bucket", "name": "site",
                   "values": {"bucket": "acme-site", "id": "acme-site"}, "sensitive_values": {}}
PRIVATE_TF = '''resource "aws_s3_bucket" "site" {
  bucket = "acme-site"
}

resource "aws_s3_bucket_acl" "site" {
  bucket = aws_s3_bucket.site.id
  acl    = "private"
}
'''


def test_a_deployed_public_bucket_the_code_made_private_is_drift_the_next_apply_closes(tmp_path, monkeypatch):
    from tests.test_terraform_state import state_text

    (tmp_path / "main.tf").write_text(PRIVATE_TF, encoding="utf-8")
    (tmp_path / "deployed").mkdir()
    (tmp_path / "deployed" / "state.json").write_text(
        state_text([DEPLOYED_BUCKET, DEPLOYED_PUBLIC]), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(cli, ["model", ".", "--base-state", "deployed/state.json", "-f", "json",
                                   "--fail-on-new-path"])
    assert out.exit_code == 0, out.output
    change = json.loads(out.stdout)["diff"]
    # The state itself is the base, not a second copy of the bucket in the working tree.
    assert change["components"] == {"added": [], "removed": [], "renamed": []}
    [path] = change["attack_paths"]["removed"]
    assert path["target"] == "aws_s3_bucket.site"
    closed = {t["id"] for t in change["threats"]["closed"]}
    assert "flow-direct-access@internet->aws_s3_bucket.site:80" in closed
    assert change["threats"]["opened"] == [] and change["attack_paths"]["added"] == []
    lines = {(e["file"], e["line"]) for t in change["threats"]["closed"] for e in t["evidence"]}
    written = (tmp_path / "deployed" / "state.json").read_text(encoding="utf-8").splitlines()
    acl = next(n for n, text in enumerate(written, 1) if '"acl": "public-read"' in text)
    assert ("deployed/state.json", acl) in lines  # where the deployed ACL says public-read
    assert change["summary"]["verdict"].startswith("this change closes 1 attack path to aws_s3_bucket.site")


def test_the_reverse_drift_opens_the_path_and_fails_the_gate(tmp_path, monkeypatch):
    from tests.test_terraform_state import state_text

    (tmp_path / "main.tf").write_text(PRIVATE_TF.replace('"private"', '"public-read"'), encoding="utf-8")
    private = {**DEPLOYED_PUBLIC, "values": {"bucket": "acme-site", "acl": "private"}}
    (tmp_path / "state.json").write_text(state_text([DEPLOYED_BUCKET, private]), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(cli, ["model", ".", "--base-state", "state.json", "-f", "text", "--fail-on-new-path"])
    assert out.exit_code == 1, out.output
    assert out.stdout.startswith("Threat model compared with the deployed state state.json: this change opens "
                                 "1 attack path from the internet to aws_s3_bucket.site")


def test_base_state_is_a_state_or_a_plan_and_not_with_base(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(PRIVATE_TF, encoding="utf-8")
    (tmp_path / "notes.json").write_text('{"hello": 1}', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(cli, ["model", ".", "--base-state", "notes.json", "-f", "json"])
    assert out.exit_code == 2 and "not `terraform show -json` of a state or a plan" in out.output
    out = CliRunner().invoke(cli, ["model", ".", "--base-state", "notes.json", "--base", "HEAD", "-f", "json"])
    assert out.exit_code == 2 and "not both" in out.output


def test_a_plan_is_compared_with_the_state_it_was_made_from(tmp_path, monkeypatch):
    from tests.test_terraform_plan import plan_text

    prior = {"format_version": "1.0", "terraform_version": "1.7.5", "values": {"root_module": {"resources": [
        {**DEPLOYED_BUCKET, "mode": "managed"}, {**DEPLOYED_PUBLIC, "mode": "managed"}]}}}
    private = {**DEPLOYED_PUBLIC, "values": {"bucket": "acme-site", "acl": "private"}}
    (tmp_path / "plan.json").write_text(plan_text([DEPLOYED_BUCKET, private], prior_state=prior), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(cli, ["model", "plan.json", "--base-state", "plan.json", "-f", "json"])
    assert out.exit_code == 0, out.output
    change = json.loads(out.stdout)["diff"]
    assert [p["target"] for p in change["attack_paths"]["removed"]] == ["aws_s3_bucket.site"]
    assert change["attack_paths"]["added"] == [] and change["components"]["added"] == []


def test_a_state_in_the_scanned_folder_is_the_base_and_no_gap_even_untrusted(tmp_path, monkeypatch):
    # --untrusted fails the gate on any input not analysed: the state, read as the base, is not one.
    from tests.test_terraform_state import state_text

    (tmp_path / "main.tf").write_text(PRIVATE_TF, encoding="utf-8")
    (tmp_path / "deployed").mkdir()
    (tmp_path / "deployed" / "state.json").write_text(state_text([DEPLOYED_BUCKET, DEPLOYED_PUBLIC]),
                                                     encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out = CliRunner().invoke(cli, ["model", ".", "--base-state", "deployed/state.json", "-f", "text", "--untrusted"])
    assert out.exit_code == 0, out.output
    assert "not analysed" not in out.stderr


def test_base_in_html_draws_the_whole_model_with_the_change_marked(repo, tmp_path):
    from tests.test_threatmodel_html import data_of

    (repo / "infra" / "main.tf").write_text(DB_TF["open"], encoding="utf-8")
    out = tmp_path / "change.html"
    code, output = model(str(repo / "infra"), "--base", "HEAD", "-f", "html", "-o", str(out))
    assert code == 0, output
    data = data_of(out.read_text(encoding="utf-8"))
    assert data["change"]["summary"]["verdict"].startswith("this change opens 1 attack path")
    assert [m["mark"] for m in data["marks"]["paths"]] == ["added"]
    # The page shows the findings of the working tree, as a model without --base would.
    assert {f["control"] for f in data["findings"].values()} >= {"db-open-security-group"}
