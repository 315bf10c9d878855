"""Terraform's JSON syntax (``*.tf.json``) into the same syntax tree ``hcl.parse`` produces.

Strings are templates (``"${var.name}"``), as Terraform reads them. JSON carries no schema, so an
object (or a list of objects) inside a resource body is taken as nested block(s) unless its name
is one of the map-typed arguments below: ``versioning {...}`` and ``tags = {...}`` look the same.
"""

from __future__ import annotations

from typing import Any

from iac_assist.inputs.jsonpos import JsonError, loads
from iac_assist.parsers.terraform import expressions as ex
from iac_assist.parsers.terraform import hcl

MAP_ARGUMENTS = {
    "tags", "tags_all", "default_tags", "labels", "variables", "triggers", "parameters", "metadata",
    "environment_variables", "context", "attributes", "stage_variables", "request_parameters",
    "request_templates", "response_parameters", "response_templates", "secret_string", "inputs",
    "providers", "settings", "options", "annotations", "data",
}
"""Arguments whose object value is a map, never a block."""

_LABELS = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1}


def parse(text: str) -> hcl.Body:
    """Parse a ``.tf.json`` file; raise ``hcl.HclError`` with the line on invalid input. An empty
    file declares nothing, as an empty ``.tf`` file does."""
    if not text.strip(" \t\r\n\ufeff"):
        return hcl.Body()
    try:
        value, lines = loads(text[1:] if text.startswith("\ufeff") else text)
    except JsonError as err:
        raise hcl.HclError(err.message, err.line, err.column) from None
    if not isinstance(value, dict):
        raise hcl.HclError("a .tf.json file must hold a JSON object", 1)
    return _Converter(lines).root(value)


class _Converter:
    def __init__(self, lines: dict[tuple, int]) -> None:
        self.lines = lines
        # The last line any member under a path starts on (a block's extent): each path hands its
        # end to its parent, deepest first, so the cost is one step per member however deep it
        # is (walking every prefix of every path took minutes on a deep, wide file).
        self.ends: dict[tuple, int] = dict(lines)
        for path in sorted(lines, key=len, reverse=True):
            if path:
                parent = path[:-1]
                if self.ends.get(parent, 0) < self.ends[path]:
                    self.ends[parent] = self.ends[path]

    def line(self, path: tuple) -> int:
        # Deep values have no line of their own (jsonpos.MAX_LINE_DEPTH): their nearest ancestor's.
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def root(self, value: dict[str, Any]) -> hcl.Body:
        body = hcl.Body()
        for kind, content in value.items():
            path = (kind,)
            if kind == "//":
                continue
            if kind == "locals":
                for i, entry in _items(content, path):
                    for name, expr in entry.items() if isinstance(entry, dict) else ():
                        p = i + (name,)
                        line = self.line(p)
                        attrs = {name: hcl.Attribute(name, self.expr(expr, p, 0), line, self.end(p))}
                        body.blocks.append(hcl.Block("locals", [], hcl.Body(attrs), line, self.end(p)))
                continue
            depth = _LABELS.get(kind)
            if depth is None:
                for i, entry in _items(content, path):
                    if isinstance(entry, dict):
                        body.blocks.append(hcl.Block(kind, [], self.body(entry, i, 0), self.line(i), self.end(i)))
                continue
            self._labelled(body, kind, content, path, [], depth)
        return body

    def _labelled(self, body: hcl.Body, kind: str, content: Any, path: tuple, labels: list[str], left: int) -> None:
        # At every level of labels, Terraform's JSON syntax takes an object or an array of them:
        # ``"resource": [{"aws_s3_bucket": {...}}]``, ``"aws_s3_bucket": [{"b": {...}}]``.
        if isinstance(content, list):
            for i, item in enumerate(content):
                self._labelled(body, kind, item, path + (i,), labels, left)
            return
        if not isinstance(content, dict):
            return
        for label, inner in content.items():
            p = path + (label,)
            if left > 1:
                self._labelled(body, kind, inner, p, labels + [label], left - 1)
                continue
            for i, entry in _items(inner, p):
                if isinstance(entry, dict):
                    block_body = self.body(entry, i, 0, raw_strings=kind == "variable")
                    body.blocks.append(hcl.Block(kind, labels + [label], block_body, self.line(p), self.end(p)))

    def body(self, value: dict[str, Any], path: tuple, depth: int, raw_strings: bool = False) -> hcl.Body:
        if depth > hcl.MAX_DEPTH // 4:
            raise hcl.HclError("nesting too deep", self.line(path))
        out = hcl.Body()
        for name, item in value.items():
            p = path + (name,)
            if name == "//":
                continue
            if _is_block(name, item):
                for i, entry in _items(item, p):
                    if name == "dynamic":
                        out.blocks.extend(self._dynamic(entry, i, depth))
                    elif isinstance(entry, dict):
                        out.blocks.append(self._block(name, entry, i, depth))
                continue
            # A variable's type constraint is an expression (``"list(string)"``), not a template.
            keep_raw = raw_strings and name == "type"
            out.attributes[name] = hcl.Attribute(name, self.expr(item, p, 0, keep_raw), self.line(p), self.end(p))
        return out

    def _block(self, name: str, entry: dict[str, Any], path: tuple, depth: int) -> hcl.Block:
        return hcl.Block(name, [], self.body(entry, path, depth + 1), self.line(path), self.end(path))

    def _dynamic(self, entry: Any, path: tuple, depth: int) -> list[hcl.Block]:
        """``"dynamic": {"ingress": {"for_each": ..., "content": {...}}, "egress": ...}``: every
        label, each an object or an array of them."""
        out = []
        for label, inner in entry.items() if isinstance(entry, dict) else ():
            if label == "//":
                continue
            for i, content in _items(inner, path + (label,)):
                if isinstance(content, dict):
                    out.append(hcl.Block("dynamic", [label], self.body(content, i, depth + 1), self.line(i),
                                         self.end(i)))
        return out

    def end(self, path: tuple) -> int:
        return self.ends.get(path, self.line(path))

    def expr(self, value: Any, path: tuple, depth: int, raw: bool = False) -> ex.Expr:
        line = self.line(path)
        if depth > hcl.MAX_DEPTH // 4:
            raise hcl.HclError("nesting too deep", line)
        if isinstance(value, str):
            if raw:
                return hcl.parse_expression(value, line)
            return hcl.parse_template(value, line)
        if isinstance(value, list):
            return ex.TupleExpr(tuple(self.expr(v, path + (i,), depth + 1, raw) for i, v in enumerate(value)), line)
        if isinstance(value, dict):
            return ex.ObjectExpr(tuple(
                (ex.Literal(k, self.line(path + (k,))), self.expr(v, path + (k,), depth + 1))
                for k, v in value.items() if k != "//"
            ), line)
        return ex.Literal(value, line)


def _is_block(name: str, value: Any) -> bool:
    if name in MAP_ARGUMENTS:
        return False
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _items(value: Any, path: tuple) -> list[tuple[tuple, Any]]:
    """A JSON property holding one object or a list of them, each with its path."""
    if isinstance(value, list):
        return [(path + (i,), v) for i, v in enumerate(value)]
    return [(path, value)]
