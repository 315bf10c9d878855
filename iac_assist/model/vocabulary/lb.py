"""Load balancing: ELBv2 (application, network, gateway) and classic load balancers, their
listeners (a classic ELB's inline listeners are components of their own) and target groups.

Besides the tables, the code both front ends share for what a table cannot say: a redirect's
protocol, an SSL negotiation policy's attributes, and the WAF associations folded onto the load
balancers they protect."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from iac_assist.model import Component, Fact, Location, Ref, Unknown, iter_refs
from iac_assist.model.convert import as_list, lower, to_bool, to_int, upper
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.mapping import apply as apply_mapping
from iac_assist.model.vocabulary import fact, kind

if TYPE_CHECKING:  # the builder imports the kinds, which import this module
    from iac_assist.model.builder import ModelBuilder
    from iac_assist.model.resource import SourceResource

_PROTOCOL = "HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, SSL, GENEVE (upper case)"

LB = kind(
    "lb.load_balancer", "A load balancer: ELBv2 (application, network, gateway) or classic ELB.",
    fact("type", "str", "application | network | gateway | classic (lower case)", "application"),
    fact("scheme", "str", "internet-facing | internal", "internet-facing"),
    fact("name", "str", "load balancer name (literal names and ARNs find it)"),
    fact("subnets", "list[Ref | str]", "its subnets"),
    fact("security_groups", "list[Ref | str]", "its security groups"),
    fact("access_logs", "bool | Unknown", "access logging switched on", "off"),
    fact("access_logs_bucket", "Ref | str | Unknown",
         "target bucket, present only when access logs are not known to be off"),
    fact("drop_invalid_header_fields", "bool | Unknown", "(application) invalid header fields are dropped",
         "false, the AWS default"),
    fact("web_acl", "Ref | str | Unknown",
         """WAF web ACL associated with it (folded from aws_wafv2_web_acl_association,
         aws_wafregional_web_acl_association, AWS::WAFv2::WebACLAssociation,
         AWS::WAFRegional::WebACLAssociation); Unknown also when an association's target is not
         known and may be this load balancer""", "no association"),
    fact("instances", "list[Ref | str] | Unknown",
         "(classic) instances registered with it: instances / Instances, aws_elb_attachment folded in"),
    fact("ssl_negotiation_policies", "dict[str, dict]",
         """(classic, Terraform) SSLNegotiationPolicyType policies defined on the ELB by name (folded
         from aws_load_balancer_policy): {"reference": Fact[str] | None, "protocols":
         list[Fact[dict]]}; the listeners that use one carry it as ssl_policy / ssl_protocols"""),
)
LB_LISTENER = kind(
    "lb.listener", "A listener: an ELBv2 listener, or one of a classic ELB's inline listeners.",
    fact("load_balancer", "Ref", "the load balancer it belongs to"),
    fact("protocol", "str", _PROTOCOL, "HTTP on an application, TCP on a network load balancer"),
    fact("port", "int", "the port it listens on"),
    fact("ssl_policy", "str | Unknown",
         """predefined security policy: ELBv2 SslPolicy, or the Reference-Security-Policy of the
         negotiation policy a classic listener uses (Unknown when it uses a policy the configuration
         does not define)""", "the AWS default, ELBSecurityPolicy-2016-08"),
    fact("ssl_protocols", "list[Fact[dict]]",
         """classic only, a custom negotiation policy without reference: each {"protocol": "SSLv3" |
         "TLSv1" | "TLSv1.1" | "TLSv1.2", "enabled": bool | Unknown}"""),
    fact("default_actions", "list[Fact[dict]]",
         """each {"type": forward | redirect | fixed-response | authenticate-oidc |
         authenticate-cognito (lower case), "redirect_protocol": HTTP | HTTPS | #{protocol} (for a
         redirect that names one; absent: #{protocol}, the request's own), "target_group": Ref (for
         forward)}"""),
    fact("instance_protocol", "str", "classic ELB only: protocol to the instances (upper case)"),
    fact("instance_port", "int", "classic ELB only: port on the instances"),
    fact("certificate", "Ref | str", "classic ELB only: SSL certificate (ssl_certificate_id / SSLCertificateId)"),
)
LB_TARGET_GROUP = kind(
    "lb.target_group", "An ELBv2 target group.",
    fact("name", "str", "target group name"),
    fact("port", "int", "the port targets receive traffic on"),
    fact("protocol", "str", "HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE (upper case)"),
    fact("target_type", "str", "instance | ip | lambda | alb (lower case)", "instance"),
    fact("vpc", "Ref | str", "its VPC"),
    fact("targets", "list[Fact[dict]]",
         """each {"target": Ref | str (instance id, IP, function), "port": int | absent}; from
         aws_lb_target_group_attachment or the template's Targets. Auto scaling groups name their
         groups themselves (ec2.autoscaling_group target_groups)."""),
)

SSL_NEGOTIATION = "SSLNegotiationPolicyType"

# --- converters -----------------------------------------------------------------------------------


def scheme_of_internal(value: Any) -> Any:
    """Terraform's ``internal`` flag as the scheme."""
    internal = to_bool(value)
    return internal if isinstance(internal, Unknown) else "internal" if internal else "internet-facing"


