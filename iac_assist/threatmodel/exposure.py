"""What the internet can reach directly, hop by hop: internet → internet gateway → public subnet
(its route) → network ACL → security group rule → a resource with a public address.

Each hop names what allows it, with its location, so that a finding can show the path the way a
reviewer would walk it. Every hop must be definite: an unknown route, rule, address or port closes
the path (no finding from what cannot be known). Computed per resource, linear in the graph.
"""

from __future__ import annotations

from dataclasses import dataclass

from iac_assist.model import Component, Location, Unknown, kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.network import acl_admits, admits_port, describe_ports, open_cidrs, rules_of
from iac_assist.threatmodel.zones import PUBLIC, Placement, place, subnets_of

DEFAULT_PORTS = {
    "postgres": 5432, "aurora-postgresql": 5432, "mysql": 3306, "aurora-mysql": 3306, "aurora": 3306,
    "mariadb": 3306, "oracle": 1521, "sqlserver": 1433, "docdb": 27017, "neptune": 8182,
}


@dataclass(frozen=True)
class Hop:
    node: str
    """Component id, or ``internet``."""
    loc: Location | None
    message: str


@dataclass(frozen=True)
class Exposure:
    target: Component
    port: int | None
    """None: every port (an all-traffic rule)."""
    hops: tuple[Hop, ...]
    """From ``internet`` to the target, each with what allows it."""


def database_port(graph: ResourceGraph, db: Component) -> int | None:
    port = db.get("port")
    if isinstance(port, int) and not isinstance(port, bool):
        return port
    cluster = graph.resolve(db, db.get("cluster"), kinds.RDS_CLUSTER) if db.has("cluster") else None
    if cluster is not None and isinstance(cluster.get("port"), int):
        return cluster.get("port")
    engine = db.get("engine")
    if not isinstance(engine, str) and cluster is not None:
        engine = cluster.get("engine")
    if isinstance(engine, str):
        for name, number in DEFAULT_PORTS.items():
            if engine.lower().startswith(name):
                return number
    return None


def database_exposures(graph: ResourceGraph, placements: dict[str, Placement] | None = None) -> list[Exposure]:
    """Databases the internet reaches on their port."""
    placements = placements if placements is not None else place(graph)
    out = []
    for db in graph.of_kind(*kinds.DATABASES):
        public = db.get("publicly_accessible")
        if public is not True:
            continue
        port = database_port(graph, db)
        if port is None:
            continue
        groups = _groups(graph, db)
        path = _path(graph, db, placements, groups, port,
                     f"{db.display} is publicly accessible", db.loc_of("publicly_accessible"))
        if path is not None:
            out.append(Exposure(db, port, path))
    return out


REDSHIFT_PORT = 5439


def warehouse_exposures(graph: ResourceGraph, placements: dict[str, Placement] | None = None) -> list[Exposure]:
    """Redshift clusters and Serverless workgroups the internet reaches on their port: publicly
    accessible (as the redshift-publicly-accessible control decides, a Terraform cluster that
    leaves the setting unset included), in a public subnet, admitted by a security group rule."""
    from iac_assist.policies.redshift import publicly_accessible

    placements = placements if placements is not None else place(graph)
    out = []
    for warehouse in graph.of_kind(*kinds.WAREHOUSES):
        public = publicly_accessible(warehouse)
        if public is None:
            continue
        port = warehouse.get("port", REDSHIFT_PORT)
        if not isinstance(port, int) or isinstance(port, bool):
            continue
        loc, how = public
        path = _path(graph, warehouse, placements, _groups(graph, warehouse), port,
                     f"{warehouse.display} is publicly accessible ({how})", loc)
        if path is not None:
            out.append(Exposure(warehouse, port, path))
    return out


def instance_exposures(graph: ResourceGraph, placements: dict[str, Placement] | None = None) -> list[Exposure]:
    """Instances and auto scaling groups with a public address whose security groups admit the
    internet, per rule (what an instance leaves unset comes from its launch template)."""
    placements = placements if placements is not None else place(graph)
    out = []
    for inst in graph.of_kind(kinds.INSTANCE, kinds.AUTOSCALING_GROUP):
        address = _public_address(graph, inst)
        if address is None:
            continue
        for group in _groups(graph, inst):
            for rule in rules_of(group, "ingress"):
                if not open_cidrs(rule.entry):
                    continue
                ports = rule.entry.get("from_port")
                port = ports if isinstance(ports, int) and not isinstance(ports, bool) else None
                path = _path(graph, inst, placements, [group], port if port is not None else 0, *address,
                             only_rule=rule)
                if path is not None:
                    out.append(Exposure(inst, port, path))
    return out


def launch_spec(graph: ResourceGraph, comp: Component) -> Component | None:
    """The launch template (or launch configuration) an instance or auto scaling group launches from."""
    if comp.has("launch_template"):
        found = graph.resolve(comp, comp.get("launch_template"), kinds.LAUNCH_TEMPLATE)
        if found is not None:
            return found
    if comp.has("launch_configuration"):
        return graph.resolve(comp, comp.get("launch_configuration"), kinds.LAUNCH_CONFIGURATION)
    return None


