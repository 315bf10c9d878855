"""Network controls (security groups, network ACLs, flow logs), each in Terraform and CloudFormation."""

from __future__ import annotations

import pytest

from iac_assist.model.network import (
    acl_admits,
    admits_port,
    covers_all_ports,
    describe_ports,
    is_anywhere,
    open_to_internet,
)
from tests.conftest import findings_of
from tests.policy_examples import hits, line, messages, tf

CFN = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'


def tf_group(rule: str) -> str:
    return f'resource "aws_security_group" "g" {{\n  ingress {{\n{rule}  }}\n}}\n'


def cfn_group(rule: str) -> str:
    return (CFN + "  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n"
            "      SecurityGroupIngress:\n" + rule)


# --- security groups: which rules count ----------------------------------------------------------

def tf_rule(protocol: str, ports: str, source: str = 'cidr_blocks = ["0.0.0.0/0"]') -> str:
    lo, hi = ports.split(":")
    return f'    protocol = "{protocol}"\n    from_port = {lo}\n    to_port = {hi}\n    {source}\n'


def cfn_rule(protocol: str, ports: str, source: str = "CidrIp: 0.0.0.0/0") -> str:
    lo, hi = ports.split(":")
    return f"        - {{IpProtocol: {protocol}, FromPort: {lo}, ToPort: {hi}, {source}}}\n"


ALL_THREE = {"sg-admin-ports-open", "sg-all-ports-open", "sg-database-ports-open"}
# name: (Terraform rule body, CloudFormation rule item, {controls reported})
RULES = {
    "range-over-ssh": (tf_rule("tcp", "0:1024"), cfn_rule("tcp", "0:1024"), {"sg-admin-ports-open"}),
    "all-protocols": (tf_rule("-1", "0:0"), '        - {IpProtocol: "-1", CidrIp: 0.0.0.0/0}\n', ALL_THREE),
    "all-tcp-ports-ipv6": (tf_rule("6", "1:65535", 'ipv6_cidr_blocks = ["::/0"]'),
                           cfn_rule("6", "1:65535", "CidrIpv6: '::/0'"), ALL_THREE),
    "memcached-udp": (tf_rule("udp", "11211:11211"), cfn_rule("udp", "11211:11211"), {"sg-database-ports-open"}),
    "udp-22-is-not-ssh": (tf_rule("udp", "22:22"), cfn_rule("udp", "22:22"), set()),
    "icmp-all": (tf_rule("icmp", "-1:-1"), cfn_rule("icmp", "-1:-1"), set()),
    "private-source": (tf_rule("-1", "0:0", 'cidr_blocks = ["10.0.0.0/8"]'),
                       '        - {IpProtocol: "-1", CidrIp: 10.0.0.0/8}\n', set()),
    "unknown-port": (tf_rule("tcp", "var.port:var.port"), cfn_rule("tcp", "!Ref Port:!Ref Port"), set()),
}
CONTROLS = ("sg-admin-ports-open", "sg-all-ports-open", "sg-database-ports-open")


@pytest.mark.parametrize("name", sorted(RULES))
def test_which_security_group_rules_count(write_tree, name):
    tf_rule, cfn_rule, expected = RULES[name]
    root = write_tree({
        "tf/main.tf": 'variable "port" { type = number }\n' + tf_group(tf_rule),
        "cfn/template.yaml": cfn_group(cfn_rule).replace("Resources:\n", "Parameters:\n  Port:\n    Type: Number\n"
                                                                           "Resources:\n"),
    })
    for control in CONTROLS:
        where = hits(root, control)
        if control in expected:
            assert where == {("aws_security_group.g", "tf/main.tf", 3), ("G", "cfn/template.yaml", 11)}, control
        else:
            assert where == set(), control


