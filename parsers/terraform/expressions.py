"""The expression tree of HCL, independent of the parser that produced it.

Nodes are small frozen dataclasses; the evaluator walks them. Keeping our own tree (rather than
python-hcl2's dict output, which turns expressions back into strings) is what lets the evaluator
compute values the way Terraform would and find references exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class Expr:
    __slots__ = ()
    line: int


@dataclass(frozen=True)
class Literal(Expr):
    value: Any
    line: int = 0


@dataclass(frozen=True)
class Variable(Expr):
    """A bare name: the root of a traversal (``var``, ``aws_s3_bucket``, a for-variable)."""

    name: str
    line: int = 0


@dataclass(frozen=True)
class GetAttr(Expr):
    obj: Expr
    name: str
    line: int = 0


@dataclass(frozen=True)
class Index(Expr):
    obj: Expr
    key: Expr
    line: int = 0


@dataclass(frozen=True)
class Splat(Expr):
    """``obj[*].a.b`` or ``obj.*.a``: ``each`` is applied to every element (as ``SplatItem``)."""

    obj: Expr
    each: Expr
    line: int = 0


@dataclass(frozen=True)
class SplatItem(Expr):
    """The element a splat's ``each`` expression is applied to."""

    line: int = 0


@dataclass(frozen=True)
class Call(Expr):
    name: str
    args: tuple[Expr, ...]
    expand_last: bool = False
    line: int = 0


@dataclass(frozen=True)
class TupleExpr(Expr):
    items: tuple[Expr, ...]
    line: int = 0


@dataclass(frozen=True)
class ObjectExpr(Expr):
    items: tuple[tuple[Expr, Expr], ...]
    line: int = 0


@dataclass(frozen=True)
class Conditional(Expr):
    cond: Expr
    then: Expr
    otherwise: Expr
    line: int = 0


@dataclass(frozen=True)
class BinaryOp(Expr):
    op: str
    left: Expr
    right: Expr
    line: int = 0


@dataclass(frozen=True)
class UnaryOp(Expr):
    op: str
    operand: Expr
    line: int = 0


@dataclass(frozen=True)
class ForExpr(Expr):
    """``[for k, v in coll : expr if cond]`` or ``{for k, v in coll : key => value... if cond}``."""

    key_var: str | None
    value_var: str
    collection: Expr
    value: Expr
    key: Expr | None = None
    """Set for an object ``for``; None for a tuple ``for``."""
    cond: Expr | None = None
    group: bool = False
    line: int = 0


@dataclass(frozen=True)
class Template(Expr):
    """A string template: literal strings and expressions, with ``%{if}`` / ``%{for}`` directives."""

    parts: tuple[Any, ...]
    """Each part: ``str``, ``Expr`` (an interpolation), ``TemplateIf`` or ``TemplateFor``."""
    line: int = 0


@dataclass(frozen=True)
class TemplateIf:
    cond: Expr
    then: tuple[Any, ...]
    otherwise: tuple[Any, ...]


@dataclass(frozen=True)
class TemplateFor:
    key_var: str | None
    value_var: str
    collection: Expr
    body: tuple[Any, ...]


def traversal_root(expr: Expr) -> tuple[str, list[str | int]] | None:
    """``aws_s3_bucket.b[0].id`` → ("aws_s3_bucket", ["b", 0, "id"]) when every step is static."""
    steps: list[str | int] = []
    node = expr
    while True:
        if isinstance(node, GetAttr):
            steps.append(node.name)
            node = node.obj
        elif isinstance(node, Index) and isinstance(node.key, Literal) and isinstance(
            node.key.value, (str, int)
        ):
            steps.append(node.key.value)
            node = node.obj
        elif isinstance(node, Variable):
            steps.reverse()
            return node.name, steps
        else:
            return None
