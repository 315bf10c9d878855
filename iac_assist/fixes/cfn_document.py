"""A CloudFormation template as the scanner reads it, and the checks an edit is held to: the
edited template must decode to the original with exactly the intended change."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from iac_assist.fixes.cfn_render import Value, decoded
from iac_assist.fixes.errors import CannotEdit

Key = str | int


def decode(text: str) -> Any:
    """The template as the scanner reads it (the front end's decoder, cfn-lint's decoding without
    cfn-lint's import cost). The document is shared: read it, never change it (``copy`` gives one
    to change). The last few are kept: every fix in a template decodes it, and each edit is
    checked by decoding its result, which the fix's own check and the engine's decode again."""
    outcome = _decoded(text)
    if isinstance(outcome, CannotEdit):
        raise CannotEdit(outcome.reason)
    return outcome


@lru_cache(maxsize=16)
def _decoded(text: str) -> Any:
    try:
        return _decode(text)
    except CannotEdit as err:
        return err


def _decode(text: str) -> Any:
    from iac_assist.parsers.cloudformation.decode import decode_str

    try:
        template, matches = decode_str(text)
    except RecursionError:
        raise CannotEdit("the template is nested too deeply") from None
    except Exception as err:  # third-party code fed untrusted input
        raise CannotEdit(f"the template does not decode: {one_line(err)}") from None
    if matches:
        raise CannotEdit(f"the template does not decode: {one_line(matches[0].message)}")
    if not isinstance(template, dict):
        raise CannotEdit("the template is not a mapping")
    return template


def one_line(message: object) -> str:
    return " ".join(str(message).split())[:300]


def copy(document: Any) -> Any:
    """A copy of a decoded document to change: its mappings and lists new (plain ones), its
    scalars shared (they cannot change)."""
    out = _copied(document)
    stack = [(document, out)]
    while stack:
        source, target = stack.pop()
        if isinstance(source, dict):
            for key, value in source.items():
                target[key] = _copied(value)
                stack.append((value, target[key]))
        elif isinstance(source, list):
            for value in source:
                target.append(_copied(value))
                stack.append((value, target[-1]))
    return out


def _copied(value: Any) -> Any:
    return {} if isinstance(value, dict) else [] if isinstance(value, list) else value


def same(a: Any, b: Any) -> bool:
    """Equal as documents: same values of the same types, mapping keys in the same order."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if isinstance(x, dict):
            if not isinstance(y, dict) or list(x) != list(y):
                return False
            stack.extend((x[k], y[k]) for k in x)
        elif isinstance(x, list):
            if not isinstance(y, list) or len(x) != len(y):
                return False
            stack.extend(zip(x, y, strict=True))
        elif kind(x) != kind(y) or x != y:
            return False
    return True


def kind(value: Any) -> str:
    for cls in (bool, int, float, str):
        if isinstance(value, cls):
            return cls.__name__
    return type(value).__name__


def put(document: Any, keys: tuple[Key, ...], value: Value) -> None:
    """Set ``keys`` of the decoded ``document`` to ``value`` as an edit would: missing mappings
    made, a list index one past the end appended."""
    container = document
    for i, key in enumerate(keys):
        last = i == len(keys) - 1
        made: Any = decoded(value) if last else ([] if isinstance(keys[i + 1], int) else {})
        if isinstance(key, int):
            if not isinstance(container, list) or not 0 <= key <= len(container):
                raise CannotEdit(f"{where(keys[:i + 1])} cannot be written")
            if key == len(container):
                container.append(made)
            elif last:
                container[key] = made
        else:
            if not isinstance(container, dict):
                raise CannotEdit(f"{where(keys[:i])} is not a mapping")
            if last or container.get(key) is None:
                container[key] = made
        container = container[key]


_PLAIN_NAME = re.compile(r"!?[A-Za-z0-9_.:-]{1,100}")


def shown(name: object) -> str:
    """A name from the template as a reason shows it: quoted when it is not a plain name."""
    text = str(name)
    return text if _PLAIN_NAME.fullmatch(text) else repr(text[:100])


def where(keys: tuple[Key, ...]) -> str:
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{shown(key)}" if out else shown(key))
    return out


def nest(keys: tuple[Key, ...], value: Value, at: tuple[Key, ...] = ()) -> Value:
    """``value`` under ``keys`` as new mappings (and new lists, for index 0)."""
    for i in range(len(keys) - 1, -1, -1):
        key = keys[i]
        if isinstance(key, int):
            if key != 0:
                raise CannotEdit(f"{where(at + keys[:i + 1])}: a list item cannot be added there")
            value = [value]
        else:
            value = {key: value}
    return value


def merge(into: Value, more: Value, at: str) -> Value:
    """Two new values for one place made one (settings of one new mapping)."""
    if isinstance(into, dict) and isinstance(more, dict):
        out = dict(into)
        for key, value in more.items():
            out[key] = merge(out[key], value, f"{at}.{key}") if key in out else value
        return out
    if isinstance(into, list) and isinstance(more, list) and len(into) == len(more) == 1:
        return [merge(into[0], more[0], f"{at}[0]")]
    raise CannotEdit(f"two settings write {at} differently")
