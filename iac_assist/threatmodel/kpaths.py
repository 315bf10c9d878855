"""The k shortest simple paths from one source with a large fan-out, as networkx finds them.

``networkx.shortest_simple_paths`` (Yen's algorithm over a bidirectional Dijkstra) is what ranks
attack paths, and its choice among equally likely paths is part of every report. Each of its
Dijkstra searches from the internet pushes every edge leaving the internet into its heap: with
one entry point per cell of a large configuration, that is a pass over the whole attack graph
for every path ranked (1000 paths × 7,500 edges at 50,000 components), and the part of the
threat model that grew fastest.

This is the same algorithm, step for step (networkx 3's ``shortest_simple_paths``,
``PathBuffer`` and ``_bidirectional_dijkstra``, for a ``DiGraph`` and an edge attribute as
weight), except for one thing: the source's edges are sorted once (``Fanout``) and read from that
sorted list as the search pops them, rather than pushed into the heap on every search. The heap
would give them in the same order (by distance, then by the order they were pushed, which is the
graph's order), and an edge never popped is never looked at, so every search pops the same
nodes in the same order, meets where networkx's meets and returns the same path. The tests
compare both on random graphs full of ties.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from heapq import heappop, heappush
from itertools import count
from typing import Any

import networkx as nx

Node = Hashable


class Fanout:
    """The edges leaving ``source``, in the order the heap would give them back once pushed:
    by distance, then by the graph's order (networkx breaks ties by a push counter)."""

    def __init__(self, graph: nx.DiGraph, source: Node, weight: str) -> None:
        self.source = source
        successors = graph.succ[source]
        # ``0 + w``: the distance the search computes for them (``dists[source]`` is the int 0).
        self.order = sorted(((0 + data.get(weight, 1), i, w) for i, (w, data) in enumerate(successors.items())),
                            key=lambda e: (e[0], e[1]))
        self.distance = {w: d for d, _, w in self.order}


def shortest_simple_paths(graph: nx.DiGraph, source: Node, target: Node, weight: str,
                          fanout: Fanout) -> Iterator[list[Node]]:
    """``networkx.shortest_simple_paths(graph, source, target, weight=weight)``, path for path."""
    if source not in graph:
        raise nx.NodeNotFound(f"source node {source} not in graph")
    if target not in graph:
        raise nx.NodeNotFound(f"target node {target} not in graph")

    def length_func(path: list[Node]) -> Any:
        return sum(graph.succ[u][v].get(weight, 1) for (u, v) in zip(path, path[1:], strict=False))

    list_a: list[list[Node]] = []
    list_b = _PathBuffer()
    prev_path: list[Node] | None = None
    while True:
        if not prev_path:
            length, path = _bidirectional_dijkstra(graph, source, target, weight, fanout)
            list_b.push(length, path)
        else:
            ignore_nodes: set[Node] = set()
            ignore_edges: set[tuple[Node, Node]] = set()
            for i in range(1, len(prev_path)):
                root = prev_path[:i]
                root_length = length_func(root)
                for path in list_a:
                    if path[:i] == root:
                        ignore_edges.add((path[i - 1], path[i]))
                try:
                    length, spur = _bidirectional_dijkstra(graph, root[-1], target, weight, fanout,
                                                           ignore_nodes, ignore_edges)
                    path = root[:-1] + spur
                    list_b.push(root_length + length, path)
                except nx.NetworkXNoPath:
                    pass
                ignore_nodes.add(root[-1])
        if list_b:
            path = list_b.pop()
            yield path
            list_a.append(path)
            prev_path = path
        else:
            break


class _PathBuffer:
    def __init__(self) -> None:
        self.paths: set[tuple[Node, ...]] = set()
        self.sortedpaths: list[tuple[Any, int, list[Node]]] = []
        self.counter = count()

    def __len__(self) -> int:
        return len(self.sortedpaths)

    def push(self, cost: Any, path: list[Node]) -> None:
        hashable_path = tuple(path)
        if hashable_path not in self.paths:
            heappush(self.sortedpaths, (cost, next(self.counter), path))
            self.paths.add(hashable_path)

    def pop(self) -> list[Node]:
        (_cost, _num, path) = heappop(self.sortedpaths)
        self.paths.remove(tuple(path))
        return path


