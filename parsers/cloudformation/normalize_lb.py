"""Load balancers and listeners: ELBv2 (application, network, gateway) and classic ELB."""

from __future__ import annotations

from typing import Any

from iac_assist.kinds import LB, LB_LISTENER
from iac_assist.model import Ref, Unknown
from iac_assist.normalize import ModelBuilder, Normalizer
from iac_assist.parsers.cloudformation.convert import fact_list, lower, to_int, upper
from iac_assist.resource import SourceResource


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::ElasticLoadBalancingV2::LoadBalancer")(load_balancer)
    normalizer.register("AWS::ElasticLoadBalancingV2::Listener")(listener)
    normalizer.register("AWS::ElasticLoadBalancing::LoadBalancer")(classic_load_balancer)


def load_balancer(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, LB)
    # ELBv2's own defaults: left unset, a load balancer is an internet-facing application one.
    if not builder.copy(comp, "type", res, "Type", convert=lower):
        comp.set("type", "application")
    _scheme(comp, res, builder)
    if not builder.copy(comp, "subnets", res, "Subnets"):
        _subnet_mappings(comp, res)
    builder.copy(comp, "security_groups", res, "SecurityGroups")


def listener(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, LB_LISTENER)
    builder.copy(comp, "load_balancer", res, "LoadBalancerArn")
    builder.copy(comp, "protocol", res, "Protocol", convert=upper)
    builder.copy(comp, "port", res, "Port", convert=to_int)
    builder.copy(comp, "ssl_policy", res, "SslPolicy")
    fact_list(comp, "default_actions", res, ("DefaultActions",), _action)


def classic_load_balancer(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, LB)
    comp.set("type", "classic")
    _scheme(comp, res, builder)
    builder.copy(comp, "subnets", res, "Subnets")
    builder.copy(comp, "security_groups", res, "SecurityGroups")
    for index, _entry in res.blocks("Listeners"):
        _classic_listener(res, builder, index)


def _classic_listener(res: SourceResource, builder: ModelBuilder, index: int) -> None:
    # A classic ELB declares its listeners inline; each becomes a component of its own so that
    # listener policies read both ELB generations alike.
    path = ("Listeners", index)
    comp = builder.add(res, LB_LISTENER, id=f"{res.address}.Listeners[{index}]", loc=res.at(*path))
    comp.set("load_balancer", Ref(res.address), comp.loc)
    builder.copy(comp, "protocol", res, *path, "Protocol", convert=upper)
    builder.copy(comp, "port", res, *path, "LoadBalancerPort", convert=to_int)
    builder.copy(comp, "instance_protocol", res, *path, "InstanceProtocol", convert=upper)
    builder.copy(comp, "instance_port", res, *path, "InstancePort", convert=to_int)


def _scheme(comp: Any, res: SourceResource, builder: ModelBuilder) -> None:
    if not builder.copy(comp, "scheme", res, "Scheme", convert=lower):
        comp.set("scheme", "internet-facing")


def _subnet_mappings(comp: Any, res: SourceResource) -> None:
    if not res.has("SubnetMappings"):
        return
    mappings = res.get("SubnetMappings")
    if isinstance(mappings, list):
        subnets = [m.get("SubnetId", Unknown("no SubnetId")) if isinstance(m, dict) else m for m in mappings]
    else:
        subnets = mappings
    comp.set("subnets", subnets, res.at("SubnetMappings"))


def _action(entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict):
        return {"type": Unknown("action not known before deployment")}
    action: dict[str, Any] = {"type": lower(entry.get("Type", Unknown("no Type")))}
    redirect = entry.get("RedirectConfig")
    if isinstance(redirect, dict) and "Protocol" in redirect:
        action["redirect_protocol"] = _redirect_protocol(redirect["Protocol"])
    target = _target_group(entry)
    if target is not None:
        action["target_group"] = target
    return action


def _redirect_protocol(value: Any) -> Any:
    # "#{protocol}" keeps the request's own protocol: a placeholder, not a protocol to upper-case.
    if isinstance(value, str) and value.startswith("#{"):
        return value
    return upper(value)


def _target_group(entry: dict[str, Any]) -> Any:
    if "TargetGroupArn" in entry:
        return entry["TargetGroupArn"]
    forward = entry.get("ForwardConfig")
    groups = forward.get("TargetGroups") if isinstance(forward, dict) else None
    if isinstance(groups, list) and groups and isinstance(groups[0], dict) and "TargetGroupArn" in groups[0]:
        return groups[0]["TargetGroupArn"]
    return None
