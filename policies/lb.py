"""Load balancer policies: plaintext and weak TLS listeners, access logs, header hygiene, WAF."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import Change, NoFix, SetFacts
from iac_assist.model import Component, Fact, Location, is_true, kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.network import open_to_internet, rules_of

HTTP_PORTS = {80, 8000, 8008, 8080}
"""Ports where a plain TCP listener almost certainly carries HTTP."""
SECURE_PROTOCOLS = {"HTTPS", "SSL", "TLS"}
FORWARDING_ACTIONS = {"forward", "authenticate-oidc", "authenticate-cognito"}


def _protocol(graph: ResourceGraph, listener: Component, lb: Component | None) -> Any:
    protocol = listener.get("protocol")
    if protocol is None and lb is not None:
        # Left unset, ELBv2 listens with HTTP on an ALB and TCP on an NLB.
        return {"application": "HTTP", "network": "TCP"}.get(lb.get("type"))
    return protocol


def _actions(listener: Component) -> list[dict[str, Any]]:
    out = []
    for action in listener.items("default_actions"):
        entry = action.value if isinstance(action, Fact) else action
        if isinstance(entry, dict):
            out.append(entry)
    return out


def _forwards(listener: Component) -> bool | None:
    """Whether the listener passes traffic on instead of redirecting; None when not known."""
    actions = _actions(listener)
    types = [a.get("type") for a in actions]
    if not actions or any(not isinstance(t, str) for t in types):
        return None
    # Action types are lower case in the vocabulary, whatever the format wrote.
    for action in actions:
        if action["type"] == "redirect" and action.get("redirect_protocol") == "HTTPS":
            return False
    return any(t in FORWARDING_ACTIONS for t in types)


def _classic_has_secure_listener(graph: ResourceGraph, lb: Component) -> bool:
    return any(listener.one_of("protocol", SECURE_PROTOCOLS)
               for listener in graph.neighbours(lb, "part-of", incoming=True))



def _redirect_to_https(hit: Hit, graph: ResourceGraph) -> Change | NoFix:
    """Make the plaintext listener redirect to HTTPS (port 443, HTTP 301), when its load balancer
    has an HTTPS listener on port 443 to redirect to."""
    listener = hit.component
    lb = graph.resolve(listener, listener.get("load_balancer"), kinds.LB)
    if lb is None or not lb.equals("type", "application", unset="application"):
        return NoFix("only an application load balancer's listener can redirect: serve TLS on this one instead")
    if not listener.equals("protocol", "HTTP", unset="HTTP"):
        return NoFix("a TCP listener cannot redirect: serve TLS on it instead")
    https = [other for other in graph.neighbours(lb, "part-of", incoming=True)
             if other.equals("protocol", "HTTPS") and other.equals("port", 443)]
    if not https:
        return NoFix("the load balancer has no HTTPS listener on port 443 to redirect to; adding one needs a "
                     "certificate that is yours to choose")
    return Change(listener, {"default_actions": [{"type": "redirect", "redirect_protocol": "HTTPS"}]})


STRONG_SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""What the console picks for a new HTTPS listener: TLS 1.2 and 1.3 only."""


def _strong_ssl_policy(hit: Hit, graph: ResourceGraph) -> Change | NoFix:
    """Set the listener's security policy to ELBSecurityPolicy-TLS13-1-2-2021-06 (TLS 1.2 and 1.3)."""
    if hit.cause.startswith("protocols:"):
        return NoFix("a classic load balancer's custom negotiation policy lists its protocols one by one: "
                     "edit it by hand, or use a predefined policy")
    return Change(hit.component, {"ssl_policy": STRONG_SSL_POLICY},
                  note="clients that only speak TLS 1.0 or 1.1 can no longer connect")


