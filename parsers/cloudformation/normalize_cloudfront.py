"""CloudFront distributions (origins, cache behaviors, viewer certificate, web ACL, standard
logging) and standard logging v2 through CloudWatch Logs deliveries."""

from __future__ import annotations

import re
from typing import Any

from iac_assist.model import Component, Fact, Ref, Unknown, iter_refs
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import lower, to_bool
from iac_assist.model.kinds import CLOUDFRONT
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.cloudformation.convert import keep_as_other

CONFIG = "DistributionConfig"
# Standard logging names its bucket by domain name; the vocabulary holds the bucket name. The same
# pattern is in the Terraform normalizer.
_S3_DOMAIN = re.compile(r"^(?P<name>.+?)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?\.?$")
# An S3 website endpoint: plain HTTP only, no origin access control or identity possible.
_S3_WEBSITE = re.compile(r"\.s3-website[.-][a-z0-9-]+\.amazonaws\.com(?:\.cn)?\.?$")


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::CloudFront::Distribution")(distribution)
    normalizer.register("AWS::Logs::DeliverySource", phase=1)(log_delivery_source)
    normalizer.register("AWS::Logs::Delivery", phase=2)(log_delivery)


def distribution(res: SourceResource, builder: ModelBuilder) -> None:
    comp = builder.add(res, CLOUDFRONT)
    if res.has(CONFIG, "Origins"):
        origins = res.get(CONFIG, "Origins")
        if isinstance(origins, list):
            origins = [Fact(_origin(res, (CONFIG, "Origins", i), entry), res.at(CONFIG, "Origins", i))
                       for i, entry in enumerate(origins)]
        comp.set("origins", origins, res.at(CONFIG, "Origins"))
    _origin_groups(comp, res)
    _behaviors(comp, res)
    builder.copy(comp, "aliases", res, CONFIG, "Aliases")
    _viewer_certificate(comp, res)
    if res.get(CONFIG, "WebACLId") not in (None, ""):
        comp.set("web_acl", res.get(CONFIG, "WebACLId"), res.at(CONFIG, "WebACLId"))
    if res.has(CONFIG, "Logging"):
        logging = res.get(CONFIG, "Logging")
        bucket = logging.get("Bucket", Unknown("no Bucket")) if isinstance(logging, dict) else Unknown(
            "Logging not known before deployment")
        comp.set("logging_bucket", bucket_name(bucket), res.at(CONFIG, "Logging", "Bucket"))


def bucket_name(value: Any) -> Any:
    if isinstance(value, str):
        match = _S3_DOMAIN.match(value)
        if match:
            return match.group("name")
    return value


def _origin(res: SourceResource, path: tuple[str | int, ...], entry: Any) -> dict[str, Any]:
    if not isinstance(entry, dict):
        unknown = Unknown("origin not known before deployment")
        return {"id": unknown, "domain_name": unknown, "s3": unknown, "oac": unknown, "oai": unknown}
    s3 = entry.get("S3OriginConfig")
    domain = entry.get("DomainName", Unknown("no DomainName"))
    origin = {
        "id": entry.get("Id", Unknown("no Id")),
        "domain_name": domain,
        # An origin with no config is an S3 origin, as for the API.
        "s3": "S3OriginConfig" in entry or ("CustomOriginConfig" not in entry and "VpcOriginConfig" not in entry),
        "oac": _identity(entry.get("OriginAccessControlId")),
        "oai": _identity(s3.get("OriginAccessIdentity") if isinstance(s3, dict) else None),
    }
    # Keys of custom origins only (absent means false, as for the public access block's).
    if "CustomOriginConfig" in entry:
        custom = entry["CustomOriginConfig"]
        origin["custom"] = True
        if _s3_website(domain):
            origin["s3_website"] = True
        if isinstance(custom, dict) and "OriginProtocolPolicy" in custom:
            origin["protocol_policy"] = Fact(lower(custom["OriginProtocolPolicy"]),
                                             res.at(*path, "CustomOriginConfig", "OriginProtocolPolicy"))
        elif not isinstance(custom, dict):
            origin["protocol_policy"] = Fact(Unknown("CustomOriginConfig not known before deployment"),
                                             res.at(*path, "CustomOriginConfig"))
    return origin


def _identity(value: Any) -> Any:
    # An empty string is how templates say "no identity" (S3OriginConfig requires the key).
    return None if value == "" else value


def _s3_website(domain: Any) -> bool:
    if isinstance(domain, str):
        return _S3_WEBSITE.search(domain) is not None
    # !Select [2, !Split ["/", !GetAtt Bucket.WebsiteURL]]: unknown, but built from the website URL.
    return any(ref.attribute == "WebsiteURL" for ref in iter_refs(domain))


