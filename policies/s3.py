"""S3 policies: who on the internet can read or write a bucket, whether it is shielded, and the
hygiene controls (TLS-only access, server access logging, versioning, KMS encryption)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import Change, NoFix, SetFacts
from iac_assist.model import Component, Fact, Location, Ref, Unknown, is_known, iter_refs, kinds, settings
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.policy_documents import (
    RESTRICTING_KEYS,
    allows_any,
    bool_clause_false,
    covers_all,
    is_allow,
    principal_is_public,
    public_principal,
    restricted,
    statement_list,
    target_names,
)
from iac_assist.model.vocabulary.s3 import PAB_KEYS

PUBLIC_GRANTEES = ("AllUsers", "AuthenticatedUsers")
CANNED = {
    "public-read": {"read"},
    "public-read-write": {"read", "write"},
    "authenticated-read": {"read"},
}
GRANT_ACCESS = {
    "READ": {"read"},
    "READ_ACP": {"read"},
    "WRITE": {"write"},
    "WRITE_ACP": {"write"},
    "FULL_CONTROL": {"read", "write"},
}
READ_ACTIONS = ("s3:GetObject", "s3:ListBucket")
WRITE_ACTIONS = ("s3:PutObject", "s3:DeleteObject", "s3:PutBucketPolicy", "s3:PutBucketAcl")
S3_RESTRICTING_KEYS = RESTRICTING_KEYS | {"s3:dataaccesspointaccount", "s3:dataaccesspointarn"}
"""The global restricting keys, plus S3's access point keys (a policy delegating to access points)."""


@dataclass(frozen=True)
class Exposure:
    access: str
    """``read`` or ``write``."""
    loc: Location
    cause: str
    how: str


def shield(graph: ResourceGraph, bucket: Component) -> dict[str, Any]:
    """The public access block in force: a setting is on when the bucket or the account sets it."""
    # A bucket policy of a bucket defined elsewhere has no block of its own here.
    own = settings(bucket.get("public_access_block") if bucket.kind == kinds.S3_BUCKET else None)
    accounts = [settings(a.get("public_access_block")) for a in graph.of_kind(kinds.S3_ACCOUNT_PAB)]
    out: dict[str, Any] = {}
    for key in PAB_KEYS:
        values = [own.get(key, False)] + [acct.get(key, False) for acct in accounts]
        if any(v is True for v in values):
            out[key] = True
        elif any(isinstance(v, Unknown) for v in values):
            out[key] = Unknown()
        else:
            out[key] = False
    return out


def _off(value: Any) -> bool:
    """A shield setting that definitely does not protect (unknown ones may)."""
    return value is False


def acl_exposures(bucket: Component) -> Iterator[Exposure]:
    acl = bucket.get("acl")
    if isinstance(acl, str) and acl in CANNED:
        for access in sorted(CANNED[acl]):
            yield Exposure(access, bucket.loc_of("acl"), f"acl={acl}", f"its canned ACL is {acl}")
    for grant in bucket.items("grants"):
        entry = grant.value if isinstance(grant, Fact) else grant
        loc = grant.loc if isinstance(grant, Fact) else bucket.loc_of("grants")
        if not isinstance(entry, dict) or entry.get("grantee") not in PUBLIC_GRANTEES:
            continue
        permission = entry.get("permission")
        for access in sorted(GRANT_ACCESS.get(permission, ()) if isinstance(permission, str) else ()):
            yield Exposure(access, loc, f"grant={entry['grantee']}:{permission}",
                           f"an ACL grant gives {permission} to {entry['grantee']}")


def policy_exposures(bucket: Component) -> Iterator[Exposure]:
    statements = statement_list(bucket.get("policy"))
    for n, statement in enumerate(statements or []):
        if not is_allow(statement):
            continue
        if not public_principal(statement.get("Principal")):
            continue
        if restricted(statement.get("Condition"), S3_RESTRICTING_KEYS):
            continue
        sid = statement.get("Sid")
        label = f"statement {sid!r}" if isinstance(sid, str) and sid else f"statement {n + 1}"
        key = sid if isinstance(sid, str) and sid else n
        for access, probes in (("read", READ_ACTIONS), ("write", WRITE_ACTIONS)):
            allowed = allows_any(statement, probes)
            if allowed:
                yield Exposure(access, bucket.loc_of("policy"), f"policy:{key}:{access}",
                               f"its bucket policy {label} allows {allowed} to Principal \"*\"")


