"""IAM in Terraform: identity policies (managed and inline) as policy documents, their principals
and attachments.

Documents arrive as evaluated values: ``jsonencode(...)`` gives JSON text (or ``PartialJson`` when
parts are unknown), a heredoc gives JSON text, ``data.aws_iam_policy_document.x.json`` gives the
rendered JSON once the evaluator renders it (a reference whose value is not known otherwise).
Terraform keeps no line inside a JSON string, so every statement is located at the policy
attribute.
"""

from __future__ import annotations

from typing import Any

from iac_assist.model import Component, Fact, Location, Ref, Unknown, kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.terraform.normalizer import NORMALIZER, items
from iac_assist.parsers.terraform.values import decode_document

# Inline policy resources: type -> the attribute naming the principal they belong to.
_INLINE = {
    "aws_iam_role_policy": "role",
    "aws_iam_user_policy": "user",
    "aws_iam_group_policy": "group",
}
# Attachment resources: type -> the attributes naming principals (one each, or lists).
_ATTACHMENTS = {
    "aws_iam_role_policy_attachment": ("role",),
    "aws_iam_user_policy_attachment": ("user",),
    "aws_iam_group_policy_attachment": ("group",),
    "aws_iam_policy_attachment": ("roles", "users", "groups"),
}
_PRINCIPALS = {"aws_iam_role": kinds.IAM_ROLE, "aws_iam_user": kinds.IAM_USER, "aws_iam_group": kinds.IAM_GROUP}


def document(value: Any) -> Any:
    """A policy attribute as a document: a dict (parts may be Unknown) or Unknown."""
    if isinstance(value, Ref):
        value = value.value  # a rendered data source document, when the evaluator knows it
    decoded = decode_document(value)
    if isinstance(decoded, dict):
        return decoded
    return decoded if isinstance(decoded, Unknown) else Unknown("the policy document is not known")


def statements(doc: Any, loc: Location) -> Any:
    """One Fact per statement (all at ``loc``), or Unknown when the list itself is not known."""
    if not isinstance(doc, dict):
        return Unknown("the policy document is not known")
    found = doc.get("Statement")
    if found is None:
        return []
    if isinstance(found, dict):
        found = [found]
    if not isinstance(found, list):
        return Unknown("Statement is not known")
    return [Fact(s if isinstance(s, (dict, Unknown)) else Unknown("not a statement"), loc) for s in found]


def set_document(comp: Component, value: Any, loc: Location, origin: str = "") -> None:
    doc = document(value)
    comp.set("document", doc, loc, origin)
    comp.set("statements", statements(doc, loc), loc, origin)


@NORMALIZER.register("aws_iam_policy")
def managed_policy(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.IAM_POLICY)
    comp.set("managed", True)
    b.copy(comp, "name", res, "name")
    if res.has("policy"):
        set_document(comp, res.get("policy"), res.at("policy"))


@NORMALIZER.register(*_INLINE)
def inline_policy(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.IAM_POLICY)
    comp.set("managed", False)
    b.copy(comp, "name", res, "name")
    principal = _INLINE[res.type]
    if res.has(principal):
        comp.set("attached_to", [res.get(principal)], res.at(principal))
    if res.has("policy"):
        set_document(comp, res.get("policy"), res.at("policy"))


# Principals run in phase 1: managed policies (phase 0) exist, so the policies a role lists in
# managed_policy_arns learn what they are attached to.
@NORMALIZER.register(*_PRINCIPALS, phase=1)
def principal(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, _PRINCIPALS[res.type])
    b.copy(comp, "name", res, "name")
    if res.type == "aws_iam_role" and res.has("assume_role_policy"):
        comp.set("trust_policy", document(res.get("assume_role_policy")), res.at("assume_role_policy"))
    if res.has("managed_policy_arns"):
        arns = res.get("managed_policy_arns")
        comp.set("managed_policies", arns, res.at("managed_policy_arns"))
        for arn in items(arns):
            _attach(b, arn, [Ref(res.address)], res)
    for i, block in res.blocks("inline_policy"):
        if "policy" not in block:
            continue  # an empty inline_policy block only tells Terraform to remove the others
        part = b.add(res, kinds.IAM_POLICY, id=f"{res.address}.inline_policy[{i}]",
                     loc=res.at("inline_policy", i))
        part.set("managed", False)
        if "name" in block:
            part.set("name", block["name"], res.at("inline_policy", i, "name"))
        part.set("attached_to", [Ref(res.address)], res.at("inline_policy", i))
        set_document(part, block["policy"], res.at("inline_policy", i, "policy"))


@NORMALIZER.register(*_ATTACHMENTS, phase=1)
def attachment(res: SourceResource, b: ModelBuilder) -> None:
    principals: list[Any] = []
    for attr in _ATTACHMENTS[res.type]:
        principals.extend(items(res.get(attr)))
    if not _attach(b, res.get("policy_arn"), principals, res):
        # An AWS managed policy, or one defined elsewhere: the attachment stays in the graph.
        b.add(res, kinds.OTHER).set("attributes", res.body)


def _attach(b: ModelBuilder, arn: Any, principals: list[Any], res: SourceResource) -> bool:
    """Add ``principals`` to the ``attached_to`` of the managed policy ``arn`` points at."""
    policy = b.owner(_policy_name(arn), kinds.IAM_POLICY)
    if policy is None:
        return False
    origin = res.address if res.address != policy.address else ""
    fact = policy.facts.get("attached_to")
    if fact is None:
        policy.set("attached_to", list(principals), res.loc, origin=origin)
    elif isinstance(fact.value, list):
        fact.value.extend(principals)
    return True


def _policy_name(arn: Any) -> Any:
    """A literal customer managed policy ARN stands for the policy of that name (its path and
    account are not checked: they are rarely known statically); AWS managed policies are none
    of ours."""
    if isinstance(arn, str) and ":policy/" in arn and ":iam::aws:policy/" not in arn:
        return arn.rsplit("/", 1)[-1]
    return arn
