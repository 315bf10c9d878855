"""``data "aws_iam_policy_document"`` rendered the way the AWS provider renders its ``json``.

The provider turns the block's statements into a policy document; policies then read it like
any literal JSON policy. ``render`` follows the provider's rules (internal/service/iam,
policy_document_data_source.go and policy_model.go):

- ``version`` defaults to ``2012-10-17``; ``policy_id`` becomes ``Id``.
- Each ``statement`` gives ``Sid`` (omitted when empty), ``Effect`` (default ``Allow``),
  ``Action``/``NotAction``/``Resource``/``NotResource`` (sets: duplicates dropped, a single
  element collapses to a string, several are sorted in reverse order), ``Principal`` /
  ``NotPrincipal`` (``{type: identifiers}``, identifiers collapsed like actions; blocks of the
  same type merge; the single principal ``type = "*"``, ``identifiers = ["*"]`` becomes ``"*"``)
  and ``Condition`` (``{test: {variable: values}}``, values kept in order, a single value
  collapses to a string, blocks with the same test and variable merge their values).
- ``&{...}`` in resources, principals and condition values becomes ``${...}`` (policy
  variables written so that Terraform does not interpolate them), except in version 2008-10-17.
- ``source_policy_documents`` are merged first, then the block's own statements, then
  ``override_policy_documents``; a statement whose ``Sid`` is already present replaces that one.
  The deprecated ``source_json``/``override_json`` of older providers count as the first source
  and the last override.

Unknown values stay ``Unknown`` inside the document, so that policies still read what is known:
an unknown list element stays an element (a single unknown element stands for the whole
value, since it may be a set that collapses), an unknown principal type or condition key makes
that whole ``Principal``/``Condition`` unknown, and a source or override document that is not
known adds an ``Unknown`` statement (some statements, not known) to ``Statement``; an unknown
override, or a statement whose ``Sid`` is unknown, also turns the statements it may replace into
``Unknown``. Statements taken from source and override documents are kept as written (the
provider re-encodes them; the meaning is the same).
"""

from __future__ import annotations

import json
from typing import Any

from iac_assist.model import Location, Ref, Unknown
from iac_assist.parsers.terraform.functions import number_to_string
from iac_assist.parsers.terraform.values import PartialJson, plain, unknown_from

DEFAULT_VERSION = "2012-10-17"
_LEGACY_VERSION = "2008-10-17"

Document = dict[str, Any]


def render(body: dict[str, Any], locs: dict[tuple, Location] | None = None) -> Document | Unknown:
    """The policy document (parsed JSON) of an evaluated ``aws_iam_policy_document`` body.

    ``locs`` (the body's locations, as front ends hand them over) is accepted so that callers
    can pass a body as they have it; the JSON carries no locations: ``statement_locations``
    gives the statement blocks' lines."""
    del locs
    if not isinstance(body, dict):
        return Unknown("policy document body is not known")
    body = {k: plain(v) for k, v in body.items()}
    version = _attr(body, "version", DEFAULT_VERSION)
    merged: _Merged = _Merged()
    for source in _documents(body, "source_json", "source_policy_documents"):
        merged.merge(source)
    own: Document = {"Version": version}
    policy_id = _attr(body, "policy_id", "")
    if isinstance(policy_id, Unknown) or policy_id:
        own["Id"] = policy_id
    statements = [_statement(block, version) for block in _blocks(body, "statement")]
    if statements:
        own["Statement"] = statements
    merged.merge(own)
    for override in _documents(body, "override_policy_documents", "override_json"):
        merged.merge(override, override=True)
    return merged.document()


def statement_locations(body: dict[str, Any], locs: dict[tuple, Location]) -> list[Location | None]:
    """Where each ``statement`` block was written, in the order of the block's own statements.

    These are the rendered document's statements, in order, when there are no source or
    override documents; with them, statements may have been replaced or moved."""
    return [locs.get(("statement", i)) for i, _ in enumerate(_blocks(body, "statement"))]


# --- one statement -----------------------------------------------------------------------------

_STRING_SETS = (
    ("actions", "Action", False),
    ("not_actions", "NotAction", False),
    ("resources", "Resource", True),
    ("not_resources", "NotResource", True),
)


def _statement(block: dict[str, Any], version: Any) -> Document:
    out: Document = {}
    sid = _attr(block, "sid", "")
    if isinstance(sid, Unknown) or sid:
        out["Sid"] = sid
    out["Effect"] = _attr(block, "effect", "Allow")
    for attr, key, variables in _STRING_SETS:
        value = _string_set(block.get(attr), version if variables else None)
        if value is not None:
            out[key] = value
    for attr, key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        principals = _blocks(block, attr)
        if principals:
            out[key] = _principals(principals, version)
    conditions = _blocks(block, "condition")
    if conditions:
        out["Condition"] = _conditions(conditions, version)
    return out


def _string_set(value: Any, version: Any) -> Any:
    """A set of strings as the provider writes it: None when empty, a string when single."""
    if value is None:
        return None
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return Unknown(f"not a set of strings: {value!r}")
    value = [_text(v) for v in value]
    known = sorted({_variables(v, version) for v in value if isinstance(v, str)}, reverse=True)
    # A reference keeps its target (data.aws_elb_service_account.main.arn names a principal).
    unknown = [v if isinstance(v, Unknown) else Unknown(f"not a string: {v!r}", (v,) if isinstance(v, Ref) else ())
               for v in value if not isinstance(v, str)]
    items: list[Any] = [*known, *unknown]
    if not items:
        return None
    if len(items) == 1:
        return items[0]
    return items