@policy(
    id="IAC-LB-001",
    control="lb-listener-plaintext",
    fix=_redirect_to_https,
    title="Load balancer listener serves plaintext HTTP",
    severity="high",
    stride="IST",
    cwe=319,
    remediation="""
Listen with HTTPS (or TLS) and an ACM certificate. Keep port 80 only as a redirect: a default
action of type `redirect` with protocol `HTTPS` and status `HTTP_301`. For a classic ELB, add an
HTTPS/SSL listener and move clients to it.
""",
)
def lb_listener_plaintext(graph: ResourceGraph) -> Iterator[Hit]:
    """Traffic between clients and a load balancer crosses the internet; over plain HTTP anyone on
    the path can read credentials and session cookies or change responses. An ALB listener is
    reported when its protocol is HTTP (the default when unset) and its default action forwards
    traffic rather than redirecting to HTTPS; an NLB listener when it passes plain TCP on a
    well-known HTTP port (80, 8000, 8008, 8080); a classic ELB listener using HTTP, or TCP on
    those ports, when the load balancer has no HTTPS/SSL listener beside it (classic ELBs cannot
    redirect). Unknown protocols or actions are not reported."""
    for listener in graph.of_kind(kinds.LB_LISTENER):
        lb = graph.resolve(listener, listener.get("load_balancer"), kinds.LB)
        protocol = _protocol(graph, listener, lb)
        port = listener.get("port")
        http_port = isinstance(port, int) and port in HTTP_PORTS
        where = listener.loc_of("protocol")
        if lb is not None and lb.equals("type", "classic"):
            plaintext = protocol == "HTTP" or (protocol == "TCP" and http_port)
            if plaintext and not _classic_has_secure_listener(graph, lb):
                yield Hit(listener, where,
                          f"Classic load balancer {lb.display} listens with {protocol} on port {port} and has "
                          "no HTTPS listener: traffic reaches it unencrypted. Add an HTTPS/SSL listener.",
                          cause=f"classic:{protocol}:{port}")
            continue
        plaintext = protocol == "HTTP" or (protocol == "TCP" and http_port)
        if plaintext and _forwards(listener) is True:
            yield Hit(listener, where,
                      f"Listener {listener.display} accepts {protocol} on port {port} and forwards it "
                      "unencrypted. Serve HTTPS and make this listener redirect to it.",
                      cause=f"{protocol}:{port}")


DEFAULT_SSL_POLICY = "ELBSecurityPolicy-2016-08"
"""What ELB uses for an HTTPS/TLS/SSL listener created without a policy (API, CloudFormation,
Terraform, CDK; only the console picks a newer one)."""
WEAK_SSL_POLICIES = frozenset({
    "ELBSecurityPolicy-TLS-1-0-2015-04",
    "ELBSecurityPolicy-TLS-1-1-2017-01",
    "ELBSecurityPolicy-FS-2018-06",
    "ELBSecurityPolicy-FS-1-1-2019-08",
    "ELBSecurityPolicy-TLS13-1-0-2021-06",
    "ELBSecurityPolicy-TLS13-1-1-2021-06",
    "ELBSecurityPolicy-TLS13-1-0-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-1-FIPS-2023-04",
})
"""Predefined policies (ALB, NLB, classic ELB) that accept TLS 1.0 or TLS 1.1."""
WEAK_SSL_POLICY_PATTERNS = (
    # Date-only names, ELBSecurityPolicy-2011-08 ... -2016-08 (the default): TLS 1.0 and up, some SSLv3.
    re.compile(r"ELBSecurityPolicy-\d{4}-\d{2}"),
    # TLS 1.3 family with a TLS 1.0 / 1.1 floor, whatever the variant (FIPS, PQ) and release date.
    re.compile(r"ELBSecurityPolicy-TLS13-1-[01]-.+"),
    # The classic ELB's sample policies (TLS 1.0, SSLv3).
    re.compile(r"ELBSample-.+"),
)
WEAK_PROTOCOLS = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1")
"""Protocol-* attributes of a classic ELB custom negotiation policy that are too old."""


def weak_ssl_policy(name: Any) -> bool:
    """Whether a predefined security policy accepts TLS 1.0/1.1 (unknown names: no)."""
    if not isinstance(name, str):
        return False
    return name in WEAK_SSL_POLICIES or any(p.fullmatch(name) for p in WEAK_SSL_POLICY_PATTERNS)


