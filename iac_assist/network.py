"""Network questions asked of the graph: is a subnet public, is a rule open to the internet.

Written once against the model, so Terraform and CloudFormation answer them the same way.
"""

from __future__ import annotations

from typing import Any

from iac_assist import kinds
from iac_assist.graph import ResourceGraph
from iac_assist.model import Component, Fact, Ref, Unknown

ANYWHERE = ("0.0.0.0/0", "::/0")
PROTOCOL_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": "-1", "-1": "-1"}


def protocol(value: Any) -> Any:
    """Protocol names as EC2 spells them: ``tcp``, ``udp``, ``icmp``, ``-1`` for all."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(int(value))
    if isinstance(value, str):
        text = value.strip().lower()
        return PROTOCOL_NAMES.get(text, text)
    return value


def open_to_internet(rule: dict[str, Any]) -> str | None:
    """The CIDR through which a rule admits the whole internet, if it does (known values only)."""
    for cidr in rule.get("cidrs") or []:
        if isinstance(cidr, str) and cidr.strip() in ANYWHERE:
            return cidr.strip()
    return None


def route_table_of(graph: ResourceGraph, subnet: Component) -> Component | None:
    """The subnet's route table: its explicit association, else its VPC's main route table."""
    explicit = subnet.get("route_table")
    if explicit is not None:
        return graph.resolve(subnet, explicit, kinds.ROUTE_TABLE)
    vpc = graph.resolve(subnet, subnet.get("vpc"), kinds.VPC)
    if vpc is None:
        return None
    for table in graph.of_kind(kinds.ROUTE_TABLE):
        if table.get("main") is True and graph.resolve(table, table.get("vpc"), kinds.VPC) is vpc:
            return table
    return None


def internet_route(graph: ResourceGraph, subnet: Component) -> Fact | None:
    """The route that makes a subnet public (0.0.0.0/0 or ::/0 to an internet gateway), if any."""
    table = route_table_of(graph, subnet)
    if table is None:
        return None
    for route in table.get("routes") or []:
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
