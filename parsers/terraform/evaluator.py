"""Evaluating HCL expressions the way Terraform would, as far as static information allows.

Whatever cannot be known (a variable without value, an id computed at apply time) is ``Unknown``
and stays unknown through every operation: the evaluator never guesses a value. References to
resources stay ``Ref`` values as long as they are used whole, so they become graph edges.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from iac_assist.model import Ref, Unknown
from iac_assist.parsers.terraform import budget, functions
from iac_assist.parsers.terraform import expressions as ex
from iac_assist.parsers.terraform.budget import EvaluationLimit
from iac_assist.parsers.terraform.functions import Failed, FunctionError, number_to_string
from iac_assist.parsers.terraform.values import LazyObject, scalar, unknown_from

MAX_DEPTH = budget.MAX_DEPTH
MAX_ITEMS = functions.MAX_COLLECTION
_HOP = 4
"""Depth added by a reference that starts another evaluation (a local, a module output): the
Python frames between the two, so that MAX_DEPTH also keeps the interpreter's stack bounded."""


class EvalError(Exception):
    """An expression Terraform would reject (type mismatch, missing key)."""


class Namespace(LazyObject):
    """A root name whose attributes are looked up on demand (``var``, ``local``, ``module``)."""

    def __init__(self, lookup: Callable[[str], Any]) -> None:
        self._lookup = lookup

    def attr(self, name: str) -> Any:
        return self._lookup(name)


RootResolver = Callable[[str], Any]
ENV_ORIGINS = "\0origins"
"""In an environment: ``{bound name: where its value came from}`` (``each`` of a ``for_each`` over a
variable, a ``dynamic`` block's iterator), told to the evaluator's ``on_bound`` when read."""