@policy(
    id="IAC-LB-002",
    control="lb-weak-tls-policy",
    title="Load balancer listener accepts TLS 1.0 or 1.1",
    severity="medium",
    stride="IT",
    cwe=326,
    remediation="""
Give every HTTPS/TLS listener a security policy that accepts TLS 1.2 and later only, such as
`ELBSecurityPolicy-TLS13-1-2-2021-06` (or a newer TLS 1.3 / post-quantum policy): `ssl_policy` in
Terraform, `SslPolicy` in CloudFormation. Never leave it unset: the default is
ELBSecurityPolicy-2016-08. For a classic ELB, attach an `SSLNegotiationPolicyType` policy whose
`Reference-Security-Policy` is `ELBSecurityPolicy-TLS-1-2-2017-01` (`aws_load_balancer_policy` and
`aws_load_balancer_listener_policy` in Terraform, `Policies` and the listener's `PolicyNames` in
CloudFormation).
""",
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-security-policy-table.html",
    ),
    fix=_strong_ssl_policy,
)
def lb_weak_tls_policy(graph: ResourceGraph) -> Iterator[Hit]:
    """TLS 1.0 and 1.1 are deprecated (RFC 8996): they lack modern cipher suites and leave
    downgrade and padding-oracle attacks open to anyone on the path. Every HTTPS, TLS or SSL
    listener is checked (ALB, NLB, classic ELB). A listener without a security policy gets
    ELBSecurityPolicy-2016-08, which accepts TLS 1.0, so an unset policy is reported (at the
    listener). Weak policies are the predefined ones that accept TLS 1.0/1.1: the date-only
    names (ELBSecurityPolicy-2011-08 to -2016-08), ELBSecurityPolicy-TLS-1-0-2015-04,
    -TLS-1-1-2017-01, -FS-2018-06, -FS-1-1-2019-08, every ELBSecurityPolicy-TLS13-1-0-* and
    -TLS13-1-1-* (FIPS and post-quantum variants included) and the classic ELBSample-* policies;
    any other name is given the benefit of the doubt. A classic ELB listener uses the
    SSLNegotiationPolicyType policy attached to its port: its Reference-Security-Policy is
    judged like an ELBv2 policy, and a custom policy is reported when it enables Protocol-SSLv3,
    -TLSv1 or -TLSv1.1. A listener whose policy is unknown (a variable, a policy the
    configuration does not define) is not reported."""
    for listener in graph.of_kind(kinds.LB_LISTENER):
        lb = graph.resolve(listener, listener.get("load_balancer"), kinds.LB)
        protocol = _protocol(graph, listener, lb)
        if protocol not in SECURE_PROTOCOLS:
            continue
        classic = lb is not None and lb.equals("type", "classic")
        name = f"of classic load balancer {lb.display} on port {listener.get('port')}" if classic else (
            listener.display)
        fix = ("Attach an SSLNegotiationPolicyType policy whose Reference-Security-Policy is "
               "ELBSecurityPolicy-TLS-1-2-2017-01." if classic else
               "Set ssl_policy / SslPolicy to ELBSecurityPolicy-TLS13-1-2-2021-06 or newer.")
        protocols = listener.get("ssl_protocols")
        if isinstance(protocols, list) and not listener.has("ssl_policy"):
            weak = [p for p in protocols if isinstance(p, Fact) and isinstance(p.value, dict)
                    and p.value.get("protocol") in WEAK_PROTOCOLS and is_true(p.value.get("enabled"))]
            if weak:
                enabled = ", ".join(str(p.value["protocol"]) for p in weak)
                yield Hit(listener, weak[0].loc,
                          f"Listener {name} ({protocol}) uses a custom SSL negotiation policy that enables "
                          f"{enabled}. {fix}",
                          cause="protocols:" + ",".join(str(p.value["protocol"]) for p in weak))
            continue
        ssl_policy = listener.get("ssl_policy")
        if ssl_policy is None:
            yield Hit(listener, listener.loc,
                      f"Listener {name} ({protocol}) sets no security policy, so it gets {DEFAULT_SSL_POLICY}, "
                      f"which accepts TLS 1.0 and 1.1. {fix}",
                      cause="default")
        elif weak_ssl_policy(ssl_policy):
            yield Hit(listener, listener.loc_of("ssl_policy"),
                      f"Listener {name} ({protocol}) uses security policy {ssl_policy}, which accepts TLS 1.0 "
                      f"or 1.1. {fix}",
                      cause=f"policy:{ssl_policy}")


