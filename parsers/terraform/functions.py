"""Terraform's built-in functions, over evaluator values.

A function whose arguments hold an unknown returns an unknown (remembering the references),
unless it is declared ``lenient``: those look inside and stay precise (``length`` of a list with
unknown elements is known; ``concat`` keeps references; ``try`` skips failures). Functions that
read files are not here: they need the scan root and live in the evaluator.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import ipaddress
import itertools
import json
import math
import posixpath
import re
from collections.abc import Callable
from typing import Any

from iac_assist.model import Ref, Unknown
from iac_assist.parsers.terraform import budget
from iac_assist.parsers.terraform.budget import EvaluationLimit
from iac_assist.parsers.terraform.values import (
    PartialJson,
    is_wholly_known,
    plain,
    scalar,
    to_json,
    unknown_from,
)

MAX_COLLECTION = 100_000
"""Largest list a function may build (``range(1e9)`` is refused, not computed)."""


class FunctionError(Exception):
    """A call Terraform would reject (wrong types, out of range)."""


Function = Callable[..., Any]
FUNCTIONS: dict[str, Function] = {}
LENIENT: set[str] = set()


def register(*names: str, lenient: bool = False) -> Callable[[Function], Function]:
    def add(fn: Function) -> Function:
        for name in names:
            FUNCTIONS[name] = fn
            if lenient:
                LENIENT.add(name)
        return fn

    return add


_REJECTED = (ValueError, TypeError, ArithmeticError, LookupError, re.error, csv.Error)
"""What a function raises on arguments Terraform would reject (``parseint("x", 10)``,
``abs(1e400)``, ``min()``): the call is rejected, as Terraform would, never a crash."""


def call(name: str, args: list[Any]) -> Any:
    fn = FUNCTIONS.get(name)
    if fn is None:
        return Unknown(f"function {name} is not evaluated")
    if name not in LENIENT:
        args = [scalar(a) for a in args]
        if any(isinstance(a, Unknown) for a in args):
            return unknown_from(*args)
    budget.charge(len(args))
    try:
        result = fn(*args)
    except _REJECTED as err:
        raise FunctionError(f"{name}(): {err}") from None
    except RecursionError:
        raise EvaluationLimit(f"{name}(): value nested too deeply") from None
    # What a call builds is paid for: a list of n elements costs n steps, a string its size.
    if isinstance(result, (list, dict)):
        budget.charge(len(result))
    elif isinstance(result, str):
        budget.string_size(len(result), f"{name}()")
    return result


def _str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_to_string(value)
    if isinstance(value, str):
        return value
    raise FunctionError(f"a string is required, got {type(value).__name__}")


def number_to_string(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value)


def _num(value: Any) -> int | float:
    if isinstance(value, bool):
        raise FunctionError("a number is required")
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise FunctionError(f"{value!r} is not a number") from None
        return int(number) if number.is_integer() and "." not in value and "e" not in value.lower() else number
    raise FunctionError("a number is required")


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        raise FunctionError("a list is required, got a map")
    raise FunctionError("a list is required")


def _map(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise FunctionError("a map is required")


# --- strings ---------------------------------------------------------------------------------

register("lower")(lambda s: _str(s).lower())
register("upper")(lambda s: _str(s).upper())
register("trimspace")(lambda s: _str(s).strip())
register("chomp")(lambda s: _str(s).rstrip("\r\n"))
register("title")(lambda s: re.sub(r"\b[a-z]", lambda m: m.group(0).upper(), _str(s)))
register("trimprefix")(lambda s, p: _str(s)[len(_str(p)) :] if _str(s).startswith(_str(p)) else _str(s))
register("trimsuffix")(
    lambda s, p: _str(s)[: -len(_str(p))] if _str(p) and _str(s).endswith(_str(p)) else _str(s)
)
register("trim")(lambda s, chars: _str(s).strip(_str(chars)))
register("strrev")(lambda s: _str(s)[::-1])
register("startswith")(lambda s, p: _str(s).startswith(_str(p)))
register("endswith")(lambda s, p: _str(s).endswith(_str(p)))
register("strcontains")(lambda s, p: _str(p) in _str(s))
register("substr")(lambda s, off, n: _substr(_str(s), int(_num(off)), int(_num(n))))


def _substr(s: str, offset: int, length: int) -> str:
    if offset < 0:
        offset = max(len(s) + offset, 0)
    return s[offset:] if length < 0 else s[offset : offset + length]


@register("split")
def _split(sep: Any, s: Any) -> list[str]:
    s, sep = _str(s), _str(sep)
    _collection(s.count(sep) + 1 if sep else len(s), "split()")
    return s.split(sep) if sep else list(s)


def _collection(size: int, what: str) -> None:
    """Refuse to build a list over the limit (each element costs a step too)."""
    if size > MAX_COLLECTION:
        raise EvaluationLimit(f"{what} of {size} elements is over the limit of {MAX_COLLECTION}")
    budget.charge(size)


@register("join", lenient=True)
def _join(sep: Any, *lists: Any) -> Any:
    items: list[Any] = []
    for lst in lists:
        lst = scalar(lst)
        if isinstance(lst, Unknown):
            return unknown_from(sep, *lists)
        items.extend(scalar(x) for x in _list(lst))
    sep = scalar(sep)
    if isinstance(sep, Unknown) or any(isinstance(x, Unknown) for x in items):
        return unknown_from(sep, *lists)
    texts = [_str(x) for x in items]
    budget.string_size(sum(map(len, texts)) + len(_str(sep)) * max(len(texts) - 1, 0), "join()")
    return _str(sep).join(texts)


@register("replace")
def _replace(s: Any, old: Any, new: Any) -> str:
    s, old, new = _str(s), _str(old), _str(new)
    if len(old) > 1 and old.startswith("/") and old.endswith("/"):
        pattern = _pattern(old[1:-1])
        template = re.sub(r"\$\{?(\w+)\}?", r"\\g<\1>", new)
        # Each replacement is at most the template plus every group it names: bound the result
        # before it is built (``replace(big, "/(?:)/", big)``).
        count = _matching("replace()", lambda timeout: sum(1 for _ in pattern.finditer(s, timeout=timeout)))
        budget.charge(count)
        budget.string_size(len(s) + count * (len(template) + len(s) * template.count("\\g<")), "replace()")
        return _matching("replace()", lambda timeout: pattern.sub(template, s, timeout=timeout))
    if old:
        budget.string_size(len(s) + s.count(old) * max(len(new) - len(old), 0), "replace()")
    else:
        budget.string_size(len(s) + (len(s) + 1) * len(new), "replace()")
    return s.replace(old, new)


_PATTERN_CACHE: dict[str, Any] = {}
MAX_PATTERN = 10_000
"""Characters of a user's regular expression (compiling is not bounded by the match timeout)."""