def _principals(blocks: list[dict[str, Any]], version: Any) -> Any:
    entries = [(b.get("type"), _string_set(b.get("identifiers"), version)) for b in blocks]
    if len(entries) == 1 and entries[0] == ("*", "*"):
        return "*"
    out: dict[str, Any] = {}
    for kind, identifiers in entries:
        if not isinstance(kind, str):
            return unknown_from(kind, identifiers)
        if identifiers is None:
            continue  # identifiers are required; an empty set adds nothing
        present = out.get(kind)
        if present is None:
            out[kind] = identifiers
        else:
            existing = present if isinstance(present, list) else [present]
            out[kind] = existing + (identifiers if isinstance(identifiers, list) else [identifiers])
    return out


def _conditions(blocks: list[dict[str, Any]], version: Any) -> Any:
    out: dict[str, dict[str, list[Any]]] = {}
    for block in blocks:
        test, variable, values = block.get("test"), block.get("variable"), block.get("values")
        if not isinstance(test, str) or not isinstance(variable, str):
            return unknown_from(test, variable, values)
        if isinstance(values, (str, int, float)):
            values = [values]
        if not isinstance(values, list):
            # The number of values is not known: the whole entry is unknown.
            out.setdefault(test, {})[variable] = [Unknown("condition values are not known")]
            continue
        entry = out.setdefault(test, {}).setdefault(variable, [])
        for item in map(_text, values):
            entry.append(_variables(item, version) if isinstance(item, str)
                         else item if isinstance(item, Unknown) else Unknown(f"not a string: {item!r}"))
    return {
        test: {variable: _collapse(values) for variable, values in by_variable.items()}
        for test, by_variable in out.items()
    }


def _collapse(values: list[Any]) -> Any:
    if len(values) == 1:
        return Unknown("condition values are not known") if isinstance(values[0], Unknown) else values[0]
    return values


def _text(value: Any) -> Any:
    """Terraform converts numbers and booleans in a set or list of strings to strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return number_to_string(value)
    return value


def _variables(text: str, version: Any) -> str:
    return text if version == _LEGACY_VERSION else text.replace("&{", "${")


# --- documents and merging ---------------------------------------------------------------------


class _Merged:
    """The provider's merge: Id adopted, Version upgraded, statements replaced by Sid."""

    def __init__(self) -> None:
        self.version: Any = ""
        self.id: Any = ""
        self.statements: list[Any] = []

    def merge(self, doc: Any, *, override: bool = False) -> None:
        if not isinstance(doc, dict):
            if override:
                # Any statement with a Sid may be replaced by one we cannot see.
                self.statements = [_forget_if_sid(s) for s in self.statements]
            self.statements.append(unknown_from("a merged policy document is not known", doc))
            return
        new_id = doc.get("Id")
        if isinstance(new_id, Unknown) or (isinstance(new_id, str) and new_id):
            self.id = new_id
        self._upgrade(doc.get("Version"))
        statements = doc.get("Statement")
        if statements is None:
            return
        if isinstance(statements, dict):
            statements = [statements]
        if not isinstance(statements, list):
            self.merge(Unknown("Statement is not known"), override=override)
            return
        for statement in statements:
            self._add(statement)

    def _upgrade(self, version: Any) -> None:
        if version is None or version == "":
            return
        if isinstance(version, str) and isinstance(self.version, str):
            self.version = max(self.version, version)
        else:
            self.version = unknown_from("Version is not known", version)

    def _add(self, statement: Any) -> None:
        sid = statement.get("Sid") if isinstance(statement, dict) else None
        if isinstance(sid, Unknown):
            self.statements = [_forget_if_sid(s) for s in self.statements]
            self.statements.append(statement)
            return
        if isinstance(sid, str) and sid:
            for i, existing in enumerate(self.statements):
                if isinstance(existing, dict) and existing.get("Sid") == sid:
                    self.statements[i] = statement
                    return
        self.statements.append(statement)

    def document(self) -> Document:
        out: Document = {}
        if isinstance(self.version, Unknown) or self.version:
            out["Version"] = self.version
        if isinstance(self.id, Unknown) or self.id:
            out["Id"] = self.id
        if self.statements:
            out["Statement"] = self.statements
        return out


def _forget_if_sid(statement: Any) -> Any:
    if isinstance(statement, dict):
        sid = statement.get("Sid")
        if isinstance(sid, Unknown) or (isinstance(sid, str) and sid):
            return Unknown("this statement may be replaced by a merged document")
    return statement


def _documents(body: dict[str, Any], *attrs: str) -> list[Any]:
    """The JSON documents named by ``attrs``, decoded, in order; Unknown for unknown ones."""
    out: list[Any] = []
    for attr in attrs:
        value = body.get(attr)
        if value is None or value == "":
            continue
        if isinstance(value, (str, PartialJson)):
            value = [value]
        if not isinstance(value, list):
            out.append(unknown_from(f"{attr} is not known", value))
            continue
        for item in value:
            if item is None:
                continue
            out.append(_decode(item))
    return out


def _decode(value: Any) -> Any:
    if isinstance(value, PartialJson):
        return value.value
    if isinstance(value, str):
        try:
            decoded = json.loads(value)
        except (ValueError, RecursionError):
            return Unknown("not valid JSON")
        return decoded if isinstance(decoded, dict) else Unknown("not a JSON object")
    return value if isinstance(value, (dict, Unknown)) else Unknown("not a policy document")


# --- body access -------------------------------------------------------------------------------


def _attr(body: dict[str, Any], name: str, default: Any) -> Any:
    """An attribute of the body; unset or null means the provider's default."""
    value = body.get(name)
    return default if value is None else value


def _blocks(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = body.get(name)
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, dict)]
    return []
