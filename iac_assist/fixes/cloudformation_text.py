"""The smallest text edits to a CloudFormation template, YAML or JSON: set a property, a
parameter's default, add a resource. Everything else stays as written, byte for byte.

Values are located with a parser that keeps offsets (cfn_tree) and the new text is spliced at
them, so comments, short-form tags, key order, quoting and blank lines elsewhere cannot change —
a round-trip library would re-dump the whole document and reformat it. Every edit is then checked
the way the scanner will read it: the edited text is decoded (cfn-lint, as the scanner does) and
must equal the original document with exactly the intended change; anything else is CannotEdit.
A wrong edit is far worse than none.
"""

from __future__ import annotations

import re
from typing import Any

from iac_assist.fixes.cfn_render import (
    GetAtt,
    Ref,
    Scalar,
    Value,
    YamlLayout,
    check,
    decoded,
    json_scalar,
    json_value,
    yaml_flow,
    yaml_pair,
    yaml_scalar,
)
from iac_assist.fixes.cfn_tree import Node, tree
from iac_assist.fixes.edits import TextEdit, apply_edits
from iac_assist.fixes.errors import CannotEdit

__all__ = ["CannotEdit", "GetAtt", "Ref", "add_resource", "free_logical_id", "set_parameter_default",
           "set_property"]

Key = str | int
_ID = re.compile(r"[A-Za-z0-9]{1,255}")
_TYPE = re.compile(r"(?:[A-Za-z0-9]{1,64}::){2}[A-Za-z0-9]{1,64}(?:::[A-Za-z0-9]{1,64})?|Custom::[A-Za-z0-9_@-]{1,60}")
_FOR_EACH = "Fn::ForEach::"
_SECTIONS_WITH_IDS = ("Resources", "Parameters", "Conditions", "Mappings", "Outputs")


def set_property(text: str, path: str, logical_id: str, prop_path: tuple[Key, ...], value: Scalar) -> TextEdit:
    """The edit setting ``Resources.<logical_id>.Properties.<prop_path>`` to ``value``: the
    written scalar replaced in place, or the missing keys (``Properties`` itself included) added
    after the last key of the nearest mapping that exists, in its style (block or flow)."""
    _check_scalar(value)
    if not prop_path:
        raise CannotEdit("no property named")
    return _Editor(text, path).set(("Resources", logical_id, "Properties", *prop_path), value, fixed=2)


def set_parameter_default(text: str, path: str, name: str, value: Scalar) -> TextEdit:
    """The edit setting the ``Default`` of parameter ``name`` (replaced or added), when the value
    satisfies the parameter's declared constraints."""
    _check_scalar(value)
    editor = _Editor(text, path)
    parameters = editor.before.get("Parameters") if isinstance(editor.before, dict) else None
    declared = parameters.get(name) if isinstance(parameters, dict) else None
    if not isinstance(declared, dict):
        raise CannotEdit(f"no parameter {_shown(name)} in the template")
    _check_constraints(name, declared, value)
    return editor.set(("Parameters", name, "Default"), value, fixed=2)


def add_resource(text: str, path: str, logical_id: str, type: str, properties: dict[str, Value],
                 after: str) -> TextEdit:
    """The edit adding resource ``logical_id`` (made unique: see ``free_logical_id``, which a caller
    that refers to the new resource calls first) of ``type`` right after resource ``after``."""
    check(properties)
    if not isinstance(properties, dict):
        raise CannotEdit("the properties of a resource are a mapping")
    if not _TYPE.fullmatch(type):
        raise CannotEdit(f"{type[:80]!r} is not a resource type")
    editor = _Editor(text, path)
    logical_id = free_logical_id(text, logical_id, editor.before)
    body: dict[str, Value] = {"Type": type}
    if properties:
        body["Properties"] = properties
    return editor.add_resource(logical_id, body, after)


def free_logical_id(text: str, wanted: str, document: Any = None) -> str:
    """``wanted`` (letters and digits only), or ``wanted2``, ``wanted3``... (then ``Fix<wanted>``...):
    the first not used by any resource, parameter, condition, mapping or output, nor matching the
    names a ``Fn::ForEach`` loop generates."""
    if document is None:
        tree(text)
        document = _decode(text)
    base = re.sub(r"[^A-Za-z0-9]", "", wanted)[:200] or "Resource"
    taken: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    for section in _SECTIONS_WITH_IDS:
        names = document.get(section) if isinstance(document, dict) else None
        for name in names if isinstance(names, dict) else ():
            taken.add(str(name))
            if str(name).startswith(_FOR_EACH):
                patterns.extend(_loop_names(names[name]))
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


