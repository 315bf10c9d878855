"""CloudFront policies: viewer and origin encryption, TLS versions, origin access, WAF, logging."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import Change, NoFix
from iac_assist.model import Component, Fact, is_true, kinds
from iac_assist.model.graph import ResourceGraph

WEAK_VIEWER_PROTOCOLS = ("SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016")
"""CloudFront viewer security policies that accept protocols older than TLS 1.2."""


def _entries(comp: Component, fact: str) -> Iterator[tuple[dict[str, Any], Fact]]:
    """The dict entries of a list fact, each with its Fact (its location)."""
    items = comp.get(fact)
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Fact) and isinstance(item.value, dict):
            yield item.value, item


def _behavior_name(behavior: dict[str, Any]) -> str:
    path = behavior.get("path")
    if path is None:
        return "the default cache behavior"
    return f"cache behavior {path!r}" if isinstance(path, str) else "an ordered cache behavior"


def _behavior_key(behavior: dict[str, Any]) -> str:
    path = behavior.get("path")
    return "default" if path is None else path if isinstance(path, str) else "unknown-path"



OLD_CLIENTS = "clients that only speak TLS 1.0 or 1.1 can no longer connect"


def _redirect_viewers(hit: Hit, graph: ResourceGraph) -> Change | NoFix:
    """Set the cache behavior's viewer protocol policy to redirect-to-https."""
    if hit.loc == hit.component.loc:
        return NoFix("the cache behavior's viewer protocol policy could not be located")
    return Change(hit.component, at=((hit.loc, "redirect-to-https"),))


def _tls_minimum(hit: Hit, graph: ResourceGraph) -> Change | NoFix:
    """Set the viewer certificate's minimum protocol version to TLSv1.2_2021, on a distribution
    with a certificate of its own."""
    if hit.cause == "default-certificate":
        return NoFix("the default *.cloudfront.net certificate always accepts TLS 1.0: only a custom domain "
                     "with an ACM certificate, which is yours to choose, can raise the minimum")
    return Change(hit.component, {"minimum_protocol_version": "TLSv1.2_2021"}, note=OLD_CLIENTS)


@policy(
    id="IAC-CDN-001",
    control="cdn-viewer-plaintext",
    title="CloudFront serves viewers over plain HTTP",
    severity="high",
    stride="IT",
    cwe=319,
    remediation="""
Set the viewer protocol policy of every cache behavior to `redirect-to-https` (or `https-only`):
`viewer_protocol_policy` in Terraform's `default_cache_behavior` and `ordered_cache_behavior`,
`ViewerProtocolPolicy` in CloudFormation's `DefaultCacheBehavior` and `CacheBehaviors`.
""",
    references=(
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html",
    ),
    fix=_redirect_viewers,
)
def cdn_viewer_plaintext(graph: ResourceGraph) -> Iterator[Hit]:
    """A cache behavior whose viewer protocol policy is allow-all answers plain HTTP requests as
    they come: pages, cookies and tokens travel in clear text, and anyone on the path can read
    them or inject content. Every behavior counts, the default one and each ordered one; the
    finding points at the policy of each behavior that allows it. redirect-to-https and
    https-only are fine; an unknown policy is not reported."""
    for dist in graph.of_kind(kinds.CLOUDFRONT):
        for behavior, fact in _entries(dist, "behaviors"):
            if behavior.get("viewer_protocol_policy") != "allow-all":
                continue
            name = _behavior_name(behavior)
            yield Hit(dist, fact.loc,
                      f"Distribution {dist.display} serves {name} over plain HTTP (viewer protocol policy "
                      "allow-all). Use redirect-to-https or https-only.",
                      cause=f"viewer:{_behavior_key(behavior)}")


def _viewers_may_use_http(dist: Component, origin_id: Any) -> Fact | None:
    """A behavior routing to the origin (directly or through an origin group) with allow-all."""
    if not isinstance(origin_id, str):
        return None
    groups = dist.get("origin_groups") or {}
    for behavior, fact in _entries(dist, "behaviors"):
        target = behavior.get("target_origin")
        if not isinstance(target, str) or behavior.get("viewer_protocol_policy") != "allow-all":
            continue
        if target == origin_id or origin_id in groups.get(target, ()):
            return fact
    return None


