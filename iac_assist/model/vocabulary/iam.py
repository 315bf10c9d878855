"""IAM: identity policies (managed and inline) as policy documents, the principals they apply to,
and how a principal or an attachment finds the managed policy it names."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from iac_assist.model import Component, Fact, Location, Unknown
from iac_assist.model.mapping import Mapping, src
from iac_assist.model.vocabulary import fact, kind

if TYPE_CHECKING:  # the builder needs the vocabulary, not the other way round
    from iac_assist.model.builder import ModelBuilder
    from iac_assist.model.resource import SourceResource

IAM_POLICY = kind(
    "iam.policy", """An identity policy: managed (aws_iam_policy, AWS::IAM::ManagedPolicy) or inline
    (aws_iam_role_policy, aws_iam_user_policy, aws_iam_group_policy, aws_iam_role inline_policy,
    AWS::IAM::Policy, AWS::IAM::RolePolicy..., Policies of AWS::IAM::Role/User/Group). An inline
    policy written inside a principal is a part of it: it has the principal's address and id
    "<address>.<block>[i]".""",
    fact("name", "str | Unknown", "policy name"),
    fact("managed", "bool", "True for a managed (attachable) policy; always set"),
    fact("document", "dict | Unknown", """the policy document (policy / PolicyDocument, parsed JSON; parts may
         be Unknown)"""),
    fact("statements", "list[Fact[dict | Unknown]] | Unknown", """the document's statements (a single
         Statement object becomes a list of one), each located at its own line when the source keeps
         it (CloudFormation), else at the document's line"""),
    fact("attached_to", "list[Ref | str] | Unknown", """roles, users and groups it applies to: an inline
         policy's owner; for a managed policy, attachment resources and principals'
         managed_policy_arns / ManagedPolicyArns""", "attached to nothing known"),
)
_PRINCIPAL = (
    fact("name", "str | Unknown", "role, user or group name"),
    fact("managed_policies", "list[Ref | str] | Unknown", "managed policy ARNs the principal lists itself"),
)
IAM_ROLE = kind("iam.role", "An IAM role.", *_PRINCIPAL,
                fact("trust_policy", "dict | Unknown",
                     "the assume-role policy document (assume_role_policy / AssumeRolePolicyDocument)"),
                fact("trust_statements", "list[Fact[dict | Unknown]] | Unknown",
                     """the trust policy's statements, each located at its own line when the source
                     keeps it (CloudFormation), else at the document's line"""))
IAM_USER = kind("iam.user", "An IAM user.", *_PRINCIPAL)
IAM_GROUP = kind("iam.group", "An IAM group.", *_PRINCIPAL)


def policy_name(arn: Any) -> Any:
    """A literal customer managed policy ARN stands for the policy of that name (its path and
    account are not checked: they are rarely known statically); AWS managed policies are none of
    the configuration's. Other values (a reference) unchanged."""
    if isinstance(arn, str) and ":policy/" in arn and ":iam::aws:policy/" not in arn:
        return arn.rsplit("/", 1)[-1]
    return arn


def attach(b: ModelBuilder, arn: Any, principals: list[Any], res: SourceResource) -> Component | None:
    """Add ``principals`` to the ``attached_to`` of the managed policy ``arn`` names, as ``res``
    (a principal or an attachment) says; the policy, or None when the configuration does not
    define it."""
    policy = b.owner(policy_name(arn), IAM_POLICY)
    if policy is None:
        return None
    fact = policy.facts.get("attached_to")
    origin = res.address if res.address != policy.address else ""
    if fact is None:
        policy.set("attached_to", list(principals), res.loc, origin=origin)
    elif isinstance(fact.value, list):
        fact.value.extend(principals)
    return policy


def statement_facts(document: Any, locate: Callable[[int | None], Location]) -> list[Fact] | Unknown:
    """The ``statements`` of a policy's ``document``: one Fact per statement, located by
    ``locate(i)`` (``locate(None)`` for a single Statement object), or Unknown when the list is
    not known."""
    if not isinstance(document, dict):
        return document if isinstance(document, Unknown) else Unknown("the policy document is not known")
    found = document.get("Statement")
    if found is None:
        return []
    if isinstance(found, dict):
        return [Fact(found, locate(None))]
    if not isinstance(found, list):
        return Unknown("Statement is not known")
    return [Fact(s if isinstance(s, (dict, Unknown)) else Unknown("not a statement"), locate(i))
            for i, s in enumerate(found)]


# Principals are made in phase 1: the managed policies they list exist by then (front-end code
# attaches them, reads the trust policy and makes the inline policies written inside).
_MANAGED = {"managed": True}
_INLINE = {"managed": False}

TERRAFORM = {
    # Documents, the owner of an inline policy and attachments are read by the front end's code.
    "aws_iam_policy": Mapping(IAM_POLICY, {"name": "name"}, otherwise=_MANAGED),
    ("aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"): Mapping(
        IAM_POLICY, {"name": "name"}, otherwise=_INLINE),
    **{source_type: Mapping(principal, {"name": "name", "managed_policies": "managed_policy_arns"}, phase=1)
       for source_type, principal in (("aws_iam_role", IAM_ROLE), ("aws_iam_user", IAM_USER),
                                      ("aws_iam_group", IAM_GROUP))},
}

CLOUDFORMATION = {
    "AWS::IAM::ManagedPolicy": Mapping(IAM_POLICY, {"name": "ManagedPolicyName"}, otherwise=_MANAGED),
    ("AWS::IAM::Policy", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy", "AWS::IAM::GroupPolicy"): Mapping(
        IAM_POLICY, {"name": "PolicyName"}, otherwise=_INLINE),
    **{source_type: Mapping(principal, {"name": name, "managed_policies": "ManagedPolicyArns"}, phase=1)
       for source_type, principal, name in (("AWS::IAM::Role", IAM_ROLE, "RoleName"),
                                            ("AWS::IAM::User", IAM_USER, "UserName"),
                                            ("AWS::IAM::Group", IAM_GROUP, "GroupName"))},
}

# --- access keys ------------------------------------------------------------------------------------

IAM_ACCESS_KEY = kind(
    "iam.access_key", """A long-lived access key of an IAM user (aws_iam_access_key, AWS::IAM::AccessKey): its
    secret is an attribute of the resource (Terraform state, CloudFormation GetAtt SecretAccessKey).""",
    fact("user", "Ref | str | Unknown", "the user it belongs to (user / UserName)"),
    fact("status", "str | Unknown", "Active | Inactive", "Active"),
    fact("pgp_key", "str | Unknown", "(Terraform) PGP key the secret is encrypted with in the state",
         "the secret is kept in clear in the state"),
)

TERRAFORM["aws_iam_access_key"] = Mapping(IAM_ACCESS_KEY, {
    "user": "user", "status": "status", "pgp_key": src("pgp_key", empty_is_unset=True)})
CLOUDFORMATION["AWS::IAM::AccessKey"] = Mapping(IAM_ACCESS_KEY, {"user": "UserName", "status": "Status"})

TABLES = {"terraform": TERRAFORM, "cloudformation": CLOUDFORMATION}
