"""The smallest text edits to a CloudFormation template, YAML or JSON: set properties, a
parameter's default, add a resource. Everything else stays as written, byte for byte.

Values are located with a parser that keeps offsets (cfn_tree) and the new text is spliced at
them, so comments, short-form tags, key order, quoting and blank lines elsewhere cannot change.
A round-trip library re-dumps the whole document instead: ruamel.yaml, tried on the 127 example
templates, re-dumped 87 of them differently with no edit at all; tuned to their indentation it
kept them, but still rewrote untouched lines of other styles (``Type:   X``, ``{ a: 1 }``, ``~``,
a second list indentation in one file), and it reads no JSON layout. Every edit is then checked the way the
scanner will read it: the edited text is decoded (cfn-lint, as the scanner does) and must equal
the original document with exactly the intended change; anything else is CannotEdit. A wrong
edit is far worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from typing import Any

from iac_assist.fixes import cfn_document as doc
from iac_assist.fixes.cfn_document import Key, shown
from iac_assist.fixes.cfn_editor import FOR_EACH, Editor
from iac_assist.fixes.cfn_render import GetAtt, Ref, Scalar, Value, check, decoded, json_scalar
from iac_assist.fixes.cfn_tree import tree
from iac_assist.fixes.edits import TextEdit
from iac_assist.fixes.errors import CannotEdit

__all__ = ["CannotEdit", "GetAtt", "Ref", "add_resource", "free_logical_id", "set_at_line", "set_parameter_default",
           "set_properties", "set_property"]

_TYPE = re.compile(r"(?:[A-Za-z0-9]{1,64}::){2}[A-Za-z0-9]{1,64}(?:::[A-Za-z0-9]{1,64})?|Custom::[A-Za-z0-9_@-]{1,60}")
_SECTIONS_WITH_IDS = ("Resources", "Parameters", "Conditions", "Mappings", "Outputs")
MAX_SETTINGS = 64


def set_property(text: str, path: str, logical_id: str, prop_path: tuple[Key, ...], value: Scalar) -> TextEdit:
    """The edit setting ``Resources.<logical_id>.Properties.<prop_path>`` to a scalar: the
    written scalar replaced in place, or the missing keys (``Properties`` itself included) added
    after the last key of the nearest mapping that exists, in its style (block or flow). Setting
    a value to what is written is an edit that changes nothing (its own text)."""
    _check_scalar(value)
    (edit,) = set_properties(text, path, logical_id, [(prop_path, value)])
    return edit


def set_properties(text: str, path: str, logical_id: str, settings: Sequence[tuple[tuple[Key, ...], Value]],
                   resource_type: str | None = None) -> list[TextEdit]:
    """The edits making every ``(prop_path, value)`` true of resource ``logical_id``, verified
    together. A value may be a mapping or a list too: written whole where nothing is, or replacing
    what is written (never a function). An index one past the end of a list appends an item; a
    list made where none is takes index 0. Settings adding to one mapping are one edit.
    ``resource_type``: the type the resource must be written as (not a SAM resource that a
    transform turns into it, whose properties are others)."""
    if not settings or len(settings) > MAX_SETTINGS:
        raise CannotEdit("no property named" if not settings else "too many settings")
    full = []
    for prop_path, value in settings:
        check(value)
        if not prop_path:
            raise CannotEdit("no property named")
        full.append((("Resources", logical_id, "Properties", *prop_path), value))
    editor = Editor(text, path)
    if resource_type is not None:
        resources = editor.before.get("Resources")
        resource = resources.get(logical_id) if isinstance(resources, dict) else None
        written = resource.get("Type") if isinstance(resource, dict) else None
        if isinstance(written, str) and written != resource_type:
            raise CannotEdit(f"{shown(logical_id)} is written as {shown(written)}, which a transform makes into "
                             f"{shown(resource_type)}: edit it by hand")
    return editor.set(full, fixed=2)


def set_at_line(text: str, path: str, logical_id: str, line: int, value: Scalar,
                names: Collection[str] | None = None) -> TextEdit:
    """The edit replacing the value of the one property of resource ``logical_id`` whose key is
    written on ``line`` (1-based): where the scanner located an element of a fact (a cache
    behavior's viewer protocol policy). ``names``: the keys it may be (a line locates the element
    itself when the key is missing, and the element's first key is then on it)."""
    _check_scalar(value)
    editor = Editor(text, path)
    resources = editor.lookup(editor.root, "Resources", ("Resources",)) if editor.root.kind == "map" else None
    resource = editor.lookup(resources[1], logical_id, ("Resources", logical_id)) \
        if resources is not None and resources[1].kind == "map" else None
    if resource is None:
        raise CannotEdit(editor.missing(("Resources", logical_id)))
    found = [(keys, node) for keys, node in editor.pairs_at_line(resource[1], line, ("Resources", logical_id))
             if (node.kind == "scalar" or node.tag or _function_key(node)) and (names is None or keys[-1] in names)]
    if len(found) != 1:
        raise CannotEdit(f"{'no' if not found else 'more than one'} property of {shown(logical_id)} is written on "
                         f"line {line}")
    keys = found[0][0]
    if len(keys) < 4 or keys[2] != "Properties":
        raise CannotEdit(f"line {line} is not a property of {shown(logical_id)}")
    (edit,) = editor.set([(keys, value)], fixed=2)
    return edit


def set_parameter_default(text: str, path: str, name: str, value: Scalar) -> TextEdit:
    """The edit setting the ``Default`` of parameter ``name`` (replaced or added), when the value
    satisfies the parameter's declared constraints. CloudFormation's parameter values are text:
    a boolean or a number is written as one (``"true"``), unless the written default already
    spells the same value."""
    _check_scalar(value)
    editor = Editor(text, path)
    parameters = editor.before.get("Parameters")
    declared = parameters.get(name) if isinstance(parameters, dict) else None
    if not isinstance(declared, dict):
        raise CannotEdit(f"no parameter {shown(name)} in the template")
    spelled = _spelled(value)
    _check_constraints(name, declared, spelled)
    current = declared.get("Default")
    if isinstance(current, (bool, int, str)) and _spelled(current) == spelled:
        spelled_value: Scalar = current  # an edit that changes nothing
    else:
        spelled_value = spelled
    (edit,) = editor.set([(("Parameters", name, "Default"), spelled_value)], fixed=2)
    return edit


def add_resource(text: str, path: str, logical_id: str, type: str, properties: dict[str, Value],
                 after: str) -> TextEdit:
    """The edit adding resource ``logical_id`` (made unique: see ``free_logical_id``, which a caller
    that refers to the new resource calls first) of ``type`` right after resource ``after``, in
    the file's style (a blank line between resources when the file leaves one)."""
    check(properties)
    if not isinstance(properties, dict):
        raise CannotEdit("the properties of a resource are a mapping")
    if not _TYPE.fullmatch(type):
        raise CannotEdit(f"{type[:80]!r} is not a resource type")
    editor = Editor(text, path)
    logical_id = free_logical_id(text, logical_id, editor.before)
    body: dict[str, Value] = {"Type": type}
    if properties:
        body["Properties"] = properties
    resources = editor.lookup(editor.root, "Resources", ("Resources",)) if editor.root.kind == "map" else None
    if resources is None or resources[1].kind != "map" or resources[1].tag:
        raise CannotEdit("the template has no Resources mapping")
    mapping = resources[1]
    found = editor.lookup(mapping, after, ("Resources", after))
    if found is None:
        raise CannotEdit(editor.missing(("Resources", after)))
    _check_references(editor.before, body)
    anchor, new = found[1], {logical_id: body}
    if editor.json:
        edit = editor.json_members(mapping, anchor, new)
    elif mapping.flow:
        edit = editor.flow_members(mapping, anchor, new)
    else:
        edit = editor.block_members(mapping, anchor, new, gap=editor.spaced(mapping))
    expected = doc.copy(editor.before)
    written = expected["Resources"]
    items = list(written.items())
    position = next(i for i, (k, _) in enumerate(items) if k == after) + 1
    items.insert(position, (logical_id, decoded(body)))
    written.clear()
    written.update(items)
    (edit,) = editor.verified([edit], expected)
    return edit


def free_logical_id(text: str, wanted: str, document: Any = None) -> str:
    """``wanted`` (letters and digits only), or ``wanted2``, ``wanted3``... (then ``Fix<wanted>``...):
    the first not used by any resource, parameter, condition, mapping or output, nor matching the
    names a ``Fn::ForEach`` loop generates."""
    if document is None:
        tree(text)
        document = doc.decode(text)
    base = re.sub(r"[^A-Za-z0-9]", "", wanted)[:200] or "Resource"
    taken: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for section in _SECTIONS_WITH_IDS:
        names = document.get(section) if isinstance(document, dict) else None
        if not isinstance(names, dict):
            continue
        for name, body in names.items():
            taken.add(str(name))
            if str(name).startswith(FOR_EACH):
                patterns.extend(_loop_names(body))
    # A loop's names (Bucket${Name}) match every name with their prefix: then a prefix of ours.
    for prefix in ("", "Fix"):
        for number in range(1, 100):
            candidate = f"{prefix}{base}{number if number > 1 else ''}"
            if candidate not in taken and not any(p.fullmatch(candidate) for p in patterns):
                return candidate
    raise CannotEdit(f"no free logical id like {base}")


def _loop_names(loop: Any) -> list[re.Pattern[str]]:
    """The logical ids a ``Fn::ForEach`` loop may generate, as patterns (``Bucket${Name}``)."""
    body = loop[2] if isinstance(loop, list) and len(loop) == 3 else None
    out = []
    for name in body if isinstance(body, dict) else ():
        parts = re.split(r"\$\{[^}]*\}|&\{[^}]*\}", str(name)[:300])
        out.append(re.compile(".*".join(re.escape(p) for p in parts)))
    return out


def _function_key(node: Any) -> bool:
    """Whether a mapping is a function in long form (``{"Ref": ...}``, ``{"Fn::If": ...}``)."""
    key = node.pairs[0][0].key_text() if len(node.pairs) == 1 else None
    return key is not None and (key == "Ref" or key.startswith("Fn::"))


def _check_references(document: Any, value: Value) -> None:
    """A Ref or GetAtt the new resource makes must name something the template declares."""
    resources, parameters = document.get("Resources") or {}, document.get("Parameters") or {}
    stack = [value]
    while stack:
        item = stack.pop()
        name = item.name if isinstance(item, Ref) else item.resource if isinstance(item, GetAtt) else None
        declared = name in resources or (
            isinstance(item, Ref) and (name in parameters or str(name).startswith("AWS::")))
        if name is not None and not declared:
            raise CannotEdit(f"the new resource would refer to {shown(name)}, which the template does not declare")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _check_scalar(value: Any) -> None:
    if not isinstance(value, (bool, int, str)):
        raise CannotEdit(f"cannot set a property to a {type(value).__name__}")
    check(value)


def _spelled(value: Scalar) -> str:
    return json_scalar(value) if isinstance(value, bool) else str(value)


def _check_constraints(name: str, declared: dict, spelled: str) -> None:
    allowed = declared.get("AllowedValues")
    if allowed is not None and (not isinstance(allowed, list)
                                or not any(isinstance(v, (bool, int, str)) and _spelled(v) == spelled
                                           for v in allowed)):
        raise CannotEdit(f"parameter {shown(name)} does not allow {spelled!r} (AllowedValues)")
    if "AllowedPattern" in declared:
        # A Java regular expression from the template: not run here (it could backtrack for ever).
        raise CannotEdit(f"parameter {shown(name)} has an AllowedPattern the new default is not checked against")
    if declared.get("Type") == "Number" and not re.fullmatch(r"-?\d{1,18}", spelled):
        raise CannotEdit(f"parameter {shown(name)} is a Number")
    for bound, holds in (("MinLength", lambda b: len(spelled) >= b), ("MaxLength", lambda b: len(spelled) <= b),
                         ("MinValue", lambda b: int(spelled) >= b), ("MaxValue", lambda b: int(spelled) <= b)):
        if bound in declared:
            try:
                ok = holds(int(declared[bound]))
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise CannotEdit(f"parameter {shown(name)} does not allow {spelled!r} ({bound})")
