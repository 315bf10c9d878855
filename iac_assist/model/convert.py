"""Value conversions every front end needs: sources write booleans and numbers as strings
("true", "443"). ``Unknown`` and ``Ref`` pass through; a value that cannot be converted becomes
``Unknown``: a conversion never guesses."""

from __future__ import annotations

import re
from typing import Any

from iac_assist.model import Unknown, is_known, number_text

_INTEGER = re.compile(r"[+-]?\d+")


def to_bool(value: Any) -> Any:
    if not is_known(value) or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return Unknown(f"not a boolean: {value!r}")


def to_int(value: Any) -> Any:
    if not is_known(value):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    return Unknown(f"not an integer: {value!r}")


def as_text(value: Any) -> Any:
    """A value written where text is expected (a protocol, a policy name), converted as Terraform
    and CloudFormation convert it: numbers and booleans become their text, null stays absent
    (None), and a list or map, which neither would accept, becomes Unknown. So every enumeration
    a policy compares is text, None or unknown, never a structure."""
    if isinstance(value, str) or value is None or not is_known(value):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        written = number_text(value)
        return written if written is not None else Unknown("not a usable number (too large, or infinite)")
    return Unknown(f"a {type(value).__name__} where text is expected")


def first_set(*values: Any) -> Any:
    """The first value that is set (neither null nor empty), unknown ones included: of attributes
    one of which names a thing (a route's destination, a grantee). None when none is."""
    for value in values:
        if value is not None and not (isinstance(value, str) and value == ""):
            return value
    return None


def known_items(value: Any) -> list[Any]:
    """The entries of a list attribute; none when it is unknown or not a list at all."""
    return value if isinstance(value, list) else []


def first_block(value: Any) -> dict[str, Any] | None:
    """The first of a list of nested blocks, or None when there is none or it is not a block (an
    unknown collection, an attribute of the wrong type written in the block's place)."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return value[0]
    return None


def upper(value: Any) -> Any:
    value = as_text(value)
    return value.upper() if isinstance(value, str) else value


def lower(value: Any) -> Any:
    value = as_text(value)
    return value.lower() if isinstance(value, str) else value



def as_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, (list, Unknown)):
        return value
    return [value]


def items(value: Any) -> list[Any]:
    """A list to concatenate: an unknown list becomes one unknown element."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
