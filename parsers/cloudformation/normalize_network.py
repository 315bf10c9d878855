"""EC2 networking: what the table (``iac_assist/model/vocabulary/vpc.py``) cannot say: routes and
rules (inline and their own resources), associations and attachments, what a flow log logs and
where it delivers. (Instances live in normalize_ec2.)"""

from __future__ import annotations

from typing import Any

from iac_assist.model import Component, Fact, Unknown
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import lower, to_bool, to_int
from iac_assist.model.kinds import INTERNET_GATEWAY, NETWORK_ACL, ROUTE_TABLE, SECURITY_GROUP, SUBNET
from iac_assist.model.mapping import read, src
from iac_assist.model.network import ALL_PORTS, acl_ignores_ports, protocol
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.vpc import FLOW_LOG_TARGETS, ROUTE_TARGETS
from iac_assist.parsers.cloudformation.convert import append_fact, fact_list, fold_target, keep_as_other, present, text

_ROUTE_DESTINATIONS = ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId")

# Rule property names differ by direction: (cidrs, security groups, prefix lists).
_INGRESS = (
    ("CidrIp", "CidrIpv6"),
    ("SourceSecurityGroupId", "SourceSecurityGroupName"),
    ("SourcePrefixListId",),
)
_EGRESS = (("CidrIp", "CidrIpv6"), ("DestinationSecurityGroupId",), ("DestinationPrefixListId",))
_RULE_KEYS = ("protocol", "from_port", "to_port", "cidrs", "source_groups", "prefix_lists")


def register(normalizer: Normalizer) -> None:
    normalizer.extend("AWS::EC2::SecurityGroup")(security_group)
    normalizer.extend("AWS::EC2::NetworkAcl")(network_acl)
    normalizer.extend("AWS::EC2::FlowLog")(flow_log)
    normalizer.register("AWS::EC2::Route", phase=1)(route)
    normalizer.register("AWS::EC2::SubnetRouteTableAssociation", phase=1)(route_table_association)
    normalizer.register("AWS::EC2::VPCGatewayAttachment", phase=1)(gateway_attachment)
    normalizer.register("AWS::EC2::SecurityGroupIngress", phase=1)(ingress_rule)
    normalizer.register("AWS::EC2::SecurityGroupEgress", phase=1)(egress_rule)
    normalizer.register("AWS::EC2::NetworkAclEntry", phase=1)(network_acl_entry)
    normalizer.register("AWS::EC2::SubnetNetworkAclAssociation", phase=1)(network_acl_association)


def route(res: SourceResource, builder: ModelBuilder) -> None:
    table = fold_target(builder, res, res.get("RouteTableId"), ROUTE_TABLE)
    if table is None:
        return
    destinations = present(res.body, _ROUTE_DESTINATIONS)
    target: Any = Unknown("no route target")
    target_type = "other"
    for _attribute, prop, kind in ROUTE_TARGETS:
        if prop in res.body:
            target, target_type = res.body[prop], kind
            break
    entry = {
        "destination": destinations[0] if destinations else Unknown("no destination"),
        "target": target,
        "target_type": target_type,
    }
    append_fact(table, "routes", Fact(entry, res.loc, origin=res.address))


def route_table_association(res: SourceResource, builder: ModelBuilder) -> None:
    owner = fold_target(builder, res, res.get("SubnetId"), SUBNET)
    if owner is not None and res.has("RouteTableId"):
        owner.set("route_table", res.get("RouteTableId"), res.loc, origin=res.address)


def gateway_attachment(res: SourceResource, builder: ModelBuilder) -> None:
    if not res.has("InternetGatewayId"):
        # A VPN gateway attachment: not part of the vocabulary, kept for its references.
        keep_as_other(builder, res)
        return
    owner = fold_target(builder, res, res.get("InternetGatewayId"), INTERNET_GATEWAY)
    if owner is not None:
        builder.copy(owner, "vpc", res, "VpcId")


