"""VPC networking: VPCs, subnets, route tables, internet gateways, security groups, network ACLs and
flow logs.

The tables say where each format writes the plain facts; the front ends' code says the rest (rules
and routes, inline or folded from their own resources, associations, the default VPC's adopted
resources, what a flow log is attached to)."""

from __future__ import annotations

from iac_assist.model.convert import to_bool, upper
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

_VPC_OF = fact("vpc", "Ref | str", "the VPC it belongs to")
_RULES = """each rule {"protocol": str ("-1" means all, "tcp", "udp", "icmp", or a number as str),
    "from_port": int, "to_port": int, "cidrs": list[str] (IPv4 and IPv6), "source_groups": list[Ref |
    str], "prefix_lists": list}; ports Unknown when unknown, 0-65535 for protocol "-1". Terraform's
    also carry "self": bool (the group admits its own members) and "description" (str | None)"""
_ACL_RULES = """each rule {"rule_number": int | Unknown, "action": "allow" | "deny" | Unknown, "protocol",
    "from_port", "to_port", "cidrs" as in a security group rule ("-1": all protocols, ports then
    0-65535)}"""

VPC = kind(
    "ec2.vpc", "A VPC (aws_default_vpc too).",
    fact("cidr", "str", "its IPv4 CIDR block"),
    service="vpc",
)
SUBNET = kind(
    "ec2.subnet", "A subnet.",
    _VPC_OF,
    fact("cidr", "str", "its IPv4 CIDR block"),
    fact("map_public_ip_on_launch", "bool | Unknown", "instances launched into it get a public IPv4 address",
         "false; true for aws_default_subnet, as AWS creates default subnets so (set when unset)"),
    fact("route_table", "Ref | str", """the route table associated with it (folded from
         aws_route_table_association / AWS::EC2::SubnetRouteTableAssociation)""",
         "the VPC's main route table"),
    service="vpc",
)
ROUTE_TABLE = kind(
    "ec2.route_table", "A route table.",
    _VPC_OF,
    fact("main", "bool", "the VPC's main route table (used by subnets that have no explicit association)"),
    fact("routes", "list[Fact[dict]]", """each {"destination": cidr str, "target": Ref | str | Unknown,
         "target_type": "gateway" | "nat" | "instance" | "peering" | "transit" | "endpoint" | "other"
         (see ROUTE_TARGETS)}, inline or folded from aws_route / AWS::EC2::Route""", "only the local route"),
    service="vpc",
)
INTERNET_GATEWAY = kind(
    "ec2.internet_gateway", "An internet gateway.",
    fact("vpc", "Ref | str", "the VPC it is attached to (attachment folded in)", "detached"),
    service="vpc",
)
SECURITY_GROUP = kind(
    "ec2.security_group", "A security group (aws_default_security_group too).",
    fact("name", "str", "group name"),
    _VPC_OF,
    fact("default", "bool", """the VPC's default security group (Terraform's aws_default_security_group, which
         adopts it: its rules are the ones written, none when none is)""", "false"),
    fact("ingress", "list[Fact[dict]] | Unknown", "inbound rules, inline and folded from rule resources: " + _RULES,
         "no inbound traffic"),
    fact("egress", "list[Fact[dict]] | Unknown", "outbound rules, likewise",
         "no rule written: AWS allows all outbound traffic (aws_security_group removes that default rule)"),
    service="vpc",
)
NETWORK_ACL = kind(
    "ec2.network_acl", "A network ACL (aws_default_network_acl too: its rules are the ones written).",
    fact("vpc", "Ref | str", "the VPC it belongs to"),
    fact("subnets", "list[Ref | str]", "associated subnets (inline and association resources)"),
    fact("ingress", "list[Fact[dict]] | Unknown", "inbound rules: " + _ACL_RULES, "none: all denied"),
    fact("egress", "list[Fact[dict]] | Unknown", "outbound rules, likewise", "none: all denied"),
    service="vpc",
)
FLOW_LOG = kind(
    "ec2.flow_log", "A VPC flow log.",
    fact("resource", "Ref | str | Unknown", "what it logs"),
    fact("resource_type", "str | Unknown",
         "vpc | subnet | eni | transit_gateway | transit_gateway_attachment | other"),
    fact("traffic_type", "str | Unknown", "ACCEPT | REJECT | ALL, upper case"),
    fact("log_destination", "Ref | str | Unknown", "the S3 bucket (ARN) it delivers to",
         "not S3 (the destination type is not s3)"),
    service="vpc",
)