@policy(
    id="IAC-CDN-002",
    control="cdn-origin-plaintext",
    title="CloudFront fetches from a custom origin over plain HTTP",
    severity="medium",
    stride="IT",
    cwe=319,
    remediation="""
Make CloudFront reach custom origins over HTTPS: `origin_protocol_policy = "https-only"` in the
origin's `custom_origin_config` (Terraform) or `OriginProtocolPolicy: https-only` in
`CustomOriginConfig` (CloudFormation), with a certificate on the origin that matches its domain
name. For a static site, use an S3 REST origin with an origin access control instead of the S3
website endpoint, which only speaks HTTP.
""",
    references=(
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-cloudfront-to-custom-origin.html",
    ),
    no_fix="the origin must serve HTTPS before CloudFront can use it",
)
def cdn_origin_plaintext(graph: ResourceGraph) -> Iterator[Hit]:
    """HTTPS from viewers to CloudFront protects only the first leg: with an origin protocol
    policy of http-only, CloudFront forwards requests and responses to the origin in clear text
    across the internet. A custom origin is reported when its policy is http-only, or
    match-viewer while a cache behavior routing to it (directly or through an origin group) lets
    viewers use HTTP (allow-all); match-viewer behind redirect-to-https or https-only behaviors
    always uses HTTPS and is not reported. An S3 website endpoint origin is http-only by nature
    and is reported too. S3 REST origins and VPC origins are not custom origins. Unknown
    policies, and behaviors whose target or policy is unknown, are not reported."""
    for dist in graph.of_kind(kinds.CLOUDFRONT):
        for origin, _fact in _entries(dist, "origins"):
            setting = origin.get("protocol_policy")
            if not isinstance(setting, Fact):
                continue
            name = origin.get("id") if isinstance(origin.get("id"), str) else "a custom origin"
            if setting.value == "http-only":
                yield Hit(dist, setting.loc,
                          f"Distribution {dist.display} fetches from origin {name!r} over plain HTTP (origin "
                          "protocol policy http-only). Use https-only.",
                          cause=f"origin:{name}:http-only")
            elif setting.value == "match-viewer":
                behavior = _viewers_may_use_http(dist, origin.get("id"))
                if behavior is None:
                    continue
                yield Hit(dist, setting.loc,
                          f"Distribution {dist.display} fetches from origin {name!r} over plain HTTP whenever a "
                          "viewer uses HTTP (origin protocol policy match-viewer behind a behavior allowing "
                          "HTTP). Use https-only.",
                          cause=f"origin:{name}:match-viewer",
                          related=((behavior.loc, "this cache behavior lets viewers use HTTP"),))