def _kms_encryption(hit: Hit, graph: ResourceGraph) -> Change | NoFix:
    """Make SSE-KMS (the AWS managed key aws/s3) the bucket's default encryption, unless its
    readers could not decrypt what is written next: anonymous readers of a public bucket, and
    CloudFront (the AWS managed key's policy admits no service)."""
    bucket = hit.component
    if next(acl_exposures(bucket), None) is not None or next(policy_exposures(bucket), None) is not None:
        return NoFix("anonymous readers of a public bucket cannot read objects encrypted with a KMS key")
    if _served_by_cloudfront(graph, bucket):
        return NoFix("CloudFront cannot decrypt objects under the AWS managed key aws/s3: it needs a customer "
                     "managed key whose policy admits it, yours to choose")
    return Change(bucket, {"encryption": "aws:kms"},
                  note="new objects get the AWS managed key aws/s3, which other accounts cannot use: name your own "
                       "key to share the bucket across accounts")


def _served_by_cloudfront(graph: ResourceGraph, bucket: Component) -> bool:
    """An origin of a distribution of the configuration is the bucket (by reference or name)."""
    name = bucket.get("name")
    for dist in graph.of_kind(kinds.CLOUDFRONT):
        for origin in dist.items("origins"):
            entry = origin.value if isinstance(origin, Fact) else origin
            domain = entry.get("domain_name") if isinstance(entry, dict) else None
            if any(graph.resolve(dist, ref, kinds.S3_BUCKET) is bucket for ref in iter_refs(domain)):
                return True
            if isinstance(domain, str) and isinstance(name, str) and name and domain.startswith(f"{name}."):
                return True
    return False


def _block_public_access(hit: Hit, graph: ResourceGraph) -> Change | NoFix:
    """Turn on all four public access block settings, on a bucket that no ACL or policy makes
    public (on one that is, the block would cut off its readers: s3-public-read decides first)."""
    bucket = hit.component
    if next(acl_exposures(bucket), None) is not None or next(policy_exposures(bucket), None) is not None:
        return NoFix("its ACL or policy makes it public now: blocking public access would cut off its readers; "
                     "decide whether it must be public first (s3-public-read, s3-public-write)")
    return Change(bucket, {"public_access_block": dict.fromkeys(PAB_KEYS, True)})


def _exposures(graph: ResourceGraph, bucket: Component, access: str) -> Iterator[Hit]:
    pab = shield(graph, bucket)
    acls_count = _off(pab["ignore_public_acls"]) and _off(pab["block_public_acls"])
    policies_count = _off(pab["restrict_public_buckets"]) and _off(pab["block_public_policy"])
    own_bucket = bucket.kind == kinds.S3_BUCKET  # not a policy of a bucket defined elsewhere
    ownership_enforced = own_bucket and bucket.equals("object_ownership", "BucketOwnerEnforced")
    found: list[Exposure] = []
    if own_bucket and acls_count and not ownership_enforced:
        found.extend(e for e in acl_exposures(bucket) if e.access == access)
    if policies_count:
        found.extend(e for e in policy_exposures(bucket) if e.access == access)
    verb = "read" if access == "read" else "write to"
    subject = f"bucket {bucket.display}"
    if bucket.kind == kinds.S3_BUCKET_POLICY:
        names = target_names(bucket.items("targets"))
        subject = f"bucket {', '.join(names)} (defined outside this configuration)"
    fix = ("Remove the public ACL or grant, restrict the policy's principal or add a condition, and "
           "enable all four public access block settings.")
    for exposure in found:
        how = exposure.how
        if bucket.kind == kinds.S3_BUCKET_POLICY:
            how = how.replace("its bucket policy", f"bucket policy {bucket.display}", 1)
        yield Hit(
            bucket,
            exposure.loc,
            f"Anyone on the internet can {verb} {subject}: {how}, and no public access block "
            f"neutralises it. {fix}",
            cause=exposure.cause,
        )



