"""Values a CloudFormation fix writes, and how they are spelled in YAML and in JSON.

A value is a bool, an int, a str, a ``Ref`` or ``GetAtt`` to something in the template, or a
dict / list of those. Everything is bounded and escaped: a string a fix writes may carry a name
the scanned repository chose."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Union

from iac_assist.fixes.errors import CannotEdit

MAX_STRING = 4096
MAX_VALUES = 1000
MAX_NESTING = 16
_ID = re.compile(r"[A-Za-z0-9]{1,255}")
_ATTRIBUTE = re.compile(r"[A-Za-z0-9.]{1,255}")


@dataclass(frozen=True)
class Ref:
    """``!Ref name`` in YAML, ``{"Ref": name}`` in JSON."""

    name: str


@dataclass(frozen=True)
class GetAtt:
    """``!GetAtt resource.attribute`` in YAML, ``{"Fn::GetAtt": [resource, attribute]}`` in JSON."""

    resource: str
    attribute: str


Scalar = Union[bool, int, str]  # noqa: UP007 - a runtime alias; `|` of classes needs 3.10's types
Value = Any
"""A Scalar, Ref, GetAtt, or dict (str keys) / list of Values."""


def check(value: Value) -> None:
    """CannotEdit unless ``value`` is a Value within bounds."""
    count = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        count += 1
        if count > MAX_VALUES or depth > MAX_NESTING:
            raise CannotEdit("the value to write is too large")
        if isinstance(item, Ref):
            if not _ID.fullmatch(item.name) and not re.fullmatch(r"AWS::[A-Za-z]{1,64}", item.name):
                raise CannotEdit(f"{item.name[:80]!r} is not a logical id")
        elif isinstance(item, GetAtt):
            if not _ID.fullmatch(item.resource) or not _ATTRIBUTE.fullmatch(item.attribute):
                raise CannotEdit("a GetAtt names no resource attribute")
        elif isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise CannotEdit("a key to write is not a string")
                stack.append((key, depth + 1))
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            if len(item) > MAX_STRING:
                raise CannotEdit(f"a string to write is longer than {MAX_STRING} characters")
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                raise CannotEdit("a string to write is not valid Unicode")
        elif isinstance(item, bool):
            pass
        elif isinstance(item, int):
            if abs(item) >= 10**18:
                raise CannotEdit("a number to write is too large")
        else:
            raise CannotEdit(f"cannot write a value of type {type(item).__name__}")


def decoded(value: Value) -> Any:
    """``value`` as the scanner decodes what is written for it (cfn-lint's long form of
    intrinsics, from YAML and JSON alike)."""
    if isinstance(value, Ref):
        return {"Ref": value.name}
    if isinstance(value, GetAtt):
        return {"Fn::GetAtt": [value.resource, value.attribute]}
    if isinstance(value, dict):
        return {key: decoded(child) for key, child in value.items()}
    if isinstance(value, list):
        return [decoded(child) for child in value]
    return value


# --- strings ------------------------------------------------------------------------------------

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _printable(ch: str) -> bool:
    """PyYAML's printable set, less the characters YAML 1.1 reads as line breaks and the BOM."""
    if ch in "\u2028\u2029\ufeff":
        return False
    return (ch in "\t\n\r" or " " <= ch <= "~" or "\xa0" <= ch <= "\ud7ff" or "\ue000" <= ch <= "\ufffd"
            or ch >= "\U00010000")


