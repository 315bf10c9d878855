"""EC2 networking: VPCs, subnets, route tables and routes, gateways, security groups, instances."""

from __future__ import annotations

from typing import Any

from iac_assist.kinds import INSTANCE, INTERNET_GATEWAY, ROUTE_TABLE, SECURITY_GROUP, SUBNET, VPC
from iac_assist.model import Component, Fact, Unknown
from iac_assist.normalize import ModelBuilder, Normalizer
from iac_assist.parsers.cloudformation.convert import (
    append_fact,
    fact_list,
    fold_target,
    keep_as_other,
    lower,
    present,
    text,
    to_bool,
    to_int,
)
from iac_assist.resource import SourceResource

# Route target property -> the vocabulary's target_type. Egress-only gateways and the rest do
# not make a subnet reachable from the internet, hence "other".
_ROUTE_TARGETS = (
    ("GatewayId", "gateway"),
    ("NatGatewayId", "nat"),
    ("InstanceId", "instance"),
    ("VpcPeeringConnectionId", "peering"),
    ("TransitGatewayId", "transit"),
    ("VpcEndpointId", "endpoint"),
    ("EgressOnlyInternetGatewayId", "other"),
    ("NetworkInterfaceId", "other"),
    ("CarrierGatewayId", "other"),
    ("LocalGatewayId", "other"),
    ("CoreNetworkArn", "other"),
)
_ROUTE_DESTINATIONS = ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId")

# Rule property names differ by direction: (cidrs, security groups, prefix lists).
_INGRESS = (
    ("CidrIp", "CidrIpv6"),
    ("SourceSecurityGroupId", "SourceSecurityGroupName"),
    ("SourcePrefixListId",),
)
_EGRESS = (("CidrIp", "CidrIpv6"), ("DestinationSecurityGroupId",), ("DestinationPrefixListId",))
_RULE_KEYS = ("protocol", "from_port", "to_port", "cidrs", "source_groups", "prefix_lists")
_ALL_PORTS = (0, 65535)


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::EC2::VPC")(vpc)
    normalizer.register("AWS::EC2::Subnet")(subnet)
    normalizer.register("AWS::EC2::RouteTable")(route_table)
    normalizer.register("AWS::EC2::InternetGateway")(internet_gateway)
    normalizer.register("AWS::EC2::SecurityGroup")(security_group)
    normalizer.register("AWS::EC2::Instance")(instance)
    normalizer.register("AWS::EC2::Route", phase=1)(route)
    normalizer.register("AWS::EC2::SubnetRouteTableAssociation", phase=1)(route_table_association)
    normalizer.register("AWS::EC2::VPCGatewayAttachment", phase=1)(gateway_attachment)
    normalizer.register("AWS::EC2::SecurityGroupIngress", phase=1)(ingress_rule)
    normalizer.register("AWS::EC2::SecurityGroupEgress", phase=1)(egress_rule)


def vpc(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, VPC)
    builder.copy(comp, "cidr", res, "CidrBlock")


def subnet(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, SUBNET)
    builder.copy(comp, "vpc", res, "VpcId")
    builder.copy(comp, "cidr", res, "CidrBlock")
    builder.copy(comp, "map_public_ip_on_launch", res, "MapPublicIpOnLaunch", convert=to_bool)


def route_table(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, ROUTE_TABLE)
    builder.copy(comp, "vpc", res, "VpcId")
    # A template cannot declare a VPC's main route table: every AWS::EC2::RouteTable is extra.
    comp.set("main", False)


def internet_gateway(res: SourceResource, builder: ModelBuilder) -> None:
    builder.add(res, INTERNET_GATEWAY)


def route(res: SourceResource, builder: ModelBuilder) -> None:
    table = fold_target(builder, res, res.get("RouteTableId"), ROUTE_TABLE)
    if table is None:
        return
    destinations = present(res.body, _ROUTE_DESTINATIONS)
    target: Any = Unknown("no route target")
    target_type = "other"
    for prop, kind in _ROUTE_TARGETS:
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


def security_group(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, SECURITY_GROUP)
    builder.copy(comp, "name", res, "GroupName")
    builder.copy(comp, "vpc", res, "VpcId")
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
        from_port, to_port = _ALL_PORTS
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


def instance(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, INSTANCE)
    nic = _primary_interface(res)
    if not builder.copy(comp, "subnet", res, "SubnetId") and nic is not None:
        builder.copy(comp, "subnet", res, "NetworkInterfaces", nic, "SubnetId")
    _instance_security_groups(comp, res, nic)
    if nic is not None:
        builder.copy(
            comp, "associate_public_ip_address", res, "NetworkInterfaces", nic, "AssociatePublicIpAddress",
            convert=to_bool,
        )


def _primary_interface(res: SourceResource) -> int | None:
    """Index of the interface at device index 0 (the one the public address question is about)."""
    interfaces = res.get("NetworkInterfaces")
    if not isinstance(interfaces, list) or not interfaces:
        return None
    for index, nic in enumerate(interfaces):
        if isinstance(nic, dict) and to_int(nic.get("DeviceIndex")) == 0:
            return index
    return 0 if isinstance(interfaces[0], dict) else None


def _instance_security_groups(comp: Component, res: SourceResource, nic: int | None) -> None:
    paths: list[tuple[str | int, ...]] = [("SecurityGroupIds",), ("SecurityGroups",)]
    if nic is not None:
        paths.append(("NetworkInterfaces", nic, "GroupSet"))
    written = [p for p in paths if res.has(*p)]
    if not written:
        return
    values = [res.get(*p) for p in written]
    groups: Any = Unknown("security groups not known before deployment")
    if all(isinstance(v, list) for v in values):
        groups = [g for v in values for g in v]
    comp.set("security_groups", groups, res.at(*written[0]))