class Evaluator:
    """Evaluates expressions. Every step is counted (see ``budget``): past a bound,
    ``EvaluationLimit`` is raised with the line it happened at, for the caller to report."""

    def __init__(self, resolve_root: RootResolver, call_extra: Mapping[str, Callable[..., Any]] | None = None,
                 on_bound: Callable[[Any], None] | None = None):
        self._resolve_root = resolve_root
        self._on_bound = on_bound
        self._extra = dict(call_extra or {})
        self._budget: budget.Budget | None = None
        self.call_line = 0
        """Line of the extra function call being made, for its warnings."""

    def eval(self, expr: ex.Expr, env: Mapping[str, Any] | None = None) -> Any:
        """Evaluate; a rejected expression yields Unknown rather than an exception (a bound
        passed still raises ``EvaluationLimit``)."""
        try:
            return self.eval_strict(expr, env)
        except (EvalError, FunctionError) as err:
            return Unknown(str(err))

    def eval_strict(self, expr: ex.Expr, env: Mapping[str, Any] | None = None) -> Any:
        current = budget.running()
        if current is not None:
            # Half the evaluations start inside another (a local, a variable, another resource's
            # attribute) and share its budget: nothing to enter or leave.
            return self._strict(expr, env, current)
        with budget.evaluation() as current:
            return self._strict(expr, env, current)

    def _strict(self, expr: ex.Expr, env: Mapping[str, Any] | None, current: budget.Budget) -> Any:
        saved, start = self._budget, current.depth
        self._budget = current
        try:
            # Started by a reference inside another evaluation: nesting adds up.
            return self._eval(expr, env or {}, start + _HOP if start else 0)
        except RecursionError:
            # A backstop: MAX_DEPTH is meant to stop nesting before the interpreter does.
            raise EvaluationLimit("expressions nest too deeply (through locals, variables or modules)",
                                  expr.line) from None
        finally:
            self._budget = saved
            current.depth = start

    # --- dispatch --------------------------------------------------------------------------

    def _eval(self, expr: ex.Expr, env: Mapping[str, Any], depth: int) -> Any:
        try:
            current = self._budget
            current.left -= 1
            if current.left < 0:
                current.spent()
            if depth > MAX_DEPTH:
                raise EvaluationLimit(f"expression nested deeper than {MAX_DEPTH} levels "
                                      "(counting the locals and outputs it refers to)")
            method = _DISPATCH.get(type(expr))
            if method is None:
                raise EvalError(f"cannot evaluate {type(expr).__name__}")
            return method(self, expr, env, depth + 1)
        except EvaluationLimit as err:
            if not err.line and not err.file:
                err.line = getattr(expr, "line", 0)
            raise

    def _enter(self, depth: int) -> None:
        """Before a call that may start another evaluation: where it nests."""
        self._budget.depth = depth

    def _literal(self, expr: ex.Literal, env: Mapping[str, Any], depth: int) -> Any:
        return expr.value

    def _variable(self, expr: ex.Variable, env: Mapping[str, Any], depth: int) -> Any:
        if expr.name in env:
            bound = env.get(ENV_ORIGINS)
            if bound is not None and expr.name in bound and self._on_bound is not None:
                self._on_bound(bound[expr.name])
            return env[expr.name]
        self._enter(depth)
        return self._resolve_root(expr.name)

    def _splat_item(self, expr: ex.SplatItem, env: Mapping[str, Any], depth: int) -> Any:
        return env["\0splat"]

    def _get_attr(self, expr: ex.GetAttr, env: Mapping[str, Any], depth: int) -> Any:
        obj = self._eval(expr.obj, env, depth)
        self._enter(depth)
        return get_attr(obj, expr.name)

    def _index(self, expr: ex.Index, env: Mapping[str, Any], depth: int) -> Any:
        obj = self._eval(expr.obj, env, depth)
        key = scalar(self._eval(expr.key, env, depth))
        self._enter(depth)
        return index(obj, key)

    def _splat(self, expr: ex.Splat, env: Mapping[str, Any], depth: int) -> Any:
        obj = self._eval(expr.obj, env, depth)
        if isinstance(obj, Unknown):
            return obj
        if isinstance(obj, Ref):
            return unknown_from(obj)
        if obj is None:
            return []
        items = obj if isinstance(obj, list) else [obj]
        out = []
        for item in items:
            inner = dict(env)
            inner["\0splat"] = item
            out.append(self._eval(expr.each, inner, depth))
        return out

    def _call(self, expr: ex.Call, env: Mapping[str, Any], depth: int) -> Any:
        name = expr.name
        if name in ("try", "can"):
            args = [self._attempt(a, env, depth) for a in expr.args]
        else:
            args = [self._eval(a, env, depth) for a in expr.args]
        if expr.expand_last and args:
            last = scalar(args.pop())
            if isinstance(last, Unknown):
                return last
            if not isinstance(last, list):
                raise EvalError("... expansion needs a list")
            args.extend(last)
        if name in self._extra:
            self.call_line = expr.line
            self._enter(depth)
            return self._extra[name](*args)
        if name.startswith("provider::"):
            return unknown_from(*args)
        return functions.call(name, args)

    def _attempt(self, arg: ex.Expr, env: Mapping[str, Any], depth: int) -> Any:
        try:
            value = self._eval(arg, env, depth)
        except (EvalError, FunctionError) as err:
            return Failed(str(err))
        return value

    def _tuple(self, expr: ex.TupleExpr, env: Mapping[str, Any], depth: int) -> Any:
        return [self._eval(item, env, depth) for item in expr.items]

    def _object(self, expr: ex.ObjectExpr, env: Mapping[str, Any], depth: int) -> Any:
        out: dict[str, Any] = {}
        for key_expr, value_expr in expr.items:
            key = scalar(self._eval(key_expr, env, depth))
            value = self._eval(value_expr, env, depth)
            if isinstance(key, Unknown):
                return unknown_from(key, value)
            out[to_string(key)] = value
        return out

    def _conditional(self, expr: ex.Conditional, env: Mapping[str, Any], depth: int) -> Any:
        cond = scalar(self._eval(expr.cond, env, depth))
        if isinstance(cond, Unknown):
            then = self._eval(expr.then, env, depth)
            other = self._eval(expr.otherwise, env, depth)
            if then == other and not isinstance(then, Unknown):
                return then
            return unknown_from(cond, then, other)
        return self._eval(expr.then if to_bool(cond) else expr.otherwise, env, depth)

    def _unary(self, expr: ex.UnaryOp, env: Mapping[str, Any], depth: int) -> Any:
        value = scalar(self._eval(expr.operand, env, depth))
        if isinstance(value, Unknown):
            return value
        if expr.op == "!":
            return not to_bool(value)
        return -to_number(value)

    def _binary(self, expr: ex.BinaryOp, env: Mapping[str, Any], depth: int) -> Any:
        op = expr.op
        left = scalar(self._eval(expr.left, env, depth))
        if op in ("&&", "||") and not isinstance(left, Unknown):
            # Terraform evaluates both sides, but a known deciding left side decides.
            if op == "&&" and not to_bool(left):
                return False
            if op == "||" and to_bool(left):
                return True
        right = scalar(self._eval(expr.right, env, depth))
        if op in ("==", "!="):
            if isinstance(left, Unknown) or isinstance(right, Unknown):
                return unknown_from(left, right)
            if isinstance(left, (list, dict)) and isinstance(right, (list, dict)):
                # Comparing walks both values: shared parts count each time (a doubling bomb).
                budget.measure(left, "==")
                budget.measure(right, "==")
            equal = _normalize(left) == _normalize(right)
            return equal if op == "==" else not equal
        if isinstance(left, Unknown) or isinstance(right, Unknown):
            return unknown_from(left, right)
        if op in ("&&", "||"):
            return to_bool(right)
        a, b = to_number(left), to_number(right)
        try:
            if op == "+":
                return _bounded(a + b)
            if op == "-":
                return _bounded(a - b)
            if op == "*":
                return _bounded(a * b)
            if op in ("/", "%"):
                if b == 0:
                    raise EvalError("division by zero")
                return _bounded(a / b) if op == "/" else _bounded(a % b)
        except OverflowError:
            raise EvalError("number out of range") from None
        comparisons = {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}
        if op in comparisons:
            return comparisons[op]
        raise EvalError(f"unknown operator {op}")

    def _for(self, expr: ex.ForExpr, env: Mapping[str, Any], depth: int) -> Any:
        coll = scalar(self._eval(expr.collection, env, depth))
        if isinstance(coll, Unknown):
            return coll
        if isinstance(coll, dict):
            pairs = sorted(coll.items())
        elif isinstance(coll, list):
            pairs = list(enumerate(coll))
        elif coll is None:
            raise EvalError("for expression over null")
        else:
            raise EvalError("for expression needs a list or map")
        if len(pairs) > MAX_ITEMS:
            raise EvalError("for expression over too many elements")
        out_list: list[Any] = []
        out_map: dict[str, Any] = {}
        for key, value in pairs:
            inner = dict(env)
            inner[expr.value_var] = value
            if expr.key_var:
                inner[expr.key_var] = key
            if expr.cond is not None:
                keep = scalar(self._eval(expr.cond, inner, depth))
                if isinstance(keep, Unknown):
                    return unknown_from(keep)
                if not to_bool(keep):
                    continue
            if expr.key is None:
                out_list.append(self._eval(expr.value, inner, depth))
                continue
            k = scalar(self._eval(expr.key, inner, depth))
            if isinstance(k, Unknown):
                return unknown_from(k)
            k = to_string(k)
            v = self._eval(expr.value, inner, depth)
            if expr.group:
                out_map.setdefault(k, []).append(v)
            elif k in out_map:
                raise EvalError(f"duplicate key {k!r} in for expression (use ... to group)")
            else:
                out_map[k] = v
        return out_list if expr.key is None else out_map

    def _template(self, expr: ex.Template, env: Mapping[str, Any], depth: int) -> Any:
        pieces: list[str] = []
        unknowns: list[Any] = []
        self._render(expr.parts, env, depth, pieces, unknowns)
        if unknowns:
            return unknown_from(*unknowns)
        budget.string_size(sum(len(p) for p in pieces), "string template")
        return "".join(pieces)

    def _render(self, parts: tuple[Any, ...], env: Mapping[str, Any], depth: int, pieces: list[str],
                unknowns: list[Any]) -> None:
        current = self._budget
        current.left -= len(parts) + 1  # literal text costs too: %{for} can repeat it
        if current.left < 0:
            current.spent()
        if depth > MAX_DEPTH:
            raise EvaluationLimit(f"template directives nested deeper than {MAX_DEPTH} levels")
        for part in parts:
            if isinstance(part, str):
                pieces.append(part)
            elif isinstance(part, ex.TemplateIf):
                cond = scalar(self._eval(part.cond, env, depth))
                if isinstance(cond, Unknown):
                    unknowns.append(cond)
                    continue
                self._render(part.then if to_bool(cond) else part.otherwise, env, depth, pieces, unknowns)
            elif isinstance(part, ex.TemplateFor):
                coll = scalar(self._eval(part.collection, env, depth))
                if isinstance(coll, Unknown):
                    unknowns.append(coll)
                    continue
                if not isinstance(coll, (dict, list)):
                    raise EvalError("%{for} needs a list or map")
                pairs = sorted(coll.items()) if isinstance(coll, dict) else list(enumerate(coll))
                for key, value in pairs[:MAX_ITEMS]:
                    inner = dict(env)
                    inner[part.value_var] = value
                    if part.key_var:
                        inner[part.key_var] = key
                    self._render(part.body, inner, depth + 1, pieces, unknowns)
            else:
                value = scalar(self._eval(part, env, depth))
                if isinstance(value, Unknown):
                    unknowns.append(value)
                else:
                    pieces.append(to_string(value))


