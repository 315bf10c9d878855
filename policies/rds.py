"""Database policies: RDS instances, Aurora clusters and their instances."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist import kinds
from iac_assist.graph import ResourceGraph
from iac_assist.model import Component, Fact
from iac_assist.network import internet_route, open_to_internet
from iac_assist.policy import Hit, policy


def _inherited(graph: ResourceGraph, db: Component, fact: str) -> tuple[Component, object]:
    """A fact of the database, or of its cluster when an instance leaves it to the cluster."""
    if db.has(fact):
        return db, db.get(fact)
    cluster = graph.resolve(db, db.get("cluster"), kinds.RDS_CLUSTER)
    if cluster is not None and cluster.has(fact):
        return cluster, cluster.get(fact)
    return db, None


@policy(
    id="IAC-RDS-001",
    control="db-publicly-accessible",
    title="Database is publicly accessible",
    severity="critical",
    stride="ISTD",
    cwe=668,
    remediation="""
Set `publicly_accessible = false` (Terraform) / `PubliclyAccessible: false` (CloudFormation) and
reach the database from inside the VPC: application servers, a bastion or SSM port forwarding.
""",
)
def db_publicly_accessible(graph: ResourceGraph) -> Iterator[Hit]:
    """A publicly accessible database gets a public DNS name and address; only its security group
    then stands between it and every password-guessing bot on the internet, and one rule too many
    exposes all its data. Reported when the flag is true on a DB instance, cluster instance or
    cluster; an unknown value is not reported."""
    for db in graph.of_kind(*kinds.DATABASES):
        if db.get("publicly_accessible") is True:
            yield Hit(db, db.loc_of("publicly_accessible"),
                      f"Database {db.display} is publicly accessible: it gets a public address reachable from "
                      "the internet. Set publicly_accessible / PubliclyAccessible to false.",
                      cause="publicly_accessible")


@policy(
    id="IAC-RDS-002",
    control="db-in-public-subnet",
    title="Database is placed in a public subnet",
    severity="high",
    stride="ID",
    cwe=668,
    remediation="""
Build the DB subnet group from private subnets only: subnets whose route table has no
0.0.0.0/0 or ::/0 route to an internet gateway (use a NAT gateway for outbound traffic).
""",
)
def db_in_public_subnet(graph: ResourceGraph) -> Iterator[Hit]:
    """A database belongs in private subnets. When its subnet group includes a subnet whose route
    table sends 0.0.0.0/0 or ::/0 to an internet gateway, one flag (publicly accessible) or one
    security group rule is all it takes to expose it, and the architecture's tiers are not what a
    reviewer expects. A subnet with no explicit route table association uses its VPC's main
    route table. Subnets or route tables that cannot be resolved are not reported."""
    for db in graph.of_kind(*kinds.DATABASES):
        holder, group_ref = _inherited(graph, db, "subnet_group")
        group = graph.resolve(holder, group_ref, kinds.RDS_SUBNET_GROUP) if group_ref is not None else None
        if group is None:
            continue
        public: list[tuple[Component, Fact]] = []
        for subnet in graph.resolve_all(group, group.get("subnets") or [], kinds.SUBNET):
            route = internet_route(graph, subnet)
            if route is not None:
                public.append((subnet, route))
        if not public:
            continue
        names = ", ".join(sorted({s.address for s, _ in public}))
        related = tuple((route.loc, f"route to the internet gateway makes {subnet.address} public")
                        for subnet, route in public)
        related += ((holder.loc_of("subnet_group"), f"{holder.address} uses subnet group {group.address}"),)
        yield Hit(db, group.loc_of("subnets"),
                  f"Database {db.display} is placed in public subnets ({names}) through subnet group "
                  f"{group.address}. Use private subnets only.",
                  cause=f"subnet_group:{group.address}", related=related)


@policy(
    id="IAC-RDS-003",
    control="db-open-security-group",
    title="Database security group admits the whole internet",
    severity="high",
    stride="ISTD",
    cwe=284,
    remediation="""
Allow ingress to the database only from the application tier: reference its security group
(`source_security_group_id` / `referenced_security_group_id` / `SourceSecurityGroupId`) or a
narrow private CIDR, never 0.0.0.0/0 or ::/0.
""",
)
def db_open_security_group(graph: ResourceGraph) -> Iterator[Hit]:
    """A security group attached to a database that admits 0.0.0.0/0 or ::/0 leaves only the
    network placement between the database and the internet. Every ingress rule of every group
    attached to the database counts, whether written inline or as a separate rule resource. The
    finding points at the rule."""
    for db in graph.of_kind(*kinds.DATABASES):
        holder, groups = _inherited(graph, db, "security_groups")
        if holder is not db:
            continue  # reported on the cluster that owns the groups
        for group in graph.resolve_all(db, groups or [], kinds.SECURITY_GROUP):
            for n, rule in enumerate(group.get("ingress") or []):
                entry = rule.value if isinstance(rule, Fact) else rule
                cidr = open_to_internet(entry) if isinstance(entry, dict) else None
                if cidr is None:
                    continue
                origin = rule.origin if isinstance(rule, Fact) and rule.origin else group.address
                loc = rule.loc if isinstance(rule, Fact) else group.loc_of("ingress")
                ports = _ports(entry)
                yield Hit(db, loc,
                          f"Database {db.display} is attached to security group {group.address}, whose ingress "
                          f"rule ({origin}) admits {cidr} on {ports}. Allow only the application tier's "
                          "security group.",
                          cause=f"{group.address}:{origin}:{n if origin == group.address else ''}:{cidr}")


def _ports(rule: dict) -> str:
    lo, hi = rule.get("from_port"), rule.get("to_port")
    if str(rule.get("protocol")) in ("-1", "all"):
        return "all ports"
    if lo == hi:
        return f"port {lo}"
    return f"ports {lo}-{hi}"


POLICIES = [db_publicly_accessible, db_in_public_subnet, db_open_security_group]
