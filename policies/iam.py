"""IAM policies: statements that grant everything, whole services on every resource, or the means
to escalate privileges; long-lived access keys and a weak account password policy."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from iac_assist.analysis.policy import Hit, policy
from iac_assist.fixes.declare import Change
from iac_assist.model import Component, Fact, Location, Ref, Unknown, kinds
from iac_assist.model.graph import ResourceGraph
from iac_assist.model.policy_documents import (
    ASSUME_ROLE_ACTIONS,
    WEB_IDENTITY,
    action_allowed,
    allowed_actions,
    condition_provider,
    every_action,
    excluded_actions,
    federated,
    is_allow,
    principal_is_public,
    restricted,
    subject_pinned,
    web_identity_provider,
)

_STARS = re.compile(r"\*+")
_PARTITIONS = {"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}
_KIND_NAMES = {kinds.IAM_ROLE: "role", kinds.IAM_USER: "user", kinds.IAM_GROUP: "group"}


@dataclass(frozen=True)
class Statement:
    """An Allow statement of an identity policy, as the checks see it."""

    policy: Component
    index: int
    body: dict[str, Any]
    loc: Location

    @property
    def label(self) -> str:
        sid = self.body.get("Sid")
        return f"statement {sid!r}" if isinstance(sid, str) and sid else f"statement {self.index + 1}"

    @property
    def key(self) -> str:
        """Stable within the resource: the policy part and the statement (its Sid, else its index)."""
        sid = self.body.get("Sid")
        part = _local_id(self.policy)[len(self.policy.address):]
        return f"{part}:{sid if isinstance(sid, str) and sid else self.index}"


def _local_id(comp: Component) -> str:
    """The component's id within its scope: its address, or ``<address>.<block>[i]`` for a part."""
    return comp.id[len(comp.scope) + 1:] if comp.scope else comp.id


def allow_statements(graph: ResourceGraph) -> Iterator[Statement]:
    """Every statement with Effect Allow (known) of every identity policy."""
    for comp in graph.of_kind(kinds.IAM_POLICY):
        found = comp.get("statements")
        if not isinstance(found, list):
            continue
        for n, fact in enumerate(found):
            body = fact.value if isinstance(fact, Fact) else fact
            loc = fact.loc if isinstance(fact, Fact) else comp.loc_of("statements")
            if not isinstance(body, dict):
                continue
            if is_allow(body):
                yield Statement(comp, n, body, loc)


