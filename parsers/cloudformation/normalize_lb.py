"""Load balancers in CloudFormation: what the tables (``iac_assist/model/vocabulary/lb.py``) cannot
say of ELBv2 load balancers (application, network, gateway), listeners and target groups and of
classic ELBs (their inline listeners and negotiation policies), and the WAF web ACL associations
that protect load balancers."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Component, Location, Unknown
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import as_text, lower, to_bool, to_int
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.lb import (
    SSL_NEGOTIATION,
    classic_listener,
    fold_web_acl,
    negotiation,
    redirect_protocol,
)
from iac_assist.parsers.cloudformation.convert import fact_list

# ELBv2 LoadBalancerAttributes keys and the facts they set.
_ATTRIBUTES = {
    "access_logs.s3.enabled": ("access_logs", to_bool),
    "routing.http.drop_invalid_header_fields.enabled": ("drop_invalid_header_fields", to_bool),
}


def register(normalizer: Normalizer) -> None:
    normalizer.extend("AWS::ElasticLoadBalancingV2::LoadBalancer")(load_balancer)
    normalizer.extend("AWS::ElasticLoadBalancingV2::Listener")(listener)
    normalizer.extend("AWS::ElasticLoadBalancingV2::TargetGroup")(target_group)
    normalizer.extend("AWS::ElasticLoadBalancing::LoadBalancer")(classic_load_balancer)
    normalizer.register("AWS::WAFv2::WebACLAssociation", "AWS::WAFRegional::WebACLAssociation",
                        phase=1)(web_acl_association)


def load_balancer(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    if not comp.has("subnets"):
        _subnet_mappings(comp, res)
    _load_balancer_attributes(comp, res)


def _load_balancer_attributes(comp: Component, res: SourceResource) -> None:
    bucket: tuple[Any, Location] | None = None
    for i, entry in res.blocks("LoadBalancerAttributes"):
        key = as_text(entry.get("Key"))
        if key == "access_logs.s3.bucket" and "Value" in entry:
            bucket = (entry["Value"], res.at("LoadBalancerAttributes", i, "Value"))
        elif key in _ATTRIBUTES and "Value" in entry:
            fact, convert = _ATTRIBUTES[key]
            comp.set(fact, convert(entry["Value"]), res.at("LoadBalancerAttributes", i, "Value"))
    # Access logs are off unless access_logs.s3.enabled says true; the bucket matters only then.
    if bucket is not None and comp.has("access_logs") and comp.get("access_logs") is not False:
        comp.set("access_logs_bucket", bucket[0], bucket[1])


def listener(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    fact_list(comp, "default_actions", res, ("DefaultActions",), _action)


def classic_load_balancer(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    _classic_access_logs(comp, res)
    policies = _negotiation_policies(res)
    for index, _entry in res.blocks("Listeners"):
        part = classic_listener(builder, res, "cloudformation", "Listeners", index)
        _listener_negotiation(part, res, index, policies)


def _classic_access_logs(comp: Component, res: SourceResource) -> None:
    if not res.has("AccessLoggingPolicy"):
        return
    policy = res.get("AccessLoggingPolicy")
    if not isinstance(policy, dict):
        comp.set("access_logs", Unknown("AccessLoggingPolicy not known"), res.at("AccessLoggingPolicy"))
        return
    # Enabled is required by the resource schema; a policy without it does not deploy.
    enabled = to_bool(policy.get("Enabled", False))
    comp.set("access_logs", enabled, res.at("AccessLoggingPolicy", "Enabled"))
    if enabled is not False and "S3BucketName" in policy:
        comp.set("access_logs_bucket", policy["S3BucketName"], res.at("AccessLoggingPolicy", "S3BucketName"))


def _negotiation_policies(res: SourceResource) -> dict[str, dict[str, Any]]:
    """The ELB's SSLNegotiationPolicyType policies by name: a reference to a predefined policy
    and/or Protocol-* attributes, each kept with its line."""
    out: dict[str, dict[str, Any]] = {}
    for i, policy in res.blocks("Policies"):
        name = policy.get("PolicyName")
        if not isinstance(name, str) or policy.get("PolicyType") != SSL_NEGOTIATION:
            continue
        attributes = policy.get("Attributes")
        out[name] = {**negotiation(
            (attribute.get("Name"), attribute.get("Value"), res.at("Policies", i, "Attributes", j, "Value"))
            for j, attribute in enumerate(attributes if isinstance(attributes, list) else [])
            if isinstance(attribute, dict)), "ports": policy.get("LoadBalancerPorts")}
    return out


def _listener_negotiation(part: Component, res: SourceResource, index: int,
                          policies: dict[str, dict[str, Any]]) -> None:
    """The negotiation policy a classic listener uses: named in its PolicyNames, or a policy that
    lists the listener's port in LoadBalancerPorts."""
    names = res.get("Listeners", index, "PolicyNames")
    loc = res.at("Listeners", index, "PolicyNames")
    if names is not None and not isinstance(names, list):
        part.set("ssl_policy", Unknown("PolicyNames not known"), loc)
        return
    chosen = next((policies[n] for n in names or [] if isinstance(n, str) and n in policies), None)
    if chosen is None:
        port = part.get("port")
        chosen = next((p for p in policies.values()
                       if isinstance(p["ports"], list) and port in [to_int(x) for x in p["ports"]]), None)
    if chosen is None:
        if any(not isinstance(n, str) for n in names or []):
            part.set("ssl_policy", Unknown("a policy name is not known"), loc)
        return
    if chosen["reference"] is not None:
        part.set("ssl_policy", chosen["reference"].value, chosen["reference"].loc)
    else:
        part.set("ssl_protocols", list(chosen["protocols"]), loc)


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
        action["redirect_protocol"] = redirect_protocol(redirect["Protocol"])
    target = _target_group(entry)
    if target is not None:
        action["target_group"] = target
    return action


def _target_group(entry: dict[str, Any]) -> Any:
    if "TargetGroupArn" in entry:
        return entry["TargetGroupArn"]
    forward = entry.get("ForwardConfig")
    groups = forward.get("TargetGroups") if isinstance(forward, dict) else None
    if isinstance(groups, list) and groups and isinstance(groups[0], dict) and "TargetGroupArn" in groups[0]:
        return groups[0]["TargetGroupArn"]
    return None


def web_acl_association(res: SourceResource, builder: ModelBuilder) -> None:
    acl_key = "WebACLArn" if res.type == "AWS::WAFv2::WebACLAssociation" else "WebACLId"
    acl = res.get(acl_key, default=Unknown("no web ACL"))
    fold_web_acl(builder, res, res.get("ResourceArn"), acl, res.at(acl_key))


def target_group(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    fact_list(comp, "targets", res, ("Targets",),
              lambda entry: {"target": entry.get("Id"), "port": to_int(entry.get("Port"))}
              if isinstance(entry, dict) else {"target": entry})
