"""Load balancers in Terraform: ALB/NLB (aws_lb), their listeners, classic ELBs, their SSL
negotiation policies, and the WAF web ACL associations that protect them."""

from __future__ import annotations

import re
from typing import Any

from iac_assist.model import Component, Fact, Ref, Unknown, iter_refs, kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import as_list, first_block, to_bool, to_int, upper
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalizer import NORMALIZER

_LB_ARN = re.compile(r":loadbalancer/(?:app|net|gwy)/([^/]+)/")
SSL_NEGOTIATION = "SSLNegotiationPolicyType"


def _scheme(res: SourceResource) -> object:
    internal = res.get("internal", default=False)
    if isinstance(internal, Unknown):
        return internal
    return "internal" if internal is True else "internet-facing"


@NORMALIZER.register("aws_lb", "aws_alb")
def load_balancer(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.LB)
    b.copy(comp, "name", res, "name")
    comp.set("type", res.get("load_balancer_type", default="application"), res.at("load_balancer_type"))
    comp.set("scheme", _scheme(res), res.at("internal"))
    if res.has("subnets"):
        b.copy(comp, "subnets", res, "subnets", convert=as_list)
    elif res.has("subnet_mapping"):
        comp.set("subnets", [m.get("subnet_id") for _, m in res.blocks("subnet_mapping")], res.at("subnet_mapping"))
    b.copy(comp, "security_groups", res, "security_groups", convert=as_list)
    b.copy(comp, "drop_invalid_header_fields", res, "drop_invalid_header_fields", convert=to_bool)
    # ELBv2 access logs stay off unless `enabled = true`, even when a bucket is given.
    _access_logs(comp, res, enabled_by_default=False)


def _access_logs(comp: Component, res: SourceResource, *, enabled_by_default: bool) -> None:
    blocks = res.blocks("access_logs")
    if not blocks:
        return
    i, block = blocks[0]
    if "enabled" in block:
        enabled = to_bool(block["enabled"])
        comp.set("access_logs", enabled, res.at("access_logs", i, "enabled"))
    else:
        enabled = enabled_by_default
        comp.set("access_logs", enabled, res.at("access_logs", i))
    if enabled is not False and "bucket" in block:
        comp.set("access_logs_bucket", block["bucket"], res.at("access_logs", i, "bucket"))


@NORMALIZER.register("aws_lb_listener", "aws_alb_listener")
def listener(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.LB_LISTENER)
    b.copy(comp, "load_balancer", res, "load_balancer_arn")
    b.copy(comp, "protocol", res, "protocol", convert=upper)
    b.copy(comp, "port", res, "port", convert=to_int)
    b.copy(comp, "ssl_policy", res, "ssl_policy")
    actions = []
    for i, action in res.blocks("default_action"):
        entry = {"type": action.get("type")}
        redirect = first_block(action.get("redirect"))
        if redirect is not None:
            entry["redirect_protocol"] = upper(redirect.get("protocol", "#{protocol}"))
        target = action.get("target_group_arn")
        forward = first_block(action.get("forward"))
        if target is None and forward is not None:
            group = first_block(forward.get("target_group"))
            target = group.get("arn") if group is not None else None
        if target is not None:
            entry["target_group"] = target
        actions.append(Fact(entry, res.at("default_action", i)))
    comp.set("default_actions", actions, res.at("default_action"))


@NORMALIZER.register("aws_elb")
def classic_elb(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.LB)
    comp.set("type", "classic")
    b.copy(comp, "name", res, "name")
    comp.set("scheme", _scheme(res), res.at("internal"))
    b.copy(comp, "subnets", res, "subnets", convert=as_list)
    b.copy(comp, "security_groups", res, "security_groups", convert=as_list)
    b.copy(comp, "instances", res, "instances", convert=as_list)
    # A classic ELB's access_logs block is on unless it says `enabled = false`.
    _access_logs(comp, res, enabled_by_default=True)
    for i, block in res.blocks("listener"):
        part = b.add(res, kinds.LB_LISTENER, id=f"{res.address}.listener[{i}]", loc=res.at("listener", i))
        part.set("load_balancer", Ref(res.address))
        for key, source in (("protocol", "lb_protocol"), ("instance_protocol", "instance_protocol")):
            if source in block:
                part.set(key, upper(block[source]), res.at("listener", i, source))
        for key, source in (("port", "lb_port"), ("instance_port", "instance_port")):
            if source in block:
                part.set(key, to_int(block[source]), res.at("listener", i, source))
        if "ssl_certificate_id" in block:
            part.set("certificate", block["ssl_certificate_id"], res.at("listener", i, "ssl_certificate_id"))


