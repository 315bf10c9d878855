"""Where the HTML view draws things: boxes for the zones, nodes inside them, curves for the flows.

The page computes no layout: it is done here, once, so the page stays small, needs no layout
library, and prints the same picture it shows. What is drawn is what the Markdown report's
diagram draws (``mermaid_format.layout``: instances of a block collapsed, alike components
folded, configuration plumbing left out), so a 300-component architecture is as readable here.

Left to right, as traffic enters: the internet, components of no known zone, the edge (CloudFront),
then AWS: its regional services, then each VPC (its own components, its public subnets, its private
subnets), VPCs stacked top to bottom. Inside a zone, nodes stand in columns by how many hops the
flows take to reach them from the internet (unreached ones last), at most ``ROWS`` to a column, so
most flows run rightwards.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from iac_assist.threatmodel.formats.mermaid_format import Group, Layout
from iac_assist.threatmodel.model import INTERNET, Flow, ModelComponent

NODE_W, NODE_H = 200, 64
GAP_X, GAP_Y = 56, 22
PAD, TITLE = 18, 26
TITLE_CHAR = 6.6
"""Width of a character of a zone's title (12px, bold): a zone is at least as wide as its title."""
ROWS = 8
"""Nodes in one column of a zone before a new column starts (more when a zone holds many)."""


@dataclass
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class PlacedNode:
    comp: ModelComponent
    box: Box


@dataclass
class PlacedGroup:
    group: Group
    box: Box
    depth: int
    """How deep it nests (``edge`` and ``aws`` 0, a VPC 1, its subnets 2)."""


@dataclass
class PlacedEdge:
    index: int
    source: str
    target: str
    path: str
    """SVG path data."""
    label_at: tuple[float, float]
    flow: Flow | None = None
    """None for an attack-path step drawn where no flow runs."""


@dataclass
class Picture:
    width: float
    height: float
    nodes: dict[str, PlacedNode] = field(default_factory=dict)
    groups: list[PlacedGroup] = field(default_factory=list)
    edges: list[PlacedEdge] = field(default_factory=list)
    steps: list[PlacedEdge] = field(default_factory=list)


def place(plan: Layout, steps: list[tuple[str, str]] | None = None) -> Picture:
    """``steps``: attack-path steps between drawn nodes, drawn hidden (the page shows a path's on
    demand); by default the plan's."""
    steps = plan.paths if steps is None else steps
    depth = _depths(plan, steps)
    picture = Picture(0, 0)
    internet = ModelComponent(INTERNET, "", "", None, label="Internet")
    x = 0.0
    columns: list[tuple[list[ModelComponent], list[Group]]] = [([internet], [])]
    if plan.top:
        columns.append((plan.top, []))
    columns += [([], [g]) for g in plan.groups]
    heights = []
    blocks = []
    for nodes, groups in columns:
        block = _Block(depth)
        if nodes:
            block.add_nodes(nodes)
        for g in groups:
            block.add_group(g, 0)
        blocks.append(block)
        heights.append(block.height)
    tallest = max(heights, default=NODE_H)
    for block in blocks:
        block.emit(x, (tallest - block.height) / 2, picture)
        x += block.width + GAP_X * 1.5
    picture.width = x - GAP_X * 1.5
    picture.height = tallest
    for index, flow in enumerate(plan.flows):
        edge = _edge(picture, index, flow.source, flow.target, flow)
        if edge is not None:
            picture.edges.append(edge)
    for index, (a, b) in enumerate(steps):
        edge = _edge(picture, index, a, b, None, bend=0.0)
        if edge is not None:
            picture.steps.append(edge)
    return picture


def _depths(plan: Layout, steps: list[tuple[str, str]]) -> dict[str, int]:
    """Hops from the internet along flows and attack-path steps (breadth first)."""
    out = {INTERNET: 0}
    nexts: dict[str, list[str]] = {}
    for f in plan.flows:
        nexts.setdefault(f.source, []).append(f.target)
    for a, b in steps:
        nexts.setdefault(a, []).append(b)
    todo = deque([INTERNET])
    while todo:
        cur = todo.popleft()
        for nxt in nexts.get(cur, ()):
            if nxt not in out:
                out[nxt] = out[cur] + 1
                todo.append(nxt)
    return out


def mermaid_format_title(group: Group) -> str:
    return group.title + " (999 open threats)" if group.component is not None else group.title


