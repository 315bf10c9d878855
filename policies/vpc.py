"""VPC policies: security groups and NACLs open to the internet, flow logs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from iac_assist.analysis.policy import Hit, policy
from iac_assist.model import Component, Ref, Unknown, kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.network import (
    Rule,
    acl_admits,
    acl_admits_ports,
    admits_port,
    covers_all_ports,
    describe_ports,
    open_cidrs,
    protocol,
    rules_of,
)

ADMIN_PORTS = {22: "SSH", 3389: "RDP"}
DATA_STORE_PORTS = {
    1433: "SQL Server",
    1521: "Oracle",
    3306: "MySQL",
    5432: "PostgreSQL",
    5439: "Redshift",
    6379: "Redis",
    9200: "Elasticsearch/OpenSearch",
    11211: "Memcached",
    27017: "MongoDB",
}
UDP_PORTS = {11211}
"""Data store ports also served over UDP (memcached, the classic reflection amplifier)."""

SECURITY_REFERENCES = (
    "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html",
    "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
)


def _protocols(port: int) -> tuple[str, ...]:
    return ("tcp", "udp") if port in UDP_PORTS else ("tcp",)


def _open_ingress(graph: ResourceGraph) -> Iterator[tuple[Component, Rule, list[str]]]:
    """Every security group ingress rule that admits the whole internet, with its CIDRs."""
    for group in graph.of_kind(kinds.SECURITY_GROUP):
        for rule in rules_of(group, "ingress"):
            cidrs = open_cidrs(rule.entry)
            if cidrs:
                yield group, rule, cidrs


def _which(comp: Component, rule: Rule, noun: str) -> str:
    return f"rule {rule.origin}" if rule.origin else f"inline {noun} rule {rule.index + 1}"


def _cause(comp: Component, rule: Rule) -> str:
    return rule.origin or f"{comp.address}:{rule.index}"


def _names(ports: list[int], names: dict[int, str]) -> str:
    return ", ".join(f"{p} ({names[p]})" for p in ports)


@policy(
    id="IAC-VPC-001",
    control="sg-admin-ports-open",
    title="SSH or RDP open to the internet",
    severity="high",
    stride="SE",
    cwe=284,
    remediation="""
Do not expose SSH (22) or RDP (3389) to 0.0.0.0/0 or ::/0. Use SSM Session Manager or EC2
Instance Connect Endpoint, or allow only known administrator CIDRs or a bastion's security group:
narrow `cidr_blocks` / `ipv6_cidr_blocks` / `cidr_ipv4` (Terraform) and `CidrIp` / `CidrIpv6`
(CloudFormation). In a network ACL, add a lower-numbered `deny` rule for these ports
(`aws_network_acl_rule` / `AWS::EC2::NetworkAclEntry` with `RuleAction: deny`) or narrow the
allow rule.
""",
    references=(
        *SECURITY_REFERENCES,
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html",
        "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html",
    ),
    no_fix="the addresses that may reach SSH or RDP are only known to you (a VPN range, a bastion); "
           "Session Manager needs no open port at all",
)
def sg_admin_ports_open(graph: ResourceGraph) -> Iterator[Hit]:
    """Remote administration ports open to the internet are brute-forced within minutes and are
    the way in for every SSH/RDP vulnerability. Reported: a security group ingress rule (inline or
    a rule resource) from 0.0.0.0/0 or ::/0 whose TCP port range includes 22 or 3389, or that
    allows all protocols; a network ACL ingress allow rule from anywhere that does the same and
    is not preceded (lower rule number) by a deny rule from anywhere of the same IP family for
    that port. A rule whose protocol or ports are unknown is not reported, nor an ACL allow rule
    that an earlier rule of unknown content might deny. RDP's optional UDP transport does not work
    without TCP 3389, so only TCP counts. Security groups and ACLs are reported whether or not
    something uses them: the rule is the risk. The VPC's implicit default ACL (allow all) is not
    in the configuration and is not reported; Terraform's aws_default_network_acl is."""
    for group, rule, cidrs in _open_ingress(graph):
        ports = [p for p in ADMIN_PORTS if admits_port(rule.entry, p) is True]
        if ports:
            yield Hit(group, rule.loc,
                      f"Security group {group.display} admits {' and '.join(cidrs)} to {_names(ports, ADMIN_PORTS)} "
                      f"through {_which(group, rule, 'ingress')} ({describe_ports(rule.entry)}). Allow only known "
                      "administrator networks, or use Session Manager.",
                      cause=f"{_cause(group, rule)}:{','.join(map(str, ports))}")
    for acl in graph.of_kind(kinds.NETWORK_ACL):
        rules = rules_of(acl, "ingress")
        for rule in rules:
            opened = {p: acl_admits(rules, rule, p) for p in ADMIN_PORTS}
            ports = [p for p, cidrs in opened.items() if cidrs]
            if not ports:
                continue
            cidrs = sorted({c for p in ports for c in opened[p]})
            number = rule.entry.get("rule_number")
            yield Hit(acl, rule.loc,
                      f"Network ACL {acl.display} allows {' and '.join(cidrs)} in to {_names(ports, ADMIN_PORTS)} "
                      f"through {_which(acl, rule, 'ingress')} (rule number {number}, "
                      f"{describe_ports(rule.entry)}) and no earlier rule denies it. Deny these ports from the "
                      "internet or narrow the rule.",
                      cause=f"{_cause(acl, rule)}:{','.join(map(str, ports))}")