def test_rule_resources_are_reported_at_their_own_line(write_tree):
    root = write_tree({
        "main.tf": '''resource "aws_security_group" "g" {
  name = "g"
}

resource "aws_security_group_rule" "rdp" {
  type              = "ingress"
  security_group_id = aws_security_group.g.id
  protocol          = "tcp"
  from_port         = 3389
  to_port           = 3389
  cidr_blocks       = ["0.0.0.0/0"]
}
''',
        "template.yaml": CFN + '''  G:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: g
  Rdp:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !Ref G
      IpProtocol: tcp
      FromPort: 3389
      ToPort: 3389
      CidrIpv6: ::/0
''',
    })
    assert hits(root, "sg-admin-ports-open") == {("aws_security_group.g", "main.tf", 11),
                                                 ("G", "template.yaml", 14)}


def test_egress_rules_are_not_reported(write_tree):
    root = write_tree({
        "main.tf": 'resource "aws_security_group" "g" {\n  egress {\n    protocol = "-1"\n    from_port = 0\n'
                   '    to_port = 0\n    cidr_blocks = ["0.0.0.0/0"]\n  }\n}\n',
        "template.yaml": CFN + '  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: g\n'
                               '      SecurityGroupEgress:\n        - {IpProtocol: "-1", CidrIp: 0.0.0.0/0}\n',
    })
    found = {c for c, *_ in findings_of(root)}
    assert not found & set(CONTROLS)


# --- network ACLs --------------------------------------------------------------------------------

TF_ACL = '''resource "aws_network_acl" "a" {
  vpc_id = "vpc-1"
%s}
'''
TF_ACL_RULE = '''  ingress {
    rule_no    = %s
    action     = "%s"
    protocol   = "%s"
    cidr_block = "%s"
    from_port  = %s
    to_port    = %s
  }
'''
CFN_ACL = CFN + '''  A:
    Type: AWS::EC2::NetworkAcl
    Properties:
      VpcId: vpc-1
'''
CFN_ACL_RULE = '''  R%d:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref A
      RuleNumber: %s
      RuleAction: %s
      Protocol: %s
      CidrBlock: %s
      PortRange: {From: %s, To: %s}
'''
PROTOCOL_NUMBERS = {"tcp": 6, "-1": -1, "udp": 17}


def acl_tree(write_tree, rules: list[tuple]) -> object:
    """rules: (number, action, protocol, cidr, from, to); the last one is the allow rule tested."""
    tf = TF_ACL % "".join(TF_ACL_RULE % r for r in rules)
    cfn = CFN_ACL + "".join(
        CFN_ACL_RULE % (n, number, action, PROTOCOL_NUMBERS[proto], cidr, lo, hi)
        for n, (number, action, proto, cidr, lo, hi) in enumerate(rules))
    return write_tree({"tf/main.tf": tf, "cfn/template.yaml": cfn})


def acl_hits(root) -> set[str]:
    return {f for _, f, _ in hits(root, "sg-admin-ports-open")}


ALLOW_SSH = ("200", "allow", "tcp", "0.0.0.0/0", "22", "22")


@pytest.mark.parametrize(("earlier", "reported"), [
    pytest.param([], True, id="allow-alone"),
    pytest.param([("100", "deny", "tcp", "0.0.0.0/0", "0", "1024")], False, id="earlier-deny-covers-it"),
    pytest.param([("300", "deny", "tcp", "0.0.0.0/0", "22", "22")], True, id="later-deny-comes-too-late"),
    pytest.param([("100", "deny", "tcp", "0.0.0.0/0", "80", "80")], True, id="earlier-deny-other-port"),
    pytest.param([("100", "deny", "tcp", "198.51.100.0/24", "22", "22")], True, id="deny-of-one-network-only"),
    pytest.param([("100", "deny", "-1", "0.0.0.0/0", "0", "0")], False, id="earlier-deny-all"),
    pytest.param([("100", "deny", "tcp", "::/0", "22", "22")], True, id="deny-of-the-other-ip-family"),
])
def test_network_acl_rules_are_evaluated_in_number_order(write_tree, earlier, reported):
    root = acl_tree(write_tree, [*earlier, ALLOW_SSH])
    assert acl_hits(root) == ({"tf/main.tf", "cfn/template.yaml"} if reported else set())


