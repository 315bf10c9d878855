"""How a policy declares its fix: what the fix changes on the model, never in a file.

A policy names facts of the model (``storage_encrypted``, ``http_tokens``), as its check does; each
front end's editor (``iac_assist.fixes.editor``) finds where its format writes them, through the
same vocabulary tables that read them, and turns the change into text edits. So a fix is written
once for every format, and a policy never spells a Terraform attribute or a CloudFormation
property.

Three shapes, all given to ``@policy(fix=...)`` or ``@policy(no_fix=...)``:

* ``SetFacts({"storage_encrypted": True})``: make these facts of the hit's component equal these
  values. A fact some format writes on another resource (an S3 bucket's public access block,
  Terraform's ``aws_s3_bucket_public_access_block``) is that format's business: its editor adds
  the satellite resource in the provider's current shape.
* a function ``(hit, graph) -> Change | NoFix`` when the edit depends on the hit: a plaintext
  listener redirects only when an HTTPS listener exists beside it; a value written at the hit's
  own line (a CloudFront cache behavior) is ``Change(at=((hit.loc, value),))``.
* ``no_fix="why"``: no edit can be right (an open admin port: the CIDR to allow is only known to
  the user). The rule docs say why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from iac_assist.model import Component, Location, shown

if TYPE_CHECKING:
    from iac_assist.analysis.policy import Hit
    from iac_assist.model.graph import ResourceGraph


@dataclass(frozen=True)
class Change:
    """What one fix changes on the model, for one component."""

    component: Component
    facts: Mapping[str, Any] = field(default_factory=dict)
    """Facts to set: scalars (bool, int, str), lists of them, or a dict for a block of settings
    (``public_access_block``); each editor renders them in its format's syntax."""
    at: tuple[tuple[Location, Any], ...] = ()
    """Scalars to write at places a fact's element was read from (the line of a cache behavior's
    viewer protocol policy): the editor replaces the value of the attribute or property that
    starts at that line."""
    note: str = ""
    """What a reviewer must know before applying it (the change replaces the resource)."""

    def describe(self) -> str:
        """``set storage_encrypted = true``: the change in the model's words."""
        parts = [f"{name} = {_shown(value)}" for name, value in self.facts.items()]
        parts += [f"{_shown(value)} at line {loc.line}" for loc, value in self.at]
        text = "set " + ", ".join(parts) if parts else "no change"
        return f"{text} ({self.note})" if self.note else text


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_shown(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    return shown(value)


@dataclass(frozen=True)
class NoFix:
    """Why no edit is made for this hit (or, declared on a policy, for any of its hits)."""

    reason: str


FixRule = Callable[["Hit", "ResourceGraph"], Change | NoFix]
"""What ``@policy(fix=...)`` takes: ``SetFacts`` or a function of the hit and the graph."""


@dataclass(frozen=True)
class SetFacts:
    """Make ``values`` the facts of the hit's component."""

    values: Mapping[str, Any]
    note: str = ""

    def __call__(self, hit: Hit, graph: ResourceGraph) -> Change | NoFix:
        return Change(hit.component, dict(self.values), note=self.note)

    def describe(self) -> str:
        return Change(_NOBODY, dict(self.values), note=self.note).describe()


_NOBODY = Component("", "", "", "", Location("", 0))


def describe(rule: FixRule) -> str:
    """What a declared fix does, for the rule docs: ``SetFacts``'s values, else the function's
    docstring (its first paragraph)."""
    if isinstance(rule, SetFacts):
        return rule.describe()
    doc = (getattr(rule, "__doc__", "") or "").strip().split("\n\n")[0]
    return " ".join(doc.split())
