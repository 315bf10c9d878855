"""Functions the evaluator does not know, found in a file's syntax tree before anything is
evaluated: their results are unknown, so what depends on them is not analysed, and the report
says so (category ``unknown-function``) instead of passing in silence.

The tree is walked whatever is evaluated later (an unused local counts too): a gap is named where
it is written, with its file and line, once per function and file.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
from collections.abc import Callable
from pathlib import Path

from iac_assist.model import ScanError
from iac_assist.parsers.terraform import expressions as ex
from iac_assist.parsers.terraform import functions, hcl

MAX_NODES = 1_000_000
"""Nodes visited per file at most: the parser bounds nesting, this bounds the walk's time."""

CATEGORY = "unknown-function"
AFTER_APPLY = frozenset({"timestamp", "uuid", "bcrypt"})
"""Functions whose result Terraform itself only knows after apply: unknown here as in a plan,
so nothing is lost by not evaluating them."""


@functools.lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    from iac_assist.parsers.terraform.files import FileFunctions

    extra = FileFunctions(Path("."), Path("."), None, lambda *_: None).table()
    return frozenset(functions.FUNCTIONS) | frozenset(extra) | AFTER_APPLY


def unknown_functions(body: hcl.Body, rel: str) -> list[ScanError]:
    """A warning for each function called in ``body`` (the file ``rel``) that is not evaluated:
    at its first call, with how many calls there are."""
    known = _known()
    calls: dict[str, list[int]] = {}
    if body.calls is not None:
        # The calls its parse made (in the tree's order, as the walk below finds them), but
        # those of variables' type constraints.
        typed = _in_type_constraints(body)
        for call in body.calls:
            if call.name not in known and id(call) not in typed:
                calls.setdefault(call.name, []).append(call.line)
        return _warnings(calls, rel)
    stack: list[object] = [*body.blocks, *(attr.expr for attr in body.attributes.values())]
    visited = 0
    while stack and visited < MAX_NODES:
        node = stack.pop()
        visited += 1
        cls = type(node)
        if cls in _LEAVES:
            continue
        if isinstance(node, hcl.Block):
            # A variable's type constraint (list(string), object({...})) is no function call.
            stack.extend(attr.expr for name, attr in node.body.attributes.items()
                         if not (node.type == "variable" and name == "type"))
            stack.extend(node.body.blocks)
        elif isinstance(node, (tuple, list)):
            stack.extend(node)
        else:
            children = _children(cls)
            if children is not None:
                if isinstance(node, ex.Call) and node.name not in known:
                    calls.setdefault(node.name, []).append(node.line)
                stack.extend(children(node))
    return _warnings(calls, rel)


def _warnings(calls: dict[str, list[int]], rel: str) -> list[ScanError]:
    out = []
    for name, lines in sorted(calls.items()):
        first = min((n for n in lines if n > 0), default=0)
        uses = f" ({len(lines)} calls)" if len(lines) > 1 else ""
        what = "a provider-defined function" if name.startswith("provider::") else "a function iac-assist does not know"
        out.append(ScanError(rel, first, f"{name}() is {what}{uses}: its result is unknown, and what depends on it "
                             "is not analysed", level="warning", category=CATEGORY))
    return out


def _in_type_constraints(body: hcl.Body) -> set[int]:
    """The ids of the calls written in a variable's type constraint (``list(string)``), at any
    depth of blocks."""
    out: set[int] = set()
    blocks = list(body.blocks)
    while blocks:
        block = blocks.pop()
        blocks.extend(block.body.blocks)
        constraint = block.body.attributes.get("type") if block.type == "variable" else None
        if constraint is None:
            continue
        stack: list[object] = [constraint.expr]
        while stack:
            node = stack.pop()
            cls = type(node)
            if cls in _LEAVES:
                continue
            if isinstance(node, (tuple, list)):
                stack.extend(node)
                continue
            children = _children(cls)
            if children is not None:
                if isinstance(node, ex.Call):
                    out.add(id(node))
                stack.extend(children(node))
    return out


_LEAVES = frozenset({str, int, float, bool, type(None)})
"""Most nodes of a tree are its names, lines and literal values: nothing below them."""


@functools.cache
def _children(cls: type) -> Callable[[object], tuple[object, ...]] | None:
    """How to get the field values of a syntax tree node's class, in field order (None for
    anything else): looked up once per class, as a repeated scan reads its trees from the parse
    cache and spends its time here."""
    if not dataclasses.is_dataclass(cls):
        return None
    names = [f.name for f in dataclasses.fields(cls)]
    if not names:
        return None
    if len(names) == 1:
        name = names[0]
        return lambda node: (getattr(node, name),)
    return operator.attrgetter(*names)
