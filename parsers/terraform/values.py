"""Values the Terraform evaluator computes with, beyond plain Python data.

Plain values are str, int, float, bool, None, list and dict. Besides them: ``Unknown`` (known only
after apply), ``Ref`` (another resource's attribute), objects standing for resources and module
calls (attributes computed on demand), and ``PartialJson`` (``jsonencode`` of a structure that
still holds unknown parts: policies keep their structure so a public principal is still seen).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from iac_assist.model import Location, Ref, Unknown, iter_refs
from iac_assist.parsers.terraform import expressions as ex


class LazyObject:
    """An object whose attributes are computed when first read (resources, module outputs)."""

    def attr(self, name: str) -> Any:  # pragma: no cover - interface
        raise NotImplementedError


class ResourceObject(LazyObject):
    """One resource instance seen from an expression: ``aws_s3_bucket.site``."""

    def __init__(self, address: str, configured: Callable[[str], Any]) -> None:
        self.address = address
        self._configured = configured

    def attr(self, name: str) -> Any:
        # A configured attribute keeps its value (a bucket's name) but stays a reference, so that
        # satellites still find their owner and the graph gets its edge. An attribute configured
        # as another reference is that reference (``aws_subnet.a.vpc_id`` is ``aws_vpc.main.id``),
        # and one configured as a collection is that collection, each element keeping its own
        # references: the graph follows what the configuration says, not the hop through it.
        value = self._configured(name)
        if isinstance(value, (Ref, list, dict)):
            return value
        return Ref(self.address, name, value)

    def __repr__(self) -> str:
        return f"ResourceObject({self.address})"


class ModuleObject(LazyObject):
    """A module call seen from its caller: ``module.db.endpoint`` reads the child's output."""

    def __init__(self, address: str, output: Callable[[str], Any]) -> None:
        self.address = address
        self._output = output

    def attr(self, name: str) -> Any:
        return self._output(name)


class PartialJson:
    """``jsonencode(x)`` where ``x`` holds unknown parts: the structure is kept for policies."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"PartialJson({self.value!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PartialJson) and other.value == self.value

    def __hash__(self) -> int:
        return hash(PartialJson)


def unknown_from(*values: Any) -> Unknown:
    """An unknown that remembers every reference it was computed from."""
    refs: list[Ref] = []
    for value in values:
        refs.extend(iter_refs(value))
    return Unknown(refs=tuple(dict.fromkeys(refs)))


def is_wholly_known(value: Any, _depth: int = 0) -> bool:
    if _depth > 64:
        return False
    if isinstance(value, (Unknown, Ref, LazyObject, PartialJson)):
        return False
    if isinstance(value, dict):
        return all(is_wholly_known(v, _depth + 1) for v in value.values())
    if isinstance(value, list):
        return all(is_wholly_known(v, _depth + 1) for v in value)
    return True


def scalar(value: Any) -> Any:
    """A reference used inside an operation stands for its value (unknown when not configured)."""
    if isinstance(value, Ref):
        inner = value.value
        return inner if not isinstance(inner, Unknown) else Unknown(refs=(value,))
    return value


def plain(value: Any, _depth: int = 0) -> Any:
    """Deep copy with references replaced by their values: for jsonencode and templates."""
    if _depth > 64:
        return Unknown("nesting too deep")
    value = scalar(value)
    if isinstance(value, dict):
        return {k: plain(v, _depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v, _depth + 1) for v in value]
    if isinstance(value, LazyObject):
        return unknown_from(value)
    return value


def to_json(value: Any) -> str:
    """JSON the way Terraform's jsonencode writes it: compact, keys sorted."""
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


JSON_LITERAL = "<jsonencode>"
"""The step of a resource's location paths into the literal a ``jsonencode(...)`` attribute encodes:
``("container_definitions", JSON_LITERAL, 0, "privileged")`` is where that key of the first
object was written, so a finding about one part of a JSON document can name its line."""


def jsonencode_locs(expr: ex.Expr, file: str, path: tuple, locs: dict[tuple, Location]) -> None:
    """Where each part of the literal of ``attribute = jsonencode(<literal>)`` was written, under
    ``path + (JSON_LITERAL,)``: tuple items by index, object values by their literal key."""
    if isinstance(expr, ex.Call) and expr.name == "jsonencode" and len(expr.args) == 1 and not expr.expand_last:
        _literal_locs(expr.args[0], file, (*path, JSON_LITERAL), locs, 0)


def _literal_locs(expr: ex.Expr, file: str, path: tuple, locs: dict[tuple, Location], depth: int) -> None:
    if depth > 16:
        return
    if isinstance(expr, ex.TupleExpr):
        for i, item in enumerate(expr.items):
            if item.line:
                locs[(*path, i)] = Location(file, item.line)
            _literal_locs(item, file, (*path, i), locs, depth + 1)
    elif isinstance(expr, ex.ObjectExpr):
        for key, value in expr.items:
            if isinstance(key, ex.Literal) and isinstance(key.value, str):
                line = key.line or value.line
                if line:
                    locs[(*path, key.value)] = Location(file, line)
                _literal_locs(value, file, (*path, key.value), locs, depth + 1)


def decode_document(value: Any) -> Any:
    """A policy attribute as a document: JSON text decoded, a PartialJson opened, else as is."""
    # ``policy = data.aws_iam_policy_document.x.json``: the reference stands for its value.
    value = scalar(value) if isinstance(value, Ref) and not isinstance(value.value, Unknown) else value
    if isinstance(value, PartialJson):
        return value.value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return Unknown("not valid JSON")
    return value