def test_network_acl_allow_all_opens_admin_ports(write_tree):
    root = acl_tree(write_tree, [("100", "allow", "-1", "0.0.0.0/0", "0", "0")])
    assert hits(root, "sg-admin-ports-open") == {("aws_network_acl.a", "tf/main.tf", 3),
                                                 ("A", "cfn/template.yaml", 14)}
    # Only admin ports are asked of network ACLs: an allow-all ACL is the AWS default design.
    assert hits(root, "sg-all-ports-open") == hits(root, "sg-database-ports-open") == set()


def test_network_acl_unknown_deny_number_is_not_definite(write_tree):
    root = write_tree({"main.tf": '''variable "n" { type = number }
resource "aws_network_acl" "a" {
  vpc_id = "vpc-1"
  ingress {
    rule_no    = var.n
    action     = "deny"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 22
    to_port    = 22
  }
  ingress {
    rule_no    = 200
    action     = "allow"
    protocol   = "tcp"
    cidr_block = "0.0.0.0/0"
    from_port  = 22
    to_port    = 22
  }
}
'''})
    assert hits(root, "sg-admin-ports-open") == set()


def test_network_acl_rule_resources_and_default_acl(write_tree):
    root = write_tree({
        "main.tf": '''resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }

resource "aws_default_network_acl" "d" {
  default_network_acl_id = aws_vpc.v.default_network_acl_id
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "-1"
    cidr_block = "0.0.0.0/0"
    from_port  = 0
    to_port    = 0
  }
}

resource "aws_network_acl_rule" "deny_ssh" {
  network_acl_id = aws_default_network_acl.d.id
  rule_number    = 50
  protocol       = "tcp"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
  from_port      = 22
  to_port        = 22
}

resource "aws_network_acl_rule" "egress_rdp" {
  network_acl_id = aws_default_network_acl.d.id
  rule_number    = 40
  egress         = true
  protocol       = "tcp"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
  from_port      = 3389
  to_port        = 3389
}
''',
        "template.yaml": CFN + '''  A:
    Type: AWS::EC2::NetworkAcl
    Properties:
      VpcId: vpc-1
  AllowAll:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref A
      RuleNumber: 100
      RuleAction: allow
      Protocol: -1
      CidrBlock: 0.0.0.0/0
  DenySsh:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref A
      RuleNumber: 50
      RuleAction: deny
      Protocol: 6
      CidrBlock: 0.0.0.0/0
      PortRange: {From: 22, To: 22}
  EgressRdp:
    Type: AWS::EC2::NetworkAclEntry
    Properties:
      NetworkAclId: !Ref A
      RuleNumber: 40
      Egress: true
      RuleAction: deny
      Protocol: 6
      CidrBlock: 0.0.0.0/0
      PortRange: {From: 3389, To: 3389}
''',
    })
    # SSH is denied first; an egress deny does not stop RDP coming in.
    assert hits(root, "sg-admin-ports-open") == {("A", "template.yaml", 14),
                                                 ("aws_default_network_acl.d", "main.tf", 5)}
    said = messages(root, "sg-admin-ports-open")
    assert all("3389 (RDP)" in m and "22 (SSH)" not in m for m in said), said


# --- flow logs -----------------------------------------------------------------------------------

TF_VPC = '''resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }
resource "aws_subnet" "a" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.0.0/24"
}
resource "aws_subnet" "b" {
  vpc_id     = aws_vpc.v.id
  cidr_block = "10.0.1.0/24"
}
'''
CFN_VPC = CFN + '''  V:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
  A:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref V, CidrBlock: 10.0.0.0/24}
  B:
    Type: AWS::EC2::Subnet
    Properties: {VpcId: !Ref V, CidrBlock: 10.0.1.0/24}
'''


def tf_flow_log(name: str, attribute: str, target: str) -> str:
    return (f'resource "aws_flow_log" "{name}" {{\n  {attribute} = {target}\n  traffic_type = "REJECT"\n'
            '  log_destination = "arn:aws:s3:::logs"\n  log_destination_type = "s3"\n}\n')


def cfn_flow_log(name: str, kind: str, target: str) -> str:
    return (f"  {name}:\n    Type: AWS::EC2::FlowLog\n    Properties:\n      ResourceType: {kind}\n"
            f"      ResourceId: {target}\n      TrafficType: REJECT\n      LogDestinationType: s3\n"
            "      LogDestination: arn:aws:s3:::logs\n")