def _values(value: Any) -> list[Any] | None:
    """An Action/Resource element as a list; None when the element itself is not known."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return value
    return None


def _stars(text: str) -> bool:
    return _STARS.fullmatch(text) is not None


def all_actions(pattern: Any) -> bool:
    """``*`` (or ``*:*``): every action of every service, as every policy document check decides it."""
    return every_action(pattern)


def whole_service(pattern: Any) -> bool:
    """``s3:*``: every action of one service (a service wildcard such as ``s*:*`` counts too)."""
    if not isinstance(pattern, str) or all_actions(pattern):
        return False
    service, sep, action = pattern.partition(":")
    return bool(sep and service and _stars(action))


def all_resources(pattern: Any) -> bool:
    """``*``, or an ARN pattern that leaves every part open (``arn:aws:*:*:*:*``, ``arn:*``)."""
    if not isinstance(pattern, str):
        return False
    if _stars(pattern):
        return True
    parts = pattern.lower().split(":")
    if parts[0] != "arn" or len(parts) < 2 or not _stars(parts[-1]):
        return False
    return all(_stars(p) or (i == 0 and p in _PARTITIONS) for i, p in enumerate(parts[1:]))


def on_every_resource(statement: dict[str, Any]) -> bool:
    """The statement applies to every resource: ``Resource: "*"``, or ``NotResource`` (every
    resource except a few). Unknown parts never make it true."""
    if "Resource" in statement:
        resources = _values(statement["Resource"])
        return resources is not None and any(all_resources(r) for r in resources)
    if "NotResource" in statement:
        excluded = _values(statement["NotResource"])
        if excluded is None or not all(isinstance(r, str) for r in excluded):
            return False  # an unknown exclusion may exclude everything
        return not any(all_resources(r) for r in excluded)
    return False  # IAM rejects a statement without either


def is_admin(statement: dict[str, Any]) -> bool:
    actions = _values(statement.get("Action"))
    return actions is not None and any(all_actions(a) for a in actions) and on_every_resource(statement)


def overreach(statement: dict[str, Any]) -> str | None:
    """How the statement grants whole services on every resource (None when it does not)."""
    if is_admin(statement) or not on_every_resource(statement):
        return None
    if "Action" in statement:
        actions = _values(statement["Action"])
        services = sorted({a for a in actions or [] if whole_service(a)}, key=str.lower)
        if services:
            quoted = ", ".join(f'"{s}"' for s in services)
            each = "the service" if len(services) == 1 else "each service"
            return f"Action {quoted} (every action of {each})"
        return None
    excluded = excluded_actions(statement)  # None when it may exclude, or excludes, everything
    if excluded is not None:
        quoted = ", ".join(f'"{a}"' for a in excluded)
        return f"every action except {quoted} (Allow with NotAction)"
    return None


def describe(graph: ResourceGraph, comp: Component) -> str:
    """The policy as a reader knows it, with what it is attached to."""
    name = comp.get("name")
    named = f" {name!r}" if isinstance(name, str) and name else ""
    if _local_id(comp) != comp.address:
        text = f"inline policy{named} of {comp.display}"
    else:
        text = f"{'managed' if comp.is_true('managed') else 'inline'} policy {comp.display}"
        attached = _attached(graph, comp)
        if attached:
            text += f" (attached to {attached})"
    return text


def _attached(graph: ResourceGraph, comp: Component) -> str:
    targets = comp.get("attached_to")
    if not isinstance(targets, list):
        return ""
    names: list[str] = []
    for target in targets:
        found = graph.resolve(comp, target, *kinds.IAM_PRINCIPALS)
        if found is not None:
            names.append(f"{_KIND_NAMES[found.kind]} {found.display}")
        elif isinstance(target, str):
            names.append(target)
        elif isinstance(target, Ref):
            names.append(target.address)
    return ", ".join(dict.fromkeys(names))


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


_FIX = ("Grant only the actions the principal needs (for example s3:GetObject) on the resources it "
        "needs (their ARNs).")


@policy(
    id="IAC-IAM-001",
    control="iam-wildcard-admin",
    title="IAM policy grants full administrator access",
    severity="critical",
    stride="E",
    cwe=269,
    remediation="""
Replace `"Action": "*"` on `"Resource": "*"` with the actions and resources the principal needs,
in the policy document of `aws_iam_policy` / `aws_iam_role_policy` / `aws_iam_role`
`inline_policy` (`policy`, or the `actions` and `resources` of a `data "aws_iam_policy_document"`
statement) and of `AWS::IAM::ManagedPolicy` / `AWS::IAM::Policy` / the `Policies` of
`AWS::IAM::Role`, `User` or `Group` (`PolicyDocument`). Generate a least-privilege policy from
CloudTrail activity with IAM Access Analyzer; keep administrator access to break-glass roles
outside the application's configuration.
""",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html",
    ),
    no_fix="the actions and resources the holder needs are only known to you",
)
def iam_wildcard_admin(graph: ResourceGraph) -> Iterator[Hit]:
    """A principal holding an identity policy that allows every action on every resource is an
    administrator of the account: anyone who can act as it (a compromised instance, a leaked key,
    a vulnerable function) can read every secret, create users and delete everything. Reported
    for each statement of an identity policy (managed policies, inline policies of roles, users
    and groups, in both formats) with Effect Allow whose Action is "*" (or "*:*"; actions are
    compared case-insensitively) on Resource "*" (or an ARN pattern that leaves every part open,
    such as "arn:aws:*:*:*:*"). Allow with NotResource counts as every resource except a few.
    Decisions: a condition does not exempt the statement (it limits when, not what, is granted);
    a managed policy is reported even when nothing in the configuration attaches it (it exists to
    be attached); an unknown Effect, Action or Resource element gives no finding, while a known "*"
    next to unknown elements does; a document or statement that is not known gives no finding.
    Resource-based policies (bucket policies...), trust policies and AWS managed policies such as
    AdministratorAccess attached by ARN are not this control's subject. The finding points at the
    statement (CloudFormation) or at the policy attribute (Terraform: JSON text keeps no lines)."""
    for statement in allow_statements(graph):
        if not is_admin(statement.body):
            continue
        yield Hit(
            statement.policy,
            statement.loc,
            f"{_sentence(describe(graph, statement.policy))} grants full administrator access: its "
            f'{statement.label} allows Action "*" on Resource "*". {_FIX}',
            cause=f"admin:{statement.key}",
        )


@policy(
    id="IAC-IAM-002",
    control="iam-wildcard-overreach",
    title="IAM policy grants whole services on every resource",
    severity="medium",
    stride="E",
    cwe=269,
    remediation="""