@policy(
    id="IAC-CDN-003",
    control="cdn-weak-tls",
    title="CloudFront accepts TLS versions older than 1.2",
    severity="medium",
    stride="IT",
    cwe=326,
    remediation="""
Serve the distribution on a custom domain with your own ACM certificate (in us-east-1) and a TLS
1.2+ security policy (the default *.cloudfront.net certificate stays at TLSv1 whatever minimum it
is given): in Terraform's `viewer_certificate`, `acm_certificate_arn`, `ssl_support_method =
"sni-only"` and `minimum_protocol_version = "TLSv1.2_2021"`; in CloudFormation's
`ViewerCertificate`, `AcmCertificateArn`, `SslSupportMethod: sni-only` and
`MinimumProtocolVersion: TLSv1.2_2021`.
""",
    references=(
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/"
        "secure-connections-supported-viewer-protocols-ciphers.html",
    ),
    fix=_tls_minimum,
)
def cdn_weak_tls(graph: ResourceGraph) -> Iterator[Hit]:
    """TLS 1.0 and 1.1 are deprecated (RFC 8996): they allow weak ciphers and downgrade attacks. A
    distribution with its own certificate (ACM or IAM) is reported when its minimum protocol
    version is SSLv3, TLSv1, TLSv1_2016 or TLSv1.1_2016, or is left unset (CloudFront then
    applies TLSv1). A distribution on the default *.cloudfront.net certificate (no certificate of
    its own: cloudfront_default_certificate / CloudFrontDefaultCertificate true, or no viewer
    certificate at all in CloudFormation) is always reported: CloudFront fixes its security
    policy at TLSv1, whatever minimum_protocol_version / MinimumProtocolVersion says; only a
    custom domain with an ACM certificate can raise it. That finding points at the default
    certificate setting, else at the distribution. An unknown certificate (or an unknown
    minimum protocol version with a custom certificate) is not reported; TLSv1.2_* and TLSv1.3_*
    policies are fine."""
    for dist in graph.of_kind(kinds.CLOUDFRONT):
        version = dist.get("minimum_protocol_version")
        if dist.has("certificate"):
            if not dist.has("minimum_protocol_version"):
                yield Hit(dist, dist.loc_of("certificate"),
                          f"Distribution {dist.display} accepts TLS 1.0: its viewer certificate sets no minimum "
                          "protocol version, and CloudFront's default is TLSv1. Set TLSv1.2_2021.",
                          cause="minimum:default")
            elif version in WEAK_VIEWER_PROTOCOLS:
                yield Hit(dist, dist.loc_of("minimum_protocol_version"),
                          f"Distribution {dist.display} accepts protocols older than TLS 1.2 (minimum protocol "
                          f"version {version}). Set TLSv1.2_2021.",
                          cause=f"minimum:{version}")
            continue
        if not dist.is_true("default_certificate", unset=True):
            continue  # unknown, or neither certificate (an invalid distribution)
        ignored = f" (its minimum protocol version {version} does not apply to it)" if isinstance(
            version, str) and version not in WEAK_VIEWER_PROTOCOLS else ""
        yield Hit(dist, dist.loc_of("default_certificate"),
                  f"Distribution {dist.display} is served on the default *.cloudfront.net certificate, which "
                  f"always accepts TLS 1.0{ignored}. Serve it on a custom domain with an ACM certificate and "
                  "minimum protocol version TLSv1.2_2021.",
                  cause="default-certificate")


@policy(
    id="IAC-CDN-004",
    control="cdn-s3-origin-unrestricted",
    no_fix=("an origin access control is a new resource on the distribution and needs the bucket's policy to "
            "grant it read access: that policy is yours to merge with what it allows today"),
    title="CloudFront reads an S3 origin anonymously",
    severity="high",
    stride="I",
    cwe=284,
    remediation="""
Give the S3 origin an origin access control and let only the distribution read the bucket: an
`aws_cloudfront_origin_access_control` referenced by the origin's `origin_access_control_id`
(Terraform) or an `AWS::CloudFront::OriginAccessControl` referenced by `OriginAccessControlId`
(CloudFormation), and a bucket policy allowing `s3:GetObject` to the `cloudfront.amazonaws.com`
service principal on condition `aws:SourceArn` equals the distribution's ARN. Then make the bucket
private with a public access block.
""",
    references=(
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html",
    ),
)
def cdn_s3_origin_unrestricted(graph: ResourceGraph) -> Iterator[Hit]:
    """CloudFront can only read an S3 origin that has neither an origin access control (OAC) nor
    a legacy origin access identity (OAI) as an anonymous user, so the bucket must be public: its
    objects can be fetched around the distribution, its WAF, geo restrictions and signed URLs. An
    S3 origin (s3_origin_config / S3OriginConfig, or an origin with no config) is reported when
    both are missing or empty. A custom origin on an S3 website endpoint is reported too: website
    endpoints accept neither OAC nor OAI, so the bucket has to be public. An origin whose OAC or
    OAI is unknown before deployment is not reported."""
    for dist in graph.of_kind(kinds.CLOUDFRONT):
        for origin, fact in _entries(dist, "origins"):
            name = origin.get("id") if isinstance(origin.get("id"), str) else "an S3 origin"
            if is_true(origin.get("s3_website")):
                yield Hit(dist, fact.loc,
                          f"Distribution {dist.display} reads origin {name!r} from an S3 website endpoint, which "
                          "only serves public buckets. Use the bucket's REST endpoint with an origin access "
                          "control.",
                          cause=f"s3-website:{name}")
            elif is_true(origin.get("s3")) and origin.get("oac") is None and origin.get("oai") is None:
                yield Hit(dist, fact.loc,
                          f"Distribution {dist.display} reads S3 origin {name!r} without an origin access control "
                          "or identity, so the bucket must be readable by anyone. Add an origin access control.",
                          cause=f"s3-origin:{name}")