def redirect_protocol(value: Any) -> Any:
    """A redirect's protocol, upper case; "#{protocol}" keeps the request's own protocol: a
    placeholder, not a protocol to upper-case."""
    if isinstance(value, str) and value.startswith("#{"):
        return value
    return upper(value)


# --- Terraform ------------------------------------------------------------------------------------
# Subnet mappings, access logs blocks, listener default actions, a classic ELB's listeners and the
# satellites (attachments, negotiation policies, WAF associations) are the front end's code
# (parsers/terraform/normalize_lb.py).

_TF_LB = {
    "name": "name",
    "scheme": src("internal", convert=scheme_of_internal),
    "subnets": src("subnets", convert=as_list),
    "security_groups": src("security_groups", convert=as_list),
}

TERRAFORM = {
    ("aws_lb", "aws_alb"): Mapping(LB, {
        "type": src("load_balancer_type", convert=lower), **_TF_LB,
        "drop_invalid_header_fields": src("drop_invalid_header_fields", convert=to_bool),
    }, otherwise={"type": "application", "scheme": "internet-facing"}),
    "aws_elb": Mapping(LB, {**_TF_LB, "instances": src("instances", convert=as_list)},
                       otherwise={"type": "classic", "scheme": "internet-facing"}),
    ("aws_lb_listener", "aws_alb_listener"): Mapping(LB_LISTENER, {
        "load_balancer": "load_balancer_arn",
        "protocol": src("protocol", convert=upper),
        "port": src("port", convert=to_int),
        "ssl_policy": "ssl_policy",
    }),
    ("aws_lb_target_group", "aws_alb_target_group"): Mapping(LB_TARGET_GROUP, {
        "name": "name",
        "port": src("port", convert=to_int),
        "protocol": src("protocol", convert=upper),
        "target_type": src("target_type", convert=lower),
        "vpc": "vpc_id",
    }),
}

# --- CloudFormation -------------------------------------------------------------------------------
# Subnet mappings, LoadBalancerAttributes, access logging policies, listener default actions, a
# classic ELB's listeners and its negotiation policies, target group targets and WAF associations
# are the front end's code (parsers/cloudformation/normalize_lb.py).

_CFN_LB = {
    "scheme": src("Scheme", convert=lower),
    "subnets": src("Subnets", convert=as_list),
    "security_groups": src("SecurityGroups", convert=as_list),
}