_DISPATCH: dict[type, Callable[..., Any]] = {
    ex.Literal: Evaluator._literal,
    ex.Variable: Evaluator._variable,
    ex.SplatItem: Evaluator._splat_item,
    ex.GetAttr: Evaluator._get_attr,
    ex.Index: Evaluator._index,
    ex.Splat: Evaluator._splat,
    ex.Call: Evaluator._call,
    ex.TupleExpr: Evaluator._tuple,
    ex.ObjectExpr: Evaluator._object,
    ex.Conditional: Evaluator._conditional,
    ex.UnaryOp: Evaluator._unary,
    ex.BinaryOp: Evaluator._binary,
    ex.ForExpr: Evaluator._for,
    ex.Template: Evaluator._template,
}


def get_attr(obj: Any, name: str) -> Any:
    if isinstance(obj, LazyObject):
        return obj.attr(name)
    if isinstance(obj, dict):
        if name in obj:
            return obj[name]
        raise EvalError(f"no attribute {name!r}")
    if isinstance(obj, Ref):
        inner = obj.value
        sub = inner.get(name, Unknown()) if isinstance(inner, dict) else Unknown()
        return Ref(obj.address, f"{obj.attribute}.{name}" if obj.attribute else name, sub)
    if isinstance(obj, Unknown):
        return obj
    if obj is None:
        raise EvalError(f"attribute {name!r} of null")
    raise EvalError(f"no attribute {name!r} on a {type(obj).__name__}")


