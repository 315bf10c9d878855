"""Network and data flows between components, derived from the graph.

internet → CloudFront (viewer protocols) → origins (a bucket, or a load balancer named by its
domain); internet → internet-facing load balancer, per listener its security groups admit from
anywhere; load balancer → targets (listener → target group → instances and auto scaling groups,
classic ELBs → their groups and registered instances); compute → database when a database
security group rule admits the compute's security group or a CIDR holding its subnet, and the
compute's egress rules (when written) let it connect out to the database; internet →
instances and auto scaling groups with a public address and databases reachable from the internet
(see ``exposure``); internet → public buckets; internet → resources whose resource policy lets
anyone act on them (secrets, KMS keys, ECR repositories, EFS file systems, Glacier vaults,
OpenSearch domains, REST APIs: findings of resource-policy-public).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from iac_assist.analysis.findings import Finding
from iac_assist.model import Component, Fact, Location, kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.network import admits_port, open_cidrs, rules_of
from iac_assist.threatmodel.exposure import (
    database_exposures,
    database_port,
    instance_exposures,
    launch_spec,
    warehouse_exposures,
)
from iac_assist.threatmodel.model import INTERNET
from iac_assist.threatmodel.threats import component_key, finding_addresses, place_of
from iac_assist.threatmodel.zones import Placement, subnets_of

ENCRYPTED_PROTOCOLS = {"HTTPS", "TLS", "SSL"}
COMPUTE = (kinds.INSTANCE, kinds.AUTOSCALING_GROUP)

# A flow before ids and boundaries are attached: (source id or INTERNET, target id, port, protocol,
# encrypted, loc, why).
Raw = tuple[str, str, Any, Any, Any, Location | None, str]


def derive(graph: ResourceGraph, placements: dict[str, Placement], findings: list[Finding]) -> list[Raw]:
    raw: list[Raw] = []
    raw += _cloudfront(graph)
    raw += _load_balancers(graph)
    raw += _databases(graph, placements)
    raw += _exposed(graph, placements)
    raw += _public_buckets(graph, findings)
    raw += _public_policies(graph, findings)
    return raw


def _value(entry: Any) -> Any:
    return entry.value if isinstance(entry, Fact) else entry


# --- edge ----------------------------------------------------------------------------------------


def _cloudfront(graph: ResourceGraph) -> Iterator[Raw]:
    for dist in graph.of_kind(kinds.CLOUDFRONT):
        policies = [_value(b).get("viewer_protocol_policy") for b in dist.items("behaviors")
                    if isinstance(_value(b), dict)]
        yield (INTERNET, dist.id, 443, "HTTPS", True, dist.loc, "viewers over HTTPS")
        if "allow-all" in policies:
            yield (INTERNET, dist.id, 80, "HTTP", False, dist.loc, "viewers over plain HTTP (allow-all)")
        for origin in dist.items("origins"):
            entry = _value(origin)
            if not isinstance(entry, dict):
                continue
            loc = origin.loc if isinstance(origin, Fact) else dist.loc_of("origins")
            target = graph.resolve(dist, entry.get("domain_name"), kinds.S3_BUCKET, kinds.LB)
            if target is None:
                continue
            if entry.get("custom"):
                policy = _value(entry.get("protocol_policy"))
                if policy == "http-only":
                    yield (dist.id, target.id, 80, "HTTP", False, loc, "origin over plain HTTP")
                elif policy == "https-only":
                    yield (dist.id, target.id, 443, "HTTPS", True, loc, "origin over HTTPS")
                else:
                    yield (dist.id, target.id, 443, "HTTPS", None, loc, "origin protocol matches the viewer's")
            else:
                yield (dist.id, target.id, 443, "HTTPS", True, loc, "S3 origin")


# --- load balancers --------------------------------------------------------------------------------


def _load_balancers(graph: ResourceGraph) -> Iterator[Raw]:
    # Auto scaling groups name their target groups and classic load balancers: index them once.
    by_target: dict[str, list[Component]] = {}
    for group in graph.of_kind(kinds.AUTOSCALING_GROUP):
        for found in graph.resolve_all(group, group.get("target_groups"), kinds.LB_TARGET_GROUP) + \
                graph.resolve_all(group, group.get("load_balancers"), kinds.LB):
            by_target.setdefault(found.id, []).append(group)
    for listener in graph.of_kind(kinds.LB_LISTENER):
        lb = graph.resolve(listener, listener.get("load_balancer"), kinds.LB)
        if lb is None:
            continue
        port, proto, encrypted = _endpoint(listener)
        if lb.get("scheme") == "internet-facing":
            allowed = _internet_admitted(graph, lb, port)
            if allowed is not None:
                yield (INTERNET, lb.id, port, proto, encrypted, allowed, "internet-facing listener")
        yield from _targets(graph, lb, listener, by_target)


def _endpoint(comp: Component) -> tuple[int | None, str | None, bool | None]:
    """A listener's or target group's port, protocol and whether that protocol is encrypted."""
    port, proto = comp.get("port"), comp.get("protocol")
    port = port if isinstance(port, int) and not isinstance(port, bool) else None
    proto = proto if isinstance(proto, str) else None
    return port, proto, (proto in ENCRYPTED_PROTOCOLS if proto else None)


def _internet_admitted(graph: ResourceGraph, lb: Component, port: int | None) -> Location | None:
    """Where the internet is let in to ``lb`` on ``port``: the security group rule, or the listener
    itself when the load balancer has no security groups (a network load balancer)."""
    groups = graph.resolve_all(lb, lb.get("security_groups"), kinds.SECURITY_GROUP)
    if not lb.has("security_groups") or not groups:
        return lb.loc
    for group in groups:
        for rule in rules_of(group, "ingress"):
            if open_cidrs(rule.entry) and (port is None or admits_port(rule.entry, port) is not False):
                return rule.loc
    return None


def _targets(graph: ResourceGraph, lb: Component, listener: Component,
             by_target: dict[str, list[Component]]) -> Iterator[Raw]:
    if lb.get("type") == "classic":
        port, proto = listener.get("instance_port"), listener.get("instance_protocol")
        encrypted = proto in ENCRYPTED_PROTOCOLS if isinstance(proto, str) else None
        for group in by_target.get(lb.id, ()):
            yield (lb.id, group.id, port, proto, encrypted, group.loc_of("load_balancers"),
                   "classic load balancer instances")
        for instance in graph.resolve_all(lb, lb.get("instances"), kinds.INSTANCE):
            yield (lb.id, instance.id, port, proto, encrypted, lb.loc_of("instances"),
                   "classic load balancer instance")
        return
    for action in listener.items("default_actions"):
        entry = _value(action)
        if not isinstance(entry, dict) or entry.get("type") != "forward":
            continue
        target_group = graph.resolve(listener, entry.get("target_group"), kinds.LB_TARGET_GROUP)
        if target_group is None:
            continue
        port, proto, encrypted = _endpoint(target_group)
        for target in target_group.items("targets"):
            value = _value(target)
            ref = value.get("target") if isinstance(value, dict) else value
            found = graph.resolve(target_group, ref, kinds.INSTANCE)
            if found is not None:
                loc = target.loc if isinstance(target, Fact) else target_group.loc
                yield (lb.id, found.id, port, proto, encrypted, loc, f"target group {target_group.display}")
        for group in by_target.get(target_group.id, ()):
            yield (lb.id, group.id, port, proto, encrypted, group.loc_of("target_groups"),
                   f"target group {target_group.display}")


# --- compute to databases --------------------------------------------------------------------------


def _security_groups(graph: ResourceGraph, comp: Component) -> list[Component]:
    if comp.has("security_groups"):  # an auto scaling group's are its launch template's
        return graph.resolve_all(comp, comp.get("security_groups"), kinds.SECURITY_GROUP)
    template = launch_spec(graph, comp)
    return graph.resolve_all(template, template.get("security_groups"), kinds.SECURITY_GROUP) if template else []


def _databases(graph: ResourceGraph, placements: dict[str, Placement]) -> Iterator[Raw]:
    # Index compute by security group and by VPC once, so each rule looks only at what it may admit.
    by_group: dict[str, list[Component]] = {}
    by_vpc: dict[str | None, list[tuple[Component, list[str]]]] = {}
    for comp in graph.of_kind(*COMPUTE):
        for group in _security_groups(graph, comp):
            by_group.setdefault(group.id, []).append(comp)
        by_vpc.setdefault(placements[comp.id].vpc, []).append((comp, _cidrs(graph, comp)))
    for db in graph.of_kind(*kinds.DATABASES):
        if db.kind == kinds.RDS_INSTANCE and db.has("cluster"):
            continue  # the cluster's endpoint is what clients connect to
        port = database_port(graph, db)
        for group in graph.resolve_all(db, db.get("security_groups"), kinds.SECURITY_GROUP):
            for rule in rules_of(group, "ingress"):
                if port is not None and admits_port(rule.entry, port) is False:
                    continue
                admitted: dict[str, Component] = {}
                for source in graph.resolve_all(group, rule.entry.get("source_groups"), kinds.SECURITY_GROUP):
                    admitted.update((c.id, c) for c in by_group.get(source.id, ()))
                cidrs = rule.entry.get("cidrs")
                cidrs = [c for c in cidrs if isinstance(c, str)] if isinstance(cidrs, list) else []
                if cidrs:
                    for comp, subnets in by_vpc.get(placements[db.id].vpc, ()):
                        if _within(subnets, cidrs):
                            admitted[comp.id] = comp
                db_groups = {g.id for g in graph.resolve_all(db, db.get("security_groups"), kinds.SECURITY_GROUP)}
                for comp in sorted(admitted.values(), key=lambda c: c.id):
                    if _egress_admits(graph, comp, port, db_groups, _cidrs(graph, db)):
                        yield (comp.id, db.id, port, "TCP", None, rule.loc, f"security group {group.display} admits it")


def _egress_admits(graph: ResourceGraph, comp: Component, port: int | None, db_groups: set[str],
                   db_cidrs: list[str]) -> bool:
    """Whether the compute's security groups let it connect out to the database: some egress
    rule admits the port towards the database's groups or a CIDR holding its subnets. A group with
    no egress rule written (the AWS default allows all; the normalizers do not tell it from an
    empty list) or not known may admit it."""
    groups = _security_groups(graph, comp)
    if not groups:
        return True
    for group in groups:
        if not group.get("egress") or not isinstance(group.get("egress"), list):
            return True
        for rule in rules_of(group, "egress"):
            if port is not None and admits_port(rule.entry, port) is False:
                continue
            entry = rule.entry
            if entry.get("prefix_lists"):
                return True
            targets = graph.resolve_all(group, entry.get("source_groups"), kinds.SECURITY_GROUP)
            if any(t.id in db_groups for t in targets):
                return True
            cidrs = entry.get("cidrs")
            cidrs = [c for c in cidrs if isinstance(c, str)] if isinstance(cidrs, list) else []
            if cidrs and (not db_cidrs or _within(db_cidrs, cidrs)):
                return True
    return False


def _cidrs(graph: ResourceGraph, comp: Component) -> list[str]:
    return [c for s in subnets_of(graph, comp) if isinstance(c := s.get("cidr"), str)]


def _within(subnets: list[str], cidrs: list[str]) -> bool:
    for subnet in subnets:
        for cidr in cidrs:
            try:
                inner, outer = ipaddress.ip_network(subnet, strict=False), ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                continue
            if inner.version == outer.version and inner.subnet_of(outer):
                return True
    return False


# --- direct exposure -------------------------------------------------------------------------------


def _exposed(graph: ResourceGraph, placements: dict[str, Placement]) -> Iterator[Raw]:
    for exposure in (database_exposures(graph, placements) + warehouse_exposures(graph, placements)
                     + instance_exposures(graph, placements)):
        rule = exposure.hops[-2]
        yield (INTERNET, exposure.target.id, exposure.port, "TCP", None, rule.loc, rule.message)


def _findings_on(graph: ResourceGraph, findings: list[Finding], controls: set[str]) -> dict[str, list[Finding]]:
    """The findings of ``controls`` by the id of the component they are about: by address, in the
    same template (CloudFormation) or module folder (Terraform), as the threats match them."""
    by_key: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        if finding.control in controls:
            for address in finding_addresses(finding):
                for cfn in (False, True):
                    by_key.setdefault((address, place_of(finding.loc.file, cfn=cfn)), []).append(finding)
    out: dict[str, list[Finding]] = {}
    for comp in graph.components.values():
        found = by_key.get(component_key(comp))
        if found:
            out[comp.id] = found
    return out


def _public_buckets(graph: ResourceGraph, findings: list[Finding]) -> Iterator[Raw]:
    public = _findings_on(graph, findings, {"s3-public-read", "s3-public-write"})
    plaintext = _findings_on(graph, findings, {"s3-insecure-transport"})
    for bucket in graph.of_kind(kinds.S3_BUCKET):
        found = public.get(bucket.id)
        if not found:
            continue
        first = min(found, key=lambda f: f.sort_key())
        yield (INTERNET, bucket.id, 443, "HTTPS", True, first.loc, first.title)
        if bucket.id in plaintext:
            # No policy denies insecure transport: the same objects are served over plain HTTP too.
            yield (INTERNET, bucket.id, 80, "HTTP", False, first.loc, first.title)

POLICY_GUARDED = (kinds.SECRET, kinds.KMS_KEY, kinds.ECR_REPOSITORY, kinds.EFS_FILE_SYSTEM, kinds.GLACIER_VAULT,
                  kinds.SEARCH_DOMAIN, kinds.APIGW_REST_API)


def _public_policies(graph: ResourceGraph, findings: list[Finding]) -> Iterator[Raw]:
    """Anyone on the internet calls the AWS API of a resource its policy opens to everyone (over
    HTTPS: the AWS APIs take no plaintext)."""
    public = _findings_on(graph, findings, {"resource-policy-public"})
    for comp in graph.of_kind(*POLICY_GUARDED):
        found = public.get(comp.id)
        if found:
            first = min(found, key=lambda f: f.sort_key())
            yield (INTERNET, comp.id, 443, "HTTPS", True, first.loc, first.title)