def _public_address(graph: ResourceGraph, inst: Component) -> tuple[str, Location] | None:
    # An auto scaling group has no address of its own: its launch template or configuration says.
    own = inst.get("associate_public_ip_address") if inst.has("associate_public_ip_address") else None
    if own is True:
        return f"{inst.display} gets a public IP address", inst.loc_of("associate_public_ip_address")
    if inst.has("elastic_ip"):
        return f"{inst.display} has an Elastic IP", inst.loc_of("elastic_ip")
    if inst.has("associate_public_ip_address"):
        return None
    spec = launch_spec(graph, inst)
    if spec is not None and spec.has("associate_public_ip_address"):
        if spec.get("associate_public_ip_address") is not True:
            return None
        return (f"{inst.display} gets a public IP address from {spec.display}",
                spec.loc_of("associate_public_ip_address"))
    for subnet in subnets_of(graph, inst):
        if subnet.get("map_public_ip_on_launch") is True:
            return (f"{inst.display} gets a public IP address from subnet {subnet.display}",
                    subnet.loc_of("map_public_ip_on_launch"))
    return None


def _groups(graph: ResourceGraph, comp: Component) -> list[Component]:
    groups = comp.get("security_groups") if comp.has("security_groups") else None  # an auto scaling group has none
    if groups is None and comp.has("cluster"):
        cluster = graph.resolve(comp, comp.get("cluster"), kinds.RDS_CLUSTER)
        groups = cluster.get("security_groups") if cluster is not None else None
    if groups is None and comp.kind in (kinds.INSTANCE, kinds.AUTOSCALING_GROUP):
        spec = launch_spec(graph, comp)
        groups = spec.get("security_groups") if spec is not None else None
    return graph.resolve_all(comp, groups, kinds.SECURITY_GROUP) if isinstance(groups, list) else []


def _path(graph: ResourceGraph, target: Component, placements: dict[str, Placement], groups: list[Component],
          port: int, why_public: str, public_loc: Location, only_rule: object = None) -> tuple[Hop, ...] | None:
    """internet → gateway → public subnet → ACL → security group rule → target, or None when a hop
    is closed or not definite."""
    spot = placements.get(target.id)
    if spot is None or spot.zone != PUBLIC or spot.subnet is None or spot.subnet_route is None:
        return None
    subnet, route = spot.subnet, spot.subnet_route
    gateway = graph.resolve(subnet, route.value.get("target"), kinds.INTERNET_GATEWAY) \
        if isinstance(route.value, dict) else None
    acl_hop = _acl(graph, subnet, port)
    if acl_hop is False:
        return None
    rule_hop = _rule(groups, port, only_rule)
    if rule_hop is None:
        return None
    hops = [Hop("internet", None, "the internet")]
    if gateway is not None:
        hops.append(Hop(gateway.id, gateway.loc, f"internet gateway {gateway.display}"))
    hops.append(Hop(subnet.id, route.loc,
                    f"subnet {subnet.display} routes {route.value.get('destination')} to the internet gateway"))
    if isinstance(acl_hop, Hop):
        hops.append(acl_hop)
    hops.append(rule_hop)
    hops.append(Hop(target.id, public_loc, why_public))
    return tuple(hops)


def _acls_by_subnet(graph: ResourceGraph) -> dict[str, list[Component]]:
    """Network ACLs by the subnets they are associated with."""

    def index() -> dict[str, list[Component]]:
        out: dict[str, list[Component]] = {}
        for acl in graph.of_kind(kinds.NETWORK_ACL):
            for subnet in graph.resolve_all(acl, acl.get("subnets"), kinds.SUBNET):
                out.setdefault(subnet.id, []).append(acl)
        return out

    return graph.derived("acls-by-subnet", index)


def _acl(graph: ResourceGraph, subnet: Component, port: int) -> Hop | bool | None:
    """The network ACL hop: a Hop when an associated ACL admits the port from anywhere, None when
    no ACL is associated (the default ACL admits everything), False when closed or not definite."""
    for acl in _acls_by_subnet(graph).get(subnet.id, ()):
        if isinstance(acl.get("ingress"), Unknown):
            return False
        rules = rules_of(acl, "ingress")
        for rule in rules:
            if acl_admits(rules, rule, port):
                return Hop(acl.id, rule.loc, f"network ACL {acl.display} allows {describe_ports(rule.entry)} "
                                             "from anywhere")
        return False
    return None


def _rule(groups: list[Component], port: int, only_rule: object = None) -> Hop | None:
    for group in groups:
        for rule in rules_of(group, "ingress"):
            if only_rule is not None and rule != only_rule:
                continue
            cidrs = open_cidrs(rule.entry)
            if cidrs and (only_rule is not None or admits_port(rule.entry, port) is True):
                return Hop(group.id, rule.loc,
                           f"security group {group.display} admits {cidrs[0]} on {describe_ports(rule.entry)}")
    return None