@policy(
    id="IAC-S3-001",
    control="s3-public-read",
    title="S3 bucket is readable by anyone",
    severity="high",
    stride="I",
    cwe=284,
    remediation="""
Make the bucket private: drop public canned ACLs (`public-read`, `public-read-write`,
`authenticated-read`) and grants to AllUsers/AuthenticatedUsers; limit bucket policy statements to
named principals or add a restricting condition (`aws:SourceArn`, `aws:SourceVpce`,
`aws:PrincipalOrgID`); turn on all four public access block settings. Serve public content through
CloudFront with an origin access control instead of a public bucket.
""",
    no_fix="a public bucket may be meant to be public (a website): decide, then block public access",
)
def s3_public_read(graph: ResourceGraph) -> Iterator[Hit]:
    """A bucket whose objects anyone on the internet can list or read leaks whatever is put in it,
    now or later. Public read comes from a canned ACL, an ACL grant to the AllUsers or
    AuthenticatedUsers groups, or a bucket policy allowing s3:Get*/s3:List* to Principal "*"
    without a condition that restricts who the caller is or where the request comes from. A public
    access block on the bucket or account (ignore/block public ACLs, restrict public buckets/block
    public policy) neutralises the matching kind of exposure; settings whose value is unknown are
    given the benefit of the doubt. A bucket policy resource for a bucket the configuration does
    not define (a variable or parameter, a literal name, a data source) is judged on its own and
    reported on the policy resource, with only the account-wide public access block of the
    configuration counting (a bucket-level block_public_policy would make S3 refuse the policy)."""
    for bucket in graph.of_kind(kinds.S3_BUCKET, kinds.S3_BUCKET_POLICY):
        yield from _exposures(graph, bucket, "read")


@policy(
    id="IAC-S3-002",
    control="s3-public-write",
    title="S3 bucket is writable by anyone",
    severity="critical",
    stride="T",
    cwe=284,
    remediation="""
Remove `public-read-write` ACLs and WRITE/WRITE_ACP/FULL_CONTROL grants to AllUsers or
AuthenticatedUsers; never allow s3:Put*/s3:Delete*/s3:* to Principal "*" without a restricting
condition; enable the public access block. Give uploaders an IAM role instead.
""",
    no_fix="which principals must write is only known to you",
)
def s3_public_write(graph: ResourceGraph) -> Iterator[Hit]:
    """Anyone able to write to a bucket can plant malware in content you serve, overwrite or delete
    data, and run up your bill; with WRITE_ACP or s3:PutBucketPolicy they take the bucket over. The
    exposure comes from a public-read-write ACL, a write grant to AllUsers/AuthenticatedUsers, or a
    policy allowing s3:Put*/s3:Delete* to Principal "*" without a restricting condition, and is
    neutralised by the matching public access block settings. A bucket policy resource for a
    bucket the configuration does not define is judged on its own and reported on the policy
    resource."""
    for bucket in graph.of_kind(kinds.S3_BUCKET, kinds.S3_BUCKET_POLICY):
        yield from _exposures(graph, bucket, "write")


@policy(
    id="IAC-S3-003",
    control="s3-public-access-block-missing",
    title="S3 bucket has no complete public access block",
    severity="medium",
    stride="I",
    cwe=284,
    remediation="""
Add a public access block with `block_public_acls`, `block_public_policy`, `ignore_public_acls`
and `restrict_public_buckets` all true: `aws_s3_bucket_public_access_block` in Terraform,
`PublicAccessBlockConfiguration` in CloudFormation, or account-wide with
`aws_s3_account_public_access_block`.
""",
    fix=_block_public_access,
)
def s3_public_access_block_missing(graph: ResourceGraph) -> Iterator[Hit]:
    """The public access block is the guard rail that keeps a later ACL or policy change from
    making a bucket public. A bucket is reported unless all four settings are on, on the bucket
    itself or account-wide in the same configuration. Settings whose value is unknown (a variable
    without value) are not reported. A bucket meant as a public website is still reported:
    suppress the finding with a reason."""
    for bucket in graph.of_kind(kinds.S3_BUCKET):
        pab = shield(graph, bucket)
        missing = [key for key in PAB_KEYS if pab[key] is False]
        if not missing:
            continue
        where = bucket.loc_of("public_access_block")
        has_block = bucket.has("public_access_block")
        what = (f"its public access block leaves {', '.join(missing)} off" if has_block
                else "it has no public access block, on the bucket or account-wide")
        yield Hit(bucket, where, f"Bucket {bucket.display} can be made public by a later ACL or policy "
                  f"change: {what}. Turn on all four public access block settings.",
                  cause="missing:" + ",".join(missing))


