"""CloudTrail policies: whether an account's baseline records its API activity, and whether each
trail's record is complete, tamper-evident and under your key."""

from __future__ import annotations

from collections.abc import Iterator

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import Change, NoFix
from iac_assist.model import Component, kinds
from iac_assist.model.graph import ResourceGraph

_SETTING_NAMES = {
    kinds.S3_ACCOUNT_PAB: "the account's S3 public access block",
    kinds.EBS_DEFAULT_ENCRYPTION: "EBS encryption by default",
    kinds.METADATA_DEFAULTS: "the account's instance metadata defaults",
}
_SETTINGS = {
    "organizations": "AWS Organizations",
    "iam-password-policy": "the IAM password policy",
    "iam-account-alias": "the account alias",
    "guardduty": "GuardDuty",
    "config": "AWS Config",
    "securityhub": "Security Hub",
    "access-analyzer": "IAM Access Analyzer",
    "macie": "Macie",
    "detective": "Detective",
    "inspector": "Inspector",
    "ebs-default-kms-key": "the EBS default KMS key",
    "account-contact": "the account contacts",
}


def _order(comp: Component) -> tuple[str, int, str]:
    return comp.loc.file, comp.loc.line, comp.id


def _shortfalls(trail: Component) -> list[str]:
    """Why a trail does not give the account a complete, tamper-evident record (known values
    only: an unknown one may be fine)."""
    out = []
    if trail.is_false("multi_region", unset=False):
        out.append("records one region only")
    if trail.is_false("log_file_validation", unset=False):
        out.append("has log file validation off")
    if trail.is_false("logging", unset=True):
        out.append("has logging turned off")
    return out


def _what(comp: Component) -> str:
    """An account-level resource as a reader knows it."""
    if comp.kind == kinds.ACCOUNT_SETTING:
        setting = comp.get("setting")
        name = _SETTINGS.get(setting, setting) if isinstance(setting, str) else "an account setting"
    else:
        name = _SETTING_NAMES.get(comp.kind, comp.kind)
    return f"{name}, {comp.display}"


@policy(
    id="IAC-CT-001",
    control="cloudtrail-missing",
    title="Account has no multi-region CloudTrail trail with log file validation",
    severity="medium",
    stride="R",
    cwe=778,
    precision="medium",
    remediation="""
Add a trail that records every region and signs its log files: `aws_cloudtrail` with
`is_multi_region_trail = true` and `enable_log_file_validation = true` (Terraform), or
`AWS::CloudTrail::Trail` with `IsMultiRegionTrail: true`, `EnableLogFileValidation: true` and
`IsLogging: true` (CloudFormation), delivering to a dedicated, access-restricted S3 bucket and
encrypted with a KMS key (`kms_key_id` / `KMSKeyId`). In an AWS Organization, one organization
trail (`is_organization_trail` / `IsOrganizationTrail`) in the management account covers every
member account.
""",
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html",
    ),
    no_fix="a trail needs a bucket with a policy that lets CloudTrail write: yours to choose",
)
def cloudtrail_missing(graph: ResourceGraph) -> Iterator[Hit]:
    """Without a trail, the only record of who did what in the account is the 90-day event
    history of one region at a time, which an intruder's activity in an unused region escapes and
    which cannot be proven untouched: incidents cannot be reconstructed and nobody can be held to
    an action. A multi-region trail with log file validation keeps every region's management
    events, with signed digest files that make deleted or altered log files detectable. Which
    configurations are judged: only those that define an account's own infrastructure, recognised
    by an account-wide resource that an application stack or a reusable module does not define:
    AWS Organizations resources, the IAM password policy or account alias, a GuardDuty detector, an
    AWS Config recorder, delivery channel or aggregator, Security Hub, IAM Access Analyzer, Macie,
    Detective, Inspector, EBS encryption by default or its default KMS key, the S3 account public
    access block, the instance metadata defaults, account contacts, or a CloudTrail trail itself.
    Such a configuration (a Terraform root module with its modules, or one CloudFormation template)
    is reported once unless one of its trails records every region with log file validation and
    logging on; an organization trail that does so anywhere in the scan covers every
    configuration. Decisions: a trail whose multi-region, validation or logging setting is not
    known counts (it may qualify); a trail with logging turned off does not count; CloudTrail Lake
    event data stores do not count (they are not trails and keep no log files to validate); a trail
    defined in another configuration of the same account is not seen: suppress the finding with
    that reason. The finding points at the configuration's first trail when it has one (none of
    them qualifies, see cloudtrail-misconfigured for each), else at its first account-wide
    resource."""
    by_scope: dict[str, list[Component]] = {}
    for comp in graph.of_kind(*kinds.ACCOUNT_LEVEL):
        by_scope.setdefault(comp.scope, []).append(comp)
    trails = graph.of_kind(kinds.CLOUDTRAIL)
    if any(t.is_true("organization") and not _shortfalls(t) for t in trails):
        return
    for scope in sorted(by_scope):
        members = sorted(by_scope[scope], key=_order)
        own = [t for t in members if t.kind == kinds.CLOUDTRAIL]
        if any(not _shortfalls(t) for t in own):
            continue
        if own:
            anchor = own[0]
            why = "; ".join(f"trail {t.display} {' and '.join(_shortfalls(t))}" for t in own)
            yield Hit(
                anchor,
                anchor.loc,
                f"The account this configuration sets up has no complete CloudTrail record: {why}. Make a "
                "trail multi-region with log file validation and logging on (is_multi_region_trail, "
                "enable_log_file_validation / IsMultiRegionTrail, EnableLogFileValidation).",
                cause="no-qualifying-trail",
            )
            continue
        anchor = members[0]
        yield Hit(
            anchor,
            anchor.loc,
            f"This configuration sets up an account (it configures {_what(anchor)}) but defines no CloudTrail "
            "trail: API "
            "activity in the account leaves no lasting, tamper-evident record. Add a multi-region trail with "
            "log file validation (aws_cloudtrail / AWS::CloudTrail::Trail).",
            cause="no-trail",
        )


