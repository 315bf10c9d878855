"""CloudFront: distributions (origins, cache behaviors, viewer certificate, web ACL, standard
logging, and standard logging v2 through CloudWatch Logs deliveries folded in).

Besides the tables, the code both front ends share for what a table cannot say: S3 domain names
and website endpoints, and the log deliveries folded onto their distribution."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from iac_assist.model import Component, Ref, iter_refs
from iac_assist.model.convert import to_bool
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

if TYPE_CHECKING:  # the builder imports the kinds, which import this module
    from iac_assist.model.builder import ModelBuilder
    from iac_assist.model.resource import SourceResource

CLOUDFRONT = kind(
    "cloudfront.distribution", "A CloudFront distribution.",
    fact("origins", "list[Fact[dict]]",
         """each {"id": str, "domain_name": Ref | str, "s3": bool, "oac": Ref | str | None, "oai": Ref |
         str | None}; custom origins also carry "custom": True, "protocol_policy": Fact[http-only |
         https-only | match-viewer] (with the attribute's line) and, on an S3 website endpoint,
         "s3_website": True (missing keys mean false)"""),
    fact("origin_groups", "dict[str, list]", "origin group id -> its member origin ids"),
    fact("behaviors", "list[Fact[dict]]",
         """cache behaviors, default first: each {"path": str (None for the default behavior),
         "target_origin": origin or group id, "viewer_protocol_policy": allow-all | https-only |
         redirect-to-https}, located at the viewer protocol policy"""),
    fact("aliases", "list[str]", "alternate domain names (CNAMEs)"),
    fact("certificate", "Ref | str | Unknown", "ACM certificate ARN or IAM certificate id",
         "the default *.cloudfront.net certificate"),
    fact("default_certificate", "bool", "cloudfront_default_certificate as written"),
    fact("minimum_protocol_version", "str | Unknown", "viewer security policy (TLSv1.2_2021...)",
         "the AWS default, TLSv1"),
    fact("web_acl", "Ref | str | Unknown", "WAF web ACL (id or ARN)", "none"),
    fact("logging_bucket", "Ref | str | Unknown",
         """standard logging (legacy) bucket; a literal domain name (logs.s3.amazonaws.com) is
         reduced to the bucket name""", "no standard logging"),
    fact("log_delivery_source", "Ref",
         "standard logging v2: the CloudWatch Logs delivery source of the distribution's ACCESS_LOGS"),
    fact("log_delivery", "Ref | str | Unknown",
         "standard logging v2: the destination a delivery sends that source to (present only with a delivery)"),
)

# --- converters -----------------------------------------------------------------------------------

# Standard logging names its bucket by domain name; the vocabulary holds the bucket name.
_S3_DOMAIN = re.compile(r"^(?P<name>.+?)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?\.?$")
# An S3 website endpoint: plain HTTP only, no origin access control or identity possible.
_S3_WEBSITE = re.compile(r"\.s3-website[.-][a-z0-9-]+\.amazonaws\.com(?:\.cn)?\.?$")


def non_empty(value: Any) -> Any:
    """An empty string is how both formats say "none" (a certificate, a web ACL, an origin access
    identity that S3OriginConfig / s3_origin_config require): not written (None)."""
    return None if value == "" else value


def bucket_name(value: Any) -> Any:
    """A bucket's domain name (logs.s3.amazonaws.com) as its name; other values unchanged."""
    if isinstance(value, str):
        match = _S3_DOMAIN.match(value)
        if match:
            return match.group("name")
    return value


def s3_website(domain: Any, website_attributes: tuple[str, ...]) -> bool:
    """An origin's domain is an S3 website endpoint: a literal one, or a value built from a
    bucket's ``website_attributes`` (Terraform's website_endpoint, CloudFormation's WebsiteURL)."""
    if isinstance(domain, str):
        return _S3_WEBSITE.search(domain) is not None
    return any(ref.attribute in website_attributes for ref in iter_refs(domain))


# --- tables ---------------------------------------------------------------------------------------
# Origins, origin groups, cache behaviors, standard logging and a viewer certificate not known
# before apply are the front ends' code (parsers/terraform/normalize_cdn.py,
# parsers/cloudformation/normalize_cloudfront.py).

_TF_CERTIFICATE = ("viewer_certificate", 0)
_CFN = "DistributionConfig"
_CFN_CERTIFICATE = (_CFN, "ViewerCertificate")

TERRAFORM = {
    "aws_cloudfront_distribution": Mapping(CLOUDFRONT, {
        "aliases": "aliases",
        "certificate": src((*_TF_CERTIFICATE, "acm_certificate_arn"), (*_TF_CERTIFICATE, "iam_certificate_id"),
                           convert=non_empty),
        "default_certificate": src((*_TF_CERTIFICATE, "cloudfront_default_certificate"), convert=to_bool),
        "minimum_protocol_version": src((*_TF_CERTIFICATE, "minimum_protocol_version"), convert=non_empty),
        "web_acl": src("web_acl_id", convert=non_empty),
    }),
}

CLOUDFORMATION = {
    "AWS::CloudFront::Distribution": Mapping(CLOUDFRONT, {
        "aliases": src((_CFN, "Aliases")),
        "certificate": src((*_CFN_CERTIFICATE, "AcmCertificateArn"), (*_CFN_CERTIFICATE, "IamCertificateId"),
                           convert=non_empty),
        "default_certificate": src((*_CFN_CERTIFICATE, "CloudFrontDefaultCertificate"), convert=to_bool),
        "minimum_protocol_version": src((*_CFN_CERTIFICATE, "MinimumProtocolVersion"), convert=non_empty),
        "web_acl": src((_CFN, "WebACLId"), convert=non_empty),
    }),
}

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}

# --- standard logging v2, shared by both front ends -----------------------------------------------
# A CloudWatch Logs delivery source for the distribution's ACCESS_LOGS (phase 1), connected to a
# destination by a delivery (phase 2). Sources and deliveries of other services stay ``other``
# components; these do too, for the graph.


def fold_log_delivery_source(builder: ModelBuilder, res: SourceResource, arn_key: str, log_type: Any,
                             name: Ref) -> None:
    builder.add(res, "other").set("attributes", res.body)
    target = _distribution_of(res.get(arn_key), builder)
    if target is not None and log_type == "ACCESS_LOGS":
        target.set("log_delivery_source", name, res.at(arn_key), origin=res.address)


def fold_log_delivery(builder: ModelBuilder, res: SourceResource, source: Any, destination: Any) -> None:
    builder.add(res, "other").set("attributes", res.body)
    for comp in builder.components.values():
        if comp.kind == CLOUDFRONT and _same_source(comp.get("log_delivery_source"), source):
            comp.set("log_delivery", destination, res.loc, origin=res.address)


def _distribution_of(arn: Any, builder: ModelBuilder) -> Component | None:
    """The distribution an ARN is built from (a literal ARN names an id only known after apply)."""
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