@pytest.mark.parametrize(("tf_logs", "cfn_logs", "reported"), [
    pytest.param("", "", True, id="none"),
    pytest.param(tf_flow_log("v", "vpc_id", "aws_vpc.v.id"), cfn_flow_log("L", "VPC", "!Ref V"), False,
                 id="vpc-level-reject-only-still-counts"),
    pytest.param(tf_flow_log("a", "subnet_id", "aws_subnet.a.id") + tf_flow_log("b", "subnet_id", "aws_subnet.b.id"),
                 cfn_flow_log("La", "Subnet", "!Ref A") + cfn_flow_log("Lb", "Subnet", "!Ref B"), False,
                 id="every-subnet"),
    pytest.param(tf_flow_log("a", "subnet_id", "aws_subnet.a.id"), cfn_flow_log("La", "Subnet", "!Ref A"), True,
                 id="one-subnet-of-two"),
    pytest.param(tf_flow_log("e", "eni_id", '"eni-0123"'), cfn_flow_log("Le", "NetworkInterface", "eni-0123"), True,
                 id="interface-only"),
    pytest.param(tf_flow_log("o", "vpc_id", '"vpc-0123"'), cfn_flow_log("Lo", "VPC", "vpc-0123"), True,
                 id="another-vpc"),
    pytest.param('variable "vpc" { type = string }\n' + tf_flow_log("u", "vpc_id", "var.vpc"),
                 cfn_flow_log("Lu", "VPC", "!ImportValue network-vpc"), False, id="unknown-target-may-be-it"),
])
def test_flow_log_coverage(write_tree, tf_logs, cfn_logs, reported):
    root = write_tree({"tf/main.tf": TF_VPC + tf_logs, "cfn/template.yaml": CFN_VPC + cfn_logs})
    expected = {("aws_vpc.v", "tf/main.tf", 1), ("V", "cfn/template.yaml", 3)} if reported else set()
    assert hits(root, "vpc-flow-logs-missing") == expected


def test_default_vpc_needs_a_flow_log_too(write_tree):
    root = write_tree({"main.tf": 'resource "aws_default_vpc" "default" {}\n'})
    assert hits(root, "vpc-flow-logs-missing") == {("aws_default_vpc.default", "main.tf", 1)}


# --- helpers (network.py) ------------------------------------------------------------------------


def test_port_helpers():
    ssh = {"protocol": "tcp", "from_port": 0, "to_port": 1024, "cidrs": ["0.0.0.0/0"]}
    assert admits_port(ssh, 22) is True and admits_port(ssh, 3389) is False
    assert admits_port({"protocol": "6", "from_port": 22, "to_port": 22}, 22) is True
    assert admits_port({"protocol": "all", "from_port": 0, "to_port": 0}, 3389) is True
    assert admits_port({"protocol": "tcp", "from_port": None, "to_port": 22}, 22) is None
    assert covers_all_ports({"protocol": "udp", "from_port": 0, "to_port": 65535}) is True
    assert covers_all_ports({"protocol": "icmp", "from_port": -1, "to_port": -1}) is False
    assert is_anywhere("0::/0") and is_anywhere(" 0.0.0.0/0") and not is_anywhere("10.0.0.0/8")
    assert open_to_internet({"cidrs": ["10.0.0.0/8", "::/0"]}) == "::/0"
    assert open_to_internet({"cidrs": ["10.0.0.0/8"]}) is None


def test_acl_admits_keeps_the_family_a_deny_does_not_close():
    from iac_assist.model import Location
    from iac_assist.model.network import Rule

    loc = Location("x", 1)
    allow = Rule({"rule_number": 200, "action": "allow", "protocol": "-1", "from_port": 0, "to_port": 65535,
                  "cidrs": ["0.0.0.0/0"]}, loc, "", 1)
    deny6 = Rule({"rule_number": 100, "action": "deny", "protocol": "tcp", "from_port": 22, "to_port": 22,
                  "cidrs": ["::/0"]}, loc, "", 0)
    assert acl_admits([deny6, allow], allow, 22) == ["0.0.0.0/0"]
    deny4 = Rule({**deny6.entry, "cidrs": ["0.0.0.0/0"]}, loc, "", 0)
    assert acl_admits([deny4, allow], allow, 22) == []