# --- TLS-only access -----------------------------------------------------------------------------

OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject")
"""A TLS-only statement must deny at least reading and writing objects."""


def _denies_insecure_transport(document: Any) -> bool | None:
    """True when a statement denies every plain-HTTP request; None when unknown parts may."""
    statements = statement_list(document)
    if statements is None:
        return None
    verdicts = [_tls_only_statement(statement) for statement in statements]
    if True in verdicts:
        return True
    return None if None in verdicts else False


def _tls_only_statement(statement: Any) -> bool | None:
    if not isinstance(statement, dict):
        return None
    checks = (
        _is(statement.get("Effect"), lambda effect: effect == "Deny"),
        _everyone(statement),
        covers_all(statement, OBJECT_ACTIONS),
        _is(statement.get("Condition"), lambda condition: bool_clause_false(condition, "aws:securetransport")),
    )
    if False in checks:
        return False
    return None if None in checks else True


def _is(value: Any, test: Any) -> bool | None:
    return test(value) if is_known(value) else None


def _everyone(statement: dict[str, Any]) -> bool | None:
    # NotPrincipal in a Deny denies everyone but a few named principals: still the guard asked for.
    if "NotPrincipal" in statement:
        return True
    return principal_is_public(statement.get("Principal"))


@policy(
    id="IAC-S3-004",
    control="s3-insecure-transport",
    no_fix=("the statement that denies requests without TLS must be merged into the bucket's one policy, whose "
            "other statements are yours"),
    title="S3 bucket accepts requests over plain HTTP",
    severity="medium",
    stride="IT",
    cwe=319,
    remediation="""
Add a bucket policy statement that denies every request made without TLS: `Effect: Deny`,
`Principal: "*"`, `Action: "s3:*"`, both the bucket ARN and `<bucket ARN>/*` as `Resource`, and
`Condition: {"Bool": {"aws:SecureTransport": "false"}}`. In Terraform, put it in the
`aws_s3_bucket_policy` `policy` document (or the v3 bucket's `policy`); in CloudFormation, in the
`PolicyDocument` of the `AWS::S3::BucketPolicy`.
""",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
        "https://repost.aws/knowledge-center/s3-bucket-policy-for-config-rule",
    ),
)
def s3_insecure_transport(graph: ResourceGraph) -> Iterator[Hit]:
    """S3 answers plain HTTP as well as HTTPS: without a policy that refuses unencrypted requests,
    a client, SDK setting or endpoint URL that uses http:// sends credentials-signed requests and
    object data in clear text, readable and alterable on the way. A bucket is reported unless its
    bucket policy has a statement with Effect Deny, Principal "*" (or {"AWS": "*"}, or a
    NotPrincipal), actions that cover at least s3:GetObject and s3:PutObject (s3:*, *, or a
    NotAction that leaves them in), and a Bool or BoolIfExists condition aws:SecureTransport =
    false. A deny on s3:TlsVersion alone does not count: a plain-HTTP request has no TLS version
    and such a condition does not match it. The statement's Resource is not judged (it is usually
    computed from the bucket's ARN), nor are further conditions added to it. A policy or statement
    whose relevant parts are unknown before deployment is not reported. Log buckets are not
    exempt: they accept requests like any other bucket."""
    for bucket in graph.of_kind(kinds.S3_BUCKET):
        if not bucket.has("policy"):
            yield Hit(bucket, bucket.loc,
                      f"Bucket {bucket.display} accepts requests over plain HTTP: it has no bucket policy denying "
                      "requests where aws:SecureTransport is false. Add a Deny statement with that condition.",
                      cause="no-policy")
            continue
        if _denies_insecure_transport(bucket.get("policy")) is False:
            yield Hit(bucket, bucket.loc_of("policy"),
                      f"Bucket {bucket.display} accepts requests over plain HTTP: no statement of its bucket policy "
                      "denies requests where aws:SecureTransport is false. Add a Deny statement for Principal "
                      "\"*\" and s3:* with that condition.",
                      cause="no-deny")


