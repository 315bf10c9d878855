"""CloudFront in Terraform: what the table (``iac_assist/model/vocabulary/cdn.py``) cannot say of
distributions (origins, cache behaviors, standard logging), and standard logging v2 through
CloudWatch Logs deliveries."""

from __future__ import annotations

from typing import Any

from iac_assist.model import Component, Fact, Ref, Unknown
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.convert import first_block, known_items, lower
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.cdn import (
    bucket_name,
    fold_log_delivery,
    fold_log_delivery_source,
    non_empty,
    s3_website,
)
from iac_assist.parsers.terraform.normalizer import NORMALIZER

# An origin's domain built from these attributes of a bucket is its website endpoint.
_WEBSITE_ATTRIBUTES = ("website_endpoint", "website_domain")


@NORMALIZER.extend("aws_cloudfront_distribution")
def distribution(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    _origins(comp, res)
    _behaviors(comp, res)
    if isinstance(res.get("viewer_certificate"), (Unknown, Ref)):
        # The table reads a certificate block; one not known before apply may set anything.
        unknown = Unknown("viewer_certificate not known before apply")
        comp.set("certificate", unknown, res.at("viewer_certificate"))
        comp.set("minimum_protocol_version", unknown, res.at("viewer_certificate"))
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
        s3_config, custom, vpc = (first_block(config) for config in configs)
        kind_known = not any(isinstance(config, (Unknown, Ref)) for config in configs)
        entry: dict[str, Any] = {
            "id": origin.get("origin_id"),
            "domain_name": origin.get("domain_name"),
            # An origin with no config block is an S3 origin (typically one with an origin access
            # control, which needs no s3_origin_config).
            "s3": (s3_config is not None or (custom is None and vpc is None)) if kind_known
            else Unknown("origin type not known before apply"),
            "oac": non_empty(origin.get("origin_access_control_id")),
            "oai": non_empty(s3_config.get("origin_access_identity")) if s3_config else None,
        }
        # Keys of custom origins only (absent means false, as for the public access block's).
        if custom is not None:
            entry["custom"] = True
            if s3_website(origin.get("domain_name"), _WEBSITE_ATTRIBUTES):
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


@NORMALIZER.register("aws_cloudwatch_log_delivery_source", phase=1)
def log_delivery_source(res: SourceResource, b: ModelBuilder) -> None:
    fold_log_delivery_source(b, res, "resource_arn", res.get("log_type"),
                             Ref(res.address, "name", res.get("name", default=Unknown())))


@NORMALIZER.register("aws_cloudwatch_log_delivery", phase=2)
def log_delivery(res: SourceResource, b: ModelBuilder) -> None:
    fold_log_delivery(b, res, res.get("delivery_source_name"),
                      res.get("delivery_destination_arn", default=Unknown()))