List the actions the principal needs instead of a service wildcard (`"s3:*"`, `"ec2:*"`) or an
Allow with `NotAction`, and scope `Resource` to the ARNs it works on: in `aws_iam_policy` /
`aws_iam_role_policy` / `aws_iam_role` `inline_policy` documents (or the `actions`, `not_actions`
and `resources` of a `data "aws_iam_policy_document"` statement) and in the `PolicyDocument` of
`AWS::IAM::ManagedPolicy` / `AWS::IAM::Policy` / the `Policies` of a role, user or group. Use
IAM Access Analyzer policy generation to find the actions actually used.
""",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-policy-generation.html",
    ),
    no_fix="the actions and resources the holder needs are only known to you",
)
def iam_wildcard_overreach(graph: ResourceGraph) -> Iterator[Hit]:
    """A statement allowing every action of a service ("s3:*", "iam:*"; compared
    case-insensitively; a service pattern such as "s*:*" counts too) on Resource "*" gives the
    principal every present and future permission of that service on every resource of the
    account, including deleting data and changing the service's own access policies; "iam:*"
    on "*" is administrator access in two steps. Allow with NotAction on Resource "*" grants every
    action of every service except the few listed, including those of services added later.
    Reported once per statement of an identity policy, naming the service wildcards it holds.
    Decisions: statements reported by iam-wildcard-admin are not reported again; NotResource on
    Allow counts as every resource except a few, like NotAction; a NotAction or NotResource list
    with an unknown element gives no finding (it may exclude everything), nor does one that
    excludes "*"; wildcards on part of an action ("s3:Get*") are not whole services; conditions
    do not exempt the statement; unknown documents, statements, effects or resources give no
    finding. The finding points at the statement (CloudFormation) or at the policy attribute."""
    for statement in allow_statements(graph):
        how = overreach(statement.body)
        if how is None:
            continue
        yield Hit(
            statement.policy,
            statement.loc,
            f"{_sentence(describe(graph, statement.policy))} grants whole services on every resource: "
            f'its {statement.label} allows {how} on Resource "*". {_FIX}',
            cause=f"overreach:{statement.key}",
        )


# --- privilege escalation ------------------------------------------------------------------------

PASS_ROLE = "iam:PassRole"
POLICY_WRITES = (
    "iam:CreatePolicyVersion",
    "iam:PutRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy",
    "iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy",
)
"""Actions that write a permission policy onto a principal, or a new version of a managed one."""
_TAG_KEYS = ("aws:resourcetag/", "iam:resourcetag/")
_WRITE_CONFINING = ("iam:permissionsboundary", "iam:policyarn")
_IAM_EVERY = re.compile(r"(?:(?:role|user|group|policy)/)?\*+")


def _every_principal(pattern: Any) -> bool:
    """An IAM ARN pattern that covers every role, user, group or policy of an account
    (``arn:aws:iam::123456789012:role/*``): for these actions, as good as ``*``."""
    if not isinstance(pattern, str):
        return False
    parts = pattern.split(":", 5)
    if len(parts) != 6 or parts[0].lower() != "arn" or not (parts[2].lower() == "iam" or _stars(parts[2])):
        return False
    return _IAM_EVERY.fullmatch(parts[5].lower()) is not None


def _everywhere(statement: dict[str, Any]) -> bool:
    if "Resource" in statement:
        resources = _values(statement["Resource"])
        return resources is not None and any(all_resources(r) or _every_principal(r) for r in resources)
    return on_every_resource(statement)


def escalation(statement: dict[str, Any]) -> list[str]:
    """The escalation actions the statement allows on every role, user, group or policy, leaving
    out those its condition confines (or may confine)."""
    if is_admin(statement) or not _everywhere(statement):
        return []
    condition = statement.get("Condition")
    found = []
    # A condition narrowing what is granted (or one that is not known, and may) exempts.
    if not restricted(condition, (), _TAG_KEYS):
        found += allowed_actions(statement, (PASS_ROLE,))
    if not restricted(condition, _WRITE_CONFINING, _TAG_KEYS):
        found += allowed_actions(statement, POLICY_WRITES)
    return found


def _holder(graph: ResourceGraph, comp: Component) -> str | None:
    """Who can use the policy: its principals; for a managed policy nothing attaches here, any it
    may be attached to; None when nothing can (an inline policy of no principal)."""
    if comp.is_true("managed"):
        return "" if _attached(graph, comp) else " (not attached in this configuration: whoever it is attached to)"
    return "" if comp.has("attached_to") else None


@policy(
    id="IAC-IAM-003",
    control="iam-privilege-escalation",
    title="IAM policy lets its holder escalate privileges",
    severity="high",
    stride="E",
    cwe=269,
    remediation="""
Scope `iam:PassRole` to the ARNs of the roles the principal must hand to a service, with an
`iam:PassedToService` condition, and never allow `iam:CreatePolicyVersion`, `iam:Put*Policy` or
`iam:Attach*Policy` on `"*"`: name the roles, users, groups or policies they apply to, or confine
them with an `iam:PolicyARN` or `iam:PermissionsBoundary` condition (the documented way to
delegate IAM administration). In Terraform this is the `policy` of `aws_iam_policy` /
`aws_iam_role_policy` / `aws_iam_role` `inline_policy` (or the `actions`, `resources` and
`condition` of a `data "aws_iam_policy_document"` statement); in CloudFormation the
`PolicyDocument` of `AWS::IAM::ManagedPolicy`, `AWS::IAM::Policy` or the `Policies` of
`AWS::IAM::Role`, `User` or `Group`.
""",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html",
    ),
    no_fix="whether the holder needs the permission is only known to you",
)
def iam_privilege_escalation(graph: ResourceGraph) -> Iterator[Hit]:
    """Some IAM permissions are administrator access in disguise. iam:PassRole on every role lets
    the holder give any role, an administrator's included, to an EC2 instance, a Lambda function
    or a build it starts, and act as that role. Writing permission policies on every principal or
    policy (iam:CreatePolicyVersion, iam:PutRolePolicy/PutUserPolicy/PutGroupPolicy,
    iam:AttachRolePolicy/AttachUserPolicy/AttachGroupPolicy) lets it grant itself, or anyone,
    any permission. Reported once per statement of an identity policy with Effect Allow that
    allows one of these actions (Action patterns such as "iam:*", "iam:Put*" or "iam:*Policy"
    count, compared case-insensitively; Allow with NotAction counts unless it excludes them) on
    Resource "*", an ARN pattern that leaves every part open, a pattern covering every role, user,
    group or policy of an account (arn:aws:iam::123456789012:role/*), or NotResource. The policy
    must be usable by a principal: an inline policy is its role's, user's or group's; a managed
    policy counts when attached to a principal of the configuration, and also when nothing here
    attaches it, since it exists to be attached (as iam-wildcard-admin decides); an inline policy
    naming no principal at all (AWS::IAM::Policy without Roles, Users or Groups) grants nothing.
    Decisions: iam:CreatePolicy alone is not reported (a new policy grants nothing until attached,
    which takes an Attach action); conditions that narrow what is granted exempt: iam:PolicyARN and
    iam:PermissionsBoundary for the policy-writing actions, aws:ResourceTag/iam:ResourceTag keys
    for all of them, whereas conditions on when or how (MFA, source IP, iam:PassedToService, which
    still lets any role be passed to that service) do not; a condition that is not known may
    narrow it and gives no finding; statements reported by iam-wildcard-admin are not reported
    again (administrator access covers it), while those iam-wildcard-overreach reports (such as
    "iam:*" on "*") are, since the escalation is the graver consequence; unknown documents,
    statements, actions or resources give no finding. The finding points at the statement
    (CloudFormation) or at the policy attribute (Terraform)."""
    for statement in allow_statements(graph):
        actions = escalation(statement.body)
        if not actions:
            continue
        holder = _holder(graph, statement.policy)
        if holder is None:
            continue
        how = []
        if PASS_ROLE in actions:
            how.append("hand any role to a service it runs and act as that role")
        if any(a in POLICY_WRITES for a in actions):
            how.append("grant itself any permission")
        yield Hit(
            statement.policy,
            statement.loc,
            f"{_sentence(describe(graph, statement.policy))}{holder} lets its holder escalate privileges: its "
            f"{statement.label} allows {', '.join(actions)} on every resource, so the holder can "
            f"{' and '.join(how)}. Scope iam:PassRole to the roles it must pass and the policy actions to "
            "named principals, or confine them with an iam:PolicyARN / iam:PermissionsBoundary condition.",
            cause=f"escalation:{statement.key}",
        )


# --- long-lived credentials ------------------------------------------------------------------------


@policy(
    id="IAC-IAM-005",
    control="iam-user-access-key",
    title="Long-lived IAM access key created in the configuration",
    severity="medium",
    stride="S",
    cwe=522,
    remediation="""
Do not create access keys in infrastructure code. Give workloads roles (instance profiles, task
and execution roles, IRSA or EKS Pod Identity), CI systems OIDC federation
(`aws_iam_openid_connect_provider` and a role they assume), people IAM Identity Center. When a key
cannot be avoided, create it outside the configuration, keep it in a secrets manager and rotate it;
at the very least encrypt it in the Terraform state with `pgp_key`, and never output it.
""",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#bp-workloads-use-roles",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
        "https://developer.hashicorp.com/terraform/language/state/sensitive-data",
    ),
    no_fix="replacing a key with a role changes how its user signs in",
)
def iam_user_access_key(graph: ResourceGraph) -> Iterator[Hit]:
    """An access key does not expire: whoever reads it acts as its user until someone rotates or
    deletes it. Created by the configuration, its secret is an attribute of the resource: in clear
    in the Terraform state (and in plan files and outputs that pass it on), and available to any
    template that reads GetAtt SecretAccessKey, which usually ends in an output, a parameter or an
    environment variable. Every aws_iam_access_key and AWS::IAM::AccessKey is reported, at the
    resource: an inactive one too (it can be switched on and is still in the state), and one whose
    Terraform secret is encrypted with pgp_key (the message says so: the key is long-lived all the
    same). Keys created outside the configuration are not seen."""
    for key in graph.of_kind(kinds.IAM_ACCESS_KEY):
        user = graph.resolve(key, key.get("user"), kinds.IAM_USER)
        name = key.get("user")
        whose = f"user {user.display}" if user is not None else (f"user {name}" if isinstance(name, str) else
                                                                  "an IAM user")
        inactive = " (inactive, but it can be switched on)" if key.equals("status", "Inactive") else ""
        if key.source_type.startswith("AWS::"):
            where = "its secret is readable through GetAtt SecretAccessKey, wherever the template passes it"
        elif key.is_unset("pgp_key"):
            where = "its secret lands in clear in the Terraform state"
        else:
            where = "its secret is kept in the Terraform state, encrypted with pgp_key"
        yield Hit(key, key.loc,
                  f"Access key {key.display} is a long-lived credential of {whose}{inactive}: {where}, and it stays "
                  "valid until rotated. Use a role (or OIDC federation) and short-lived credentials instead.",
                  cause="access-key")


MIN_PASSWORD_LENGTH = 14
PASSWORD_REUSE_PREVENTION = 24
IAM_DEFAULTS = {"minimum_password_length": 6, "password_reuse_prevention": 0}
"""What IAM applies when a password policy is set without the setting."""



def _strong_password_policy(hit: Hit, graph: ResourceGraph) -> Change:
    """Raise the minimum password length to 14 and the reuse prevention to 24, whichever is
    lower (it applies at each user's next password change)."""
    limits = {"minimum_password_length": MIN_PASSWORD_LENGTH, "password_reuse_prevention": PASSWORD_REUSE_PREVENTION}
    return Change(hit.component, {fact: limits[fact] for fact in hit.cause.split(",") if fact in limits})


@policy(
    id="IAC-IAM-006",
    control="iam-password-policy-weak",
    title="Account password policy allows short or reused passwords",
    severity="medium",
    stride="S",
    cwe=521,
    remediation="""
Set `minimum_password_length = 14` (or more) and `password_reuse_prevention = 24` on
`aws_iam_account_password_policy` (CIS AWS Foundations 1.8 and 1.9). Better still, give people
IAM Identity Center and no IAM user passwords at all.
""",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html",
    ),
    formats=("terraform",),  # CloudFormation has no account password policy resource
    fix=_strong_password_policy,
)
def iam_password_policy_weak(graph: ResourceGraph) -> Iterator[Hit]:
    """Short passwords fall to guessing and credential stuffing; reused ones come back from old
    breaches. The account password policy (Terraform's aws_iam_account_password_policy;
    CloudFormation has no such resource) is reported when its minimum length is below 14 or it
    prevents the reuse of fewer than the last 24 passwords (CIS AWS Foundations), at the setting,
    or at the resource when it is left out: IAM then applies 6 and 0 (no reuse prevention). An
    unknown value is not reported. A configuration without a password policy is not reported:
    the policy is an account baseline's, and an application stack does not set it."""
    for setting in graph.of_kind(kinds.ACCOUNT_SETTING):
        if not setting.equals("setting", "iam-password-policy"):
            continue
        weak = []
        for fact, limit, what in (("minimum_password_length", MIN_PASSWORD_LENGTH, "a minimum password length"),
                                  ("password_reuse_prevention", PASSWORD_REUSE_PREVENTION,
                                   "password reuse prevention")):
            if setting.below(fact, limit, unset=IAM_DEFAULTS[fact]):
                value = setting.get(fact, IAM_DEFAULTS[fact])
                unset = "not set: the IAM default, " if not setting.has(fact) else ""
                weak.append((fact, f"{what} of {value} ({unset}below {limit})"))
        if not weak:
            continue
        loc = next((setting.loc_of(f) for f, _ in weak if setting.has(f)), setting.loc)
        yield Hit(setting, loc,
                  f"Password policy {setting.display} sets " + " and ".join(text for _, text in weak) +
                  f". Require at least {MIN_PASSWORD_LENGTH} characters and prevent the reuse of the last "
                  f"{PASSWORD_REUSE_PREVENTION} passwords.",
                  cause=",".join(f for f, _ in weak))


# --- trust policies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicTrust:
    """A trust policy statement that lets anyone (or any identity of a provider) assume a role."""

    loc: Location
    why: str
    """What it lets in, for a message: 'anyone (Principal "*")', 'any identity of ...'."""
    cause: str


def _statement_label(body: dict[str, Any], n: int) -> str:
    sid = body.get("Sid")
    return f"statement {sid!r}" if isinstance(sid, str) and sid else f"statement {n + 1}"


def _provider_name(graph: ResourceGraph, role: Component, value: Any) -> tuple[str | None, str]:
    """The provider a Federated value names (lower case host, None when not known) and how to
    name it: a reference to an aws_iam_openid_connect_provider / AWS::IAM::OIDCProvider of the
    configuration is read for its URL."""
    provider = web_identity_provider(value)
    if provider is not None:
        return provider, provider
    refs = [value] if isinstance(value, Ref) else list(value.refs) if isinstance(value, Unknown) else []
    for ref in refs:
        found = graph.resolve(role, ref, kinds.OTHER)
        attributes = found.get("attributes") if found is not None else None
        url = attributes.get("url", attributes.get("Url")) if isinstance(attributes, dict) else None
        if isinstance(url, str) and url:
            host = url.lower().removeprefix("https://").rstrip("/")
            return host, f"{found.display} ({host})"
    return None, ""


def public_trust(graph: ResourceGraph, role: Component) -> Iterator[PublicTrust]:
    """The statements of the role's trust policy that let anyone assume it (see
    iam_role_trust_public)."""
    found = role.get("trust_statements")
    if not isinstance(found, list):
        return
    for n, fact in enumerate(found):
        body = fact.value if isinstance(fact, Fact) else fact
        loc = fact.loc if isinstance(fact, Fact) else role.loc_of("trust_statements")
        if not isinstance(body, dict) or not is_allow(body):
            continue
        label = _statement_label(body, n)
        key = body.get("Sid") if isinstance(body.get("Sid"), str) and body.get("Sid") else n
        principal = body.get("Principal")
        condition = body.get("Condition")
        if principal_is_public(principal) is True and not restricted(condition) \
                and any(action_allowed(body, a) is True for a in ASSUME_ROLE_ACTIONS):
            yield PublicTrust(loc, f'its {label} lets anyone assume it (Principal "*" without a condition '
                                   "on the caller's account, organization or network)", f"public:{key}")
            continue
        if action_allowed(body, WEB_IDENTITY) is not True:
            continue
        for value in federated(principal) or []:
            provider, name = _provider_name(graph, role, value)
            if provider == "":
                continue  # a SAML provider: one's own identity provider signs the assertions
            pinned = subject_pinned(condition, provider)
            name = name or provider or condition_provider(condition) or "its federated principal"
            if pinned is False:
                yield PublicTrust(loc, f"its {label} lets any identity of web identity provider {name} assume "
                                       "it: no condition on the token's subject (sub) keeps it to one's own "
                                       "repositories, service accounts or users", f"web-identity:{key}:{name}")
                break


@policy(
    id="IAC-IAM-004",
    control="iam-role-trust-public",
    title="IAM role can be assumed by anyone",
    severity="critical",
    stride="SE",
    cwe=284,
    remediation="""
Name who may assume the role in its trust policy (`assume_role_policy` of `aws_iam_role`, or the
`principals` and `condition` blocks of a `data "aws_iam_policy_document"`;
`AssumeRolePolicyDocument` of `AWS::IAM::Role`): an account, role or service principal instead of
`"*"`, or keep `"*"` only with an `aws:PrincipalOrgID` / `aws:PrincipalAccount` condition. For a
web identity (OIDC) trust, add a condition on the token's subject: for GitHub Actions
`StringLike` `token.actions.githubusercontent.com:sub` = `repo:<owner>/<repository>:*` (or a
branch or environment), for EKS service accounts `<oidc-provider>:sub` =
`system:serviceaccount:<namespace>:<name>`; a condition on `aud` alone admits every repository
or workload of the provider.
""",
    references=(
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html",
        "https://docs.github.com/en/actions/security-for-github-actions/security-hardening-your-deployments/configuring-openid-connect-in-amazon-web-services",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
    ),
    no_fix="the accounts or services that may assume the role are only known to you",
)
def iam_role_trust_public(graph: ResourceGraph) -> Iterator[Hit]:
    """A role anyone can assume hands its permissions to anyone who knows (or guesses) its ARN.
    Reported for each Allow statement of a role's trust policy (assume_role_policy, inline JSON,
    jsonencode() or an aws_iam_policy_document; AssumeRolePolicyDocument) that either
    (1) grants sts:AssumeRole, AssumeRoleWithWebIdentity or AssumeRoleWithSAML (patterns such as
    "sts:*" count) to Principal "*" or {"AWS": "*"} without a condition on the caller's
    identity or network (aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn,
    aws:SourceAccount, aws:SourceIp... as the other public-policy controls decide; sts:ExternalId
    is not one: it is no secret), or (2) grants sts:AssumeRoleWithWebIdentity to a Federated web
    identity (OIDC) provider, named or as an oidc-provider ARN, without a positive string
    condition (StringEquals, StringLike, their IgnoreCase, IfExists and ForAnyValue forms) on the
    token's subject, <provider>:sub: any GitHub repository in the world (token.actions.
    githubusercontent.com) or any service account of the cluster can then assume it.
    Decisions: a sub condition whose values all leave the GitHub owner open ("repo:*",
    "repo:*/*", "*", "repo:my-org*" without the slash: anyone can create an owner with that
    prefix) counts as none, while "repo:my-org/*" keeps the role to one organisation and
    passes; for other providers only a sub value made of wildcards alone counts as none; a
    condition on aud alone does not pin the subject (every GitHub token carries the audience
    sts.amazonaws.com), except for Cognito identity pools, Google, Facebook and Login with
    Amazon, whose aud / app_id names one's own application, and for the issuers of one tenant
    whose aud names that tenant (a CircleCI organization, a Bitbucket workspace: every project of
    the organization may assume the role, as "repo:my-org/*" allows on GitHub); conditions on another provider's
    claims, and negative operators (StringNotEquals), do not count; a SAML provider is one's own
    identity provider and is not reported; a provider given by a reference is read from the
    aws_iam_openid_connect_provider it names when the configuration has it, and when it is not
    known any ...:sub condition counts. Unknown documents, principals, actions and conditions
    give no finding; NotPrincipal and Deny statements are not judged. The finding points at the
    statement (CloudFormation) or at the assume_role_policy attribute (Terraform)."""
    for role in graph.of_kind(kinds.IAM_ROLE):
        for trust in public_trust(graph, role):
            yield Hit(role, trust.loc,
                      f"IAM role {role.display} can be assumed by anyone: {trust.why}. Name the principals "
                      "that may assume it, or add a condition on the caller's organization, or on the web "
                      "identity token's sub (for GitHub: repo:<owner>/<repository>:...).",
                      cause=trust.cause)


POLICIES = [iam_wildcard_admin, iam_wildcard_overreach, iam_privilege_escalation, iam_role_trust_public,
            iam_user_access_key, iam_password_policy_weak]
