"""Load balancers in Terraform: ALB/NLB (aws_lb), their listeners, and classic ELBs."""

from __future__ import annotations

from iac_assist import kinds
from iac_assist.model import Fact, Ref, Unknown
from iac_assist.normalize import ModelBuilder, to_int, upper
from iac_assist.parsers.terraform.normalizer import NORMALIZER, as_list
from iac_assist.resource import SourceResource


def _scheme(res: SourceResource) -> object:
    internal = res.get("internal", default=False)
    if isinstance(internal, Unknown):
        return internal
    return "internal" if internal is True else "internet-facing"


@NORMALIZER.register("aws_lb", "aws_alb")
def load_balancer(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.LB)
    comp.set("type", res.get("load_balancer_type", default="application"), res.at("load_balancer_type"))
    comp.set("scheme", _scheme(res), res.at("internal"))
    if res.has("subnets"):
        b.copy(comp, "subnets", res, "subnets", convert=as_list)
    elif res.has("subnet_mapping"):
        comp.set("subnets", [m.get("subnet_id") for _, m in res.blocks("subnet_mapping")], res.at("subnet_mapping"))
    b.copy(comp, "security_groups", res, "security_groups", convert=as_list)


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
        redirect = action.get("redirect")
        if isinstance(redirect, list) and redirect:
            entry["redirect_protocol"] = upper(redirect[0].get("protocol", "#{protocol}"))
        target = action.get("target_group_arn")
        forward = action.get("forward")
        if target is None and isinstance(forward, list) and forward:
            groups = forward[0].get("target_group") or []
            target = groups[0].get("arn") if groups else None
        if target is not None:
            entry["target_group"] = target
        actions.append(Fact(entry, res.at("default_action", i)))
    comp.set("default_actions", actions, res.at("default_action"))


@NORMALIZER.register("aws_elb")
def classic_elb(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.LB)
    comp.set("type", "classic")
    comp.set("scheme", _scheme(res), res.at("internal"))
    b.copy(comp, "subnets", res, "subnets", convert=as_list)
    b.copy(comp, "security_groups", res, "security_groups", convert=as_list)
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
