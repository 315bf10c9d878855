"""Load balancers in Terraform: what the tables (``iac_assist/model/vocabulary/lb.py``) cannot say
of ALB/NLB (aws_lb), their listeners and classic ELBs, and the satellites: classic ELB
attachments and SSL negotiation policies, target group attachments, and the WAF web ACL
associations that protect load balancers."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Component, Fact, Ref, Unknown, kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import first_block, lower, to_bool, to_int
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.lb import (
    SSL_NEGOTIATION,
    classic_listener,
    fold_web_acl,
    negotiation,
    redirect_protocol,
)
from iac_assist.parsers.terraform.normalizer import NORMALIZER


@NORMALIZER.extend("aws_lb", "aws_alb")
def load_balancer(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    if not comp.has("subnets") and res.has("subnet_mapping"):
        comp.set("subnets", [m.get("subnet_id") for _, m in res.blocks("subnet_mapping")], res.at("subnet_mapping"))
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


@NORMALIZER.extend("aws_lb_listener", "aws_alb_listener")
def listener(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    actions = []
    for i, action in res.blocks("default_action"):
        entry = {"type": lower(action.get("type"))}
        redirect = first_block(action.get("redirect"))
        if redirect is not None and "protocol" in redirect:
            entry["redirect_protocol"] = redirect_protocol(redirect["protocol"])
        target = action.get("target_group_arn")
        forward = first_block(action.get("forward"))
        if target is None and forward is not None:
            group = first_block(forward.get("target_group"))
            target = group.get("arn") if group is not None else None
        if target is not None:
            entry["target_group"] = target
        actions.append(Fact(entry, res.at("default_action", i)))
    comp.set("default_actions", actions, res.at("default_action"))


@NORMALIZER.extend("aws_elb")
def classic_elb(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    # A classic ELB's access_logs block is on unless it says `enabled = false`.
    _access_logs(comp, res, enabled_by_default=True)
    for i, _block in res.blocks("listener"):
        classic_listener(b, res, "terraform", "listener", i)


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
    known[name] = negotiation(pairs)
    elb.set("ssl_negotiation_policies", known, res.loc, origin=res.address)


@NORMALIZER.register("aws_load_balancer_listener_policy", phase=2)
def classic_listener_policy(res: SourceResource, b: ModelBuilder) -> None:
    b.add(res, kinds.OTHER).set("attributes", res.body)
    elb = _elb(res, b, "load_balancer_name")
    part = _classic_listener(b, elb, to_int(res.get("load_balancer_port"))) if elb is not None else None
    if elb is None or part is None:
        return
    policies = elb.get("ssl_negotiation_policies") or {}
    defined = {c.get("attributes", {}).get("policy_name") for c in b.components.values()
               if c.source_type == "aws_load_balancer_policy"}
    names = res.get("policy_names")
    loc = res.at("policy_names")
    names = [n.value if isinstance(n, Ref) else n for n in names] if isinstance(names, list) else [names]
    for name in names:
        if isinstance(name, str) and name in policies:
            _apply_negotiation(part, policies[name], res.address, loc)
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
    _apply_negotiation(part, negotiation(pairs), res.address, res.loc)


# --- WAF ---------------------------------------------------------------------------------------


@NORMALIZER.register("aws_wafv2_web_acl_association", "aws_wafregional_web_acl_association", phase=1)
def web_acl_association(res: SourceResource, b: ModelBuilder) -> None:
    acl_attr = "web_acl_arn" if res.type == "aws_wafv2_web_acl_association" else "web_acl_id"
    acl = res.get(acl_attr, default=Unknown("no web ACL"))
    fold_web_acl(b, res, res.get("resource_arn"), acl, res.at(acl_attr))


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
