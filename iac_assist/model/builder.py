"""Turning front-end resources into model components: the shared machinery.

Each front end has a ``Normalizer`` with one handler per source resource type. Handlers of
phase 0 create components (a bucket, a security group); handlers of phase 1 fold satellites
onto the component they belong to (``aws_s3_bucket_policy``, ``AWS::EC2::SecurityGroupIngress``),
keeping the satellite's own locations on the facts they add.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from iac_assist.model import Component, Location, Origin, Ref, ScanError, is_known
from iac_assist.model.credentials import attach as attach_credentials
from iac_assist.model.data_classification import attach as attach_classification
from iac_assist.model.mapping import Mapping, by_type
from iac_assist.model.mapping import apply as apply_mapping
from iac_assist.model.resource import SourceResource

READ_ONLY_PREFIX = "data."
"""Source types of data sources: not modelled, only scanned for literal secrets (a data source
with one becomes an ``other`` component so the finding can name it)."""


Handler = Callable[[SourceResource, "ModelBuilder"], None]


@dataclass
class ModelBuilder:
    """Collects components while the normalizers run (typed edges are derived by the graph)."""

    scope: str = ""
    """Addresses are unique within a scope (a Terraform root module, a template file)."""
    components: dict[str, Component] = field(default_factory=dict)
    errors: list[ScanError] = field(default_factory=list)
    _by_address: dict[str, list[str]] = field(default_factory=dict)
    _name_index: dict[str, tuple[int, dict[str, list[str]]]] = field(default_factory=dict)

    def add(
        self,
        res: SourceResource,
        kind: str,
        *,
        id: str | None = None,
        loc: Location | None = None,
    ) -> Component:
        local_id = id or res.address
        cid = f"{self.scope}#{local_id}" if self.scope else local_id
        comp = Component(
            id=cid,
            kind=kind,
            address=res.address,
            source_type=res.type,
            loc=loc or res.loc,
            label=res.label,
            scope=self.scope,
            call_loc=res.call_loc,
        )
        self.components[cid] = comp
        self._by_address.setdefault(res.address, []).append(cid)
        return comp

    def copy(
        self,
        comp: Component,
        key: str,
        res: SourceResource,
        *path: str | int,
        convert: Callable[[Any], Any] | None = None,
    ) -> bool:
        """Set ``comp.key`` from ``res`` at ``path`` when it was written; True if it was."""
        if not res.has(*path):
            return False
        value = res.get(*path)
        if convert is not None and is_known(value):
            value = convert(value)
        comp.set(key, value, res.at(*path), origin=_origin(comp, res), provenance=res.origins_at(*path))
        return True

    def by_address(self, address: str) -> list[Component]:
        return [self.components[c] for c in self._by_address.get(address, ())]

    def owner(self, target: Any, kinds: str | Iterable[str], name_fact: str = "name") -> Component | None:
        """The component a satellite belongs to: by reference, or by a literal name."""
        wanted = {kinds} if isinstance(kinds, str) else set(kinds)
        if isinstance(target, Ref):
            for comp in self.by_address(target.address):
                if comp.kind in wanted:
                    return comp
            target = target.value
        if isinstance(target, str) and target:
            for cid in self._names(name_fact).get(target, ()):
                comp = self.components[cid]
                if comp.kind in wanted:
                    return comp
        return None

    def _names(self, fact: str) -> dict[str, list[str]]:
        """Component ids by the literal value of ``fact``; rebuilt when components were added,
        so that satellites find owners by name without scanning every component each time."""
        size, index = self._name_index.get(fact, (-1, {}))
        if size != len(self.components):
            index = {}
            for cid, comp in self.components.items():
                # Asked of every kind, named or not: a kind without the fact is skipped, not read.
                value = comp.get(fact) if comp.has(fact) else None
                if isinstance(value, str) and value:
                    index.setdefault(value, []).append(cid)
            self._name_index[fact] = (len(self.components), index)
        return index


    def error(self, loc: Location, message: str, level: str = "warning") -> None:
        self.errors.append(ScanError(loc.file, loc.line, message, level=level))


def _origin(comp: Component, res: SourceResource) -> str:
    return res.address if res.address != comp.address else ""


def _fill_provenance(resources: list[SourceResource], builder: ModelBuilder) -> None:
    """Facts set by hand at a written place (``comp.set(name, value, res.at(path))``) get the
    origins of the value written there, as ``copy`` and the tables give them: matched by place,
    once for the whole scope. A place that is a resource's own (a one-line block) is left out:
    a fact set there without a place of its own came from no attribute in particular."""
    by_place: dict[Location, tuple[Origin, ...]] = {}
    for res in resources:
        for path, found in res.origins.items():
            loc = res.locs.get(path)
            if loc is not None and loc != res.loc:
                by_place.setdefault(loc, found)
    if not by_place:
        return
    for comp in builder.components.values():
        for fact in comp.facts.values():
            if not fact.provenance and fact.loc in by_place:
                fact.provenance = by_place[fact.loc]


Extension = Callable[[Component, SourceResource, "ModelBuilder"], None]


class Normalizer:
    """The mapping tables of one input format (see ``iac_assist.model.mapping``) and the code its
    tables cannot say: handlers that make components of their own, extensions that complete what a
    table made, and (phase 1) satellites folded onto their owners."""

    def __init__(self, fmt: str) -> None:
        self.format = fmt
        self._handlers: dict[str, tuple[int, Handler]] = {}
        self._extensions: dict[str, list[Extension]] = {}
        self._mappings: dict[str, Mapping] | None = None

    def register(self, *types: str, phase: int = 0) -> Callable[[Handler], Handler]:
        def decorate(fn: Handler) -> Handler:
            for t in types:
                self._handlers[t] = (phase, fn)
            return fn

        return decorate

    def extend(self, *types: str) -> Callable[[Extension], Extension]:
        """Code that completes the component a table made for ``types`` (run right after it)."""
        def decorate(fn: Extension) -> Extension:
            for t in types:
                self._extensions.setdefault(t, []).append(fn)
            return fn

        return decorate

    @property
    def mappings(self) -> dict[str, Mapping]:
        """Every table of this format, by source type (loaded on first use)."""
        if self._mappings is None:
            from iac_assist.model import vocabulary

            found: dict[str, Mapping] = {}
            for table in vocabulary.tables(self.format):
                for source_type, entry in by_type(table).items():
                    if source_type in found or source_type in self._handlers:
                        raise ValueError(f"{self.format}: {source_type} has two mappings")
                    found[source_type] = entry
            self._mappings = found
        return self._mappings

    def handles(self, source_type: str) -> bool:
        return source_type in self._handlers or source_type in self.mappings

    def _mapped(self, res: SourceResource, builder: ModelBuilder) -> None:
        entry = self.mappings[res.type]
        comp = builder.add(res, entry.kind)
        apply_mapping(entry, comp, res)
        for extension in self._extensions.get(res.type, ()):
            extension(comp, res, builder)

    def run(self, resources: Iterable[SourceResource], builder: ModelBuilder) -> None:
        resources = list(resources)
        mappings = self.mappings
        pending: list[tuple[int, int, SourceResource, Handler]] = []
        for n, res in enumerate(resources):
            if res.type.startswith(READ_ONLY_PREFIX):
                continue  # a data source, read for the secret scan only (below)
            entry = self._handlers.get(res.type)
            if entry is not None:
                pending.append((entry[0], n, res, entry[1]))
            elif res.type in mappings:
                pending.append((mappings[res.type].phase, n, res, self._mapped))
            else:
                # Unmodelled resource types still take part in the graph through their references.
                builder.add(res, "other").set("attributes", res.body)
        pending.sort(key=lambda p: (p[0], p[1]))
        for _phase, _n, res, handler in pending:
            try:
                handler(res, builder)
            except Exception as err:  # a defect of ours costs this resource, named, not the file
                builder.components.pop(f"{builder.scope}#{res.address}" if builder.scope else res.address, None)
                builder.errors.append(ScanError(
                    res.loc.file, max(res.loc.line, 1),
                    f"internal error while reading {res.address} ({type(err).__name__}: {err}); it is not analysed; "
                    "please report it", category="internal-error"))
        _fill_provenance(resources, builder)
        # Literal secrets are found the same way in every resource, modelled or not.
        attach_credentials(resources, builder)
        attach_classification(resources, builder)