@policy(
    id="IAC-CDN-005",
    control="cdn-no-waf",
    title="CloudFront distribution has no web ACL",
    severity="medium",
    stride="D",
    cwe=693,
    remediation="""
Associate an AWS WAF web ACL of scope CLOUDFRONT (created in us-east-1), with at least the AWS
managed common rule set and a rate-based rule: `web_acl_id` (the WAFv2 web ACL's ARN) in
Terraform, `WebACLId` in CloudFormation.
""",
    references=(
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/distribution-web-awswaf.html",
    ),
    no_fix="a web ACL and its rules are yours to choose",
)
def cdn_no_waf(graph: ResourceGraph) -> Iterator[Hit]:
    """A distribution is the public front door: without a web ACL nothing filters request floods,
    scanners, or common injection payloads before they reach the origin and the bill. A
    distribution is reported when it has no web ACL (web_acl_id / WebACLId absent or empty).
    CloudFront takes its web ACL only from the distribution itself (a WAFv2 web ACL association
    does not apply to it), so nothing else is looked for. A web ACL unknown before deployment (a
    variable, a parameter) counts as present."""
    for dist in graph.of_kind(kinds.CLOUDFRONT):
        if not dist.has("web_acl"):
            yield Hit(dist, dist.loc,
                      f"Distribution {dist.display} has no WAF web ACL: nothing filters floods or malicious "
                      "requests before they reach the origin. Associate a web ACL.",
                      cause="missing")


@policy(
    id="IAC-CDN-006",
    control="cdn-logging-missing",
    title="CloudFront distribution has no access logging",
    severity="low",
    stride="R",
    cwe=778,
    remediation="""
Turn on standard logging: a `logging_config` block with the log bucket's `bucket_domain_name`
(Terraform) or `Logging` with `Bucket` (CloudFormation), into a bucket that has ACLs enabled.
Standard logging v2 also counts: a CloudWatch Logs delivery source for the distribution's
`ACCESS_LOGS` (`aws_cloudwatch_log_delivery_source` / `AWS::Logs::DeliverySource`, in us-east-1)
with a delivery to a destination (`aws_cloudwatch_log_delivery` / `AWS::Logs::Delivery`).
""",
    references=(
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html",
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html",
    ),
    no_fix="logs need a destination (a bucket or a log group) that is yours to choose",
)
def cdn_logging_missing(graph: ResourceGraph) -> Iterator[Hit]:
    """Without access logs, the requests a distribution served (who fetched what, from where, with
    which result) cannot be reconstructed after an incident. A distribution is reported when it
    has neither standard logging to an S3 bucket (logging_config / Logging) nor standard logging
    v2: a CloudWatch Logs delivery source for its ACCESS_LOGS that a delivery sends to a
    destination (a source without a delivery delivers nothing). A logging bucket unknown before
    deployment counts as logging. Real-time logs (Kinesis) are not looked for."""
    for dist in graph.of_kind(kinds.CLOUDFRONT):
        if dist.has("logging_bucket") or dist.has("log_delivery"):
            continue
        pending = " (its log delivery source has no delivery)" if dist.has("log_delivery_source") else ""
        yield Hit(dist, dist.loc,
                  f"Distribution {dist.display} has no access logging{pending}: the requests it served leave no "
                  "trace. Turn on standard logging to an S3 bucket or a CloudWatch Logs delivery.",
                  cause="missing")


POLICIES = [
    cdn_viewer_plaintext, cdn_origin_plaintext, cdn_weak_tls, cdn_s3_origin_unrestricted, cdn_no_waf,
    cdn_logging_missing,
]
