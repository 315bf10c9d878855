"""CloudFront in Terraform: distributions (origins, cache behaviors, viewer certificate, web ACL,
standard logging) and standard logging v2 through CloudWatch Logs deliveries."""

from __future__ import annotations

import re
from typing import Any

from iac_assist.model import Component, Fact, Ref, Unknown, iter_refs, kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import known_items, lower, to_bool
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalizer import NORMALIZER

# Standard logging names its bucket by domain name; the vocabulary holds the bucket name. The same
# pattern is in the CloudFormation normalizer.
_S3_DOMAIN = re.compile(r"^(?P<name>.+?)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?\.?$")
# An S3 website endpoint: plain HTTP only, no origin access control or identity possible.
_S3_WEBSITE = re.compile(r"\.s3-website[.-][a-z0-9-]+\.amazonaws\.com(?:\.cn)?\.?$")
_WEBSITE_ATTRIBUTES = ("website_endpoint", "website_domain")


def bucket_name(value: Any) -> Any:
    if isinstance(value, str):
        match = _S3_DOMAIN.match(value)
        if match:
            return match.group("name")
    return value


def _s3_website(domain: Any) -> bool:
    if isinstance(domain, str):
        return _S3_WEBSITE.search(domain) is not None
    return any(ref.attribute in _WEBSITE_ATTRIBUTES for ref in iter_refs(domain))


def _none_if_empty(value: Any) -> Any:
    # An empty string is how configurations say "none" (s3_origin_config requires the attribute).
    return None if value == "" else value


def _block(value: Any) -> dict[str, Any] | None:
    return value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else None


@NORMALIZER.register("aws_cloudfront_distribution")
def distribution(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.CLOUDFRONT)
    _origins(comp, res)
    _behaviors(comp, res)
    b.copy(comp, "aliases", res, "aliases")
    _viewer_certificate(comp, res)
    if res.has("web_acl_id") and res.get("web_acl_id") not in ("", None):
        comp.set("web_acl", res.get("web_acl_id"), res.at("web_acl_id"))
    logging = res.get("logging_config")
    if isinstance(logging, (Unknown, Ref)):
        comp.set("logging_bucket", Unknown("logging_config not known before apply"), res.at("logging_config"))
    else:
        for i, block in res.blocks("logging_config"):
            comp.set("logging_bucket", bucket_name(block.get("bucket", Unknown("no bucket"))),
                     res.at("logging_config", i, "bucket"))


def _origins(comp: Component, res: SourceResource) -> None:
    origins = []
    for i, origin in res.blocks("origin"):
        configs = [origin.get(name) for name in ("s3_origin_config", "custom_origin_config", "vpc_origin_config")]
        s3_config, custom, vpc = (_block(config) for config in configs)
        kind_known = not any(isinstance(config, (Unknown, Ref)) for config in configs)
        entry: dict[str, Any] = {
            "id": origin.get("origin_id"),
            "domain_name": origin.get("domain_name"),
            # An origin with no config block is an S3 origin (typically one with an origin access
            # control, which needs no s3_origin_config).
            "s3": (s3_config is not None or (custom is None and vpc is None)) if kind_known
            else Unknown("origin type not known before apply"),
            "oac": _none_if_empty(origin.get("origin_access_control_id")),
            "oai": _none_if_empty(s3_config.get("origin_access_identity")) if s3_config else None,
        }
        # Keys of custom origins only (absent means false, as for the public access block's).
        if custom is not None:
            entry["custom"] = True
            if _s3_website(origin.get("domain_name")):
                entry["s3_website"] = True
            if "origin_protocol_policy" in custom:
                where = res.at("origin", i, "custom_origin_config", 0, "origin_protocol_policy")
                entry["protocol_policy"] = Fact(lower(custom["origin_protocol_policy"]), where)
        origins.append(Fact(entry, res.at("origin", i)))
    comp.set("origins", origins, res.at("origin"))
    groups = {}
    for _, group in res.blocks("origin_group"):
        members = [m.get("origin_id") for m in known_items(group.get("member")) if isinstance(m, dict)]
        if isinstance(group.get("origin_id"), str):
            groups[group["origin_id"]] = members
    if groups:
        comp.set("origin_groups", groups, res.at("origin_group"))