def _pattern(text: str) -> Any:
    """A user's regular expression, compiled with the ``regex`` engine, whose matching can be
    given a timeout: Python's ``re`` can backtrack for ever on ``(a+)+$``."""
    compiled = _PATTERN_CACHE.get(text)
    if compiled is None:
        import regex

        if len(text) > MAX_PATTERN:
            raise EvaluationLimit(f"regular expression of {len(text)} characters, over the limit of {MAX_PATTERN}")
        try:
            compiled = regex.compile(text)
        except (regex.error, ValueError, OverflowError) as err:
            raise FunctionError(f"invalid regular expression: {err}") from None
        if len(_PATTERN_CACHE) < 256:
            _PATTERN_CACHE[text] = compiled
    return compiled


def _matching(what: str, match: Callable[[float], Any]) -> Any:
    """Run ``match(timeout)``; past the time a match may take, the evaluation is stopped."""
    import time

    import regex

    allowed = budget.regex_seconds()
    start = time.monotonic()
    try:
        return match(allowed)
    except regex.error as err:
        raise FunctionError(f"{what}: {err}") from None
    except TimeoutError:
        raise EvaluationLimit(f"{what}: the regular expression takes more than {allowed:g} s to match "
                              "(catastrophic backtracking?)") from None
    finally:
        budget.regex_spent(time.monotonic() - start)


