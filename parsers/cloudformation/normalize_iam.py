"""IAM: identity policies (managed and inline) as policy documents, their principals and
attachments.

CloudFormation writes documents as mappings, so each statement keeps its own line; a document
written as a JSON string is located at the property.
"""

from __future__ import annotations

import json
from typing import Any

from iac_assist.model import Component, Fact, Ref, Unknown, kinds
from iac_assist.model.builder import ModelBuilder, Normalizer
from iac_assist.model.resource import SourceResource

# Standalone inline policies: type -> properties naming the principals they belong to.
_INLINE = {
    "AWS::IAM::Policy": ("Roles", "Users", "Groups"),
    "AWS::IAM::RolePolicy": ("RoleName",),
    "AWS::IAM::UserPolicy": ("UserName",),
    "AWS::IAM::GroupPolicy": ("GroupName",),
}
_PRINCIPALS = {
    "AWS::IAM::Role": (kinds.IAM_ROLE, "RoleName"),
    "AWS::IAM::User": (kinds.IAM_USER, "UserName"),
    "AWS::IAM::Group": (kinds.IAM_GROUP, "GroupName"),
}


def register(normalizer: Normalizer) -> None:
    normalizer.register("AWS::IAM::ManagedPolicy")(managed_policy)
    normalizer.register(*_INLINE)(inline_policy)
    # Principals run in phase 1: the managed policies they list in ManagedPolicyArns exist by then.
    normalizer.register(*_PRINCIPALS, phase=1)(principal)


def managed_policy(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.IAM_POLICY)
    comp.set("managed", True)
    b.copy(comp, "name", res, "ManagedPolicyName")
    _principals(comp, res, ("Roles", "Users", "Groups"))
    _document(comp, res, ("PolicyDocument",))


def inline_policy(res: SourceResource, b: ModelBuilder) -> None:
    comp = b.add(res, kinds.IAM_POLICY)
    comp.set("managed", False)
    b.copy(comp, "name", res, "PolicyName")
    _principals(comp, res, _INLINE[res.type])
    _document(comp, res, ("PolicyDocument",))


def principal(res: SourceResource, b: ModelBuilder) -> None:
    kind, name = _PRINCIPALS[res.type]
    comp = b.add(res, kind)
    b.copy(comp, "name", res, name)
    if kind == kinds.IAM_ROLE and res.has("AssumeRolePolicyDocument"):
        comp.set("trust_policy", decode(res.get("AssumeRolePolicyDocument")), res.at("AssumeRolePolicyDocument"))
    if res.has("ManagedPolicyArns"):
        arns = res.get("ManagedPolicyArns")
        comp.set("managed_policies", arns, res.at("ManagedPolicyArns"))
        for arn in arns if isinstance(arns, list) else []:
            policy = b.owner(arn, kinds.IAM_POLICY)
            if policy is not None:
                _add_principal(policy, Ref(res.address, "Ref"), res)
    for i, entry in res.blocks("Policies"):
        part = b.add(res, kinds.IAM_POLICY, id=f"{res.address}.Policies[{i}]", loc=res.at("Policies", i))
        part.set("managed", False)
        if "PolicyName" in entry:
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
    if not res.has(*path):
        return
    raw = res.get(*path)
    doc = decode(raw)
    loc = res.at(*path)
    comp.set("document", doc, loc)
    if not isinstance(doc, dict):
        comp.set("statements", doc, loc)
        return
    found = doc.get("Statement")
    # Lines exist only for a document written as a mapping, not for JSON text.
    inner = path + ("Statement",) if isinstance(raw, dict) else None
    if found is None:
        value: Any = []
    elif isinstance(found, dict):
        value = [Fact(found, res.at(*inner) if inner else loc)]
    elif isinstance(found, list):
        value = [Fact(s if isinstance(s, (dict, Unknown)) else Unknown("not a statement"),
                      res.at(*inner, i) if inner else loc) for i, s in enumerate(found)]
    else:
        value = Unknown("Statement is not known")
    comp.set("statements", value, res.at(*inner) if inner else loc)


def _principals(comp: Component, res: SourceResource, props: tuple[str, ...]) -> None:
    found: list[Any] = []
    unknown = False
    for prop in props:
        if not res.has(prop):
            continue
        value = res.get(prop)
        if isinstance(value, list):
            found.extend(value)
        elif isinstance(value, Unknown):
            unknown = True
        else:
            found.append(value)
    if found or unknown:
        loc = next((res.at(p) for p in props if res.has(p)), res.loc)
        comp.set("attached_to", found if not unknown else Unknown("attached principals are not known"), loc)


def _add_principal(policy: Component, principal: Any, res: SourceResource) -> None:
    fact = policy.facts.get("attached_to")
    if fact is None:
        policy.set("attached_to", [principal], res.loc, origin=res.address)
    elif isinstance(fact.value, list):
        fact.value.append(principal)
