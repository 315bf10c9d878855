"""CloudFront in CloudFormation: what the table (``iac_assist/model/vocabulary/cdn.py``) cannot say
of distributions (origins, origin groups, cache behaviors, standard logging), and standard
logging v2 through CloudWatch Logs deliveries."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Component, Fact, Ref, Unknown
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import lower
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.cdn import (
    bucket_name,
    fold_log_delivery,
    fold_log_delivery_source,
    non_empty,
    s3_website,
)

CONFIG = "DistributionConfig"


def register(normalizer: Normalizer) -> None:
    normalizer.extend("AWS::CloudFront::Distribution")(distribution)
    normalizer.register("AWS::Logs::DeliverySource", phase=1)(log_delivery_source)
    normalizer.register("AWS::Logs::Delivery", phase=2)(log_delivery)


def distribution(comp: Component, res: SourceResource, builder: ModelBuilder) -> None:
    if res.has(CONFIG, "Origins"):
        origins = res.get(CONFIG, "Origins")
        if isinstance(origins, list):
            origins = [Fact(_origin(res, (CONFIG, "Origins", i), entry), res.at(CONFIG, "Origins", i))
                       for i, entry in enumerate(origins)]
        comp.set("origins", origins, res.at(CONFIG, "Origins"))
    _origin_groups(comp, res)
    _behaviors(comp, res)
    if res.has(CONFIG, "ViewerCertificate") and not isinstance(res.get(CONFIG, "ViewerCertificate"), dict):
        # The table reads a certificate mapping; one not known before deployment may set anything.
        unknown = Unknown("ViewerCertificate not known before deployment")
        comp.set("certificate", unknown, res.at(CONFIG, "ViewerCertificate"))
        comp.set("minimum_protocol_version", unknown, res.at(CONFIG, "ViewerCertificate"))
    if res.has(CONFIG, "Logging"):
        logging = res.get(CONFIG, "Logging")
        bucket = logging.get("Bucket", Unknown("no Bucket")) if isinstance(logging, dict) else Unknown(
            "Logging not known before deployment")
        comp.set("logging_bucket", bucket_name(bucket), res.at(CONFIG, "Logging", "Bucket"))


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
        "oac": non_empty(entry.get("OriginAccessControlId")),
        "oai": non_empty(s3.get("OriginAccessIdentity") if isinstance(s3, dict) else None),
    }
    # Keys of custom origins only (absent means false, as for the public access block's).
    if "CustomOriginConfig" in entry:
        custom = entry["CustomOriginConfig"]
        origin["custom"] = True
        # !Select [2, !Split ["/", !GetAtt Bucket.WebsiteURL]]: unknown, but built from the website URL.
        if s3_website(domain, ("WebsiteURL",)):
            origin["s3_website"] = True
        if isinstance(custom, dict) and "OriginProtocolPolicy" in custom:
            origin["protocol_policy"] = Fact(lower(custom["OriginProtocolPolicy"]),
                                             res.at(*path, "CustomOriginConfig", "OriginProtocolPolicy"))
        elif not isinstance(custom, dict):
            origin["protocol_policy"] = Fact(Unknown("CustomOriginConfig not known before deployment"),
                                             res.at(*path, "CustomOriginConfig"))
    return origin


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


def log_delivery_source(res: SourceResource, builder: ModelBuilder) -> None:
    fold_log_delivery_source(builder, res, "ResourceArn", res.get("LogType"),
                             Ref(res.address, "Ref", res.get("Name", default=Unknown())))


def log_delivery(res: SourceResource, builder: ModelBuilder) -> None:
    fold_log_delivery(builder, res, res.get("DeliverySourceName"),
                      res.get("DeliveryDestinationArn", default=Unknown()))
