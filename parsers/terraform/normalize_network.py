"""VPC networking in Terraform: what the table (``iac_assist/model/vocabulary/vpc.py``) cannot say:
references read as data, routes and rules (inline and their own resources), associations, the
default VPC's adopted resources, what a flow log logs. (Instances live in normalize_ec2.)"""

from __future__ import annotations

from typing import Any

from iac_assist.model import Component, Fact, Location, Ref, Unknown, kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import first_set, lower, to_bool, to_int
from iac_assist.model.mapping import read, src
from iac_assist.model.network import ALL_PORTS, acl_ignores_ports, protocol
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.vpc import FLOW_LOG_TARGETS, ROUTE_TARGETS
from iac_assist.parsers.terraform.normalizer import NORMALIZER, items


def datum(value: Any) -> Any:
    """A value read as data (a CIDR, a port, a protocol): a reference to a configured attribute
    (``aws_vpc.web.cidr_block``) stands for what the configuration sets, so that it is judged;
    a reference to a computed one is unknown, remembering the reference."""
    if isinstance(value, Ref):
        inner = value.value
        if isinstance(inner, (str, int, float, bool)):
            return inner
        return inner if isinstance(inner, Unknown) and inner.refs else Unknown(refs=(value,))
    return value


def data(values: list[Any]) -> list[Any]:
    return [datum(v) for v in values]