def _tls_listeners(graph: ResourceGraph, lb: Component) -> list[Component]:
    return [listener for listener in graph.neighbours(lb, "part-of", incoming=True)
            if listener.equals("protocol", "TLS")]


@policy(
    id="IAC-LB-003",
    control="lb-access-logs-missing",
    title="Load balancer access logs are off",
    severity="low",
    stride="R",
    cwe=778,
    remediation="""
Turn on access logs to an S3 bucket: an `access_logs` block with `bucket` and `enabled = true`
on `aws_lb` (on `aws_elb` it is on unless `enabled = false`); in CloudFormation the
`LoadBalancerAttributes` `access_logs.s3.enabled` = "true" and `access_logs.s3.bucket`, or
`AccessLoggingPolicy` with `Enabled: true` on a classic ELB. The bucket policy must let
Elastic Load Balancing write to it.
""",
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/enable-access-logs.html",
    ),
    no_fix="logs need a bucket whose policy lets the load balancer write: which bucket is yours to choose",
)
def lb_access_logs_missing(graph: ResourceGraph) -> Iterator[Hit]:
    """Access logs are the record of who called what through the load balancer (client address,
    request, TLS details, response): without them an incident cannot be reconstructed or
    attributed. Reported for application load balancers and classic ELBs whose access logs are
    off or not configured (ELBv2 logs are off unless enabled, even when a bucket is named; a
    classic ELB's access_logs block is on unless it says otherwise). A network load balancer
    only logs TLS connections, so it is reported only when it has a TLS listener; gateway load
    balancers have no access logs and are not checked. An unknown setting is not reported."""
    for lb in graph.of_kind(kinds.LB):
        if not lb.one_of("type", ("application", "network", "classic")):
            continue
        if lb.equals("type", "network") and not _tls_listeners(graph, lb):
            continue
        if not lb.is_false("access_logs", unset=False):
            continue
        state = "are switched off" if lb.is_false("access_logs") else "are not configured"
        yield Hit(lb, lb.loc_of("access_logs"),
                  f"Load balancer {lb.display}: access logs {state}, so requests through it leave no record. "
                  "Enable access logs to an S3 bucket.",
                  cause="off" if lb.is_false("access_logs") else "unset")


@policy(
    id="IAC-LB-004",
    control="lb-invalid-headers-not-dropped",
    title="Application load balancer passes invalid HTTP headers on",
    severity="low",
    stride="T",
    cwe=444,
    remediation="""
Set `drop_invalid_header_fields = true` on `aws_lb` (Terraform), or the load balancer attribute
`routing.http.drop_invalid_header_fields.enabled` = "true" (CloudFormation
`LoadBalancerAttributes`).
""",
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html",
        "https://docs.aws.amazon.com/config/latest/developerguide/alb-http-drop-invalid-header-enabled.html",
    ),
    fix=SetFacts({"drop_invalid_header_fields": True}),
)
def lb_invalid_headers_not_dropped(graph: ResourceGraph) -> Iterator[Hit]:
    """Header names that are not valid HTTP tokens are parsed differently by the load balancer
    and by the servers behind it; passing them on opens request smuggling and header injection
    (a forged header the application trusts). Application load balancers keep them unless told
    to drop them, so an ALB is reported when drop_invalid_header_fields is false or unset.
    Network, gateway and classic load balancers do not have the setting. An unknown value is
    not reported."""
    for lb in graph.of_kind(kinds.LB):
        if not lb.equals("type", "application") or not lb.is_false("drop_invalid_header_fields", unset=False):
            continue
        yield Hit(lb, lb.loc_of("drop_invalid_header_fields"),
                  f"Application load balancer {lb.display} forwards HTTP headers with invalid names to its targets. "
                  "Set drop_invalid_header_fields / routing.http.drop_invalid_header_fields.enabled to true.",
                  cause="off" if lb.is_false("drop_invalid_header_fields") else "unset")


