"""Where a format writes a fact: the vocabulary's mapping tables read backwards, so the editors
never repeat an attribute or property name a table already holds."""

from __future__ import annotations

from functools import cache

from iac_assist.model.mapping import Mapping, Path, Source, by_type


@cache
def _mappings(front_end: str) -> dict[str, Mapping]:
    from iac_assist.model import vocabulary

    out: dict[str, Mapping] = {}
    for table in vocabulary.tables(front_end):
        out.update(by_type(table))
    return out


def written_at(front_end: str, source_type: str, fact: str) -> Source | None:
    """The table's ``Source`` of ``fact`` for ``source_type`` in ``front_end``'s format, or None
    when no table maps it (a front end's own code reads it)."""
    mapping = _mappings(front_end).get(source_type)
    if mapping is None:
        return None
    return mapping.sources().get(fact)


def first_path(front_end: str, source_type: str, fact: str) -> Path | None:
    """Where a fact the resource does not write yet is written: the table's first path (its
    current name; later ones are older spellings or alternatives)."""
    source = written_at(front_end, source_type, fact)
    return source.paths[0] if source is not None and source.paths else None