def _check_scalar(value: Any) -> None:
    if not isinstance(value, (bool, int, str)):
        raise CannotEdit(f"cannot set a property to a {type(value).__name__}")
    check(value)


def _check_constraints(name: str, declared: dict, value: Scalar) -> None:
    allowed = declared.get("AllowedValues")
    spelled = json_scalar(value).strip('"') if isinstance(value, bool) else str(value)
    if allowed is not None and (not isinstance(allowed, list)
                                or not any(str(v) == spelled or v == value for v in allowed)):
        raise CannotEdit(f"parameter {_shown(name)} does not allow {spelled!r} (AllowedValues)")
    if "AllowedPattern" in declared:
        # A Java regular expression from the template: not run here (it could backtrack for ever).
        raise CannotEdit(f"parameter {_shown(name)} has an AllowedPattern the new default is not checked against")
    declared_type = declared.get("Type")
    if declared_type == "Number" and (isinstance(value, bool) or not re.fullmatch(r"-?\d+", spelled)):
        raise CannotEdit(f"parameter {_shown(name)} is a Number")
    for bound, holds in (("MinLength", lambda b: len(spelled) >= b), ("MaxLength", lambda b: len(spelled) <= b),
                         ("MinValue", lambda b: int(spelled) >= b), ("MaxValue", lambda b: int(spelled) <= b)):
        if bound in declared:
            try:
                ok = holds(int(declared[bound]))
            except (TypeError, ValueError):
                ok = False
            if not ok:
                raise CannotEdit(f"parameter {_shown(name)} does not allow {spelled!r} ({bound})")


def _decode(text: str) -> Any:
    """The template as the scanner reads it (cfn-lint's decoder)."""
    from cfnlint.decode import decode_str

    try:
        template, matches = decode_str(text)
    except RecursionError:
        raise CannotEdit("the template is nested too deeply") from None
    except Exception as err:  # third-party code fed untrusted input
        raise CannotEdit(f"the template does not decode: {' '.join(str(err).split())[:300]}") from None
    if matches:
        raise CannotEdit(f"the template does not decode: {' '.join(str(matches[0].message).split())[:300]}")
    if not isinstance(template, dict):
        raise CannotEdit("the template is not a mapping")
    return template


def _same(a: Any, b: Any) -> bool:
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
        elif _kind(x) != _kind(y) or x != y:
            return False
    return True


def _kind(value: Any) -> str:
    for kind in (bool, int, float, str):
        if isinstance(value, kind):
            return kind.__name__
    return type(value).__name__


_PLAIN_NAME = re.compile(r"!?[A-Za-z0-9_.:-]{1,100}")


def _shown(name: object) -> str:
    """A name from the template as a reason shows it: quoted when it is not a plain name."""
    text = str(name)
    return text if _PLAIN_NAME.fullmatch(text) else repr(text[:100])


def _where(keys: tuple[Key, ...]) -> str:
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{_shown(key)}" if out else _shown(key))
    return out


def _nest(keys: tuple[Key, ...], value: Value) -> Value:
    for key in reversed(keys):
        value = {key: value}
    return value