def _behaviors(comp: Component, res: SourceResource) -> None:
    behaviors = []
    for name in ("default_cache_behavior", "ordered_cache_behavior"):
        for i, block in res.blocks(name):
            entry = {
                "path": block.get("path_pattern", Unknown("no path_pattern")) if name.startswith("ordered") else None,
                "target_origin": block.get("target_origin_id", Unknown("no target_origin_id")),
                "viewer_protocol_policy": lower(block.get("viewer_protocol_policy", Unknown("no policy"))),
            }
            behaviors.append(Fact(entry, res.at(name, i, "viewer_protocol_policy")))
    comp.set("behaviors", behaviors, res.at("default_cache_behavior"))


def _viewer_certificate(comp: Component, res: SourceResource) -> None:
    value = res.get("viewer_certificate")
    if isinstance(value, (Unknown, Ref)):
        unknown = Unknown("viewer_certificate not known before apply")
        comp.set("certificate", unknown, res.at("viewer_certificate"))
        comp.set("minimum_protocol_version", unknown, res.at("viewer_certificate"))
        return
    blocks = res.blocks("viewer_certificate")
    if not blocks:
        return
    i, cert = blocks[0]
    for attribute in ("acm_certificate_arn", "iam_certificate_id"):
        if cert.get(attribute) not in (None, ""):
            comp.set("certificate", cert[attribute], res.at("viewer_certificate", i, attribute))
            break
    if "cloudfront_default_certificate" in cert:
        comp.set("default_certificate", to_bool(cert["cloudfront_default_certificate"]),
                 res.at("viewer_certificate", i, "cloudfront_default_certificate"))
    if cert.get("minimum_protocol_version") not in (None, ""):
        comp.set("minimum_protocol_version", cert["minimum_protocol_version"],
                 res.at("viewer_certificate", i, "minimum_protocol_version"))


# Standard logging v2: a CloudWatch Logs delivery source for the distribution's ACCESS_LOGS,
# connected to a destination by a delivery. Sources and deliveries of other services stay
# ``other`` components.


@NORMALIZER.register("aws_cloudwatch_log_delivery_source", phase=1)
def log_delivery_source(res: SourceResource, b: ModelBuilder) -> None:
    b.add(res, kinds.OTHER).set("attributes", res.body)
    target = _distribution_of(res.get("resource_arn"), b)
    if target is not None and res.get("log_type") == "ACCESS_LOGS":
        target.set("log_delivery_source", Ref(res.address, "name", res.get("name", default=Unknown())),
                   res.at("resource_arn"), origin=res.address)


@NORMALIZER.register("aws_cloudwatch_log_delivery", phase=2)
def log_delivery(res: SourceResource, b: ModelBuilder) -> None:
    b.add(res, kinds.OTHER).set("attributes", res.body)
    source = res.get("delivery_source_name")
    for comp in b.components.values():
        if comp.kind == kinds.CLOUDFRONT and _same_source(comp.get("log_delivery_source"), source):
            comp.set("log_delivery", res.get("delivery_destination_arn", default=Unknown()), res.loc,
                     origin=res.address)


def _distribution_of(arn: Any, b: ModelBuilder) -> Component | None:
    """The distribution an ARN is built from (a literal ARN names an id only known after apply)."""
    for ref in iter_refs(arn):
        for comp in b.by_address(ref.address):
            if comp.kind == kinds.CLOUDFRONT:
                return comp
    return None


def _same_source(source: Any, name: Any) -> bool:
    if not isinstance(source, Ref):
        return False
    if isinstance(name, Ref):
        return name.address == source.address
    return isinstance(name, str) and name == source.value