def _fronting_distributions(graph: ResourceGraph, lb: Component) -> list[Component]:
    """CloudFront distributions that have ``lb`` as an origin."""
    return graph.derived("lb.fronting-distributions", lambda: _distributions_by_origin(graph)).get(lb.id, [])


def _distributions_by_origin(graph: ResourceGraph) -> dict[str, list[Component]]:
    """Load balancer id → the distributions that have it as an origin, in the graph's order: one
    pass over the distributions, not one per load balancer (a monorepo has thousands of each)."""
    out: dict[str, list[Component]] = {}
    for dist in graph.of_kind(kinds.CLOUDFRONT):
        origins = dist.get("origins")
        seen: set[str] = set()
        for origin in origins if isinstance(origins, list) else []:
            entry = origin.value if isinstance(origin, Fact) else origin
            lb = graph.resolve(dist, entry.get("domain_name"), kinds.LB) if isinstance(entry, dict) else None
            if lb is not None and lb.id not in seen:
                seen.add(lb.id)
                out.setdefault(lb.id, []).append(dist)
    return out


def _has_web_acl(comp: Component) -> bool:
    return comp.has("web_acl") and not comp.is_unset("web_acl")


def _internet_ingress(graph: ResourceGraph, lb: Component) -> list[tuple[Component, Location]]:
    """Security group rules of ``lb`` that admit 0.0.0.0/0 or ::/0 (known values only)."""
    out = []
    for group in graph.resolve_all(lb, lb.items("security_groups"), kinds.SECURITY_GROUP):
        out += [(group, rule.loc) for rule in rules_of(group, "ingress") if open_to_internet(rule.entry) is not None]
    return out


@policy(
    id="IAC-LB-005",
    control="lb-no-waf",
    title="Internet-facing application load balancer has no WAF",
    severity="medium",
    stride="D",
    cwe=693,
    remediation="""
Associate an AWS WAF web ACL (regional scope) with the load balancer:
`aws_wafv2_web_acl_association` with `resource_arn` = the ALB's ARN (Terraform),
`AWS::WAFv2::WebACLAssociation` with `ResourceArn` (CloudFormation). Or put the ALB behind a
CloudFront distribution that has a web ACL (`web_acl_id` / `WebACLId`) and let its security
groups admit only CloudFront (the `com.amazonaws.global.cloudfront.origin-facing` managed prefix
list), never 0.0.0.0/0.
""",
    references=(
        "https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html",
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/LocationsOfEdgeServers.html",
    ),
    no_fix="a web ACL and its rules are yours to choose",
)
def lb_no_waf(graph: ResourceGraph) -> Iterator[Hit]:
    """An internet-facing application load balancer without a web application firewall takes
    every HTTP flood, scanner and injection attempt straight to the application: no rate
    limiting, no managed rule sets, no bot control. Reported for an internet-facing ALB (the
    default scheme) with no WAF association of its own (WAFv2 or WAF Classic regional) unless it
    is only reachable behind CloudFront with a web ACL, which here means: it is an origin of a
    distribution of the configuration that has a web ACL, and none of its security groups admits
    0.0.0.0/0 or ::/0 (for example they admit only the CloudFront origin-facing prefix list). A
    security group that admits only CloudFront is not enough alone: any distribution, someone
    else's included, can reach the ALB through it, so the web ACL must be visible on a
    distribution that uses the ALB. A web ACL whose value is unknown counts as present; an
    association whose target is unknown may protect any load balancer, so none is reported;
    internal, network, gateway and classic load balancers are not checked."""
    for lb in graph.of_kind(kinds.LB):
        if not lb.equals("type", "application") or not lb.equals("scheme", "internet-facing") or _has_web_acl(lb):
            continue
        fronts = _fronting_distributions(graph, lb)
        protected = [d for d in fronts if _has_web_acl(d)]
        related: tuple[tuple[Location, str], ...] = ()
        if protected:
            open_rules = _internet_ingress(graph, lb)
            if not open_rules:
                continue
            related = tuple((loc, f"security group {group.address} admits the internet directly")
                            for group, loc in open_rules)
            why = (f"it is an origin of {protected[0].display}, whose web ACL it bypasses: its security group "
                   f"{open_rules[0][0].address} admits the internet directly")
            cause = "bypass"
        elif fronts:
            why = f"the CloudFront distribution in front of it ({fronts[0].display}) has no web ACL either"
            cause = "cloudfront-without-waf"
        else:
            why = "no web ACL is associated with it"
            cause = "none"
        yield Hit(lb, lb.loc,
                  f"Internet-facing application load balancer {lb.display} is not protected by AWS WAF: {why}. "
                  "Associate a web ACL (aws_wafv2_web_acl_association / AWS::WAFv2::WebACLAssociation), or "
                  "serve it only through CloudFront with a web ACL.",
                  cause=cause, related=related)