@policy(
    id="IAC-VPC-002",
    control="sg-all-ports-open",
    title="Security group open to the internet on all ports",
    severity="high",
    stride="SED",
    cwe=284,
    remediation="""
Replace the rule by rules for the ports the service needs (for example TCP 443), from the sources
that need them: set `protocol` / `ip_protocol` (Terraform) and `IpProtocol` (CloudFormation) to
`tcp` with a narrow `from_port`/`to_port` (`FromPort`/`ToPort`), never `-1` from 0.0.0.0/0 or
::/0.
""",
    references=SECURITY_REFERENCES,
    no_fix="which ports and sources the group must admit is only known to you",
)
def sg_all_ports_open(graph: ResourceGraph) -> Iterator[Hit]:
    """A security group that lets the internet reach every port exposes whatever listens on the
    instance, including services never meant to be public (debug ports, agents, databases).
    Reported: an ingress rule from 0.0.0.0/0 or ::/0 with protocol -1 (all traffic), or a TCP or
    UDP rule over the whole port range (0 or 1 to 65535). ICMP rules (their "ports" are types and
    codes) and other protocols, which have no ports, are not. Network ACLs are not reported here:
    an allow-all ACL is the AWS default and the normal design, with security groups doing the
    filtering (admin ports open through an ACL are sg-admin-ports-open's). Unknown protocols or
    ports are not reported."""
    for group, rule, cidrs in _open_ingress(graph):
        if covers_all_ports(rule.entry) is True:
            yield Hit(group, rule.loc,
                      f"Security group {group.display} admits {' and '.join(cidrs)} on {describe_ports(rule.entry)} "
                      f"through {_which(group, rule, 'ingress')}: every service on its instances is exposed. Open "
                      "only the ports the service needs.",
                      cause=_cause(group, rule))


@policy(
    id="IAC-VPC-003",
    control="sg-database-ports-open",
    title="Data store port open to the internet",
    severity="high",
    stride="ISTD",
    cwe=284,
    remediation="""
Never admit 0.0.0.0/0 or ::/0 to a data store port (1433, 1521, 3306, 5432, 5439, 6379, 9200,
11211, 27017). Allow the application tier's security group instead
(`source_security_group_id` / `referenced_security_group_id` in Terraform,
`SourceSecurityGroupId` in CloudFormation) and keep data stores in private subnets.
""",
    references=SECURITY_REFERENCES,
    no_fix="which security group or range must reach the data store is only known to you",
)
def sg_database_ports_open(graph: ResourceGraph) -> Iterator[Hit]:
    """Databases, caches and search engines exposed to the internet are found by scanners within
    hours; many ship without authentication (Redis, Memcached, Elasticsearch, MongoDB) and the
    others are password-guessed. Reported: a security group ingress rule from 0.0.0.0/0 or ::/0
    whose TCP port range (or all-protocol rule) includes 1433, 1521, 3306, 5432, 5439, 6379, 9200,
    11211 or 27017, or UDP 11211 (memcached). One finding per rule, naming the ports. The same
    rule may also be an all-ports or admin-ports finding: each control answers its own question.
    Whether a database actually uses the group is db-open-security-group's question. Network ACLs
    are not reported (see sg-all-ports-open). Unknown protocols or ports are not reported."""
    for group, rule, cidrs in _open_ingress(graph):
        ports = [p for p in DATA_STORE_PORTS if admits_port(rule.entry, p, _protocols(p)) is True]
        if ports:
            listed = "all data store ports" if len(ports) == len(DATA_STORE_PORTS) else _names(ports, DATA_STORE_PORTS)
            yield Hit(group, rule.loc,
                      f"Security group {group.display} admits {' and '.join(cidrs)} to {listed} through "
                      f"{_which(group, rule, 'ingress')} ({describe_ports(rule.entry)}). Allow only the application "
                      "tier's security group.",
                      cause=f"{_cause(group, rule)}:{','.join(map(str, ports))}")


