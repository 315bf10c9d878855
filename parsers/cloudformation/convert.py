"""Helpers shared by the CloudFormation normalizers.

CloudFormation is loosely typed: booleans and numbers are often written as strings ("true",
"443"). These helpers turn such values into the vocabulary's types, pass ``Unknown`` and ``Ref``
through untouched, and never guess: a value that cannot be converted becomes ``Unknown``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from iac_assist.model import Component, Fact, Unknown, number_text
from iac_assist.model.builder import ModelBuilder
from iac_assist.model.kinds import OTHER
from iac_assist.model.resource import SourceResource


def text(value: Any) -> Any:
    """A scalar as text (protocol numbers may be written as numbers); other values unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        written = number_text(value)
        return written if written is not None else Unknown("not a usable number (too large, or infinite)")
    return value


def present(entry: Any, keys: Iterable[str]) -> list[Any]:
    """The values of those ``keys`` that ``entry`` (a resolved dict) sets, in order."""
    if not isinstance(entry, dict):
        return []
    return [entry[k] for k in keys if k in entry]


def fact_list(
    comp: Component,
    key: str,
    res: SourceResource,
    path: tuple[str | int, ...],
    item: Callable[[Any], Any],
) -> None:
    """Set ``comp.key`` to one Fact per entry of the list property at ``path``, each with its line."""
    if not res.has(*path):
        return
    value = res.get(*path)
    if isinstance(value, list):
        value = [Fact(item(entry), res.at(*path, i)) for i, entry in enumerate(value)]
    comp.set(key, value, res.at(*path))


def append_fact(comp: Component, key: str, fact: Fact) -> None:
    """Add a satellite's entry (a route, a rule) to a list fact of its owner."""
    existing = comp.facts.get(key)
    if existing is None:
        comp.set(key, [fact], fact.loc, origin=fact.origin)
    elif isinstance(existing.value, list):
        existing.value.append(fact)
    # else: the owner's list is unknown already; one more known entry does not make it known.


def fold_target(
    builder: ModelBuilder,
    res: SourceResource,
    target: Any,
    kinds: str | Iterable[str],
    name_fact: str = "name",
) -> Component | None:
    """The owner a satellite folds onto; when it is not in the model, the satellite stays visible
    as an ``other`` component so the graph still holds it and its references."""
    owner = builder.owner(target, kinds, name_fact)
    if owner is None:
        keep_as_other(builder, res)
    return owner


def keep_as_other(builder: ModelBuilder, res: SourceResource) -> None:
    """Model ``res`` the way unhandled types are: an ``other`` component holding its body."""
    builder.add(res, OTHER).set("attributes", res.body)