# --- Log destinations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogSource:
    component: Component
    kind: str
    """What delivers logs into the bucket: ``s3`` (server access logs), ``cloudfront`` (standard
    logging), ``lb`` (access logs), ``flow`` (VPC flow logs), or, recognised from the bucket's own
    settings, ``s3`` (a log-delivery-write ACL, a LogDelivery grant, a policy for
    logging.s3.amazonaws.com), ``elb`` (a policy for the load-balancer log principal) and
    ``delivery`` (a policy for delivery.logs.amazonaws.com, which delivers VPC flow logs, network
    load balancer logs and other vended logs)."""


LOG_SERVICES = {
    "logging.s3.amazonaws.com": "s3",
    "logdelivery.elasticloadbalancing.amazonaws.com": "elb",
    "delivery.logs.amazonaws.com": "delivery",
}
ELB_ACCOUNTS = frozenset({
    "127311923021", "033677994240", "027434742980", "797873946194", "098369216593", "754344448648",
    "582318560864", "600734575887", "383597477331", "718504428378", "114774131450", "783225319266",
    "985666609251", "054676820928", "897822967062", "635631232127", "156460612806", "652711504416",
    "009996457667", "076674570225", "507241528517", "048591011584", "190560391635", "638102146993",
    "037604701340",
})
"""The Elastic Load Balancing accounts that write access logs, one per region opened before August
2022 (later regions use the logdelivery.elasticloadbalancing.amazonaws.com principal)."""
ELB_ACCOUNT_DATA = re.compile(r"(?:^|\.)data\.aws_elb_service_account\.")
"""Terraform's data source resolving to that account (in any module): a reference to it names the
principal."""


def log_sources(graph: ResourceGraph) -> dict[str, list[LogSource]]:
    """Buckets that receive logs, by component id: who writes into each."""

    def compute() -> dict[str, list[LogSource]]:
        out: dict[str, list[LogSource]] = {}

        def add(source: Component, fact: str, kind: str) -> None:
            if not source.has(fact):
                return
            target = graph.resolve(source, _bucket_of(source.get(fact)), kinds.S3_BUCKET)
            if target is not None:
                out.setdefault(target.id, []).append(LogSource(source, kind))

        for bucket in graph.of_kind(kinds.S3_BUCKET):
            add(bucket, "logging_target", "s3")
            for kind in sorted(_declared_log_deliveries(bucket)):
                out.setdefault(bucket.id, []).append(LogSource(bucket, kind))
        for distribution in graph.of_kind(kinds.CLOUDFRONT):
            add(distribution, "logging_bucket", "cloudfront")
        for lb in graph.of_kind(kinds.LB):
            if not lb.is_false("access_logs"):
                add(lb, "access_logs_bucket", "lb")
        for flow_log in graph.of_kind(kinds.FLOW_LOG):
            add(flow_log, "log_destination", "flow")
        return out

    return graph.derived("s3.log_sources", compute)


def _bucket_of(value: Any) -> Any:
    """A literal bucket ARN (``arn:aws:s3:::logs/flow/``) as the bucket's name; others unchanged."""
    if isinstance(value, str) and value.startswith("arn:") and ":s3:::" in value:
        return value.split(":s3:::", 1)[1].split("/", 1)[0]
    return value


def _declared_log_deliveries(bucket: Component) -> set[str]:
    """The log deliveries a bucket's own settings prepare it for: the ACL S3 server access logging
    needs (log-delivery-write, or a grant to the LogDelivery group), or a policy statement allowing
    a log delivery principal in."""
    found: set[str] = set()
    if bucket.equals("acl", "log-delivery-write"):
        found.add("s3")
    for grant in bucket.items("grants"):
        entry = grant.value if isinstance(grant, Fact) else grant
        if isinstance(entry, dict) and entry.get("grantee") == "LogDelivery":
            found.add("s3")
    for statement in statement_list(bucket.get("policy")) or []:
        if is_allow(statement):
            found |= _log_principals(statement.get("Principal"))
    return found