def security_group(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    fact_list(comp, "ingress", res, ("SecurityGroupIngress",), lambda e: rule(e, _INGRESS))
    fact_list(comp, "egress", res, ("SecurityGroupEgress",), lambda e: rule(e, _EGRESS))


def ingress_rule(res: SourceResource, builder: ModelBuilder) -> None:
    _standalone_rule(res, builder, "ingress", _INGRESS)


def egress_rule(res: SourceResource, builder: ModelBuilder) -> None:
    _standalone_rule(res, builder, "egress", _EGRESS)


def _standalone_rule(res: SourceResource, builder: ModelBuilder, key: str, names: tuple) -> None:
    # GroupName only addresses security groups of a default VPC, but it is still a way in.
    target = res.get("GroupId") if res.has("GroupId") else res.get("GroupName")
    owner = fold_target(builder, res, target, SECURITY_GROUP)
    if owner is not None:
        # Point at the source the rule admits (the line a reviewer changes), else at the resource.
        source = next((k for k in ("CidrIp", "CidrIpv6", "SourceSecurityGroupId", "DestinationSecurityGroupId")
                       if res.has(k)), None)
        loc = res.at(source) if source else res.loc
        append_fact(owner, key, Fact(rule(res.body, names), loc, origin=res.address))


def rule(entry: Any, names: tuple) -> dict[str, Any]:
    """One security group rule in the vocabulary's shape, from inline or standalone properties."""
    if not isinstance(entry, dict):
        unknown = Unknown("rule not known before deployment")
        return dict.fromkeys(_RULE_KEYS, unknown)
    cidrs, groups, prefix_lists = names
    protocol = lower(text(entry.get("IpProtocol", Unknown("no IpProtocol"))))
    if protocol == "-1":
        # All traffic: EC2 ignores any port range given with it.
        from_port, to_port = ALL_PORTS
    else:
        from_port = to_int(entry.get("FromPort", Unknown("no FromPort")))
        to_port = to_int(entry.get("ToPort", Unknown("no ToPort")))
    return {
        "protocol": protocol,
        "from_port": from_port,
        "to_port": to_port,
        "cidrs": present(entry, cidrs),
        "source_groups": present(entry, groups),
        "prefix_lists": present(entry, prefix_lists),
    }


# --- network ACLs -------------------------------------------------------------------------------


def network_acl(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    # Its rules are AWS::EC2::NetworkAclEntry resources: a new ACL starts with none (deny all).
    comp.set("ingress", [])
    comp.set("egress", [])


def network_acl_entry(res: SourceResource, builder: ModelBuilder) -> None:
    owner = fold_target(builder, res, res.get("NetworkAclId"), NETWORK_ACL)
    if owner is None:
        return
    egress = to_bool(res.get("Egress", default=False))
    if not isinstance(egress, bool):
        return  # which list it belongs to is unknown: it can make neither definite
    proto = protocol(text(res.get("Protocol", default=Unknown("no Protocol"))))
    if acl_ignores_ports(proto):
        from_port, to_port = ALL_PORTS
    else:
        ports = res.get("PortRange")
        ports = ports if isinstance(ports, dict) else {}
        from_port = to_int(ports.get("From", Unknown("no PortRange.From")))
        to_port = to_int(ports.get("To", Unknown("no PortRange.To")))
    source = next((k for k in ("CidrBlock", "Ipv6CidrBlock") if res.has(k)), None)
    entry = {
        "rule_number": to_int(res.get("RuleNumber", default=Unknown("no RuleNumber"))),
        "action": lower(res.get("RuleAction", default=Unknown("no RuleAction"))),
        "protocol": proto,
        "from_port": from_port,
        "to_port": to_port,
        "cidrs": present(res.body, ("CidrBlock", "Ipv6CidrBlock")),
    }
    append_fact(owner, "egress" if egress else "ingress",
                Fact(entry, res.at(source) if source else res.loc, origin=res.address))


def network_acl_association(res: SourceResource, builder: ModelBuilder) -> None:
    owner = fold_target(builder, res, res.get("NetworkAclId"), NETWORK_ACL)
    if owner is None or not res.has("SubnetId"):
        return
    subnets = owner.get("subnets")
    if subnets is None:
        owner.set("subnets", [res.get("SubnetId")], res.at("SubnetId"), origin=res.address)
    elif isinstance(subnets, list):
        subnets.append(res.get("SubnetId"))


# --- flow logs ----------------------------------------------------------------------------------

# ResourceType is case-insensitive.
_FLOW_LOG_TYPES = {resource.lower(): resource_type for _attribute, resource, resource_type in FLOW_LOG_TARGETS}


def flow_log(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    kind = res.get("ResourceType")
    if isinstance(kind, str):
        comp.set("resource_type", _FLOW_LOG_TYPES.get(kind.lower(), "other"), res.at("ResourceType"))
    elif res.has("ResourceType"):
        comp.set("resource_type", Unknown("ResourceType not known before deployment"), res.at("ResourceType"))
    if res.get("LogDestinationType") == "s3":
        read(comp, res, src("LogDestination"), "log_destination")
