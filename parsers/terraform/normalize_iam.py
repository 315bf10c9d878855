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

from iac_assist.model import Component, Location, Ref, Unknown, kinds
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.iam import attach, statement_facts
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


def document(value: Any) -> Any:
    """A policy attribute as a document: a dict (parts may be Unknown) or Unknown."""
    if isinstance(value, Ref):
        value = value.value  # a rendered data source document, when the evaluator knows it
    decoded = decode_document(value)
    if isinstance(decoded, dict):
        return decoded
    return decoded if isinstance(decoded, Unknown) else Unknown("the policy document is not known")


def set_document(comp: Component, value: Any, loc: Location, origin: str = "") -> None:
    doc = document(value)
    comp.set("document", doc, loc, origin)
    # Terraform keeps no line inside a JSON string: every statement is at the attribute.
    comp.set("statements", statement_facts(doc, lambda _i: loc), loc, origin)


@NORMALIZER.extend("aws_iam_policy")
def managed_policy(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    if res.get("policy") is not None:
        set_document(comp, res.get("policy"), res.at("policy"))


@NORMALIZER.extend(*_INLINE)
def inline_policy(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    owner = res.get(_INLINE[res.type])
    if owner is not None:
        comp.set("attached_to", [owner], res.at(_INLINE[res.type]))
    if res.get("policy") is not None:
        set_document(comp, res.get("policy"), res.at("policy"))


@NORMALIZER.extend("aws_iam_role", "aws_iam_user", "aws_iam_group")
def principal(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    if res.type == "aws_iam_role" and res.get("assume_role_policy") is not None:
        loc = res.at("assume_role_policy")
        trust = document(res.get("assume_role_policy"))
        comp.set("trust_policy", trust, loc)
        comp.set("trust_statements", statement_facts(trust, lambda _i: loc), loc)
    for arn in items(res.get("managed_policy_arns")):
        attach(b, arn, [Ref(res.address)], res)
    for i, block in res.blocks("inline_policy"):
        if block.get("policy") is None:
            continue  # an empty inline_policy block only tells Terraform to remove the others
        part = b.add(res, kinds.IAM_POLICY, id=f"{res.address}.inline_policy[{i}]",
                     loc=res.at("inline_policy", i))
        part.set("managed", False)
        if block.get("name") is not None:
            part.set("name", block["name"], res.at("inline_policy", i, "name"))
        part.set("attached_to", [Ref(res.address)], res.at("inline_policy", i))
        set_document(part, block["policy"], res.at("inline_policy", i, "policy"))


@NORMALIZER.register(*_ATTACHMENTS, phase=1)
def attachment(res: SourceResource, b: ModelBuilder) -> None:
    principals: list[Any] = []
    for attr in _ATTACHMENTS[res.type]:
        principals.extend(items(res.get(attr)))
    if attach(b, res.get("policy_arn"), principals, res) is None:
        # An AWS managed policy, or one defined elsewhere: the attachment stays in the graph.
        b.add(res, kinds.OTHER).set("attributes", res.body)
