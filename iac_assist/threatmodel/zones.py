"""Trust zones: where each component sits, from the internet inwards.

``internet``; ``edge`` (CloudFront, WAF); ``aws`` (regional services outside any VPC: S3, IAM,
KMS...); ``vpc`` (a VPC's own machinery: the VPC, gateways, route tables, security groups); ``public``
(placed in a subnet whose route table sends 0.0.0.0/0 or ::/0 to an internet gateway) and
``private`` (placed in subnets that do not). A component placed in several subnets is as exposed as
its most exposed one; one whose subnets are not known stays in ``vpc``.
"""

from __future__ import annotations

from dataclasses import dataclass

from iac_assist.model import Component, Fact, kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.network import internet_route

INTERNET, EDGE, AWS, VPC, PUBLIC, PRIVATE = "internet", "edge", "aws", "vpc", "public", "private"
ZONES = (INTERNET, EDGE, AWS, VPC, PUBLIC, PRIVATE)
"""Outermost first: a flow from an earlier zone to a later one goes inwards."""

EDGE_KINDS = {kinds.CLOUDFRONT}
EDGE_SOURCE_TYPES = {"aws_wafv2_web_acl", "aws_waf_web_acl", "AWS::WAFv2::WebACL", "AWS::WAF::WebACL"}
VPC_KINDS = {
    kinds.VPC, kinds.INTERNET_GATEWAY, kinds.ROUTE_TABLE, kinds.SECURITY_GROUP, kinds.NETWORK_ACL,
    kinds.FLOW_LOG, kinds.LB_TARGET_GROUP,
}
PLACED = {
    # kind -> how to find its subnets
    kinds.INSTANCE: "subnet",
    kinds.LB: "subnets",
    kinds.AUTOSCALING_GROUP: "subnets",
    kinds.RDS_SUBNET_GROUP: "subnets",
    kinds.REDSHIFT_SUBNET_GROUP: "subnets",
    kinds.REDSHIFT_WORKGROUP: "subnets",
}


@dataclass(frozen=True)
class Placement:
    zone: str
    vpc: str | None = None
    """The component id of the VPC it is in, when known (diagrams nest subnets inside it)."""
    subnet_route: Fact | None = None
    """For ``public``: the route that makes its subnet public (evidence for attack paths)."""
    subnet: Component | None = None
    """For ``public``: the public subnet."""


def place(graph: ResourceGraph) -> dict[str, Placement]:
    """The placement of every component, by id."""
    subnets = {s.id: _subnet(graph, s) for s in graph.of_kind(kinds.SUBNET)}
    out: dict[str, Placement] = {}
    for comp in graph.components.values():
        out[comp.id] = subnets.get(comp.id) or _placement(graph, comp, subnets)
    return out


def _subnet(graph: ResourceGraph, subnet: Component) -> Placement:
    vpc = graph.resolve(subnet, subnet.get("vpc"), kinds.VPC)
    route = internet_route(graph, subnet)
    if route is not None:
        return Placement(PUBLIC, vpc.id if vpc else None, route, subnet)
    return Placement(PRIVATE, vpc.id if vpc else None)


def _placement(graph: ResourceGraph, comp: Component, subnets: dict[str, Placement],
               depth: int = 0) -> Placement:
    if comp.kind in EDGE_KINDS or comp.source_type in EDGE_SOURCE_TYPES:
        return Placement(EDGE)
    # A part sits where its whole sits: a listener with its load balancer, a cluster instance
    # with its cluster (when it names no subnets of its own).
    whole = _whole(graph, comp)
    if whole is not None and depth < 4:
        return _placement(graph, whole, subnets, depth + 1)
    placed = _subnets_of(graph, comp)
    if placed:
        spots = [subnets[s.id] for s in placed if s.id in subnets]
        public = next((p for p in spots if p.zone == PUBLIC), None)
        if public is not None:
            return public
        if spots and all(p.zone == PRIVATE for p in spots):
            return spots[0]
    vpc = _vpc_of(graph, comp, placed)
    if vpc is not None or comp.kind in VPC_KINDS:
        return Placement(VPC, vpc.id if vpc else None)
    return Placement(AWS)


def _whole(graph: ResourceGraph, comp: Component) -> Component | None:
    if comp.kind == kinds.LB_LISTENER:
        return graph.resolve(comp, comp.get("load_balancer"), kinds.LB)
    if comp.kind == kinds.FLOW_LOG:
        return graph.resolve(comp, comp.get("resource"), kinds.VPC, kinds.SUBNET)
    return None


def subnets_of(graph: ResourceGraph, comp: Component) -> list[Component]:
    """The subnets a component is placed in (a database or a Redshift cluster through its subnet group)."""
    return _subnets_of(graph, comp)


def _subnets_of(graph: ResourceGraph, comp: Component) -> list[Component]:
    if comp.kind in kinds.DATABASES:
        group = graph.resolve(comp, comp.get("subnet_group"), kinds.RDS_SUBNET_GROUP)
        if group is None and comp.has("cluster"):
            cluster = graph.resolve(comp, comp.get("cluster"), kinds.RDS_CLUSTER)
            if cluster is not None:
                group = graph.resolve(cluster, cluster.get("subnet_group"), kinds.RDS_SUBNET_GROUP)
        return _subnets_of(graph, group) if group is not None else []
    if comp.kind == kinds.REDSHIFT_CLUSTER:
        group = graph.resolve(comp, comp.get("subnet_group"), kinds.REDSHIFT_SUBNET_GROUP)
        return _subnets_of(graph, group) if group is not None else []
    fact = PLACED.get(comp.kind)
    if fact is None:
        if comp.kind == kinds.OTHER:
            # Unmodelled resources placed in a subnet (NAT gateways, endpoints, functions in a VPC).
            attributes = comp.get("attributes")
            if isinstance(attributes, dict):
                named = [attributes.get(k) for k in ("subnet_id", "SubnetId", "subnet_ids", "SubnetIds")]
                values = [v for value in named if value is not None
                          for v in (value if isinstance(value, list) else [value])]
                return graph.resolve_all(comp, values, kinds.SUBNET)
        return []
    return graph.resolve_all(comp, comp.get(fact), kinds.SUBNET)


def _vpc_of(graph: ResourceGraph, comp: Component, placed: list[Component]) -> Component | None:
    for subnet in placed:
        vpc = graph.resolve(subnet, subnet.get("vpc"), kinds.VPC)
        if vpc is not None:
            return vpc
    if comp.kind == kinds.VPC:
        return comp
    return graph.resolve(comp, comp.get("vpc"), kinds.VPC) if comp.has("vpc") else None
