"""Network questions asked of the graph: is a subnet public, is a rule open to the internet, which
ports does a rule admit, does a network ACL let a port through.

Written once against the model, so Terraform and CloudFormation answer them the same way. Every
question about ports answers True, False, or None when the configuration cannot tell.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from iac_assist.model import Component, Fact, Location, Ref, Unknown, kinds, number_text
from iac_assist.model.graph import ResourceGraph

ANYWHERE = ("0.0.0.0/0", "::/0")
ALL_PORTS = (0, 65535)
PORT_PROTOCOLS = ("tcp", "udp")
"""Protocols whose rules are about ports (an ICMP rule's "ports" are ICMP types and codes)."""
PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1", "-1": "-1"}


def protocol(value: Any) -> Any:
    """Protocol names as EC2 spells them: ``tcp``, ``udp``, ``icmp``, ``-1`` for all."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        written = number_text(value)
        if written is None:
            return Unknown("not a usable protocol number")
        value = written
    if isinstance(value, str):
        text = value.strip().lower()
        return PROTOCOL_NAMES.get(text, text)
    return value


def acl_ignores_ports(proto: Any) -> bool:
    """Whether a network ACL entry of protocol ``proto`` (as ``protocol`` spells it) applies to
    every port: AWS ignores the port range of all traffic and of protocols other than TCP, UDP
    and ICMP. The front ends give such entries ``ALL_PORTS``."""
    return proto == "-1" or (isinstance(proto, str) and proto not in ("tcp", "udp", "icmp", "icmpv6"))


def is_anywhere(cidr: Any) -> bool:
    """Whether a CIDR is the whole IPv4 or IPv6 internet (0.0.0.0/0, ::/0 and their spellings)."""
    if not isinstance(cidr, str):
        return False
    text = cidr.strip()
    if text in ANYWHERE:
        return True
    try:
        return ipaddress.ip_network(text, strict=False).prefixlen == 0
    except ValueError:
        return False


def open_to_internet(rule: dict[str, Any]) -> str | None:
    """The CIDR through which a rule admits the whole internet, if it does (known values only)."""
    for cidr in open_cidrs(rule):
        return cidr
    return None


def open_cidrs(rule: dict[str, Any]) -> list[str]:
    """Every CIDR of a rule that stands for the whole internet (IPv4 and IPv6 alike)."""
    cidrs = rule.get("cidrs")
    if not isinstance(cidrs, list):
        return []
    return [c.strip() for c in cidrs if is_anywhere(c)]


def family(cidr: str) -> int:
    """4 or 6."""
    return 6 if ":" in cidr else 4


@dataclass(frozen=True)
class Rule:
    """One security group or network ACL rule with where it was written and who wrote it."""

    entry: dict[str, Any]
    loc: Location
    origin: str
    """The rule resource's address when it is a satellite (else empty: an inline rule)."""
    index: int


def rules_of(comp: Component, direction: str) -> list[Rule]:
    """The rules of a security group or network ACL in ``direction`` (ingress or egress); an
    unknown list of rules yields none (nothing definite can be said about them)."""
    value = comp.get(direction)
    if not isinstance(value, list):
        return []
    out = []
    for n, rule in enumerate(value):
        entry = rule.value if isinstance(rule, Fact) else rule
        if not isinstance(entry, dict):
            continue
        loc = rule.loc if isinstance(rule, Fact) else comp.loc_of(direction)
        origin = rule.origin if isinstance(rule, Fact) else ""
        out.append(Rule(entry, loc, origin, n))
    return out


def port_range(rule: dict[str, Any]) -> tuple[int, int] | None:
    """The ports a rule covers: all of them for all-protocol rules, None when unknown."""
    if protocol(rule.get("protocol")) == "-1":
        return ALL_PORTS
    lo, hi = rule.get("from_port"), rule.get("to_port")
    if isinstance(lo, int) and isinstance(hi, int) and not isinstance(lo, bool) and not isinstance(hi, bool):
        return (lo, hi)
    return None


def admits_port(rule: dict[str, Any], port: int, protocols: Iterable[str] = ("tcp",)) -> bool | None:
    """Whether the rule matches traffic to ``port`` over one of ``protocols``; None if unknown."""
    proto = protocol(rule.get("protocol"))
    if not isinstance(proto, str):
        return None
    if proto != "-1" and proto not in protocols:
        return False
    ports = port_range(rule)
    if ports is None:
        return None
    return ports[0] <= port <= ports[1]


def covers_all_ports(rule: dict[str, Any]) -> bool | None:
    """Whether a rule admits every port: protocol -1, or TCP/UDP over 0-65535 (or 1-65535)."""
    proto = protocol(rule.get("protocol"))
    if not isinstance(proto, str):
        return None
    if proto == "-1":
        return True
    if proto not in PORT_PROTOCOLS:
        return False
    ports = port_range(rule)
    if ports is None:
        return None
    return ports[0] <= 1 and ports[1] >= 65535


def describe_ports(rule: dict[str, Any], *, name_protocol: bool = True) -> str:
    """``all traffic``, ``tcp port 22``, ``tcp ports 0-1024``, ``tcp ports not known``; without
    ``name_protocol`` (a message about one service's port): ``all ports``, ``port 22``,
    ``ports 0-1024``, ``ports not known``."""
    proto = protocol(rule.get("protocol"))
    if proto == "-1":
        return "all traffic" if name_protocol else "all ports"
    ports = port_range(rule)
    name = (proto if isinstance(proto, str) else "protocol") + " " if name_protocol else ""
    if ports is None:
        return f"{name}ports not known"
    if ports[0] == ports[1]:
        return f"{name}port {ports[0]}"
    return f"{name}ports {ports[0]}-{ports[1]}"


def acl_admits(rules: list[Rule], allow: Rule, port: int, protocols: Iterable[str] = ("tcp",)) -> list[str]:
    """The internet CIDRs through which the network ACL rule ``allow`` lets traffic to ``port``
    in: it must be an allow rule from anywhere matching the port, and a rule evaluated before it
    (lower rule number) that denies that traffic from anywhere of the same IP family closes that
    family. A rule that may deny it (unknown action, number, ports or protocol) closes it too: the
    answer must be definite. An unknown list of CIDRs on an earlier rule closes everything."""
    protocols = tuple(protocols)
    if allow.entry.get("action") != "allow" or admits_port(allow.entry, port, protocols) is not True:
        return []
    number = allow.entry.get("rule_number")
    open_ = open_cidrs(allow.entry)
    for other in rules:
        if not open_:
            break
        if other is allow or other.entry.get("action") == "allow":
            continue
        other_number = other.entry.get("rule_number")
        earlier = not isinstance(number, int) or not isinstance(other_number, int) or other_number < number
        if not earlier or admits_port(other.entry, port, protocols) is False:
            continue
        cidrs = other.entry.get("cidrs")
        if not isinstance(cidrs, list) or any(not isinstance(c, str) for c in cidrs):
            return []
        closed = {family(c) for c in open_cidrs(other.entry)}
        open_ = [c for c in open_ if family(c) not in closed]
    return open_


def acl_admits_ports(rules: list[Rule], allow: Rule, ports: Iterable[int],
                     protocols: Iterable[str] = ("tcp",)) -> dict[int, list[str]]:
    """Of ``ports``, those the network ACL rule ``allow`` lets in from the internet (as
    ``acl_admits`` decides each: rule order, unknown earlier rules), with the internet CIDRs
    through which it does. A port no one may reach through the rule is left out."""
    protocols = tuple(protocols)
    opened = {port: acl_admits(rules, allow, port, protocols) for port in ports}
    return {port: cidrs for port, cidrs in opened.items() if cidrs}


def route_table_of(graph: ResourceGraph, subnet: Component) -> Component | None:
    """The subnet's route table: its explicit association, else its VPC's main route table."""
    explicit = subnet.get("route_table")
    if explicit is not None:
        return graph.resolve(subnet, explicit, kinds.ROUTE_TABLE)
    vpc = graph.resolve(subnet, subnet.get("vpc"), kinds.VPC)
    if vpc is None:
        return None
    return graph.derived("main-route-tables", lambda: _main_route_tables(graph)).get(vpc.id)


def _main_route_tables(graph: ResourceGraph) -> dict[str, Component]:
    """Each VPC's main route table (the first declared, should a configuration hold two)."""
    out: dict[str, Component] = {}
    for table in graph.of_kind(kinds.ROUTE_TABLE):
        if table.get("main") is True:
            vpc = graph.resolve(table, table.get("vpc"), kinds.VPC)
            if vpc is not None:
                out.setdefault(vpc.id, table)
    return out


def internet_route(graph: ResourceGraph, subnet: Component) -> Fact | None:
    """The route that makes a subnet public (0.0.0.0/0 or ::/0 to an internet gateway), if any."""
    table = route_table_of(graph, subnet)
    if table is None:
        return None
    for route in table.items("routes"):
        entry = route.value if isinstance(route, Fact) else route
        if not isinstance(entry, dict) or entry.get("destination") not in ANYWHERE:
            continue
        if _is_internet_gateway(graph, table, entry.get("target")):
            return route if isinstance(route, Fact) else Fact(entry, table.loc)
    return None


def _is_internet_gateway(graph: ResourceGraph, near: Component, target: Any) -> bool:
    if isinstance(target, Unknown) or target is None:
        return False
    found = graph.resolve(near, target, kinds.INTERNET_GATEWAY)
    if found is not None:
        return True
    if isinstance(target, Ref):
        target = target.value
    return isinstance(target, str) and target.startswith("igw-")