def _forwarded_groups(graph: ResourceGraph, lb: Component) -> Iterator[tuple[Component, Component]]:
    """(listener, target group) for each target group a listener of ``lb`` forwards to by its
    default actions, each target group once."""
    seen: set[str] = set()
    for listener in graph.neighbours(lb, "part-of", incoming=True):
        if listener.kind != kinds.LB_LISTENER:
            continue
        for action in _actions(listener):
            group = graph.resolve(listener, action.get("target_group"), kinds.LB_TARGET_GROUP)
            if group is not None and group.id not in seen:
                seen.add(group.id)
                yield listener, group


@policy(
    id="IAC-LB-006",
    control="lb-target-plaintext",
    title="Internet-facing load balancer forwards to its targets over plain HTTP",
    severity="low",
    stride="I",
    cwe=319,
    remediation="""
Re-encrypt between the load balancer and its targets: set the target group's `protocol` /
`Protocol` to `HTTPS` (with `port` 443 and a health check over HTTPS), and have the targets serve
TLS (a self-signed or private CA certificate is enough: the load balancer does not validate
target certificates). Open the targets' security group to 443 from the load balancer's group.
""",
    references=(
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-target-groups.html#target-group-routing-configuration",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html",
    ),
    no_fix="the targets must serve TLS before the load balancer can use it",
)
def lb_target_plaintext(graph: ResourceGraph) -> Iterator[Hit]:
    """An application load balancer terminates TLS; when it forwards to its targets over HTTP,
    the decrypted requests (credentials, session cookies, personal data) cross the VPC in
    plaintext, readable by anything that can observe or mirror that traffic. Reported: a target
    group whose protocol is HTTP that a listener of an internet-facing load balancer (the default
    scheme) forwards to through its default actions, once per load balancer and target group, on
    the target group's protocol line. Internal load balancers are not reported (their traffic
    never left the VPC encrypted in the first place), nor target groups of Lambda functions (no
    protocol), network load balancers (TCP/TLS target groups; their plaintext listeners are
    lb-listener-plaintext's), classic ELBs (no target groups), a target group whose protocol or
    whose load balancer's scheme is not known, or one that no listener of the configuration is
    known to forward to. Listener rules are not modelled: a target group reached only through a
    listener rule is not reported, and of a weighted forward only the first target group is
    seen. The plaintext listener in front is lb-listener-plaintext's question."""
    for lb in graph.of_kind(kinds.LB):
        if not lb.equals("scheme", "internet-facing") or lb.one_of("type", ("network", "gateway", "classic")):
            continue
        for listener, group in _forwarded_groups(graph, lb):
            if not group.equals("protocol", "HTTP") or group.equals("target_type", "lambda"):
                continue
            port = group.get("port")
            on_port = f" on port {port}" if isinstance(port, int) else ""
            yield Hit(lb, group.loc_of("protocol"),
                      f"Internet-facing load balancer {lb.display} forwards to target group {group.display} over "
                      f"plain HTTP{on_port} (listener {listener.display}): requests decrypted at the load balancer "
                      "cross the VPC unencrypted. Use HTTPS to the targets.",
                      cause=f"{group.address}:HTTP",
                      related=((listener.loc, f"listener {listener.display} forwards to it"),))


POLICIES = [lb_listener_plaintext, lb_weak_tls_policy, lb_access_logs_missing, lb_invalid_headers_not_dropped,
            lb_no_waf, lb_target_plaintext]