@NORMALIZER.register("aws_elb_attachment", phase=1)
def classic_attachment(res: SourceResource, b: ModelBuilder) -> None:
    """An instance registered with a classic ELB, folded onto the ELB's ``instances``."""
    elb = b.owner(res.get("elb"), kinds.LB)
    if elb is None or elb.get("type") != "classic" or not res.has("instance"):
        b.add(res, kinds.OTHER).set("attributes", res.body)
        return
    current = elb.get("instances")
    if current is None:
        elb.set("instances", [res.get("instance")], res.at("instance"), origin=res.address)
    elif isinstance(current, list):
        elb.set("instances", [*current, res.get("instance")], elb.loc_of("instances"))


# --- classic ELB SSL negotiation policies ------------------------------------------------------
# aws_load_balancer_policy defines a policy on the ELB (phase 1, kept on the ELB by name);
# aws_load_balancer_listener_policy attaches policies to a listener port (phase 2);
# aws_lb_ssl_negotiation_policy defines and attaches one in a single resource (phase 1).


def _negotiation(pairs: list[tuple[Any, Any, Any]]) -> dict[str, Any]:
    """``{"reference": Fact | None, "protocols": [Fact]}`` from (name, value, loc) attributes."""
    reference = None
    protocols = []
    for name, value, loc in pairs:
        if name == "Reference-Security-Policy":
            reference = Fact(value, loc)
        elif isinstance(name, str) and name.startswith("Protocol-"):
            protocols.append(Fact({"protocol": name[len("Protocol-"):], "enabled": to_bool(value)}, loc))
    return {"reference": reference, "protocols": protocols}


def _apply_negotiation(part: Component, policy: dict[str, Any] | None, origin: str, loc: Any) -> None:
    if policy is None:
        part.set("ssl_policy", Unknown("listener policy not defined in this configuration"), loc, origin)
    elif policy["reference"] is not None:
        ref = policy["reference"]
        part.set("ssl_policy", ref.value, ref.loc, origin)
    else:
        part.set("ssl_protocols", list(policy["protocols"]), loc, origin)


def _classic_listener(b: ModelBuilder, elb: Component, port: Any) -> Component | None:
    for comp in b.by_address(elb.address):
        if comp.kind == kinds.LB_LISTENER and comp.get("port") == port:
            return comp
    return None


def _elb(res: SourceResource, b: ModelBuilder, attr: str) -> Component | None:
    owner = b.owner(res.get(attr), kinds.LB)
    return owner if owner is not None and owner.get("type") == "classic" else None


@NORMALIZER.register("aws_load_balancer_policy", phase=1)
def classic_policy(res: SourceResource, b: ModelBuilder) -> None:
    b.add(res, kinds.OTHER).set("attributes", res.body)
    elb = _elb(res, b, "load_balancer_name")
    name = res.get("policy_name")
    if elb is None or not isinstance(name, str) or res.get("policy_type_name") != SSL_NEGOTIATION:
        return
    pairs = [(a.get("name"), a.get("value"), res.at("policy_attribute", i, "value"))
             for i, a in res.blocks("policy_attribute")]
    known = elb.get("ssl_negotiation_policies") or {}
    known[name] = _negotiation(pairs)
    elb.set("ssl_negotiation_policies", known, res.loc, origin=res.address)


@NORMALIZER.register("aws_load_balancer_listener_policy", phase=2)
def classic_listener_policy(res: SourceResource, b: ModelBuilder) -> None:
    b.add(res, kinds.OTHER).set("attributes", res.body)
    elb = _elb(res, b, "load_balancer_name")
    part = _classic_listener(b, elb, to_int(res.get("load_balancer_port"))) if elb is not None else None
    if elb is None or part is None:
        return
    negotiation = elb.get("ssl_negotiation_policies") or {}
    defined = {c.get("attributes", {}).get("policy_name") for c in b.components.values()
               if c.source_type == "aws_load_balancer_policy"}
    names = res.get("policy_names")
    loc = res.at("policy_names")
    names = [n.value if isinstance(n, Ref) else n for n in names] if isinstance(names, list) else [names]
    for name in names:
        if isinstance(name, str) and name in negotiation:
            _apply_negotiation(part, negotiation[name], res.address, loc)
            return
    if any(not isinstance(name, str) or name not in defined for name in names):
        # A policy this configuration does not define (or an unknown name) may be the listener's
        # negotiation policy: what it allows is not known.
        _apply_negotiation(part, None, res.address, loc)