# --- the seed app --------------------------------------------------------------------------------

WAVE1_EC2_VPC = {"ec2-imdsv1-enabled", "ec2-public-ip", "ebs-unencrypted", "secret-in-user-data",
                 "sg-admin-ports-open", "sg-all-ports-open", "sg-database-ports-open", "vpc-flow-logs-missing"}


def test_seed_app_findings_of_the_ec2_and_network_controls():
    from tests.conftest import SEED

    def ours(path):
        return {f for f in findings_of(path) if f[0] in WAVE1_EC2_VPC}

    assert ours(SEED / "terraform" / "insecure") == {
        ("sg-database-ports-open", "module.database.aws_security_group.this", "modules/database/main.tf", 41),
        ("vpc-flow-logs-missing", "aws_vpc.main", "network.tf", 4),
    }
    assert ours(SEED / "cloudformation" / "insecure.yaml") == {
        ("sg-database-ports-open", "DatabaseSecurityGroup", "insecure.yaml", 462),
        ("vpc-flow-logs-missing", "Vpc", "insecure.yaml", 66),
    }
    assert ours(SEED / "terraform" / "hardened") == set()
    assert ours(SEED / "cloudformation" / "hardened.yaml") == set()


def test_describe_ports_with_and_without_the_protocol():
    """One description of a rule's ports for every check: the database check names the ports
    only (its message is about the database's port), never an unknown value's internals."""
    from iac_assist.model import Unknown

    tcp = {"protocol": "tcp", "from_port": 5432, "to_port": 5432}
    assert describe_ports(tcp) == "tcp port 5432"
    assert describe_ports(tcp, name_protocol=False) == "port 5432"
    every = {"protocol": "ALL", "from_port": 0, "to_port": 0}
    assert describe_ports(every) == "all traffic" and describe_ports(every, name_protocol=False) == "all ports"
    unknown = {"protocol": "6", "from_port": Unknown("var.port"), "to_port": Unknown("var.port")}
    assert describe_ports(unknown) == "tcp ports not known"
    assert describe_ports(unknown, name_protocol=False) == "ports not known"
    assert describe_ports({"protocol": "udp", "from_port": 0, "to_port": 1024}, name_protocol=False) == "ports 0-1024"


# --- nacl-admin-ports-open: the network ACL's own control ------------------------------------------

def nacl_hits(root) -> set[str]:
    return {f for _, f, _ in hits(root, "nacl-admin-ports-open")}


@pytest.mark.parametrize(("rules", "reported"), [
    pytest.param([ALLOW_SSH], True, id="ssh-from-anywhere"),
    pytest.param([("100", "allow", "tcp", "0.0.0.0/0", "3389", "3389")], True, id="rdp-from-anywhere"),
    pytest.param([("100", "allow", "-1", "::/0", "0", "0")], True, id="all-traffic-ipv6"),
    pytest.param([("100", "allow", "tcp", "0.0.0.0/0", "0", "65535")], True, id="all-tcp-ports"),
    pytest.param([("100", "allow", "tcp", "0.0.0.0/0", "1024", "65535")], True, id="return-range-holds-rdp"),
    pytest.param([("100", "allow", "tcp", "0.0.0.0/0", "443", "443")], False, id="https-only"),
    pytest.param([("100", "allow", "udp", "0.0.0.0/0", "0", "65535")], False, id="udp-is-not-ssh-or-rdp"),
    pytest.param([("100", "allow", "-1", "10.0.0.0/8", "0", "0")], False, id="private-source"),
    pytest.param([("100", "deny", "-1", "0.0.0.0/0", "0", "0")], False, id="deny-all"),
    pytest.param([("10", "deny", "tcp", "0.0.0.0/0", "22", "22"), ("20", "deny", "tcp", "0.0.0.0/0", "3389", "3389"),
                  ("100", "allow", "-1", "0.0.0.0/0", "0", "0")], False, id="admin-ports-denied-first"),
    pytest.param([("10", "deny", "tcp", "0.0.0.0/0", "22", "22"), ("100", "allow", "-1", "0.0.0.0/0", "0", "0")],
                 True, id="rdp-still-open"),
    pytest.param([("300", "deny", "tcp", "0.0.0.0/0", "22", "22"), ALLOW_SSH], True, id="deny-after-allow"),
    pytest.param([("100", "deny", "tcp", "198.51.100.0/24", "22", "22"), ALLOW_SSH], True, id="narrow-deny"),
])
def test_nacl_admin_ports_open_both_formats(write_tree, rules, reported):
    root = acl_tree(write_tree, rules)
    assert nacl_hits(root) == ({"tf/main.tf", "cfn/template.yaml"} if reported else set())