@dataclass
class _FlowLogs:
    """What the configuration's flow logs cover, gathered once for every VPC."""

    vpcs: set[str] = field(default_factory=set)
    subnets: set[str] = field(default_factory=set)
    uncertain_scopes: set[str] = field(default_factory=set)
    """Scopes holding a flow log whose target is not known (it may be any of their VPCs)."""
    subnets_by_vpc: dict[str, list[str]] = field(default_factory=dict)


def _flow_logs(graph: ResourceGraph) -> _FlowLogs:
    out = _FlowLogs()
    for subnet in graph.of_kind(kinds.SUBNET):
        vpc = graph.resolve(subnet, subnet.get("vpc"), kinds.VPC)
        if vpc is not None:
            out.subnets_by_vpc.setdefault(vpc.id, []).append(subnet.id)
    for log in graph.of_kind(kinds.FLOW_LOG):
        target, resource_type = log.get("resource"), log.get("resource_type")
        if target is None:
            continue
        if isinstance(resource_type, str) and resource_type not in ("vpc", "subnet"):
            continue  # interfaces and transit gateways: not the VPC's traffic as a whole
        found = graph.resolve(log, target, kinds.VPC, kinds.SUBNET)
        if found is not None:
            (out.vpcs if found.kind == kinds.VPC else out.subnets).add(found.id)
        elif isinstance(target, Unknown) or (isinstance(target, Ref) and graph.resolve(log, target) is None):
            out.uncertain_scopes.add(log.scope)  # computed or created elsewhere: it may be any VPC's
    return out


def _flow_log_coverage(logs: _FlowLogs, vpc: Component) -> bool:
    """Whether the VPC's traffic is logged, or may be (a flow log of the same configuration whose
    target is not known)."""
    if vpc.id in logs.vpcs or vpc.scope in logs.uncertain_scopes:
        return True
    subnets = logs.subnets_by_vpc.get(vpc.id, [])
    return bool(subnets) and all(s in logs.subnets for s in subnets)


@policy(
    id="IAC-VPC-004",
    control="vpc-flow-logs-missing",
    title="VPC has no flow log",
    severity="low",
    stride="R",
    cwe=778,
    remediation="""
Log the VPC's traffic: `aws_flow_log` with `vpc_id` (Terraform) / `AWS::EC2::FlowLog` with
`ResourceType: VPC` and `ResourceId` (CloudFormation), `traffic_type` / `TrafficType` `ALL`,
delivered to CloudWatch Logs or S3.
""",
    references=("https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html",),
    no_fix="flow logs need a destination and a role that are yours to choose",
)
def vpc_flow_logs_missing(graph: ResourceGraph) -> Iterator[Hit]:
    """Without flow logs there is no record of who talked to what in the network: an intrusion,
    data exfiltration or a misrouted connection cannot be investigated afterwards. A VPC (including
    Terraform's aws_default_vpc) is reported unless a flow log targets it, or every one of its
    subnets in the configuration has a subnet-level flow log (network interface and transit
    gateway flow logs cover only part of the traffic and do not count). Any traffic type counts
    (ACCEPT or REJECT only still leaves a record; ALL is recommended). A flow log of the same
    configuration whose target is not known (a variable, a resource outside it) may be this VPC's:
    nothing is reported then. The finding points at the VPC."""
    logs = _flow_logs(graph)
    for vpc in graph.of_kind(kinds.VPC):
        if not _flow_log_coverage(logs, vpc):
            yield Hit(vpc, vpc.loc,
                      f"VPC {vpc.display} has no flow log: its network traffic leaves no record to investigate. "
                      "Add an aws_flow_log / AWS::EC2::FlowLog for the VPC.",
                      cause="flow-log")