class _Block:
    """A zone's content measured first, emitted at a place afterwards."""

    def __init__(self, depth: dict[str, int]) -> None:
        self.depth = depth
        self.parts: list[tuple[str, Any, float, float]] = []  # kind, item, dx, dy
        self.width = 0.0
        self.height = 0.0

    def add_nodes(self, nodes: list[ModelComponent]) -> None:
        """Columns of nodes by depth, starting right of what is there."""
        unreached = 1 << 30
        by_depth: dict[int, list[ModelComponent]] = {}
        for comp in nodes:
            by_depth.setdefault(self.depth.get(comp.id, unreached), []).append(comp)
        x0 = self.width + (GAP_X if self.parts else 0)
        col = 0
        tallest = 0.0
        # Many nodes of one depth make a block about as wide as tall, not a row of columns.
        rows = max(ROWS, math.ceil(math.sqrt(max(len(m) for m in by_depth.values()) * 2)))
        for d in sorted(by_depth):
            members = by_depth[d]
            for start in range(0, len(members), rows):
                chunk = members[start:start + rows]
                for row, comp in enumerate(chunk):
                    self.parts.append(("node", comp, x0 + col * (NODE_W + GAP_X), row * (NODE_H + GAP_Y)))
                tallest = max(tallest, len(chunk) * (NODE_H + GAP_Y) - GAP_Y)
                col += 1
        self.width = x0 + col * (NODE_W + GAP_X) - GAP_X
        self.height = max(self.height, tallest)

    def add_band(self, nodes: list[ModelComponent]) -> None:
        """Nodes in rows across the top (a zone's own nodes above its inner zones: a bucket beside
        the VPCs, a security group above the subnets), about as many to a row as there are rows."""
        per_row = max(3, math.ceil(math.sqrt(len(nodes))))
        for i, comp in enumerate(sorted(nodes, key=lambda c: (self.depth.get(c.id, 1 << 30), c.id))):
            row, col = divmod(i, per_row)
            self.parts.append(("node", comp, col * (NODE_W + GAP_X), row * (NODE_H + GAP_Y)))
        rows = math.ceil(len(nodes) / per_row)
        self.width = max(self.width, min(len(nodes), per_row) * (NODE_W + GAP_X) - GAP_X)
        self.height = max(self.height, rows * (NODE_H + GAP_Y) - GAP_Y)

    def add_group(self, group: Group, level: int) -> None:
        inner = _Block(self.depth)
        # A zone holding zones (AWS, a VPC): its own nodes in a band on top, its zones below,
        # a VPC's subnets side by side (public, then private), AWS's VPCs stacked.
        # A zone holding only nodes: columns by depth, so its flows run rightwards.
        banded = bool(group.groups)
        if group.nodes and banded:
            inner.add_band(group.nodes)
        elif group.nodes:
            inner.add_nodes(group.nodes)
        stacked = group.zone == "aws"
        sub_x, sub_y = 0.0, (inner.height + GAP_Y * 2 if group.nodes else 0.0)
        for sub in group.groups:
            child = _Block(self.depth)
            child.add_group(sub, level + 1)
            inner.parts.append(("block", child, sub_x, sub_y))
            if stacked:
                sub_y += child.height + GAP_Y * 2
                inner.width = max(inner.width, sub_x + child.width)
                inner.height = max(inner.height, sub_y - GAP_Y * 2)
            else:
                sub_x += child.width + GAP_X
                inner.width = max(inner.width, sub_x - GAP_X)
                inner.height = max(inner.height, sub_y + child.height)
        title = mermaid_format_title(group)
        w = max(inner.width, NODE_W, len(title) * TITLE_CHAR) + 2 * PAD
        h = max(inner.height, NODE_H / 2) + 2 * PAD + TITLE
        x0 = self.width + (GAP_X if self.parts else 0)
        self.parts.append(("group", (group, level, inner, w, h), x0, 0.0))
        self.width = x0 + w
        self.height = max(self.height, h)

    def emit(self, x: float, y: float, picture: Picture) -> None:
        for kind, item, dx, dy in self.parts:
            if kind == "node":
                picture.nodes[item.id] = PlacedNode(item, Box(x + dx, y + dy, NODE_W, NODE_H))
            elif kind == "block":
                item.emit(x + dx, y + dy, picture)
            else:
                group, level, inner, w, h = item
                picture.groups.append(PlacedGroup(group, Box(x + dx, y + dy, w, h), level))
                inner.emit(x + dx + PAD, y + dy + PAD + TITLE, picture)


def _edge(picture: Picture, index: int, source: str, target: str, flow: Flow | None,
          bend: float = 0.12) -> PlacedEdge | None:
    a, b = picture.nodes.get(source), picture.nodes.get(target)
    if a is None or b is None or source == target:
        return None
    (x1, y1), (x2, y2) = _exit(a.box, b.box.cx, b.box.cy), _exit(b.box, a.box.cx, a.box.cy)
    # A slight curve keeps a flow and the attack-path step along it (drawn straight) apart, and
    # two flows between the same nodes (different ports) apart from each other.
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    offset = bend * length + (6 * (index % 3) if bend else 0)
    mx, my = (x1 + x2) / 2 - dy / length * offset, (y1 + y2) / 2 + dx / length * offset
    path = f"M{x1:.1f},{y1:.1f} Q{mx:.1f},{my:.1f} {x2:.1f},{y2:.1f}"
    label = ((x1 + 2 * mx + x2) / 4, (y1 + 2 * my + y2) / 4)  # the curve's midpoint
    return PlacedEdge(index, source, target, path, label, flow)


def _exit(box: Box, tx: float, ty: float) -> tuple[float, float]:
    """Where the line from the box's centre towards (tx, ty) leaves the box."""
    dx, dy = tx - box.cx, ty - box.cy
    if dx == 0 and dy == 0:
        return box.cx, box.cy
    scale = min((box.w / 2) / abs(dx) if dx else math.inf, (box.h / 2) / abs(dy) if dy else math.inf)
    return box.cx + dx * scale, box.cy + dy * scale