@NORMALIZER.extend("aws_vpc", "aws_default_vpc", "aws_subnet")
def configured_data(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    """The table keeps a reference as written; a CIDR or a switch is data (see ``datum``)."""
    for key in ("cidr", "map_public_ip_on_launch"):
        if comp.has(key) and isinstance(comp.get(key), Ref):
            value = datum(comp.get(key))
            comp.facts[key].value = to_bool(value) if key == "map_public_ip_on_launch" else value


def _route(route: dict[str, Any], loc: Location) -> Fact:
    destination = first_set(*(route.get(attr) for attr in (
        "cidr_block", "ipv6_cidr_block", "destination_cidr_block", "destination_ipv6_cidr_block",
        "destination_prefix_list_id")))
    target, target_type = None, "other"
    for attr, _property, kind in ROUTE_TARGETS:
        if route.get(attr) not in (None, ""):
            target, target_type = route[attr], kind
            break
    return Fact({"destination": datum(destination), "target": target, "target_type": target_type}, loc)


@NORMALIZER.extend("aws_route_table", "aws_default_route_table")
def route_table(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    if res.type == "aws_default_route_table":
        _default_vpc(comp, res, "default_route_table_id")
    routes = [_route(r, res.at("route", i)) for i, r in res.blocks("route")]
    comp.set("routes", routes, res.at("route"))


def _default_vpc(comp: Component, res: SourceResource, attribute: str) -> None:
    """A default route table or ACL names its VPC through the VPC's attribute it adopts."""
    ref = res.get(attribute)
    if isinstance(ref, Ref):
        comp.set("vpc", Ref(ref.address), res.at(attribute))


@NORMALIZER.register("aws_route", phase=1)
def route(res: SourceResource, b: ModelBuilder) -> None:
    owner = b.owner(res.get("route_table_id"), kinds.ROUTE_TABLE)
    if owner is None:
        return
    routes = list(owner.get("routes") or [])
    routes.append(_route(res.body, res.loc))
    owner.set("routes", routes, owner.loc_of("routes"))


@NORMALIZER.register("aws_route_table_association", phase=1)
def route_table_association(res: SourceResource, b: ModelBuilder) -> None:
    owner = b.owner(res.get("subnet_id"), kinds.SUBNET)
    if owner is not None:
        owner.set("route_table", res.get("route_table_id"), res.at("route_table_id"), origin=res.address)


@NORMALIZER.register("aws_main_route_table_association", phase=1)
def main_route_table_association(res: SourceResource, b: ModelBuilder) -> None:
    owner = b.owner(res.get("route_table_id"), kinds.ROUTE_TABLE)
    if owner is not None:
        owner.set("main", True, res.loc, origin=res.address)
        if not owner.has("vpc"):
            b.copy(owner, "vpc", res, "vpc_id")


@NORMALIZER.register("aws_internet_gateway_attachment", phase=1)
def internet_gateway_attachment(res: SourceResource, b: ModelBuilder) -> None:
    owner = b.owner(res.get("internet_gateway_id"), kinds.INTERNET_GATEWAY)
    if owner is not None:
        b.copy(owner, "vpc", res, "vpc_id")


def _rule(rule: dict[str, Any], loc: Location, *, protocol: str = "protocol") -> Fact:
    cidrs = data(items(rule.get("cidr_blocks")) + items(rule.get("ipv6_cidr_blocks")))
    for single in ("cidr_ipv4", "cidr_ipv6"):
        if rule.get(single) is not None:
            cidrs.append(datum(rule[single]))
    groups = items(rule.get("security_groups")) + items(rule.get("source_security_group_id")) + items(
        rule.get("referenced_security_group_id"))
    # Protocols lower case and all traffic on all ports, as in a template's rule (EC2 ignores the
    # ports written with protocol -1, which Terraform wants as 0 to 0).
    proto = lower(datum(rule.get(protocol, "-1")))
    ports = ALL_PORTS if proto == "-1" else (
        to_int(datum(rule.get("from_port", 0))), to_int(datum(rule.get("to_port", 65535))))
    return Fact({
        "protocol": proto,
        "from_port": ports[0],
        "to_port": ports[1],
        "cidrs": cidrs,
        "source_groups": groups,
        "self": to_bool(datum(rule.get("self", False))),
        "prefix_lists": items(rule.get("prefix_list_ids")) + items(rule.get("prefix_list_id")),
        "description": rule.get("description"),
    }, loc)


@NORMALIZER.extend("aws_security_group", "aws_default_security_group")
def security_group(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    for direction in ("ingress", "egress"):
        rules = [_rule(r, res.at(direction, i)) for i, r in res.blocks(direction)]
        comp.set(direction, rules, res.at(direction))


def _append_rule(owner: Any, direction: str, rule: Fact, origin: str) -> None:
    rule.origin = origin
    if owner.has(direction) and not isinstance(owner.get(direction), list):
        return  # the owner's rules are unknown already; one more known rule does not make them known
    rules = list(owner.get(direction) or [])
    rules.append(rule)
    owner.set(direction, rules, owner.loc_of(direction))


@NORMALIZER.register("aws_security_group_rule", phase=1)
def security_group_rule(res: SourceResource, b: ModelBuilder) -> None:
    owner = b.owner(res.get("security_group_id"), kinds.SECURITY_GROUP)
    direction = res.get("type")
    if owner is None or direction not in ("ingress", "egress"):
        return
    loc = res.at("cidr_blocks") if res.has("cidr_blocks") else res.loc
    _append_rule(owner, direction, _rule(res.body, loc), res.address)


@NORMALIZER.register("aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule", phase=1)
def vpc_security_group_rule(res: SourceResource, b: ModelBuilder) -> None:
    owner = b.owner(res.get("security_group_id"), kinds.SECURITY_GROUP)
    if owner is None:
        return
    direction = "ingress" if res.type.endswith("ingress_rule") else "egress"
    loc = res.at("cidr_ipv4") if res.has("cidr_ipv4") else res.at("cidr_ipv6") if res.has("cidr_ipv6") else res.loc
    _append_rule(owner, direction, _rule(res.body, loc, protocol="ip_protocol"), res.address)


# --- network ACLs -------------------------------------------------------------------------------


def _acl_rule(rule: dict[str, Any], loc: Location, *, number: str, action: str) -> Fact:
    proto = protocol(datum(rule.get("protocol", Unknown("no protocol"))))
    if acl_ignores_ports(proto):
        from_port, to_port = ALL_PORTS
    else:
        from_port = to_int(datum(rule.get("from_port", Unknown("no from_port"))))
        to_port = to_int(datum(rule.get("to_port", Unknown("no to_port"))))
    cidrs = [datum(rule[k]) for k in ("cidr_block", "ipv6_cidr_block") if rule.get(k) not in (None, "")]
    return Fact({
        "rule_number": to_int(rule.get(number, Unknown("no rule number"))),
        "action": lower(rule.get(action, Unknown("no action"))),
        "protocol": proto,
        "from_port": from_port,
        "to_port": to_port,
        "cidrs": cidrs,
    }, loc)


def _acl_rules(comp: Any, res: SourceResource) -> None:
    for direction in ("ingress", "egress"):
        value = res.get(direction)
        if isinstance(value, (Unknown, Ref)):
            comp.set(direction, Unknown(f"{direction} rules not known before apply"), res.at(direction))
            continue
        rules = [_acl_rule(r, res.at(direction, i), number="rule_no", action="action")
                 for i, r in res.blocks(direction)]
        comp.set(direction, rules, res.at(direction))


@NORMALIZER.extend("aws_network_acl", "aws_default_network_acl")
def network_acl(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    # Terraform replaces the default ACL's rules with the blocks written here (none: deny all).
    if res.type == "aws_default_network_acl":
        _default_vpc(comp, res, "default_network_acl_id")
    _acl_rules(comp, res)


@NORMALIZER.register("aws_network_acl_rule", phase=1)
def network_acl_rule(res: SourceResource, b: ModelBuilder) -> None:
    owner = b.owner(res.get("network_acl_id"), kinds.NETWORK_ACL)
    if owner is None:
        return
    egress = to_bool(res.get("egress", default=False))
    if not isinstance(egress, bool):
        return  # which list it belongs to is unknown: it can make neither definite
    direction = "egress" if egress else "ingress"
    source = next((k for k in ("cidr_block", "ipv6_cidr_block") if res.has(k)), None)
    loc = res.at(source) if source else res.loc
    rule = _acl_rule(res.body, loc, number="rule_number", action="rule_action")
    rule.origin = res.address
    rules = owner.get(direction)
    if isinstance(rules, list):
        owner.set(direction, [*rules, rule], owner.loc_of(direction))
    elif rules is None:
        owner.set(direction, [rule], loc, origin=res.address)


@NORMALIZER.register("aws_network_acl_association", phase=1)
def network_acl_association(res: SourceResource, b: ModelBuilder) -> None:
    owner = b.owner(res.get("network_acl_id"), kinds.NETWORK_ACL)
    if owner is None:
        return
    subnets = owner.get("subnets")
    if subnets is None:
        owner.set("subnets", items(res.get("subnet_id")), res.at("subnet_id"), origin=res.address)
    elif isinstance(subnets, list):
        owner.set("subnets", [*subnets, *items(res.get("subnet_id"))], owner.loc_of("subnets"))


# --- flow logs ----------------------------------------------------------------------------------

@NORMALIZER.extend("aws_flow_log")
def flow_log(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    for attribute, _type, resource_type in FLOW_LOG_TARGETS:
        if res.get(attribute) is not None:
            comp.set("resource_type", resource_type, res.at(attribute))
            break
    if res.get("log_destination_type") == "s3":
        read(comp, res, src("log_destination"), "log_destination")