def index(obj: Any, key: Any) -> Any:
    if isinstance(key, Unknown):
        return unknown_from(obj, key)
    if isinstance(obj, Unknown):
        return obj
    if isinstance(obj, Ref):
        inner = obj.value
        try:
            sub = index(inner, key) if not isinstance(inner, Unknown) else Unknown()
        except EvalError:
            sub = Unknown()
        return Ref(obj.address, f"{obj.attribute}[{key}]", sub)
    if isinstance(obj, list):
        try:
            i = int(to_number(key))
        except (EvalError, ValueError, OverflowError):  # NaN and infinities are numbers too
            raise EvalError("a list index must be a whole number") from None
        if not 0 <= i < len(obj):
            raise EvalError(f"index {i} out of range")
        return obj[i]
    if isinstance(obj, dict):
        k = to_string(key)
        if k not in obj:
            raise EvalError(f"no key {k!r}")
        return obj[k]
    if isinstance(obj, LazyObject):
        return obj.attr(to_string(key))
    raise EvalError(f"cannot index a {type(obj).__name__}")


def to_string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_to_string(value)
    if value is None:
        raise EvalError("null in a string")
    raise EvalError(f"a {type(value).__name__} is not a string")


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise EvalError(f"{value!r} is not a bool")


def to_number(value: Any) -> int | float:
    if isinstance(value, bool) or value is None:
        raise EvalError(f"{value!r} is not a number")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise EvalError(f"{value!r} is not a number") from None
        return _tidy(number)
    raise EvalError("a number is required")


def _bounded(number: int | float) -> int | float:
    """An arithmetic result; an integer growing without bound (squared again and again through
    locals) is refused before it costs memory and time."""
    if isinstance(number, int) and number.bit_length() > budget.MAX_NUMBER_BITS:
        raise EvaluationLimit(f"number with more than {budget.MAX_NUMBER_BITS} bits")
    return _tidy(number)


def _tidy(number: int | float) -> int | float:
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def _normalize(value: Any) -> Any:
    # "1" == 1 is false in Terraform, but 1 == 1.0 is true.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