@policy(
    id="IAC-VPC-005",
    control="nacl-admin-ports-open",
    title="Network ACL lets SSH, RDP or all ports in from the internet",
    severity="medium",
    stride="E",
    cwe=284,
    remediation="""
Deny SSH (22) and RDP (3389) from 0.0.0.0/0 and ::/0 at the subnet edge: a `deny` entry with a
lower rule number than the allow entries (`aws_network_acl_rule` or an `ingress` block with
`action = "deny"` in Terraform, `AWS::EC2::NetworkAclEntry` with `RuleAction: deny` in
CloudFormation), or narrow the allow entry to the ports and networks that need it (for example
TCP 443 from anywhere, return traffic on 1024-65535 from known networks only).
""",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/nacl-rules.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-21",
    ),
    no_fix="the addresses that may reach the port are only known to you",
)
def nacl_admin_ports_open(graph: ResourceGraph) -> Iterator[Hit]:
    """A network ACL is the subnet's coarse filter: when it lets the internet in to remote
    administration ports (or to every port), a single security group mistake exposes SSH or RDP.
    Reported: an ingress allow entry from 0.0.0.0/0 or ::/0 (inline or an aws_network_acl_rule /
    AWS::EC2::NetworkAclEntry) whose TCP port range includes 22 or 3389, or that allows all
    traffic (protocol -1, or TCP over every port), and that no entry evaluated before it (a lower
    rule number) denies: an explicit deny from anywhere of the same IP family covering the port
    suppresses the finding for that port and family, since AWS applies the first matching entry.
    An earlier entry that may deny the traffic (unknown action, number, ports, protocol or CIDRs)
    suppresses it too: the finding must be definite. An all-traffic allow whose admin ports an
    earlier deny closes is not reported (what remains open is the design of most ACLs, with
    security groups doing the filtering). A port range that merely includes 22 or 3389 counts
    (the common return-traffic range 1024-65535 includes 3389): a stateless ACL cannot tell return
    traffic from a new connection, as AWS Security Hub's EC2.21 judges it too. UDP-only entries are
    not reported (SSH and RDP need TCP). Unknown entries are not reported. The VPC's implicit
    default ACL is not in the configuration; Terraform's aws_default_network_acl is judged by the
    entries written. The same entry is also an sg-admin-ports-open finding (that wave-1 control
    covers network ACLs too): each control answers its own question."""
    for acl in graph.of_kind(kinds.NETWORK_ACL):
        rules = rules_of(acl, "ingress")
        for rule in rules:
            opened = acl_admits_ports(rules, rule, ADMIN_PORTS)
            if not opened:
                continue
            ports = sorted(opened)
            cidrs = sorted({c for p in ports for c in opened[p]})
            every = covers_all_ports(rule.entry) is True
            what = "all ports" if every and len(ports) == len(ADMIN_PORTS) else _names(ports, ADMIN_PORTS)
            number = rule.entry.get("rule_number")
            yield Hit(acl, rule.loc,
                      f"Network ACL {acl.display} allows {' and '.join(cidrs)} in to {what} through "
                      f"{_which(acl, rule, 'ingress')} (rule number {number}, {describe_ports(rule.entry)}) and "
                      "no lower-numbered entry denies it. Deny SSH and RDP from the internet first, or narrow "
                      "the entry.",
                      cause=f"{_cause(acl, rule)}:{','.join(map(str, ports))}")


@policy(
    id="IAC-VPC-006",
    control="default-security-group-open",
    title="Default security group has rules",
    severity="medium",
    stride="E",
    cwe=284,
    remediation="""
Manage the VPC's default security group with no rules at all: an `aws_default_security_group`
without `ingress` or `egress` blocks (Terraform then removes every rule, AWS's own included) and
no `aws_security_group_rule` / `aws_vpc_security_group_ingress_rule` /
`aws_vpc_security_group_egress_rule` attached to it. Give every resource a security group of its
own.
""",
    references=(
        "https://docs.aws.amazon.com/vpc/latest/userguide/default-security-group.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-2",
        "https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/default_security_group",
    ),
    formats=("terraform",),
    no_fix="removing the rules cuts whatever uses the default group: move it to its own group first",
)
def default_security_group_open(graph: ResourceGraph) -> Iterator[Hit]:
    """Resources launched without a security group land in the VPC's default group; when that
    group admits or emits anything, a forgotten setting exposes them to each other (AWS's own
    default rule admits every member of the group) or to whatever the rule allows. Reported: each
    ingress or egress rule of a Terraform aws_default_security_group, inline or attached by a rule
    resource that names it, whatever it allows (a self rule, a private CIDR): the group should hold
    none (CIS AWS 5.4, Security Hub EC2.2). One finding per rule, on its line. An
    aws_default_security_group with no rule is the remedy (Terraform removes AWS's default rules)
    and is not reported; rules whose list is not known, or whose protocol is not (the stand-in of a
    dynamic block over a collection not known, which may hold none), are not reported, nor rules
    attached through a VPC's default_security_group_id when the group itself is not managed here.
    Terraform only: CloudFormation cannot manage the default security group."""
    for group in graph.of_kind(kinds.SECURITY_GROUP):
        if not group.is_true("default"):
            continue
        for direction in ("ingress", "egress"):
            for rule in rules_of(group, direction):
                if not isinstance(protocol(rule.entry.get("protocol")), str):
                    continue  # perhaps the stand-in of a dynamic block over a collection not known
                yield Hit(group, rule.loc,
                          f"The default security group {group.display} has {_which(group, rule, direction)} "
                          f"({direction}, {describe_ports(rule.entry)}): resources placed in it by default are "
                          "not isolated. Remove every rule of the default security group.",
                          cause=f"{_cause(group, rule)}:{direction}")


POLICIES = [sg_admin_ports_open, sg_all_ports_open, sg_database_ports_open, vpc_flow_logs_missing,
            nacl_admin_ports_open, default_security_group_open]
