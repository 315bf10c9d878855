"""A Terraform file's syntax tree through the parse cache (``iac_assist/inputs/parse_cache.py``).

What is cached is the text's syntax tree, before anything is evaluated: it depends on the text
and the parser alone, never on variables, the folder or the file's name. A syntax error is
cached too (as its message and position), so an unchanged broken file is not parsed again.
"""

from __future__ import annotations

from iac_assist.inputs import parse_cache
from iac_assist.parsers.terraform import hcl

_HCL_MODULES = ("iac_assist.parsers.terraform.hcl", "iac_assist.parsers.terraform.expressions",
                "iac_assist.parsers.terraform.hcl_parser", "iac_assist.parsers.terraform.hcl_lalr")
_JSON_MODULES = (*_HCL_MODULES, "iac_assist.parsers.terraform.tfjson", "iac_assist.inputs.jsonpos")
_LIBRARIES = ("python-hcl2", "lark")

Outcome = tuple[hcl.Body | None, tuple[str, int, int] | None]


def parse_hcl(text: str) -> hcl.Body:
    """``hcl.parse(text)``, cached. Raises HclError as it does."""
    return _raise(parse_cache.cached("terraform-hcl", text, _hcl, _HCL_MODULES, _LIBRARIES))


def parse_json(text: str) -> hcl.Body:
    """``tfjson.parse(text)`` (a ``.tf.json`` file), cached. Raises HclError as it does."""
    return _raise(parse_cache.cached("terraform-json", text, _json, _JSON_MODULES, _LIBRARIES))


def _hcl(text: str) -> Outcome:
    try:
        return hcl.parse(text), None
    except hcl.HclError as err:
        return None, (err.message, err.line, err.column)


def _json(text: str) -> Outcome:
    from iac_assist.parsers.terraform import tfjson

    try:
        return tfjson.parse(text), None
    except hcl.HclError as err:
        return None, (err.message, err.line, err.column)


def _raise(outcome: Outcome) -> hcl.Body:
    body, error = outcome
    if error is not None:
        raise hcl.HclError(*error)
    assert body is not None
    return body
