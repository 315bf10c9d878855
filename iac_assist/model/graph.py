"""The resource graph: components as nodes, typed edges between them.

Edges: ``reference`` for every Ref held in a fact (attribute name kept), and typed edges derived
from the vocabulary's facts: ``contains`` (VPC → subnet → instance, load balancer or subnet
group), ``attached-to`` (security group → what it protects), ``associated`` (subnet → route
table), ``routes-to`` (route table → internet gateway), ``placed-in`` (database → subnet group),
``part-of`` (listener → load balancer, cluster instance → cluster, stage → API). Network and data flows join
here with the threat model. References resolve within their component's scope (a
Terraform root module, a template): two templates may both have a ``Bucket``.

Edges are kept in plain adjacency dicts, not networkx: importing networkx takes longer than a
pre-commit scan of a small module takes altogether. ``ResourceGraph.graph`` still offers them
as a networkx ``MultiDiGraph``, built on first use, for analyses that want its algorithms.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar, cast

from iac_assist.gcpause import paused
from iac_assist.model import Component, Fact, Ref, kinds

if TYPE_CHECKING:
    import networkx as nx

T = TypeVar("T")
Edge = tuple[str, str, dict[str, Any]]


class ResourceGraph:
    """All components of a scan and the edges between them."""

    def __init__(self, components: Iterable[Component]) -> None:
        self.components: dict[str, Component] = {}
        self._by_address: dict[tuple[str, str], list[Component]] = {}
        self._by_kind: dict[str, list[Component]] = {}
        self._by_name: dict[str, list[Component]] = {}
        # Successors and predecessors in networkx's order (neighbour by first edge, then edges
        # in insertion order), so that every walk visits components as it did with networkx.
        self._succ: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self._pred: dict[str, dict[str, list[dict[str, Any]]]] = {}
        self._edges: list[Edge] = []
        self._nx: nx.MultiDiGraph | None = None
        self._derived: dict[str, Any] = {}
        with paused():  # many objects, no cycles: see iac_assist.gcpause
            self._index(components)
            self._derive_typed_edges()

    def _index(self, components: Iterable[Component]) -> None:
        for comp in components:
            self.components[comp.id] = comp
            self._by_address.setdefault((comp.scope, comp.address), []).append(comp)
            self._by_kind.setdefault(comp.kind, []).append(comp)
            # Not every kind has a name (a listener, a bucket policy): asked, not read.
            name = comp.get("name") if comp.has("name") else None
            if isinstance(name, str) and name:
                self._by_name.setdefault(name, []).append(comp)
            self._succ.setdefault(comp.id, {})
            self._pred.setdefault(comp.id, {})
        for comp in self.components.values():
            for attr, ref in comp.refs():
                # Parts of a resource (a classic ELB's listeners) share its address; a reference
                # means the resource itself, the first component its normalizer added.
                targets = self._by_address.get((comp.scope, ref.address))
                if targets and targets[0].id != comp.id:
                    self._add_edge(comp.id, targets[0].id, kind="reference", attribute=attr)

    def _add_edge(self, src: str, dst: str, **data: Any) -> None:
        self._succ.setdefault(src, {}).setdefault(dst, []).append(data)
        self._pred.setdefault(dst, {}).setdefault(src, []).append(data)
        self._edges.append((src, dst, data))

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The components and edges as a networkx ``MultiDiGraph`` (node: component id; edge
        data: ``kind`` and its details), built on first use."""
        if self._nx is None:
            import networkx as nx

            graph: nx.MultiDiGraph = nx.MultiDiGraph()
            graph.add_nodes_from(self._succ)
            for src, dst, data in self._edges:
                graph.add_edge(src, dst, **data)
            self._nx = graph
        return self._nx

    def edges(self) -> Iterator[Edge]:
        """Every edge as ``(source id, target id, data)``, in the order it was added."""
        return iter(self._edges)

    # Typed edges follow from the vocabulary's facts, so they are derived once here for every
    # input format: (fact, kinds it points at, edge kind, True when the edge runs from the target).
    _TYPED = (
        ("vpc", (kinds.VPC,), "contains", True),
        ("subnet", (kinds.SUBNET,), "contains", True),
        ("subnets", (kinds.SUBNET,), "contains", True),
        ("security_groups", (kinds.SECURITY_GROUP,), "attached-to", True),
        ("route_table", (kinds.ROUTE_TABLE,), "associated", False),
        ("subnet_group", (kinds.RDS_SUBNET_GROUP,), "placed-in", False),
        ("load_balancer", (kinds.LB,), "part-of", False),
        ("cluster", (kinds.RDS_CLUSTER,), "part-of", False),
    )
    _TYPED_OF_KIND = {
        # A stage is a part of its API (methods, routes and resources are not: their API is no
        # more than a reference).
        kinds.APIGW_STAGE: (("api", (kinds.APIGW_REST_API, kinds.APIGW_API), "part-of", False),),
    }

    def _derive_typed_edges(self) -> None:
        for comp in self.components.values():
            for fact, target_kinds, edge_kind, reverse in (*self._TYPED, *self._TYPED_OF_KIND.get(comp.kind, ())):
                if fact not in comp.facts:
                    continue
                for target in self.resolve_all(comp, comp.get(fact), *target_kinds):
                    if target.id == comp.id:
                        continue
                    src, dst = (target, comp) if reverse else (comp, target)
                    self._add_edge(src.id, dst.id, kind=edge_kind, loc=comp.loc_of(fact))
            if comp.kind == kinds.ROUTE_TABLE:
                for route in comp.items("routes"):
                    if not isinstance(route, Fact) or not isinstance(route.value, dict):
                        continue
                    gateway = self.resolve(comp, route.value.get("target"), kinds.INTERNET_GATEWAY)
                    if gateway is not None:
                        self._add_edge(comp.id, gateway.id, kind="routes-to", loc=route.loc,
                                            destination=route.value.get("destination"))

    def derived(self, key: str, compute: Callable[[], T]) -> T:
        """An index computed once per graph (``compute()``), for questions asked per component
        that would otherwise scan every component each time."""
        if key not in self._derived:
            self._derived[key] = compute()
        return cast(T, self._derived[key])  # each key is always computed by the same ``compute``

    def of_kind(self, *kinds: str) -> list[Component]:
        out: list[Component] = []
        for kind in kinds:
            out.extend(self._by_kind.get(kind, ()))
        return out

    def resolve(self, near: Component, value: Any, *kinds: str) -> Component | None:
        """The component a fact of ``near`` points at: a Ref by address, or a literal name."""
        if isinstance(value, Ref):
            for comp in self._by_address.get((near.scope, value.address), ()):
                if not kinds or comp.kind in kinds:
                    return comp
            value = value.value
        if isinstance(value, str) and value:
            # A literal: an address in the same scope, else a configured name, preferring the same
            # scope (a name may also point at a resource another configuration defines).
            candidates = list(self._by_address.get((near.scope, value), ()))
            candidates += sorted(self._by_name.get(value, ()), key=lambda c: c.scope != near.scope)
            for comp in candidates:
                if not kinds or comp.kind in kinds:
                    return comp
        return None

    def resolve_all(self, near: Component, values: Any, *kinds: str) -> list[Component]:
        if not isinstance(values, (list, tuple)):
            values = [values]
        found = (self.resolve(near, v, *kinds) for v in values)
        return [c for c in found if c is not None]

    def neighbours(self, comp: Component, kind: str, *, incoming: bool = False) -> Iterator[Component]:
        """Components joined to ``comp`` by an edge of ``kind`` (outgoing unless ``incoming``)."""
        adjacent = (self._pred if incoming else self._succ).get(comp.id, {})
        for other, edges in adjacent.items():
            if any(data.get("kind") == kind for data in edges):
                yield self.components[other]

    def referrers(self, comp: Component, *kinds: str) -> Iterator[Component]:
        """Components that reference ``comp`` (optionally only of ``kinds``)."""
        for other in self.neighbours(comp, "reference", incoming=True):
            if not kinds or other.kind in kinds:
                yield other