def double_quoted(text: str) -> str:
    """A double-quoted string both JSON and YAML read back as ``text``."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif _printable(ch):
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04x}")
    return '"' + "".join(out) + '"'


_PLAIN_BLOCK = re.compile(r"[A-Za-z0-9_./$][A-Za-z0-9_./$@=+(),*-]*(?:(?: |:+)[A-Za-z0-9_./$@=+(),*-]+)*")
_PLAIN_FLOW = re.compile(r"[A-Za-z0-9_./$][A-Za-z0-9_./$@=+()*-]*(?: [A-Za-z0-9_./$@=+()*-]+)*")


def _resolves_to_str(text: str) -> bool:
    import yaml

    tag: str = yaml.resolver.Resolver().resolve(yaml.ScalarNode, text, (True, False))
    return tag == "tag:yaml.org,2002:str"


def yaml_scalar(value: Scalar, flow: bool, style: str = "") -> str:
    """``value`` as a YAML scalar; ``style`` the quoting of the value it replaces, kept when the
    new one can be written so."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if style == "'" and "'" not in value and all(_printable(ch) and ch not in "\t\n\r" for ch in value):
        return f"'{value}'"
    if style != '"' and (_PLAIN_FLOW if flow else _PLAIN_BLOCK).fullmatch(value) and _resolves_to_str(value):
        return value
    return double_quoted(value)


def json_scalar(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return double_quoted(value)


# --- collections --------------------------------------------------------------------------------


def _yaml_inline(value: Value) -> str | None:
    """The value on one line after ``key: `` in block context, or None when it needs lines."""
    if isinstance(value, Ref):
        return f"!Ref {value.name}"
    if isinstance(value, GetAtt):
        return f"!GetAtt {value.resource}.{value.attribute}"
    if isinstance(value, dict):
        return "{}" if not value else None
    if isinstance(value, list):
        return "[]" if not value else None
    return yaml_scalar(value, flow=False)


def yaml_flow(value: Value) -> str:
    """The value in YAML flow style (``{a: 1, b: [x]}``)."""
    if isinstance(value, Ref):
        return f"!Ref {value.name}"
    if isinstance(value, GetAtt):
        return f"!GetAtt {value.resource}.{value.attribute}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{yaml_scalar(k, flow=True)}: {yaml_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(yaml_flow(v) for v in value) + "]"
    return yaml_scalar(value, flow=True)


@dataclass(frozen=True)
class YamlLayout:
    step: int = 2
    """Columns a nested mapping's keys are indented by."""
    sequence: int = 2
    """Columns a block sequence's dashes are indented by under its key (0: ``key:\\n- a``)."""


def yaml_pair(key: str, value: Value, column: int, layout: YamlLayout) -> list[str]:
    """Lines (no newline) writing ``key: value`` in block style with the key at ``column``."""
    pad = " " * column
    head = f"{pad}{yaml_scalar(key, flow=False)}:"
    inline = _yaml_inline(value)
    if inline is not None:
        return [f"{head} {inline}"]
    if isinstance(value, dict):
        lines = [head]
        for child_key, child in value.items():
            lines.extend(yaml_pair(child_key, child, column + layout.step, layout))
        return lines
    lines = [head]
    for item in value:
        lines.extend(yaml_item(item, column + layout.sequence, layout))
    return lines


def yaml_item(value: Value, column: int, layout: YamlLayout) -> list[str]:
    pad = " " * column
    if isinstance(value, dict) and value:
        lines: list[str] = []
        for child_key, child in value.items():
            lines.extend(yaml_pair(child_key, child, column + 2, layout))
        return [pad + "- " + lines[0][column + 2:], *lines[1:]]
    if isinstance(value, list) and value:
        return [f"{pad}- {yaml_flow(value)}"]
    inline = _yaml_inline(value)
    assert inline is not None  # only non-empty collections need lines
    return [f"{pad}- {inline}"]


def json_value(value: Value, indent: str, unit: str | None) -> str:
    """The value as JSON: ``unit`` the file's indentation step (None: all on one line), ``indent``
    the indentation of the line the value starts on."""
    if isinstance(value, (Ref, GetAtt)):
        return json_value(decoded(value), indent, unit)
    if isinstance(value, (dict, list)):
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
        inner = indent + (unit or "")
        if isinstance(value, dict):
            parts = [f"{double_quoted(k)}: {json_value(v, inner, unit)}" for k, v in value.items()]
        else:
            parts = [json_value(v, inner, unit) for v in value]
        if unit is None:
            return opening + ", ".join(parts) + closing
        return opening + "\n" + ",\n".join(inner + part for part in parts) + "\n" + indent + closing
    return json_scalar(value)
