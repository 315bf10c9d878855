"""IAM: identity policies (managed and inline) as policy documents, their principals and
attachments.

CloudFormation writes documents as mappings, so each statement keeps its own line; a document
written as a JSON string is located at the property.
"""

from __future__ import annotations

import json
from typing import Any

from iac_assist.model import Component, Location, Ref, Unknown, kinds
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.convert import known_items
from iac_assist.model.resource import SourceResource
from iac_assist.model.vocabulary.iam import attach, statement_facts

# Standalone inline policies: type -> properties naming the principals they belong to.
_INLINE = {
    "AWS::IAM::Policy": ("Roles", "Users", "Groups"),
    "AWS::IAM::RolePolicy": ("RoleName",),
    "AWS::IAM::UserPolicy": ("UserName",),
    "AWS::IAM::GroupPolicy": ("GroupName",),
}


def register(normalizer: Normalizer) -> None:
    normalizer.extend("AWS::IAM::ManagedPolicy")(managed_policy)
    normalizer.extend(*_INLINE)(inline_policy)
    normalizer.extend("AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group")(principal)


def managed_policy(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    _principals(comp, res, ("Roles", "Users", "Groups"))
    _document(comp, res, ("PolicyDocument",))


def inline_policy(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    _principals(comp, res, _INLINE[res.type])
    _document(comp, res, ("PolicyDocument",))


def principal(comp: Component, res: SourceResource, b: ModelBuilder) -> None:
    if comp.kind == kinds.IAM_ROLE and res.get("AssumeRolePolicyDocument") is not None:
        raw = res.get("AssumeRolePolicyDocument")
        trust, loc = decode(raw), res.at("AssumeRolePolicyDocument")
        comp.set("trust_policy", trust, loc)
        # Lines exist only for a document written as a mapping, not for JSON text.
        inner = ("AssumeRolePolicyDocument", "Statement") if isinstance(raw, dict) else None

        def locate(i: int | None) -> Location:
            return loc if inner is None else res.at(*inner) if i is None else res.at(*inner, i)

        comp.set("trust_statements", statement_facts(trust, locate), res.at(*inner) if inner else loc)
    for arn in known_items(res.get("ManagedPolicyArns")):
        attach(b, arn, [Ref(res.address, "Ref")], res)
    for i, entry in res.blocks("Policies"):
        part = b.add(res, kinds.IAM_POLICY, id=f"{res.address}.Policies[{i}]", loc=res.at("Policies", i))
        part.set("managed", False)
        if entry.get("PolicyName") is not None:
            part.set("name", entry["PolicyName"], res.at("Policies", i, "PolicyName"))
        part.set("attached_to", [Ref(res.address, "Ref")], res.at("Policies", i))
        _document(part, res, ("Policies", i, "PolicyDocument"))


def decode(value: Any) -> Any:
    """A policy document property: a mapping, JSON text, or Unknown."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return Unknown("policy document is not valid JSON")
    if isinstance(value, (dict, Unknown)):
        return value
    return Unknown("policy document is not a mapping")


def _document(comp: Component, res: SourceResource, path: tuple[str | int, ...]) -> None:
    raw = res.get(*path)
    if raw is None:
        return
    doc = decode(raw)
    loc = res.at(*path)
    comp.set("document", doc, loc)
    # Lines exist only for a document written as a mapping, not for JSON text.
    inner = path + ("Statement",) if isinstance(raw, dict) else None

    def locate(i: int | None) -> Location:
        return loc if inner is None else res.at(*inner) if i is None else res.at(*inner, i)

    comp.set("statements", statement_facts(doc, locate), res.at(*inner) if inner else loc)


def _principals(comp: Component, res: SourceResource, props: tuple[str, ...]) -> None:
    found: list[Any] = []
    unknown = False
    for prop in props:
        value = res.get(prop)
        if value is None:
            continue
        if isinstance(value, list):
            found.extend(value)
        elif isinstance(value, Unknown):
            unknown = True
        else:
            found.append(value)
    if found or unknown:
        loc = next((res.at(p) for p in props if res.get(p) is not None), res.loc)
        comp.set("attached_to", found if not unknown else Unknown("attached principals are not known"), loc)
