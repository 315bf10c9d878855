"""Mapping tables: where an input format writes each fact of a kind, applied the same way for
every format.

A table maps source types to a ``Mapping``: the kind their components get and, for each fact,
the ``Source`` it is read from (attribute or property paths, the first one written wins, and a
converter). What a table cannot say (satellites folded onto their owner, legacy inline blocks,
shapes that differ between the formats) stays as small code in the front end, registered for the
same source type: it runs after the table, on the component the table made.

One rule is decided here for every format: a value written as null is not written at all
(Terraform's ``= null`` and a plan's unset attributes mean the provider default), nor is one a
converter turns into None (``""`` where a format says "none").
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from typing import Any

from iac_assist.model import Component, is_known

Path = tuple[str | int, ...]
Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class Source:
    """The first of ``paths`` the resource writes (not null), through ``convert`` (a path whose
    converted value is None counts as not written)."""

    paths: tuple[Path, ...]
    convert: Converter | None = None
    empty_is_unset: bool = False
    """An empty text counts as not written too (a module's "none" default for a name or ARN)."""

    def describe(self) -> str:
        return " or ".join(".".join(str(step) for step in path) or "(the whole body)" for path in self.paths)


def src(*paths: str | Path, convert: Converter | None = None, empty_is_unset: bool = False) -> Source:
    """``src("kms_key_id")``, ``src("Port", convert=to_int)``, ``src("a", "b")`` (the first of
    ``a`` and ``b`` written), ``src(("restore", 0, "source"))`` (a nested path), ``src(())`` (the
    whole body)."""
    return Source(tuple((p,) if isinstance(p, str) else tuple(p) for p in paths), convert, empty_is_unset)


@dataclass(frozen=True)
class Mapping:
    """What components of some source types are: their kind, the facts read from the source, and
    facts that hold a fixed value when the source does not write them (``engine`` of a Neptune
    cluster, which has no such attribute)."""

    kind: str
    facts: MappingType[str, str | Source] = field(default_factory=dict)
    otherwise: MappingType[str, Any] = field(default_factory=dict)
    phase: int = 0
    """1 for components whose front-end code looks up others when they are made (IAM principals
    attach themselves to the managed policies they list, made in phase 0); see ``Normalizer``."""

    def sources(self) -> dict[str, Source]:
        return {name: src(s) if isinstance(s, str) else s for name, s in self.facts.items()}


Table = MappingType[str | tuple[str, ...], Mapping]
"""Source type, or a tuple of source types alike, to their mapping."""


def by_type(table: Table) -> dict[str, Mapping]:
    """One entry per source type."""
    out: dict[str, Mapping] = {}
    for types, mapping in table.items():
        for source_type in (types,) if isinstance(types, str) else types:
            if source_type in out:
                raise ValueError(f"{source_type} is mapped twice")
            out[source_type] = mapping
    return out


def read(comp: Component, res: Any, source: Source, fact: str, origin: str = "") -> bool:
    """Set ``comp.fact`` from the first path of ``source`` that ``res`` writes; True if one was."""
    for path in source.paths:
        value = res.get(*path)
        if value is None or (source.empty_is_unset and isinstance(value, str) and value == ""):
            continue
        if source.convert is not None and is_known(value):
            value = source.convert(value)
            if value is None:
                continue  # the converter says "not written" (an empty string standing for none)
        comp.set(fact, value, res.at(*path), origin=origin, provenance=res.origins_at(*path))
        return True
    return False


def apply(mapping: Mapping, comp: Component, res: Any) -> None:
    """Set every fact ``mapping`` reads from ``res`` onto ``comp``."""
    for name, source in mapping.sources().items():
        if not read(comp, res, source, name) and name in mapping.otherwise:
            comp.set(name, mapping.otherwise[name])
    for name, value in mapping.otherwise.items():
        if name not in mapping.facts and not comp.has(name):
            comp.set(name, value)