@register("regex")
def _regex(pattern: Any, s: Any) -> Any:
    compiled, text = _pattern(_str(pattern)), _str(s)
    m = _matching("regex()", lambda timeout: compiled.search(text, timeout=timeout))
    if not m:
        raise FunctionError("pattern did not match")
    if m.groupdict():
        return m.groupdict()
    return list(m.groups()) if m.groups() else m.group(0)


@register("can", lenient=True)
def _can(value: Any) -> Any:
    # Failures are caught in the evaluator, which passes a _Failed marker.
    return not isinstance(value, Failed)


@register("try", lenient=True)
def _try(*values: Any) -> Any:
    for value in values:
        if not isinstance(value, Failed):
            return value
    raise FunctionError("no argument of try() could be evaluated")


class Failed:
    """An argument of try()/can() whose evaluation failed."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


@register("format")
def _format(fmt: Any, *args: Any) -> str:
    fmt = _str(fmt)
    out: list[str] = []
    arg_iter = iter(args)
    i = 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        m = re.match(r"%([-+ #0]*)(\d*)(?:\.(\d+))?([a-zA-Z%])", fmt[i:])
        if not m:
            raise FunctionError("malformed format string")
        flags, width, prec, verb = m.groups()
        if len(width) > 6 or len(prec or "") > 6 or int(width or 0) + int(prec or 0) > budget.MAX_STRING:
            raise EvaluationLimit(f"format(): width or precision {m.group(0)!r} is over the limit of "
                                  f"{budget.MAX_STRING} characters")
        i += m.end()
        if verb == "%":
            out.append("%")
            continue
        value = next(arg_iter, None)
        if verb in "sv":
            if isinstance(value, (list, dict)):
                budget.measure(value, "format()")
                text = to_json(value)
            else:
                text = _str(value)
        elif verb in "dfeEgG":
            number = _num(value)
            py = f"%{flags}{width}{'.' + prec if prec else ''}{verb}"
            text = py % (int(number) if verb == "d" else number)
        elif verb == "t":
            text = "true" if value else "false"
        elif verb == "q":
            text = json.dumps(_str(value))
        else:
            text = _str(value)
        out.append(text.rjust(int(width)) if width and verb in "sv" and "-" not in flags else text)
        budget.string_size(sum(map(len, out)), "format()")
    return "".join(out)


@register("formatlist")
def _formatlist(fmt: Any, *args: Any) -> list[str]:
    lengths = {len(a) for a in args if isinstance(a, list)}
    if len(lengths) > 1:
        raise FunctionError("formatlist arguments have different lengths")
    if not isinstance(fmt, str):
        raise FunctionError("formatlist() needs a format string")
    n = lengths.pop() if lengths else 1
    out = []
    for i in range(n):
        out.append(_format(fmt, *[a[i] if isinstance(a, list) else a for a in args]))
        budget.string_size(len(out[-1]), "formatlist()")
    budget.string_size(sum(map(len, out)), "formatlist()")
    return out


# --- collections -----------------------------------------------------------------------------


@register("length", lenient=True)
def _length(value: Any) -> Any:
    value = scalar(value)
    if isinstance(value, (list, dict, str)):
        return len(value)
    if isinstance(value, Unknown):
        return value
    raise FunctionError("length() needs a list, map or string")


@register("concat", lenient=True)
def _concat(*lists: Any) -> Any:
    out: list[Any] = []
    for lst in lists:
        if isinstance(scalar(lst), Unknown):
            return unknown_from(*lists)
        out.extend(_list(lst))
    return out


@register("merge", lenient=True)
def _merge(*maps: Any) -> Any:
    out: dict[str, Any] = {}
    for m in maps:
        m = scalar(m)
        if m is None:
            continue
        if isinstance(m, Unknown):
            return unknown_from(*maps)
        out.update(_map(m))
    return out


@register("lookup", lenient=True)
def _lookup(m: Any, key: Any, *default: Any) -> Any:
    m, key = scalar(m), scalar(key)
    if isinstance(m, Unknown) or isinstance(key, Unknown):
        return unknown_from(m, key)
    m = _map(m)
    if _str(key) in m:
        return m[_str(key)]
    if default:
        return default[0]
    raise FunctionError(f"key {key!r} not found")


@register("element", lenient=True)
def _element(lst: Any, index: Any) -> Any:
    lst, index = scalar(lst), scalar(index)
    if isinstance(lst, Unknown) or isinstance(index, Unknown):
        return unknown_from(lst, index)
    lst = _list(lst)
    if not lst:
        raise FunctionError("element() of an empty list")
    return lst[int(_num(index)) % len(lst)]


@register("index")
def _index(lst: Any, value: Any) -> int:
    try:
        return _list(lst).index(value)
    except ValueError:
        raise FunctionError("value not in list") from None


@register("contains")
def _contains(lst: Any, value: Any) -> Any:
    items = [scalar(x) for x in _list(lst)]
    if value in items:
        return True
    return unknown_from(lst) if any(isinstance(x, Unknown) for x in items) else False


@register("keys")
def _keys(m: Any) -> list[str]:
    return sorted(_map(m))


@register("values", lenient=True)
def _values(m: Any) -> Any:
    m = scalar(m)
    if isinstance(m, Unknown):
        return m
    m = _map(m)
    return [m[k] for k in sorted(m)]


@register("zipmap", lenient=True)
def _zipmap(keys: Any, values: Any) -> Any:
    keys, values = scalar(keys), scalar(values)
    if isinstance(keys, Unknown) or isinstance(values, Unknown):
        return unknown_from(keys, values)
    keys = [scalar(k) for k in _list(keys)]
    if any(isinstance(k, Unknown) for k in keys):
        return unknown_from(*keys)
    values = _list(values)
    if len(keys) != len(values):
        raise FunctionError("zipmap() needs as many values as keys")
    return {_str(k): v for k, v in zip(keys, values, strict=True)}


@register("flatten", lenient=True)
def _flatten(lst: Any) -> Any:
    lst = scalar(lst)
    if isinstance(lst, Unknown):
        return lst
    out: list[Any] = []
    stack = [iter(_list(lst))]
    while stack:
        try:
            item = next(stack[-1])
        except StopIteration:
            stack.pop()
            continue
        budget.charge()
        item = scalar(item) if isinstance(item, Unknown) else item
        if isinstance(item, Unknown):
            return unknown_from(lst)
        if isinstance(item, list):
            if len(stack) > 64:
                raise FunctionError("flatten(): nesting too deep")
            stack.append(iter(item))
        else:
            out.append(item)
    return out


class _Members:
    """Set membership with Python equality (``1 == 1.0``), in linear time: ``toset`` of a
    100,000-element list must not compare every pair."""

    def __init__(self, items: list[Any] = ()) -> None:
        self._keys: set[Any] = set()
        self._other: list[Any] = []
        for item in items:
            self.add(item)

    def __contains__(self, item: Any) -> bool:
        key = _frozen(item)
        if key is not None:
            return key in self._keys
        return item in self._other

    def add(self, item: Any) -> None:
        key = _frozen(item)
        if key is not None:
            self._keys.add(key)
        else:
            self._other.append(item)


def _frozen(value: Any) -> Any:
    """A hashable stand-in equal where ``value``s are equal, or None (references, unknowns)."""
    if isinstance(value, (list, dict)):
        budget.measure(value, "set element")
    return _freeze(value)


def _freeze(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)):
        return ("v", value)
    if value is None:
        return ("n",)
    if isinstance(value, list):
        items = tuple(_freeze(v) for v in value)
        return None if None in items else ("l", items)
    if isinstance(value, dict):
        items = tuple((k, _freeze(v)) for k, v in sorted(value.items()))
        return None if any(v is None for _, v in items) else ("d", items)
    return None


@register("distinct")
def _distinct(lst: Any) -> list[Any]:
    out: list[Any] = []
    seen = _Members()
    for item in _list(lst) if not isinstance(lst, dict) else list(lst.values()):
        if item not in seen:
            seen.add(item)
            out.append(item)
    return out


@register("toset")
def _toset(lst: Any) -> list[Any]:
    # Terraform orders a set of strings lexically and a set of numbers by value: what
    # tolist(toset(x)) and for_each instance order then show.
    out = _distinct(lst)
    if all(isinstance(x, str) for x in out) or all(
            isinstance(x, (int, float)) and not isinstance(x, bool) for x in out):
        out.sort()
    return out


@register("compact")
def _compact(lst: Any) -> list[Any]:
    return [x for x in _list(lst) if x is not None and x != ""]


@register("coalesce", lenient=True)
def _coalesce(*values: Any) -> Any:
    for value in values:
        value = scalar(value) if isinstance(value, Ref) and isinstance(value.value, Unknown) else value
        if isinstance(value, Unknown):
            return unknown_from(*values)
        if value is not None and value != "":
            return value
    raise FunctionError("no non-null, non-empty argument")


@register("coalescelist")
def _coalescelist(*lists: Any) -> Any:
    for lst in lists:
        if _list(lst):
            return lst
    raise FunctionError("no non-empty list")


@register("reverse")
def _reverse(lst: Any) -> list[Any]:
    return list(reversed(_list(lst)))


@register("sort")
def _sort(lst: Any) -> list[str]:
    return sorted(_str(x) for x in _list(lst))


@register("slice")
def _slice(lst: Any, start: Any, end: Any) -> list[Any]:
    return _list(lst)[int(_num(start)) : int(_num(end))]


@register("chunklist")
def _chunklist(lst: Any, size: Any) -> list[list[Any]]:
    n = int(_num(size))
    items = _list(lst)
    return [items[i : i + n] for i in range(0, len(items), n)] if n > 0 else [items]


@register("one")
def _one(lst: Any) -> Any:
    items = _list(lst)
    if len(items) > 1:
        raise FunctionError("one() of a list with more than one element")
    return items[0] if items else None


@register("range")
def _range(*args: Any) -> list[Any]:
    if not 1 <= len(args) <= 3:
        raise FunctionError("range() takes one to three numbers")
    nums = [_num(a) for a in args]
    start, stop, step = (0, nums[0], 1) if len(nums) == 1 else (nums[0], nums[1], nums[2] if len(nums) > 2 else 1)
    if step == 0:
        raise FunctionError("range() step must not be zero")
    count = max(0, math.ceil((stop - start) / step))
    _collection(count, "range()")
    return [start + i * step for i in range(count)]


@register("setunion")
def _setunion(*lists: Any) -> list[Any]:
    return _distinct([x for lst in lists for x in _list(lst)])


@register("setintersection")
def _setintersection(first: Any, *others: Any) -> list[Any]:
    sets = [_Members(_list(o)) for o in others]
    return [x for x in _distinct(first) if all(x in members for members in sets)]


@register("setsubtract")
def _setsubtract(a: Any, b: Any) -> list[Any]:
    members = _Members(_list(b))
    return [x for x in _distinct(a) if x not in members]


@register("transpose")
def _transpose(m: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, values in sorted(_map(m).items()):
        for v in _list(values):
            out.setdefault(_str(v), []).append(key)
    return out


# --- numbers ---------------------------------------------------------------------------------

register("min")(lambda *xs: min(_num(x) for x in xs))
register("max")(lambda *xs: max(_num(x) for x in xs))
register("abs")(lambda x: abs(_num(x)))
register("ceil")(lambda x: math.ceil(_num(x)))
register("floor")(lambda x: math.floor(_num(x)))
register("signum")(lambda x: (_num(x) > 0) - (_num(x) < 0))
register("parseint")(lambda s, base: int(_str(s), int(_num(base))))


@register("pow")
def _pow(a: Any, b: Any) -> int | float:
    base, exponent = _num(a), _num(b)
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and \
            abs(base) > 1 and abs(base).bit_length() * exponent > budget.MAX_NUMBER_BITS:
        # Terraform's numbers are floats of limited precision: what a float cannot hold is
        # out of range, and a big integer must not be computed digit by digit.
        return float(base) ** exponent
    result = base ** exponent
    if isinstance(result, complex):
        raise FunctionError("pow(): the result is not a real number")
    return result


# --- type conversion -------------------------------------------------------------------------


@register("tostring")
def _tostring(value: Any) -> Any:
    return None if value is None else _str(value)


@register("tonumber")
def _tonumber(value: Any) -> Any:
    return None if value is None else _num(value)


@register("tobool")
def _tobool(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise FunctionError(f"{value!r} is not a bool")


register("tolist", lenient=True)(lambda v: v if not isinstance(v, dict) else list(v.values()))
register("tomap", lenient=True)(lambda v: v)
register("sensitive", "nonsensitive", lenient=True)(lambda v: v)
register("type", lenient=True)(lambda v: Unknown("type() is not evaluated"))


# --- encoding --------------------------------------------------------------------------------


@register("jsonencode", lenient=True)
def _jsonencode(value: Any) -> Any:
    budget.measure(value, "jsonencode()")
    value = plain(value)
    if is_wholly_known(value):
        return to_json(value)
    return PartialJson(value)


@register("jsondecode")
def _jsondecode(text: Any) -> Any:
    try:
        return json.loads(_str(text))
    except ValueError as err:
        raise FunctionError(f"invalid JSON: {err}") from None
    except RecursionError:
        raise EvaluationLimit("jsondecode(): JSON nested too deeply") from None


@register("yamlencode", lenient=True)
def _yamlencode(value: Any) -> Any:
    budget.measure(value, "yamlencode()")
    value = plain(value)
    if not is_wholly_known(value):
        return unknown_from(value)
    import yaml

    return yaml.safe_dump(value, sort_keys=True, default_flow_style=False)


@register("yamldecode")
def _yamldecode(text: Any) -> Any:
    import yaml

    try:
        loaded = yaml.safe_load(_str(text))
    except yaml.YAMLError as err:
        raise FunctionError(f"invalid YAML: {(str(err).splitlines() or [''])[0]}") from None
    except RecursionError:
        raise EvaluationLimit("yamldecode(): YAML nested too deeply") from None
    return _yaml_value(loaded, 0)


def _yaml_value(value: Any, depth: int) -> Any:
    """YAML's values as Terraform's: timestamps and binary as strings, keys as strings. Aliases
    are expanded as they are walked, so a billion laughs is paid for (and stopped) here."""
    budget.charge()
    if depth > budget.MAX_DEPTH:
        raise EvaluationLimit("yamldecode(): YAML nested too deeply")
    if isinstance(value, dict):
        return {_yaml_key(k): _yaml_value(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_yaml_value(v, depth + 1) for v in (sorted(value, key=repr) if isinstance(value, set) else value)]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


def _yaml_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return number_to_string(key)
    return "null" if key is None else str(key)


register("base64encode")(lambda s: base64.b64encode(_str(s).encode()).decode())
register("base64gzip")(lambda s: Unknown("base64gzip() is not evaluated"))


@register("base64decode")
def _base64decode(s: Any) -> str:
    try:
        return base64.b64decode(_str(s)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise FunctionError("invalid base64") from None


register("urlencode")(lambda s: __import__("urllib.parse").parse.quote(_str(s), safe=""))


# --- network ---------------------------------------------------------------------------------


@register("cidrsubnet")
def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> str:
    try:
        net = ipaddress.ip_network(_str(prefix), strict=False)
        new_prefix = net.prefixlen + int(_num(newbits))
        size = 1 << (net.max_prefixlen - new_prefix)
        address = int(net.network_address) + int(_num(netnum)) * size
        subnet = ipaddress.ip_network((address, new_prefix))
    except ValueError as err:
        raise FunctionError(f"cidrsubnet(): {err}") from None
    if not subnet.subnet_of(net):  # type: ignore[arg-type]
        raise FunctionError("cidrsubnet(): netnum out of range")
    return str(subnet)


@register("cidrhost")
def _cidrhost(prefix: Any, hostnum: Any) -> str:
    try:
        net = ipaddress.ip_network(_str(prefix), strict=False)
        n = int(_num(hostnum))
        base = net.broadcast_address + 1 if n < 0 else net.network_address
        return str(base + n)
    except ValueError as err:
        raise FunctionError(f"cidrhost(): {err}") from None


@register("cidrnetmask")
def _cidrnetmask(prefix: Any) -> str:
    try:
        return str(ipaddress.ip_network(_str(prefix), strict=False).netmask)
    except ValueError as err:
        raise FunctionError(f"cidrnetmask(): {err}") from None


@register("cidrsubnets")
def _cidrsubnets(prefix: Any, *newbits: Any) -> list[str]:
    net = ipaddress.ip_network(_str(prefix), strict=False)
    _collection(len(newbits), "cidrsubnets()")
    out: list[str] = []
    cursor = int(net.network_address)
    end = int(net.broadcast_address) + 1
    for bits in newbits:
        extra = int(_num(bits))
        new_prefix = net.prefixlen + extra
        if extra < 1 or new_prefix > net.max_prefixlen:
            raise FunctionError(f"cidrsubnets(): {extra} new bits do not fit in {net}")
        size = 1 << (net.max_prefixlen - new_prefix)
        cursor = (cursor + size - 1) // size * size
        if cursor + size > end:
            raise FunctionError(f"cidrsubnets(): not enough room in {net} for {len(newbits)} subnets")
        out.append(str(ipaddress.ip_network((cursor, new_prefix))))
        cursor += size
    return out


@register("regexall")
def _regexall(pattern: Any, s: Any) -> list[Any]:
    compiled, text = _pattern(_str(pattern)), _str(s)

    def find(timeout: float) -> list[Any]:
        out: list[Any] = []
        for m in compiled.finditer(text, timeout=timeout):
            if len(out) >= MAX_COLLECTION:
                raise EvaluationLimit(f"regexall() finds more than {MAX_COLLECTION} matches")
            budget.charge()
            if m.groupdict():
                out.append(m.groupdict())
            else:
                out.append(list(m.groups()) if m.groups() else m.group(0))
        return out

    return _matching("regexall()", find)


@register("alltrue")
def _alltrue(values: Any) -> bool:
    return all(_bool(v) for v in _list(values))


@register("anytrue")
def _anytrue(values: Any) -> bool:
    return any(_bool(v) for v in _list(values))


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise FunctionError("a bool is required")


@register("sum")
def _sum(values: Any) -> Any:
    items = _list(values) if not isinstance(values, dict) else list(values.values())
    if not items:
        raise FunctionError("sum() of an empty collection")
    return sum(_num(v) for v in items)


MAX_PRODUCT = 10_000
"""Elements setproduct() may build: input is untrusted, and the result is materialised."""


@register("setproduct")
def _setproduct(*lists: Any) -> list[list[Any]]:
    sets = [_list(x) for x in lists]
    size = 1
    for s in sets:
        size *= len(s)
    if size > MAX_PRODUCT:
        raise FunctionError(f"setproduct() of {size} elements is over the limit of {MAX_PRODUCT}")
    return [list(combo) for combo in itertools.product(*sets)]


@register("matchkeys")
def _matchkeys(values: Any, keys: Any, searchset: Any) -> list[Any]:
    wanted = _Members(_list(searchset))
    return [v for v, k in zip(_list(values), _list(keys), strict=False) if k in wanted]


@register("indent")
def _indent(spaces: Any, s: Any) -> str:
    text, width = _str(s), int(_num(spaces))
    budget.string_size(len(text) + text.count("\n") * max(width, 0), "indent()")
    pad = " " * width
    return text.replace("\n", "\n" + pad)


@register("basename")
def _basename(path: Any) -> str:
    return posixpath.basename(_str(path))


@register("dirname")
def _dirname(path: Any) -> str:
    return posixpath.dirname(_str(path)) or "."


@register("log")
def _log(number: Any, base: Any) -> float:
    return math.log(_num(number), _num(base))


def _hex_digest(algorithm: str) -> Function:
    return lambda s: hashlib.new(algorithm, _str(s).encode()).hexdigest()


def _base64_digest(algorithm: str) -> Function:
    return lambda s: base64.b64encode(hashlib.new(algorithm, _str(s).encode()).digest()).decode()


for _algorithm in ("md5", "sha1", "sha256", "sha512"):
    register(_algorithm)(_hex_digest(_algorithm))
    if _algorithm in ("sha256", "sha512"):
        register("base64" + _algorithm)(_base64_digest(_algorithm))


@register("csvdecode")
def _csvdecode(s: Any) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(_str(s))))
    if not rows:
        return []
    header, *body = rows
    return [dict(zip(header, row, strict=False)) for row in body]
