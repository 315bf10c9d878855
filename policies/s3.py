"""S3 policies: who on the internet can read or write a bucket, and whether it is shielded."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from iac_assist import kinds
from iac_assist.graph import ResourceGraph
from iac_assist.model import Component, Fact, Location, Unknown
from iac_assist.policy import Hit, policy

PAB_KEYS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
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
RESTRICTING_KEYS = {
    "aws:sourcearn", "aws:sourceaccount", "aws:sourceowner", "aws:sourcevpc", "aws:sourcevpce",
    "aws:sourceip", "aws:principalorgid", "aws:principalorgpaths", "aws:principalaccount",
    "aws:principalarn", "aws:sourceorgid", "aws:sourceorgpaths", "aws:userid", "aws:username",
    "aws:principalservicename", "s3:dataaccesspointaccount", "s3:dataaccesspointarn",
}


@dataclass(frozen=True)
class Exposure:
    access: str
    """``read`` or ``write``."""
    loc: Location
    cause: str
    how: str


def shield(graph: ResourceGraph, bucket: Component) -> dict[str, Any]:
    """The public access block in force: a setting is on when the bucket or the account sets it."""
    own = bucket.get("public_access_block") or {}
    accounts = [a.get("public_access_block") or {} for a in graph.of_kind(kinds.S3_ACCOUNT_PAB)]
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
    for grant in bucket.get("grants") or []:
        entry = grant.value if isinstance(grant, Fact) else grant
        loc = grant.loc if isinstance(grant, Fact) else bucket.loc_of("grants")
        if not isinstance(entry, dict) or entry.get("grantee") not in PUBLIC_GRANTEES:
            continue
        permission = entry.get("permission")
        for access in sorted(GRANT_ACCESS.get(permission, ()) if isinstance(permission, str) else ()):
            yield Exposure(access, loc, f"grant={entry['grantee']}:{permission}",
                           f"an ACL grant gives {permission} to {entry['grantee']}")


def policy_exposures(bucket: Component) -> Iterator[Exposure]:
    document = bucket.get("policy")
    if not isinstance(document, dict):
        return
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        return
    for n, statement in enumerate(statements):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        if not _public_principal(statement.get("Principal")) or _restricted(statement.get("Condition")):
            continue
        sid = statement.get("Sid")
        label = f"statement {sid!r}" if isinstance(sid, str) and sid else f"statement {n + 1}"
        for access, probes in (("read", READ_ACTIONS), ("write", WRITE_ACTIONS)):
            allowed = _allows_any(statement, probes)
            if allowed:
                yield Exposure(access, bucket.loc_of("policy"), f"policy:{sid or n}:{access}",
                               f"its bucket policy {label} allows {allowed} to Principal \"*\"")


def _public_principal(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        aws = principal.get("AWS")
        return aws == "*" or (isinstance(aws, list) and "*" in aws)
    return False


def _restricted(condition: Any) -> bool:
    if condition is None:
        return False
    if not isinstance(condition, dict):
        return True  # unknown conditions may restrict: no definite finding
    for clauses in condition.values():
        if not isinstance(clauses, dict):
            return True
        for key in clauses:
            if isinstance(key, str) and key.lower() in RESTRICTING_KEYS:
                return True
    return False


def _allows_any(statement: dict[str, Any], probes: tuple[str, ...]) -> str | None:
    """The first probe action the statement allows (known values only)."""
    if "Action" in statement:
        actions = statement["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        if not isinstance(actions, list):
            return None
        for probe in probes:
            if any(isinstance(a, str) and fnmatchcase(probe.lower(), a.lower()) for a in actions):
                return probe
        return None
    excluded = statement.get("NotAction")
    excluded = [excluded] if isinstance(excluded, str) else excluded
    if not isinstance(excluded, list) or any(not isinstance(a, str) for a in excluded):
        return None
    for probe in probes:
        if not any(fnmatchcase(probe.lower(), a.lower()) for a in excluded):
            return probe
    return None


def _exposures(graph: ResourceGraph, bucket: Component, access: str) -> Iterator[Hit]:
    pab = shield(graph, bucket)
    acls_count = _off(pab["ignore_public_acls"]) and _off(pab["block_public_acls"])
    policies_count = _off(pab["restrict_public_buckets"]) and _off(pab["block_public_policy"])
    ownership_enforced = bucket.get("object_ownership") == "BucketOwnerEnforced"
    found: list[Exposure] = []
    if acls_count and not ownership_enforced:
        found.extend(e for e in acl_exposures(bucket) if e.access == access)
    if policies_count:
        found.extend(e for e in policy_exposures(bucket) if e.access == access)
    verb = "read" if access == "read" else "write to"
    fix = ("Remove the public ACL or grant, restrict the policy's principal or add a condition, and "
           "enable all four public access block settings.")
    for exposure in found:
        yield Hit(
            bucket,
            exposure.loc,
            f"Anyone on the internet can {verb} bucket {bucket.display}: {exposure.how}, and no public "
            f"access block neutralises it. {fix}",
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
)
def s3_public_read(graph: ResourceGraph) -> Iterator[Hit]:
    """A bucket whose objects anyone on the internet can list or read leaks whatever is put in it,
    now or later. Public read comes from a canned ACL, an ACL grant to the AllUsers or
    AuthenticatedUsers groups, or a bucket policy allowing s3:Get*/s3:List* to Principal "*"
    without a condition that restricts who the caller is or where the request comes from. A public
    access block on the bucket or account (ignore/block public ACLs, restrict public buckets/block
    public policy) neutralises the matching kind of exposure; settings whose value is unknown are
    given the benefit of the doubt."""
    for bucket in graph.of_kind(kinds.S3_BUCKET):
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
)
def s3_public_write(graph: ResourceGraph) -> Iterator[Hit]:
    """Anyone able to write to a bucket can plant malware in content you serve, overwrite or delete
    data, and run up your bill; with WRITE_ACP or s3:PutBucketPolicy they take the bucket over. The
    exposure comes from a public-read-write ACL, a write grant to AllUsers/AuthenticatedUsers, or a
    policy allowing s3:Put*/s3:Delete* to Principal "*" without a restricting condition, and is
    neutralised by the matching public access block settings."""
    for bucket in graph.of_kind(kinds.S3_BUCKET):
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


POLICIES = [s3_public_read, s3_public_write, s3_public_access_block_missing]