def _bidirectional_dijkstra(graph: nx.DiGraph, source: Node, target: Node, weight: str, fanout: Fanout,
                            ignore_nodes: set[Node] | None = None,
                            ignore_edges: set[tuple[Node, Node]] | None = None) -> tuple[Any, list[Node]]:
    if ignore_nodes and (source in ignore_nodes or target in ignore_nodes):
        raise nx.NetworkXNoPath(f"No path between {source} and {target}.")
    if source == target:
        return (0, [source])
    ignore_nodes = ignore_nodes or set()
    ignore_edges = ignore_edges or set()
    succ, pred = graph.succ, graph.pred

    def neighbours(direction: int, v: Node) -> Iterator[tuple[Node, Any]]:
        if direction == 0:
            for w, data in succ[v].items():
                if w not in ignore_nodes and (v, w) not in ignore_edges:
                    yield w, data.get(weight, 1)
        else:
            for w, data in pred[v].items():
                if w not in ignore_nodes and (w, v) not in ignore_edges:
                    yield w, data.get(weight, 1)

    # The source's edges, read from ``fanout`` from the moment the source is expanded (lazy):
    # ``lazy_at`` is the next entry of its order; what the heap would hold is what is left of it.
    lazy = fanout.source == source
    lazy_on = False
    lazy_at = 0
    order = fanout.order

    def lazy_pushed(w: Node) -> bool:
        """Whether the source's expansion pushed ``w`` (networkx's filters, applied late)."""
        return w not in ignore_nodes and (source, w) not in ignore_edges

    def lazy_head() -> int:
        """The index of the next lazy entry the heap would hold, or len(order)."""
        i = lazy_at
        while i < len(order) and not lazy_pushed(order[i][2]):
            i += 1
        return i

    dists: list[dict[Node, Any]] = [{}, {}]
    paths: list[dict[Node, list[Node]]] = [{source: [source]}, {target: [target]}]
    fringe: list[list[tuple[Any, int, Node]]] = [[], []]
    seen: list[dict[Node, Any]] = [{source: 0}, {target: 0}]
    c = count()
    heappush(fringe[0], (0, next(c), source))
    heappush(fringe[1], (0, next(c), target))

    def seen_forward(w: Node) -> Any:
        """``seen[0][w]`` of networkx's search (None when unseen)."""
        if w in seen[0]:
            return seen[0][w]
        if lazy_on and w in fanout.distance and lazy_pushed(w):
            return fanout.distance[w]
        return None

    def path_forward(w: Node) -> list[Node]:
        if w in paths[0]:
            return paths[0][w]
        return [source, w]  # a lazy entry: seen from the source only

    def fringe_nonempty(direction: int) -> bool:
        if direction == 1 or fringe[0]:
            return bool(fringe[direction])
        return lazy_on and lazy_head() < len(order)

    finalpath: list[Node] = []
    finaldist: Any = None
    direction = 1
    while fringe_nonempty(0) and fringe_nonempty(1):
        direction = 1 - direction
        if direction == 0 and lazy_on:
            # The smaller of the heap's head and the lazy head; a lazy entry was pushed before
            # anything in the heap, so it wins a tie in distance (networkx's push counter).
            head = lazy_head()
            if head < len(order) and (not fringe[0] or order[head][0] <= fringe[0][0][0]):
                dist, _, v = order[head]
                lazy_at = head + 1
            else:
                (dist, _, v) = heappop(fringe[0])
        else:
            (dist, _, v) = heappop(fringe[direction])
        if v in dists[direction]:
            continue
        dists[direction][v] = dist
        if v in dists[1 - direction]:
            return (finaldist, finalpath)

        if direction == 0 and lazy and v == source:
            # The expansion networkx does by pushing every edge: only the target can meet the
            # backward search now (it has seen nothing else yet).
            lazy_on = True
            lazy_at = 0
            if target in fanout.distance and lazy_pushed(target) and target in seen[1]:
                totaldist = fanout.distance[target] + seen[1][target]
                if finalpath == [] or finaldist > totaldist:
                    finaldist = totaldist
                    revpath = paths[1][target][:]
                    revpath.reverse()
                    finalpath = [source, target] + revpath[1:]
            continue

        for w, minweight in neighbours(direction, v):
            vw_length = dists[direction][v] + minweight
            if w in dists[direction]:
                if vw_length < dists[direction][w]:
                    raise ValueError("Contradictory paths found: negative weights?")
                continue
            seen_w = seen[1][w] if direction == 1 and w in seen[1] else (
                seen_forward(w) if direction == 0 else None)
            if seen_w is None or vw_length < seen_w:
                seen[direction][w] = vw_length
                heappush(fringe[direction], (vw_length, next(c), w))
                paths[direction][w] = (path_forward(v) if direction == 0 else paths[1][v]) + [w]
                forward = seen_forward(w)
                if forward is not None and w in seen[1]:
                    totaldist = forward + seen[1][w]
                    if finalpath == [] or finaldist > totaldist:
                        finaldist = totaldist
                        revpath = paths[1][w][:]
                        revpath.reverse()
                        finalpath = path_forward(w) + revpath[1:]
    raise nx.NetworkXNoPath(f"No path between {source} and {target}.")