_FIXES = {
    "multi_region": ("it records only the region it is created in",
                     "set is_multi_region_trail / IsMultiRegionTrail to true"),
    "log_file_validation": ("log file validation is off, so altered or deleted log files go unnoticed",
                            "set enable_log_file_validation / EnableLogFileValidation to true"),
    "kms_key": ("its log files are not encrypted with a KMS key (SSE-S3 only)",
                "set kms_key_id / KMSKeyId to a customer managed key"),
}


def _off(trail: Component, fact: str) -> bool:
    """The setting is known to be off: not written (off is the AWS default), false, or an empty
    key id (a module's way of saying "no key")."""
    if not trail.has(fact):
        return True
    return trail.equals(fact, "") if fact == "kms_key" else trail.is_false(fact)



def _complete_trail(hit: Hit, graph: ResourceGraph) -> Change | NoFix:
    """Turn on the setting the trail lacks: multi-region recording or log file validation (a KMS
    key is the user's to choose)."""
    fact = hit.cause.partition(":")[0]
    if fact == "kms_key":
        return NoFix("encrypting the logs needs a KMS key whose policy lets CloudTrail use it: yours to choose")
    return Change(hit.component, {fact: True})


@policy(
    id="IAC-CT-002",
    control="cloudtrail-misconfigured",
    title="CloudTrail trail is single-region, unvalidated or not KMS-encrypted",
    severity="medium",
    stride="R",
    cwe=778,
    remediation="""
On each trail: `is_multi_region_trail = true`, `enable_log_file_validation = true` and
`kms_key_id = <customer managed key ARN>` on `aws_cloudtrail` (Terraform);
`IsMultiRegionTrail: true`, `EnableLogFileValidation: true` and `KMSKeyId` on
`AWS::CloudTrail::Trail` (CloudFormation). The key policy must let cloudtrail.amazonaws.com
GenerateDataKey* with an `aws:SourceArn` / `kms:EncryptionContext:aws:cloudtrail:arn` condition.
""",
    references=(
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/best-practices-security.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html",
        "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html",
    ),
    fix=_complete_trail,
)
def cloudtrail_misconfigured(graph: ResourceGraph) -> Iterator[Hit]:
    """A trail is the account's audit record only when it is complete, tamper-evident and
    readable by few: a single-region trail misses whatever happens in the other regions (where an
    intruder goes to stay unseen), without log file validation nobody can prove the logs were not
    edited or deleted, and without SSE-KMS anyone who can read the bucket reads the logs, with no
    key policy or key usage record in between. Reported once per shortfall of every trail, at the
    setting when it is written, else at the trail: is_multi_region_trail / IsMultiRegionTrail false
    or not written, enable_log_file_validation / EnableLogFileValidation false or not written
    (both off by default), kms_key_id / KMSKeyId not written or empty. Decisions: a value not known
    before deployment gives no finding; any key counts (a key id, alias or ARN, known or not);
    trails with logging turned off are judged like others (cloudtrail-missing does not count them);
    organization trails are judged like others."""
    for trail in graph.of_kind(kinds.CLOUDTRAIL):
        for fact, (what, fix) in _FIXES.items():
            if not _off(trail, fact):
                continue
            yield Hit(
                trail,
                trail.loc_of(fact),
                f"CloudTrail trail {trail.display} does not keep a complete, protected record: {what}. "
                f"{fix[:1].upper()}{fix[1:]}.",
                cause=f"{fact}:{'false' if trail.has(fact) else 'absent'}",
            )


POLICIES = [cloudtrail_missing, cloudtrail_misconfigured]