CLOUDFORMATION = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": Mapping(LB, {
        "type": src("Type", convert=lower), **_CFN_LB, "name": "Name",
    }, otherwise={"type": "application", "scheme": "internet-facing"}),
    "AWS::ElasticLoadBalancing::LoadBalancer": Mapping(LB, {
        **_CFN_LB, "instances": src("Instances", convert=as_list), "name": "LoadBalancerName",
    }, otherwise={"type": "classic", "scheme": "internet-facing"}),
    "AWS::ElasticLoadBalancingV2::Listener": Mapping(LB_LISTENER, {
        "load_balancer": "LoadBalancerArn",
        "protocol": src("Protocol", convert=upper),
        "port": src("Port", convert=to_int),
        "ssl_policy": "SslPolicy",
    }),
    "AWS::ElasticLoadBalancingV2::TargetGroup": Mapping(LB_TARGET_GROUP, {
        "name": "Name",
        "port": src("Port", convert=to_int),
        "protocol": src("Protocol", convert=upper),
        "target_type": src("TargetType", convert=lower),
        "vpc": "VpcId",
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}

# A classic ELB declares its listeners inline (listener blocks, Listeners entries); each becomes an
# lb.listener of its own, read by this table from its block (see ``classic_listener``).
CLASSIC_LISTENER = {
    "terraform": Mapping(LB_LISTENER, {
        "protocol": src("lb_protocol", convert=upper),
        "instance_protocol": src("instance_protocol", convert=upper),
        "port": src("lb_port", convert=to_int),
        "instance_port": src("instance_port", convert=to_int),
        "certificate": "ssl_certificate_id",
    }),
    "cloudformation": Mapping(LB_LISTENER, {
        "protocol": src("Protocol", convert=upper),
        "port": src("LoadBalancerPort", convert=to_int),
        "instance_protocol": src("InstanceProtocol", convert=upper),
        "instance_port": src("InstancePort", convert=to_int),
        "certificate": "SSLCertificateId",
    }),
}

# --- shared by both front ends --------------------------------------------------------------------


class _Within:
    """A resource seen from one of its nested blocks: paths and locations relative to ``path``."""

    def __init__(self, res: SourceResource, path: tuple[str | int, ...]) -> None:
        self.res, self.path = res, path

    def get(self, *path: str | int, default: Any = None) -> Any:
        return self.res.get(*self.path, *path, default=default)

    def at(self, *path: str | int) -> Location:
        return self.res.at(*self.path, *path)

    def origins_at(self, *path: str | int) -> tuple[Any, ...]:
        return self.res.origins_at(*self.path, *path)


def classic_listener(builder: ModelBuilder, res: SourceResource, front_end: str, block: str, index: int) -> Component:
    """The listener a classic ELB declares at ``block[index]``, as a component of its own (at the
    ELB's address) so that listener policies read both ELB generations alike."""
    part = builder.add(res, LB_LISTENER, id=f"{res.address}.{block}[{index}]", loc=res.at(block, index))
    part.set("load_balancer", Ref(res.address), part.loc)
    apply_mapping(CLASSIC_LISTENER[front_end], part, _Within(res, (block, index)))
    return part



def negotiation(attributes: Iterable[tuple[Any, Any, Location]]) -> dict[str, Any]:
    """An SSL negotiation policy from its (name, value, location) attributes: ``{"reference":
    Fact | None, "protocols": [Fact]}``."""
    reference = None
    protocols = []
    for name, value, loc in attributes:
        if name == "Reference-Security-Policy":
            reference = Fact(value, loc)
        elif isinstance(name, str) and name.startswith("Protocol-"):
            protocols.append(Fact({"protocol": name[len("Protocol-"):], "enabled": to_bool(value)}, loc))
    return {"reference": reference, "protocols": protocols}


_LB_ARN = re.compile(r":loadbalancer/(?:app|net|gwy)/([^/]+)/")


def fold_web_acl(builder: ModelBuilder, res: SourceResource, target: Any, acl: Any, loc: Location) -> None:
    """Put a WAF association's web ACL on the load balancer it protects.

    A target that cannot be known (a variable, a parameter) may be any load balancer of the
    configuration: each one without an association of its own gets an unknown web ACL, so none is
    reported for lack of a WAF it may well have. The association stays in the graph as an
    ``other`` component."""
    builder.add(res, "other").set("attributes", res.body)
    owners = _lb_targets(builder, target)
    if owners is None:
        for lb in builder.components.values():
            if lb.kind == LB and not lb.has("web_acl"):
                lb.set("web_acl", Unknown("a WAF association's target is not known"), loc, origin=res.address)
        return
    for lb in owners:
        lb.set("web_acl", acl, loc, origin=res.address)


def _lb_targets(builder: ModelBuilder, target: Any) -> list[Component] | None:
    """The load balancers an association's target names; None when it cannot be known."""
    if isinstance(target, Unknown):
        refs = list(iter_refs(target))
        if not refs:
            return None  # a variable or parameter: any load balancer
        lbs = [r for r in refs if any(c.kind == LB for c in builder.by_address(r.address))]
        if not lbs:
            return []  # computed from something else (an API stage, a user pool)
        target = lbs[0]
    if isinstance(target, Ref):
        owner = builder.owner(target, LB)
        return [owner] if owner is not None else []
    if isinstance(target, str):
        match = _LB_ARN.search(target)
        owner = builder.owner(match.group(1), LB) if match else None
        return [owner] if owner is not None else []
    return []