def test_nacl_admin_ports_open_names_what_is_open(write_tree):
    root = acl_tree(write_tree, [("10", "deny", "tcp", "0.0.0.0/0", "22", "22"),
                                 ("100", "allow", "-1", "0.0.0.0/0", "0", "0")])
    assert {m.split(" through ")[0].rsplit(" in to ", 1)[1] for m in messages(root, "nacl-admin-ports-open")} == {
        "3389 (RDP)"}
    root = acl_tree(write_tree, [("100", "allow", "-1", "0.0.0.0/0", "0", "0")])
    assert all(" in to all ports " in m for m in messages(root, "nacl-admin-ports-open"))


def test_nacl_unknown_entries_are_not_definite(write_tree):
    root = write_tree({"main.tf": '''variable "cidr" { type = string }
resource "aws_network_acl" "a" {
  vpc_id = "vpc-1"
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = "tcp"
    cidr_block = var.cidr
    from_port  = 22
    to_port    = 22
  }
}
resource "aws_network_acl" "b" {
  vpc_id = "vpc-1"
  ingress {
    rule_no    = 100
    action     = "allow"
    protocol   = var.cidr
    cidr_block = "0.0.0.0/0"
    from_port  = 22
    to_port    = 22
  }
}
'''})
    assert hits(root, "nacl-admin-ports-open") == set()


# --- default-security-group-open ---------------------------------------------------------------------

def test_default_security_group_rules_of_every_origin(write_tree):
    root = write_tree({"main.tf": tf('''
        resource "aws_vpc" "v" { cidr_block = "10.0.0.0/16" }
        resource "aws_default_security_group" "d" {
          vpc_id = aws_vpc.v.id
        }
        resource "aws_security_group_rule" "self" {
          type              = "ingress"
          security_group_id = aws_default_security_group.d.id
          protocol          = "-1"
          from_port         = 0
          to_port           = 0
          self              = true
        }
        resource "aws_vpc_security_group_egress_rule" "out" {
          security_group_id = aws_default_security_group.d.id
          ip_protocol       = "-1"
          cidr_ipv4         = "0.0.0.0/0"
        }
        resource "aws_security_group" "other" {
          vpc_id = aws_vpc.v.id
          ingress {
            protocol    = "tcp"
            from_port   = 443
            to_port     = 443
            cidr_blocks = ["0.0.0.0/0"]
          }
        }
    ''')})
    text = (root / "main.tf").read_text()
    assert hits(root, "default-security-group-open") == {
        ("aws_default_security_group.d", "main.tf", 5),  # no cidr_blocks: the rule resource's own line
        ("aws_default_security_group.d", "main.tf", line(text, 'cidr_ipv4         = "0.0.0.0/0"')),
    }


def test_default_security_group_without_rules_or_with_unknown_ones(write_tree):
    root = write_tree({"main.tf": tf('''
        variable "rules" { type = list(any) }
        resource "aws_default_security_group" "clean" {
          vpc_id = "vpc-1"
        }
        resource "aws_default_security_group" "unknown" {
          vpc_id = "vpc-2"
          dynamic "ingress" {
            for_each = var.rules
            content {
              protocol  = ingress.value.protocol
              from_port = 0
              to_port   = 0
              self      = true
            }
          }
        }
    ''')})
    assert hits(root, "default-security-group-open") == set()