class _Editor:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.root, self.json = tree(text)
        self.before = _decode(text)
        first = text.find("\n")
        self.nl = "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"

    # --- locating -------------------------------------------------------------------------------

    def set(self, keys: tuple[Key, ...], value: Scalar, fixed: int) -> TextEdit:
        """Set the value at ``keys`` (the first ``fixed`` must exist: the section and the name)."""
        node, parent, holder = self.root, None, None
        for i, key in enumerate(keys):
            if i > fixed:
                self._plain(node, keys[:i])
            if isinstance(key, int):
                if node.kind != "seq":
                    raise CannotEdit(f"{_where(keys[:i])} is not a list")
                if not 0 <= key < len(node.items):
                    raise CannotEdit(f"{_where(keys[:i])} has no item {key}")
                parent, holder, node = node, None, node.items[key]
                continue
            if i > fixed and self._placeholder(node, holder, parent):
                return self._finish(self._fill(holder, keys[i:], value), keys, value)
            if node.kind != "map":
                raise CannotEdit(f"{_where(keys[:i])} is not a mapping")
            found = self._lookup(node, key, keys[:i + 1])
            if found is None:
                if i < fixed:
                    raise CannotEdit(self._missing(keys[:i + 1]))
                return self._finish(self._insert(node, keys[i:], value), keys, value)
            parent, (holder, node) = node, found
        self._plain(node, keys)
        if node.kind != "scalar":
            raise CannotEdit(f"{_where(keys)} is a {'mapping' if node.kind == 'map' else 'list'}, not a single value")
        if _kind(node.value) == _kind(value) and node.value == value:
            return TextEdit(self.path, node.start, node.end, self.text[node.start:node.end])
        if node.style in ("|", ">"):
            raise CannotEdit(f"{_where(keys)} is a block scalar")
        if self.json:
            new = json_scalar(value)
        else:
            new = yaml_scalar(value, flow=parent is not None and parent.flow, style=node.style)
            if node.start == node.end and self.text[node.start - 1:node.start] == ":":
                new = " " + new  # `Key:` with no value
        return self._finish(TextEdit(self.path, node.start, node.end, new), keys, value)

    def _lookup(self, node: Node, key: str, keys: tuple[Key, ...]) -> tuple[Node, Node] | None:
        found = [pair for pair in node.pairs if pair[0].key_text() == key]
        if len(found) > 1:
            raise CannotEdit(f"{_where(keys)} is written twice")
        return found[0] if found else None

    def _missing(self, keys: tuple[Key, ...]) -> str:
        section, name = keys[0], _shown(keys[-1])
        if len(keys) == 1:
            return f"the template has no {section} section"
        what = "resource" if section == "Resources" else "parameter"
        written = self.before.get(section)
        if section == "Resources" and isinstance(written, dict) and any(str(k).startswith(_FOR_EACH) for k in written):
            return f"resource {name} is not written in the template (a Fn::ForEach loop may generate it: no edit " \
                   "is made inside a loop)"
        if section == "Resources" and "Transform" in self.before:
            return f"resource {name} is not written in the template (a transform may generate it)"
        return f"no {what} {name} in the template"

    def _plain(self, node: Node, keys: tuple[Key, ...]) -> None:
        """CannotEdit when ``node`` is a function (its value is known only at deployment)."""
        if node.tag:
            function, argument = node.tag, node
        elif node.kind == "map" and len(node.pairs) == 1:
            function = node.pairs[0][0].key_text() or ""
            argument = node.pairs[0][1]
            if function != "Ref" and not function.startswith("Fn::"):
                return
        else:
            return
        where = _where(keys)
        name = function.removeprefix("!").removeprefix("Fn::")
        if name == "Ref" and argument.kind == "scalar" and isinstance(argument.value, str):
            target, shown = argument.value, _shown(argument.value)
            parameters = self.before.get("Parameters")
            if isinstance(parameters, dict) and target in parameters:
                raise CannotEdit(f"{where} is set from parameter {shown} ({function} {shown})", parameter=target)
            raise CannotEdit(f"{where} refers to {shown} ({function} {shown})")
        if name == "If":
            raise CannotEdit(f"{where} is chosen by a condition ({function})")
        raise CannotEdit(f"{where} is computed at deployment ({_shown(function)})")

    def _placeholder(self, node: Node, holder: Node | None, parent: Node | None) -> bool:
        """Whether ``node`` is the empty value of a block key (``Properties:`` and nothing)."""
        return (not self.json and holder is not None and parent is not None and not parent.flow
                and node.kind == "scalar" and not node.tag and node.value is None and node.start == node.end)

    # --- writing --------------------------------------------------------------------------------

    def _finish(self, edit: TextEdit, keys: tuple[Key, ...], value: Value) -> TextEdit:
        expected = self.before
        container: Any = expected
        for i, key in enumerate(keys[:-1]):
            child = container[key] if isinstance(key, int) else container.get(key)
            if child is None:
                child = {}
                container[key] = child
            container = child
            if not isinstance(container, (dict, list)):
                raise CannotEdit(f"{_where(keys[:i + 1])} is not a mapping")
        container[keys[-1]] = decoded(value)
        return self._verified(edit, expected)

    def _verified(self, edit: TextEdit, expected: Any) -> TextEdit:
        after = apply_edits(self.text, [edit])
        try:
            tree(after)
            document = _decode(after)
        except CannotEdit as err:
            raise CannotEdit(f"the edited template would not read back ({err.reason}); no edit is made") from None
        if not _same(expected, document):
            raise CannotEdit("the edited template would read back differently than intended; no edit is made")
        return edit

    def _insert(self, mapping: Node, keys: tuple[Key, ...], value: Value) -> TextEdit:
        """Add ``keys[0]: <rest nested>`` as the last key of ``mapping``."""
        if any(isinstance(key, int) for key in keys):
            raise CannotEdit(f"a list item cannot be added ({_where(keys)})")
        key, nested = str(keys[0]), _nest(keys[1:], value)
        if self.json:
            return self._json_insert(mapping, mapping.pairs[-1][1] if mapping.pairs else None, key, nested)
        if mapping.flow:
            return self._flow_insert(mapping, mapping.pairs[-1][1] if mapping.pairs else None, key, nested)
        return self._block_insert(mapping, mapping.pairs[-1][1], key, nested)

    def _fill(self, holder: Node, keys: tuple[Key, ...], value: Value) -> TextEdit:
        """``Properties:`` with no value: its first key on the next line, one step in."""
        if any(isinstance(key, int) for key in keys):
            raise CannotEdit(f"a list item cannot be added ({_where(keys)})")
        lines = yaml_pair(str(keys[0]), _nest(keys[1:], value), self._column(holder.start) + self._layout().step,
                          self._layout())
        return self._lines_at(self._line_after(holder.end), lines)

    def _block_insert(self, mapping: Node, after: Node, key: str, value: Value, gap: bool = False) -> TextEdit:
        lines = yaml_pair(key, value, self._column(mapping.pairs[0][0].start), self._layout())
        return self._lines_at(self._line_after(self._content_end(after)), lines, gap)

    def _lines_at(self, at: int, lines: list[str], gap: bool = False) -> TextEdit:
        block = self.nl.join(lines)
        if gap:
            block = self.nl + block
        if at == len(self.text) and not self.text.endswith("\n"):
            return TextEdit(self.path, at, at, self.nl + block)
        return TextEdit(self.path, at, at, block + self.nl)

    def _flow_insert(self, mapping: Node, after: Node | None, key: str, value: Value) -> TextEdit:
        pair = f"{yaml_scalar(key, flow=True)}: {yaml_flow(value)}"
        if after is None:
            return TextEdit(self.path, mapping.start, mapping.end, "{" + pair + "}")
        last_key = next(k for k, v in mapping.pairs if v is after)
        if self._line(last_key.start) != self._line(mapping.start):
            return TextEdit(self.path, after.end, after.end, f",{self.nl}{' ' * self._column(last_key.start)}{pair}")
        return TextEdit(self.path, after.end, after.end, f", {pair}")

    def _json_insert(self, mapping: Node, after: Node | None, key: str, value: Value) -> TextEdit:
        unit = self._json_unit()
        if after is None:
            indent = self._indent(mapping.start)
            if unit is None:
                return TextEdit(self.path, mapping.start, mapping.end, "{" + self._member(key, value, "", None) + "}")
            inner = indent + unit
            new = "{" + self.nl + inner + self._member(key, value, inner, unit) + self.nl + indent + "}"
            return TextEdit(self.path, mapping.start, mapping.end, new)
        last_key = next(k for k, v in mapping.pairs if v is after)
        if unit is None or self._line(last_key.start) == self._line(mapping.start):
            return TextEdit(self.path, after.end, after.end, ", " + self._member(key, value, "", None))
        indent = self._indent(last_key.start)
        new = "," + self.nl + indent + self._member(key, value, indent, unit)
        return TextEdit(self.path, after.end, after.end, new)

    def _member(self, key: str, value: Value, indent: str, unit: str | None) -> str:
        text = f"{json_scalar(key)}: {json_value(value, indent, unit)}"
        return text.replace("\n", self.nl) if self.nl != "\n" else text

    def add_resource(self, logical_id: str, body: dict[str, Value], after: str) -> TextEdit:
        resources = self._lookup(self.root, "Resources", ("Resources",)) if self.root.kind == "map" else None
        if resources is None or resources[1].kind != "map" or resources[1].tag:
            raise CannotEdit("the template has no Resources mapping")
        mapping = resources[1]
        found = self._lookup(mapping, after, ("Resources", after))
        if found is None:
            raise CannotEdit(self._missing(("Resources", after)))
        self._check_references(body)
        anchor = found[1]
        if self.json:
            edit = self._json_insert(mapping, anchor, logical_id, body)
        elif mapping.flow:
            edit = self._flow_insert(mapping, anchor, logical_id, body)
        else:
            edit = self._block_insert(mapping, anchor, logical_id, body, gap=self._spaced(mapping))
        written = self.before["Resources"]
        items = list(written.items())
        position = next(i for i, (k, _) in enumerate(items) if k == after) + 1
        items.insert(position, (logical_id, decoded(body)))
        written.clear()
        written.update(items)
        return self._verified(edit, self.before)

    def _check_references(self, value: Value) -> None:
        """A Ref or GetAtt the new resource makes must name something the template declares."""
        resources, parameters = self.before.get("Resources") or {}, self.before.get("Parameters") or {}
        stack = [value]
        while stack:
            item = stack.pop()
            name = item.name if isinstance(item, Ref) else item.resource if isinstance(item, GetAtt) else None
            declared = name in resources or (isinstance(item, Ref) and (name in parameters or name.startswith("AWS::")))
            if name is not None and not declared:
                raise CannotEdit(f"the new resource would refer to {_shown(name)}, which the template does not declare")
            if isinstance(item, dict):
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)

    # --- layout ---------------------------------------------------------------------------------

    def _line(self, offset: int) -> int:
        return self.text.count("\n", 0, offset)

    def _column(self, offset: int) -> int:
        return offset - (self.text.rfind("\n", 0, offset) + 1)

    def _indent(self, offset: int) -> str:
        start = self.text.rfind("\n", 0, offset) + 1
        line = self.text[start:offset]
        return line[:len(line) - len(line.lstrip(" \t"))]

    def _content_end(self, node: Node) -> int:
        """Offset just past the last character written for ``node`` (a block collection's own end
        mark lies at the next token, past comments and blank lines)."""
        while not node.flow and (node.pairs or node.items):
            node = node.pairs[-1][1] if node.pairs else node.items[-1]
        end = node.end
        while end > 0 and self.text[end - 1] in " \t\r\n":
            end -= 1
        return end

    def _line_after(self, offset: int) -> int:
        newline = self.text.find("\n", offset)
        return len(self.text) if newline < 0 else newline + 1

    def _layout(self) -> YamlLayout:
        step = 2
        resources = self._lookup(self.root, "Resources", ("Resources",)) if self.root.kind == "map" else None
        for _, resource in resources[1].pairs if resources and resources[1].kind == "map" else ():
            if resource.kind == "map" and resource.pairs and not resource.flow:
                step = self._column(resource.pairs[0][0].start) - self._column(resources[1].pairs[0][0].start)
                break
        step = step if 0 < step <= 8 else 2
        return YamlLayout(step=step, sequence=self._sequence_indent(step))

    def _sequence_indent(self, default: int) -> int:
        """How far the file indents a block list's dashes under its key (0 or a step)."""
        stack, seen = [self.root], 0
        while stack and seen < 100_000:
            node = stack.pop()
            seen += 1
            for key, value in node.pairs:
                if value.kind == "seq" and not value.flow and value.items:
                    indent = self._column(value.start) - self._column(key.start)
                    return indent if 0 <= indent <= 8 else default
                stack.append(value)
            stack.extend(node.items)
        return default

    def _spaced(self, resources: Node) -> bool:
        """Whether the template leaves a blank line between resources (or, with one resource,
        between its top-level sections)."""
        keys = [key for key, _ in resources.pairs] if len(resources.pairs) > 1 else [k for k, _ in self.root.pairs]
        lines = self.text.split("\n")  # not splitlines: it also breaks at U+2028, which YAML keeps
        blank = 0
        for key in keys[1:]:
            number = self._line(key.start) - 1
            while number >= 0 and lines[number].lstrip().startswith("#"):
                number -= 1
            blank += number >= 0 and not lines[number].strip()
        return len(keys) > 1 and 2 * blank >= len(keys) - 1

    def _json_unit(self) -> str | None:
        """The file's indentation step (None: written on one line)."""
        if not self.root.pairs:
            return None
        first = self.root.pairs[0][0]
        if self._line(first.start) == self._line(self.root.start):
            return None
        return self._indent(first.start)