def _log_principals(principal: Any) -> set[str]:
    if not isinstance(principal, dict):
        return set()
    found: set[str] = set()
    services = principal.get("Service")
    for service in services if isinstance(services, list) else [services]:
        if isinstance(service, str) and service.lower() in LOG_SERVICES:
            found.add(LOG_SERVICES[service.lower()])
    accounts = principal.get("AWS")
    for account in accounts if isinstance(accounts, list) else [accounts]:
        refs = (account,) if isinstance(account, Ref) else account.refs if isinstance(account, Unknown) else ()
        if any(ELB_ACCOUNT_DATA.search(ref.address) for ref in refs):
            found.add("elb")
        elif isinstance(account, str):
            number = account.split(":")[4] if account.startswith("arn:") and account.count(":") >= 5 else account
            if number in ELB_ACCOUNTS:
                found.add("elb")
    return found


@policy(
    id="IAC-S3-005",
    control="s3-access-logging-missing",
    title="S3 bucket has no server access logging",
    severity="low",
    stride="R",
    cwe=778,
    remediation="""
Send the bucket's server access logs to a dedicated log bucket: `aws_s3_bucket_logging` with
`target_bucket` (or the v3 bucket's `logging` block) in Terraform, `LoggingConfiguration` with
`DestinationBucketName` in CloudFormation. The log bucket itself needs no logging of its own.
""",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html",
    ),
    no_fix="logs need a target bucket that is yours to choose",
)
def s3_access_logging_missing(graph: ResourceGraph) -> Iterator[Hit]:
    """Without server access logs, nobody can tell afterwards who read, wrote or deleted which
    object from where (CloudTrail logs object-level calls only when data events are paid for). A
    bucket is reported when it configures no server access logging (v4+ aws_s3_bucket_logging, v3
    logging block, CloudFormation LoggingConfiguration). A bucket whose purpose is receiving logs
    is exempt, since logging it would only log the log writes. It is recognised by what delivers
    to it, when the reference (or a literal name or bucket ARN) resolves to a bucket of the same
    configuration: the server-access-log target of another bucket, the standard logging bucket of
    a CloudFront distribution, the access log bucket of a load balancer, the S3 destination of a
    VPC flow log; or by its own settings: a log-delivery-write ACL, an ACL grant to the
    LogDelivery group, or a bucket policy allowing a log delivery principal
    (logging.s3.amazonaws.com, delivery.logs.amazonaws.com,
    logdelivery.elasticloadbalancing.amazonaws.com or a regional Elastic Load Balancing account).
    CloudTrail buckets are not exempt: who reads an audit trail matters. A logging target that is
    unknown before deployment counts as logging; an unknown target elsewhere exempts no
    particular bucket."""
    receiving = log_sources(graph)
    for bucket in graph.of_kind(kinds.S3_BUCKET):
        if bucket.has("logging_target") or bucket.id in receiving:
            continue
        yield Hit(bucket, bucket.loc,
                  f"Bucket {bucket.display} has no server access logging: requests to it leave no trace. "
                  "Send its access logs to a log bucket.",
                  cause="missing")


@policy(
    id="IAC-S3-006",
    control="s3-versioning-missing",
    title="S3 bucket versioning is not enabled",
    severity="low",
    stride="TD",
    cwe=693,
    remediation="""
Enable versioning: `aws_s3_bucket_versioning` with `versioning_configuration { status = "Enabled" }`
(or the v3 bucket's `versioning { enabled = true }`) in Terraform,
`VersioningConfiguration: {Status: Enabled}` in CloudFormation. Add a lifecycle rule expiring
noncurrent versions to bound the cost.
""",
    references=("https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",),
    fix=SetFacts({"versioning": "Enabled"}),
)
def s3_versioning_missing(graph: ResourceGraph) -> Iterator[Hit]:
    """Without versioning, an overwrite or delete, by mistake, by a compromised credential or by
    ransomware, destroys the only copy of an object. A bucket is reported when versioning is
    absent (never enabled) or Suspended (also the v3 `enabled = false` and the v4 status
    Disabled); the finding points at the status when it is written, else at the bucket. An
    unknown status is not reported. Log buckets are not exempt: versioned logs resist tampering."""
    for bucket in graph.of_kind(kinds.S3_BUCKET):
        status = bucket.get("versioning")
        if status == "Enabled" or (bucket.has("versioning") and not isinstance(status, str)):
            continue
        what = f"its versioning is {status}" if bucket.has("versioning") else "versioning is not enabled"
        yield Hit(bucket, bucket.loc_of("versioning"),
                  f"Bucket {bucket.display} keeps no previous versions ({what}): an overwrite or delete loses "
                  "the data. Enable versioning.",
                  cause=f"versioning:{status or 'absent'}")


KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


@policy(
    id="IAC-S3-007",
    control="s3-kms-encryption-missing",
    title="S3 bucket is not encrypted with a KMS key",
    severity="low",
    stride="I",
    cwe=311,
    remediation="""
Set default encryption to SSE-KMS with a customer managed key: in Terraform an
`aws_s3_bucket_server_side_encryption_configuration` (or the v3 bucket's
`server_side_encryption_configuration`) rule with `sse_algorithm = "aws:kms"` and
`kms_master_key_id`, plus `bucket_key_enabled = true`; in CloudFormation `BucketEncryption`
with `SSEAlgorithm: aws:kms` and `KMSMasterKeyID`. Keep SSE-S3 on buckets that receive ALB,
classic ELB or S3 server access logs.
""",
    references=(
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html",
    ),
    fix=_kms_encryption,
)
def s3_kms_encryption_missing(graph: ResourceGraph) -> Iterator[Hit]:
    """S3 encrypts every object with SSE-S3 by default, so this is not about plaintext at rest but
    about control: with SSE-KMS (or DSSE-KMS) reading an object also needs kms:Decrypt on a key
    whose policy you write, every use of the key is logged in CloudTrail, and disabling the key
    cuts access at once. A bucket is reported when its default encryption is absent (SSE-S3 by
    default) or AES256; aws:kms counts even without a key id (the AWS managed key aws/s3, which is
    still SSE-KMS). Buckets that receive S3 server access logs or the access logs of an
    application or classic load balancer are exempt: those deliveries only support SSE-S3. They
    are recognised by what delivers to them (a bucket's server access logging target, a load
    balancer's access log bucket) or by their own settings: a log-delivery-write ACL, an ACL grant
    to the LogDelivery group, or a bucket policy allowing logging.s3.amazonaws.com, the
    logdelivery.elasticloadbalancing.amazonaws.com principal or a regional Elastic Load Balancing
    account. A network load balancer's logs do not exempt a bucket, as they support SSE-KMS with a
    customer managed key; a load balancer of unknown type does. CloudFront standard logs, VPC flow
    logs and other deliveries by delivery.logs.amazonaws.com support SSE-KMS and do not exempt
    either, nor does CloudTrail. An unknown algorithm is not reported."""
    receiving = log_sources(graph)
    for bucket in graph.of_kind(kinds.S3_BUCKET):
        algorithm = bucket.get("encryption")
        if bucket.has("encryption") and not isinstance(algorithm, str):
            continue
        if algorithm in KMS_ALGORITHMS or _sse_s3_only(receiving.get(bucket.id, ())):
            continue
        what = f"its default encryption is {algorithm} (SSE-S3)" if bucket.has("encryption") else (
            "it sets no default encryption, so S3 applies SSE-S3")
        yield Hit(bucket, bucket.loc_of("encryption"),
                  f"Bucket {bucket.display} is not encrypted with a KMS key: {what}, whose keys you cannot "
                  "control or audit. Use SSE-KMS with a customer managed key.",
                  cause=f"encryption:{algorithm or 'absent'}")


def _sse_s3_only(sources: Any) -> bool:
    """Whether one of the log deliveries into a bucket supports SSE-S3 only."""
    for source in sources:
        if source.kind in ("s3", "elb"):
            return True
        if source.kind == "lb" and not source.component.equals("type", "network"):
            return True
    return False


POLICIES = [
    s3_public_read, s3_public_write, s3_public_access_block_missing,
    s3_insecure_transport, s3_access_logging_missing, s3_versioning_missing, s3_kms_encryption_missing,
]