def _origin_groups(comp: Component, res: SourceResource) -> None:
    items = res.get(CONFIG, "OriginGroups", "Items")
    groups = {}
    for group in items if isinstance(items, list) else []:
        members = group.get("Members", {}).get("Items") if isinstance(group, dict) else None
        if isinstance(group, dict) and isinstance(group.get("Id"), str) and isinstance(members, list):
            groups[group["Id"]] = [m.get("OriginId") if isinstance(m, dict) else m for m in members]
    if groups:
        comp.set("origin_groups", groups, res.at(CONFIG, "OriginGroups"))


def _behaviors(comp: Component, res: SourceResource) -> None:
    behaviors = []
    if res.has(CONFIG, "DefaultCacheBehavior"):
        behaviors.append(_behavior(res, (CONFIG, "DefaultCacheBehavior"), default=True))
    ordered = res.get(CONFIG, "CacheBehaviors")
    for i, _entry in enumerate(ordered if isinstance(ordered, list) else []):
        behaviors.append(_behavior(res, (CONFIG, "CacheBehaviors", i), default=False))
    comp.set("behaviors", behaviors, res.at(CONFIG, "DefaultCacheBehavior"))


def _behavior(res: SourceResource, path: tuple[str | int, ...], default: bool) -> Fact:
    entry = res.get(*path)
    if not isinstance(entry, dict):
        unknown = Unknown("cache behavior not known before deployment")
        return Fact({"path": None if default else unknown, "target_origin": unknown,
                     "viewer_protocol_policy": unknown}, res.at(*path))
    value = {
        "path": None if default else entry.get("PathPattern", Unknown("no PathPattern")),
        "target_origin": entry.get("TargetOriginId", Unknown("no TargetOriginId")),
        "viewer_protocol_policy": lower(entry.get("ViewerProtocolPolicy", Unknown("no ViewerProtocolPolicy"))),
    }
    return Fact(value, res.at(*path, "ViewerProtocolPolicy"))


def _viewer_certificate(comp: Component, res: SourceResource) -> None:
    path = (CONFIG, "ViewerCertificate")
    if not res.has(*path):
        return
    cert = res.get(*path)
    if not isinstance(cert, dict):
        unknown = Unknown("ViewerCertificate not known before deployment")
        comp.set("certificate", unknown, res.at(*path))
        comp.set("minimum_protocol_version", unknown, res.at(*path))
        return
    for key in ("AcmCertificateArn", "IamCertificateId"):
        if cert.get(key) not in (None, ""):
            comp.set("certificate", cert[key], res.at(*path, key))
            break
    if "CloudFrontDefaultCertificate" in cert:
        comp.set("default_certificate", to_bool(cert["CloudFrontDefaultCertificate"]),
                 res.at(*path, "CloudFrontDefaultCertificate"))
    if cert.get("MinimumProtocolVersion") not in (None, ""):
        comp.set("minimum_protocol_version", cert["MinimumProtocolVersion"], res.at(*path, "MinimumProtocolVersion"))


# Standard logging v2: an AWS::Logs::DeliverySource for the distribution's ACCESS_LOGS, connected
# to a destination by an AWS::Logs::Delivery. Sources and deliveries of other services stay
# ``other`` components.


def log_delivery_source(res: SourceResource, builder: ModelBuilder) -> None:
    keep_as_other(builder, res)
    target = _distribution_of(res.get("ResourceArn"), builder)
    if target is not None and res.get("LogType") == "ACCESS_LOGS":
        target.set("log_delivery_source", Ref(res.address, "Ref", res.get("Name", default=Unknown())),
                   res.at("ResourceArn"), origin=res.address)


def log_delivery(res: SourceResource, builder: ModelBuilder) -> None:
    keep_as_other(builder, res)
    source = res.get("DeliverySourceName")
    for comp in builder.components.values():
        if comp.kind == CLOUDFRONT and _same_source(comp.get("log_delivery_source"), source):
            comp.set("log_delivery", res.get("DeliveryDestinationArn", default=Unknown()), res.loc,
                     origin=res.address)


def _distribution_of(arn: Any, builder: ModelBuilder) -> Component | None:
    """The distribution an ARN is built from (``!Sub ...:distribution/${Distribution}``)."""
    for ref in iter_refs(arn):
        for comp in builder.by_address(ref.address):
            if comp.kind == CLOUDFRONT:
                return comp
    return None


def _same_source(source: Any, name: Any) -> bool:
    if not isinstance(source, Ref):
        return False
    if isinstance(name, Ref):
        return name.address == source.address
    return isinstance(name, str) and name == source.value
