"""Type constraints of input variables, applied as Terraform applies them to a given value.

Terraform converts a variable's value to its declared type before anything uses it: ``"true"``
given for a ``bool`` is ``true``, ``"2"`` for a ``number`` is ``2``, and an ``object`` type adds
its ``optional()`` attributes (with their defaults, else null) when the value leaves them out.
What cannot be converted is kept as given (Terraform would reject the plan; we analyse on).
"""

from __future__ import annotations

from typing import Any

from iac_assist.model import Unknown
from iac_assist.parsers.terraform import expressions as ex
from iac_assist.parsers.terraform.values import scalar

MAX_DEPTH = 32


def convert(value: Any, type_expr: ex.Expr | None, depth: int = 0) -> Any:
    """``value`` converted to the type ``type_expr`` (None: any type)."""
    if type_expr is None or depth > MAX_DEPTH:
        return value
    plain = scalar(value)
    if isinstance(plain, Unknown) or plain is None:
        return value
    if isinstance(type_expr, ex.Variable):
        return _primitive(value, plain, type_expr.name)
    if not isinstance(type_expr, ex.Call) or not type_expr.args:
        return value
    name, arg = type_expr.name, type_expr.args[0]
    if name in ("list", "set") and isinstance(plain, list):
        items = [convert(v, arg, depth + 1) for v in plain]
        return _dedupe(items) if name == "set" else items
    if name == "map" and isinstance(plain, dict):
        return {k: convert(v, arg, depth + 1) for k, v in plain.items()}
    if name == "tuple" and isinstance(plain, list) and isinstance(arg, ex.TupleExpr):
        return [convert(v, t, depth + 1) for v, t in zip(plain, arg.items, strict=False)] + plain[len(arg.items):]
    if name == "object" and isinstance(plain, dict) and isinstance(arg, ex.ObjectExpr):
        return _object(plain, arg, depth)
    return value


def _object(value: dict[str, Any], spec: ex.ObjectExpr, depth: int) -> dict[str, Any]:
    from iac_assist.parsers.terraform.evaluator import Evaluator

    out = dict(value)
    for key_expr, attr_type in spec.items:
        key = _key(key_expr)
        if key is None:
            continue
        optional = isinstance(attr_type, ex.Call) and attr_type.name == "optional" and attr_type.args
        inner = attr_type.args[0] if optional else attr_type
        if key in out and out[key] is not None:
            out[key] = convert(out[key], inner, depth + 1)
        elif optional:
            # An omitted (or null) optional attribute takes its default, itself converted.
            default = (Evaluator(lambda n: Unknown(f"{n} in a type default")).eval(attr_type.args[1])
                       if len(attr_type.args) > 1 else None)
            out[key] = convert(default, inner, depth + 1) if default is not None else None
    return out


def _key(expr: ex.Expr) -> str | None:
    if isinstance(expr, ex.Variable):
        return expr.name
    if isinstance(expr, ex.Literal) and isinstance(expr.value, str):
        return expr.value
    return None


def _primitive(value: Any, plain: Any, name: str) -> Any:
    if name == "bool" and isinstance(plain, str) and plain in ("true", "false"):
        return plain == "true"
    if name == "number" and isinstance(plain, str):
        from iac_assist.parsers.terraform.evaluator import to_number

        try:
            return to_number(plain)
        except Exception:
            return value
    if name == "string" and isinstance(plain, (bool, int, float)):
        from iac_assist.parsers.terraform.evaluator import to_string

        return to_string(plain)
    return value


def _dedupe(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    if all(isinstance(x, str) for x in out):
        out.sort()
    return out