@NORMALIZER.register("aws_lb_ssl_negotiation_policy", phase=1)
def ssl_negotiation_policy(res: SourceResource, b: ModelBuilder) -> None:
    b.add(res, kinds.OTHER).set("attributes", res.body)
    elb = _elb(res, b, "load_balancer")
    part = _classic_listener(b, elb, to_int(res.get("lb_port"))) if elb is not None else None
    if part is None:
        return
    pairs = [(a.get("name"), a.get("value"), res.at("attribute", i, "value")) for i, a in res.blocks("attribute")]
    _apply_negotiation(part, _negotiation(pairs), res.address, res.loc)


# --- WAF ---------------------------------------------------------------------------------------


@NORMALIZER.register("aws_wafv2_web_acl_association", "aws_wafregional_web_acl_association", phase=1)
def web_acl_association(res: SourceResource, b: ModelBuilder) -> None:
    acl_attr = "web_acl_arn" if res.type == "aws_wafv2_web_acl_association" else "web_acl_id"
    acl = res.get(acl_attr, default=Unknown("no web ACL"))
    _fold_web_acl(b, res, res.get("resource_arn"), acl, res.at(acl_attr))


def _fold_web_acl(b: ModelBuilder, res: SourceResource, target: Any, acl: Any, loc: Any) -> None:
    """Put a WAF association's web ACL on the load balancer it protects.

    A target that cannot be known (a variable) may be any load balancer of the configuration: each
    one without an association of its own gets an unknown web ACL, so none is reported for lack of
    a WAF it may well have. The association stays in the graph as an ``other`` component."""
    b.add(res, kinds.OTHER).set("attributes", res.body)
    owners = _lb_targets(b, target)
    if owners is None:
        for lb in b.components.values():
            if lb.kind == kinds.LB and not lb.has("web_acl"):
                lb.set("web_acl", Unknown("a WAF association's target is not known"), loc, origin=res.address)
        return
    for lb in owners:
        lb.set("web_acl", acl, loc, origin=res.address)


def _lb_targets(b: ModelBuilder, target: Any) -> list[Component] | None:
    """The load balancers an association's target names; None when it cannot be known."""
    if isinstance(target, Unknown):
        refs = list(iter_refs(target))
        if not refs:
            return None  # a variable: any load balancer
        lbs = [r for r in refs if any(c.kind == kinds.LB for c in b.by_address(r.address))]
        if not lbs:
            return []  # computed from something else (an API stage, a user pool)
        target = lbs[0]
    if isinstance(target, Ref):
        owner = b.owner(target, kinds.LB)
        return [owner] if owner is not None else []
    if isinstance(target, str):
        match = _LB_ARN.search(target)
        owner = b.owner(match.group(1), kinds.LB) if match else None
        return [owner] if owner is not None else []
    return []


@NORMALIZER.register("aws_lb_target_group", "aws_alb_target_group")
def target_group(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.LB_TARGET_GROUP)
    b.copy(comp, "name", res, "name")
    b.copy(comp, "port", res, "port", convert=to_int)
    b.copy(comp, "protocol", res, "protocol", convert=upper)
    b.copy(comp, "target_type", res, "target_type")
    b.copy(comp, "vpc", res, "vpc_id")


@NORMALIZER.register("aws_lb_target_group_attachment", "aws_alb_target_group_attachment", phase=1)
def target_group_attachment(res: SourceResource, b: ModelBuilder) -> None:
    group = b.owner(res.get("target_group_arn"), kinds.LB_TARGET_GROUP)
    if group is None or not res.has("target_id"):
        return
    target = Fact({"target": res.get("target_id"), "port": to_int(res.get("port"))}, res.loc, res.address)
    existing = group.facts.get("targets")
    if existing is None:
        group.set("targets", [target], res.loc, origin=res.address)
    elif isinstance(existing.value, list):
        existing.value.append(target)