ROUTE_TARGETS = (
    ("gateway_id", "GatewayId", "gateway"),
    ("nat_gateway_id", "NatGatewayId", "nat"),
    ("instance_id", "InstanceId", "instance"),
    ("network_interface_id", "NetworkInterfaceId", "instance"),
    ("vpc_peering_connection_id", "VpcPeeringConnectionId", "peering"),
    ("transit_gateway_id", "TransitGatewayId", "transit"),
    ("vpc_endpoint_id", "VpcEndpointId", "endpoint"),
    ("egress_only_gateway_id", "EgressOnlyInternetGatewayId", "other"),
    ("local_gateway_id", "LocalGatewayId", "other"),
    ("carrier_gateway_id", "CarrierGatewayId", "other"),
    ("core_network_arn", "CoreNetworkArn", "other"),
)
"""A route's target: (Terraform attribute, CloudFormation property, the route's target_type), the
first one written wins. A network interface stands for the instance behind it (a NAT instance,
an appliance); egress-only gateways and the rest do not make a subnet reachable from the
internet, hence "other"."""

FLOW_LOG_TARGETS = (
    ("vpc_id", "VPC", "vpc"),
    ("subnet_id", "Subnet", "subnet"),
    ("eni_id", "NetworkInterface", "eni"),
    ("transit_gateway_id", "TransitGateway", "transit_gateway"),
    ("transit_gateway_attachment_id", "TransitGatewayAttachment", "transit_gateway_attachment"),
)
"""What a flow log logs: (Terraform attribute naming it, CloudFormation ResourceType, its
resource_type); anything else is "other"."""

# --- Terraform ------------------------------------------------------------------------------------

TERRAFORM = {
    ("aws_vpc", "aws_default_vpc"): Mapping(VPC, {"cidr": "cidr_block"}),
    "aws_subnet": Mapping(SUBNET, {
        "vpc": "vpc_id", "cidr": "cidr_block",
        "map_public_ip_on_launch": src("map_public_ip_on_launch", convert=to_bool)}),
    # Terraform adopts the existing default subnet, and AWS creates those auto-assigning public
    # IPv4 addresses.
    "aws_default_subnet": Mapping(SUBNET, {
        "map_public_ip_on_launch": src("map_public_ip_on_launch", convert=to_bool)},
        otherwise={"map_public_ip_on_launch": True}),
    "aws_route_table": Mapping(ROUTE_TABLE, {"vpc": "vpc_id"}, otherwise={"main": False}),
    "aws_default_route_table": Mapping(ROUTE_TABLE, otherwise={"main": True}),
    "aws_internet_gateway": Mapping(INTERNET_GATEWAY, {"vpc": "vpc_id"}),
    "aws_security_group": Mapping(SECURITY_GROUP, {"name": "name", "vpc": "vpc_id"}),
    "aws_default_security_group": Mapping(SECURITY_GROUP, {"vpc": "vpc_id"},
                                          otherwise={"default": True}),
    "aws_network_acl": Mapping(NETWORK_ACL, {"vpc": "vpc_id", "subnets": "subnet_ids"}),
    "aws_default_network_acl": Mapping(NETWORK_ACL, {"subnets": "subnet_ids"}),
    "aws_flow_log": Mapping(FLOW_LOG, {
        "resource": src(*(attribute for attribute, _type, _kind in FLOW_LOG_TARGETS)),
        "traffic_type": src("traffic_type", convert=upper)}),
}

# --- CloudFormation -------------------------------------------------------------------------------

CLOUDFORMATION = {
    "AWS::EC2::VPC": Mapping(VPC, {"cidr": "CidrBlock"}),
    "AWS::EC2::Subnet": Mapping(SUBNET, {
        "vpc": "VpcId", "cidr": "CidrBlock",
        "map_public_ip_on_launch": src("MapPublicIpOnLaunch", convert=to_bool)}),
    # A template cannot declare a VPC's main route table: every AWS::EC2::RouteTable is extra.
    "AWS::EC2::RouteTable": Mapping(ROUTE_TABLE, {"vpc": "VpcId"}, otherwise={"main": False}),
    "AWS::EC2::InternetGateway": Mapping(INTERNET_GATEWAY),
    "AWS::EC2::SecurityGroup": Mapping(SECURITY_GROUP, {"name": "GroupName", "vpc": "VpcId"}),
    "AWS::EC2::NetworkAcl": Mapping(NETWORK_ACL, {"vpc": "VpcId"}),
    "AWS::EC2::FlowLog": Mapping(FLOW_LOG, {
        "resource": "ResourceId", "traffic_type": src("TrafficType", convert=upper)}),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
