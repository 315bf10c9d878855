"""Settings of one CloudFormation template made into text edits spliced at the offsets of its
tree (cfn_tree), then checked by decoding the result (cfn_document).

A setting is a path from the top of the template (``("Resources", "Bucket", "Properties",
"VersioningConfiguration", "Status")``) and a value. What the path reaches decides the edit:

* a value written there: replaced in place (a scalar keeps its quoting style when it can);
* a missing key: added after the last key of the nearest mapping that exists, the missing
  mappings (and a list, for index 0) made on the way, in the mapping's style (block, flow, JSON);
* an index one past the end of a list: an item appended;
* ``Properties:`` written with no value: filled on the lines after it.

Settings that add to one mapping are one edit, so they never make a key twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iac_assist.fixes import cfn_document as doc
from iac_assist.fixes.cfn_document import Key, where
from iac_assist.fixes.cfn_render import (
    GetAtt,
    Ref,
    Value,
    YamlLayout,
    json_scalar,
    json_value,
    yaml_flow,
    yaml_item,
    yaml_pair,
    yaml_scalar,
)
from iac_assist.fixes.cfn_tree import Node, tree
from iac_assist.fixes.edits import TextEdit, apply_edits
from iac_assist.fixes.errors import CannotEdit

FOR_EACH = "Fn::ForEach::"
_NOUNS = {"map": "a mapping", "seq": "a list", "scalar": "a single value"}
Setting = tuple[tuple[Key, ...], Value]


@dataclass
class _Target:
    """Where one setting lands."""

    how: str
    """``replace``, ``insert`` (into a mapping), ``append`` (to a list) or ``fill`` (an empty key)."""
    node: Node
    keys: tuple[Key, ...]
    """The whole path of the setting."""
    rest: tuple[Key, ...] = ()
    """What is missing below ``node`` (insert, append, fill)."""
    parent: Node | None = None
    holder: Node | None = None
    """The key whose value ``node`` is (replace, fill)."""


@dataclass
class _Group:
    """New content for one mapping or list: one edit."""

    target: _Target
    new: Any = field(default_factory=dict)


class Editor:
    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.root, self.json = tree(text)
        self.before = doc.decode(text)
        """The template as decoded, shared: never changed (``doc.copy`` it first)."""
        first = text.find("\n")
        self.nl = "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"

    # --- the settings ---------------------------------------------------------------------------

    def set(self, settings: list[Setting], fixed: int) -> list[TextEdit]:
        """The edits making every setting (the first ``fixed`` keys of each path must exist: the
        section and the name), verified together; a setting already true is an edit that
        changes nothing (its own text)."""
        edits: list[TextEdit] = []
        groups: dict[int, _Group] = {}
        for keys, value in settings:
            target = self._locate(keys, fixed)
            if target.how == "replace":
                edits.append(self._replace(target, value))
                continue
            group = groups.setdefault(id(target.node), _Group(target, [] if target.how == "append" else {}))
            self._add(group, target, value)
        edits += self._grouped(list(groups.values()))
        edits = list(dict.fromkeys(edits))  # one value set twice alike is one edit
        expected = doc.copy(self.before)
        for keys, value in settings:
            doc.put(expected, keys, value)
        return self.verified(edits, expected)

    def _add(self, group: _Group, target: _Target, value: Value) -> None:
        rest = target.rest
        if target.how == "append":
            index = int(rest[0]) - len(target.node.items)
            item = doc.nest(rest[1:], value, target.keys[:len(target.keys) - len(rest) + 1])
            if index == len(group.new):
                group.new.append(item)
            elif 0 <= index < len(group.new):
                group.new[index] = doc.merge(group.new[index], item, where(target.keys))
            else:
                raise CannotEdit(f"{where(target.keys[:len(target.keys) - len(rest) + 1])}: a list item cannot be "
                                 "added there")
            return
        more = doc.nest(rest, value, target.keys[:len(target.keys) - len(rest)])
        group.new = doc.merge(group.new, more, where(target.keys[:len(target.keys) - len(rest)])) \
            if group.new else more

    def verified(self, edits: list[TextEdit], expected: Any) -> list[TextEdit]:
        try:
            after = apply_edits(self.text, edits)
        except ValueError:
            raise CannotEdit("two settings edit the same text") from None
        try:
            # Decoded as the scanner decodes it and compared whole below: that is the check. (The
            # editor's own tree of the edited text is built only if another fix edits it again.)
            document = doc.decode(after)
        except CannotEdit as err:
            raise CannotEdit(f"the edited template would not read back ({err.reason}); no edit is made") from None
        if not doc.same(expected, document):
            raise CannotEdit("the edited template would read back differently than intended; no edit is made")
        return sorted(edits)

    # --- locating -------------------------------------------------------------------------------

    def _locate(self, keys: tuple[Key, ...], fixed: int) -> _Target:
        node, parent, holder = self.root, None, None
        for i, key in enumerate(keys):
            if i > fixed:
                self.plain(node, keys[:i])
            if isinstance(key, int):
                if node.kind != "seq":
                    raise CannotEdit(f"{where(keys[:i])} is not a list")
                if key == len(node.items) and i > fixed:
                    return _Target("append", node, keys, keys[i:])
                if not 0 <= key < len(node.items):
                    raise CannotEdit(f"{where(keys[:i])} has no item {key}")
                parent, holder, node = node, None, node.items[key]
                continue
            if i > fixed and self._placeholder(node, holder, parent):
                assert holder is not None
                return _Target("fill", node, keys, keys[i:], parent, holder)
            if node.kind != "map":
                raise CannotEdit(f"{where(keys[:i])} is not a mapping")
            found = self.lookup(node, key, keys[:i + 1])
            if found is None:
                if i < fixed:
                    raise CannotEdit(self.missing(keys[:i + 1]))
                return _Target("insert", node, keys, keys[i:])
            parent, (holder, node) = node, found
        self.plain(node, keys)
        return _Target("replace", node, keys, (), parent, holder)

    def lookup(self, node: Node, key: str, keys: tuple[Key, ...]) -> tuple[Node, Node] | None:
        found = [pair for pair in node.pairs if pair[0].key_text() == key]
        if len(found) > 1:
            raise CannotEdit(f"{where(keys)} is written twice")
        return found[0] if found else None

    def missing(self, keys: tuple[Key, ...]) -> str:
        section, name = keys[0], doc.shown(keys[-1])
        if len(keys) == 1:
            return f"the template has no {section} section"
        what = "resource" if section == "Resources" else "parameter"
        written = self.before.get(section)
        if section == "Resources" and isinstance(written, dict) and any(str(k).startswith(FOR_EACH) for k in written):
            return f"resource {name} is not written in the template (a Fn::ForEach loop may generate it: no edit " \
                   "is made inside a loop)"
        if section == "Resources" and "Transform" in self.before:
            return f"resource {name} is not written in the template (a transform may generate it)"
        return f"no {what} {name} in the template"

    def plain(self, node: Node, keys: tuple[Key, ...]) -> None:
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
        at = where(keys)
        name = function.removeprefix("!").removeprefix("Fn::")
        if name == "Ref" and argument.kind == "scalar" and isinstance(argument.value, str):
            target, shown = argument.value, doc.shown(argument.value)
            parameters = self.before.get("Parameters")
            if isinstance(parameters, dict) and target in parameters:
                raise CannotEdit(f"{at} is set from parameter {shown} ({function} {shown})", parameter=target)
            raise CannotEdit(f"{at} refers to {shown} ({function} {shown})")
        if name == "If":
            raise CannotEdit(f"{at} is chosen by a condition ({function})")
        raise CannotEdit(f"{at} is computed at deployment ({doc.shown(function)})")

    def _placeholder(self, node: Node, holder: Node | None, parent: Node | None) -> bool:
        """Whether ``node`` is the empty value of a block key (``Properties:`` and nothing)."""
        return (not self.json and holder is not None and parent is not None and not parent.flow
                and node.kind == "scalar" and not node.tag and node.value is None and node.start == node.end)

    def pairs_at_line(self, node: Node, line: int, keys: tuple[Key, ...]) -> list[tuple[tuple[Key, ...], Node]]:
        """(path, key) of every key written on ``line`` (1-based) below ``node``."""
        out = []
        stack = [(node, keys)]
        while stack:
            current, path = stack.pop()
            for key, value in current.pairs:
                text = key.key_text()
                if text is None:
                    continue
                if self.line(key.start) + 1 == line:
                    out.append(((*path, text), value))
                stack.append((value, (*path, text)))
            stack.extend((item, (*path, i)) for i, item in enumerate(current.items))
        return out

    # --- replacing ------------------------------------------------------------------------------

    def _replace(self, target: _Target, value: Value) -> TextEdit:
        node, keys = target.node, target.keys
        if node.kind == "scalar" and doc.kind(node.value) == doc.kind(value) and node.value == value:
            return TextEdit(self.path, node.start, node.end, self.text[node.start:node.end])
        wanted = "map" if isinstance(value, dict) else "seq" if isinstance(value, list) else "scalar"
        empty = node.kind == "scalar" and node.value is None and node.start == node.end and not node.tag
        if empty and wanted != "scalar" and value and not self.json and target.holder is not None:
            step = self.layout().step if wanted == "map" else self.layout().sequence
            lines = self._block(value, self.column(target.holder.start) + step, self.layout())
            return self._lines_at(self.line_after(target.holder.end), lines)
        if node.kind != wanted and not empty:
            raise CannotEdit(f"{where(keys)} is {_NOUNS[node.kind]}, not {_NOUNS[wanted]}")
        if node.kind == "scalar" and node.style in ("|", ">"):
            raise CannotEdit(f"{where(keys)} is a block scalar")
        if self.json:
            return TextEdit(self.path, node.start, node.end,
                            self._lines(json_value(value, self.indent(node.start), self.json_unit())))
        flow = target.parent is not None and target.parent.flow
        if wanted == "scalar" and not isinstance(value, (Ref, GetAtt)):
            new = yaml_scalar(value, flow=flow, style=node.style)
        elif wanted == "scalar" or flow or node.flow or not value:
            new = yaml_flow(value)
        else:
            column = self.column(node.start)
            lines = self._block(value, column, self.layout())
            return TextEdit(self.path, node.start, self.content_end(node), self.nl.join(lines)[column:])
        if empty and self.text[node.start - 1:node.start] == ":":
            new = " " + new  # `Key:` with no value
        return TextEdit(self.path, node.start, node.end, new)

    @staticmethod
    def _block(value: Value, column: int, layout: YamlLayout) -> list[str]:
        if isinstance(value, dict):
            return [line for key, child in value.items() for line in yaml_pair(key, child, column, layout)]
        return [line for item in value for line in yaml_item(item, column, layout)]

    # --- adding ---------------------------------------------------------------------------------

    def _grouped(self, groups: list[_Group]) -> list[TextEdit]:
        """One edit per group; insertions at one offset joined, the deeper one first (it belongs
        to the value that ends there)."""
        made = [(len(g.target.keys) - len(g.target.rest), self._group_edit(g)) for g in groups]
        by_offset: dict[tuple[int, int], list[tuple[int, TextEdit]]] = {}
        for depth, edit in made:
            by_offset.setdefault((edit.start, edit.end), []).append((depth, edit))
        out = []
        for (start, end), edits in by_offset.items():
            if len(edits) > 1 and start != end:
                raise CannotEdit("two settings edit the same text")
            edits.sort(key=lambda pair: -pair[0])
            out.append(TextEdit(self.path, start, end, "".join(edit.new for _, edit in edits)))
        return out

    def _group_edit(self, group: _Group) -> TextEdit:
        target, new = group.target, group.new
        if target.how == "append":
            return self._append(target.node, new)
        if target.how == "fill":
            assert target.holder is not None
            lines = self._block(new, self.column(target.holder.start) + self.layout().step, self.layout())
            return self._lines_at(self.line_after(target.holder.end), lines)
        mapping = target.node
        last = mapping.pairs[-1][1] if mapping.pairs else None
        if self.json:
            return self.json_members(mapping, last, new)
        if mapping.flow:
            return self.flow_members(mapping, last, new)
        assert last is not None  # a block mapping has a key
        return self.block_members(mapping, last, new)

    def block_members(self, mapping: Node, after: Node, new: dict[str, Value], gap: bool = False) -> TextEdit:
        lines = self._block(new, self.column(mapping.pairs[0][0].start), self.layout())
        return self._lines_at(self.line_after(self.content_end(after)), lines, gap)

    def _lines_at(self, at: int, lines: list[str], gap: bool = False) -> TextEdit:
        block = self.nl.join(lines)
        if gap:
            block = self.nl + block
        if at == len(self.text) and not self.text.endswith("\n"):
            return TextEdit(self.path, at, at, self.nl + block)
        return TextEdit(self.path, at, at, block + self.nl)

    def flow_members(self, mapping: Node, after: Node | None, new: dict[str, Value]) -> TextEdit:
        parts = [f"{yaml_scalar(key, flow=True)}: {yaml_flow(value)}" for key, value in new.items()]
        return self._flow(mapping, after, parts, "{}")

    def _flow(self, collection: Node, after: Node | None, parts: list[str], brackets: str) -> TextEdit:
        if after is None:
            return TextEdit(self.path, collection.start, collection.end, brackets[0] + ", ".join(parts) + brackets[1])
        first = collection.pairs[-1][0] if collection.pairs else after
        if self.line(first.start) != self.line(collection.start):
            pad = self.nl + " " * self.column(first.start)
            return TextEdit(self.path, after.end, after.end, "," + pad + ("," + pad).join(parts))
        return TextEdit(self.path, after.end, after.end, ", " + ", ".join(parts))

    def json_members(self, mapping: Node, after: Node | None, new: dict[str, Value]) -> TextEdit:
        unit = self.json_unit()

        def members(indent: str, unit: str | None) -> list[str]:
            return [f"{json_scalar(k)}: {self._lines(json_value(v, indent, unit))}" for k, v in new.items()]

        first = mapping.pairs[-1][0] if mapping.pairs else None
        return self._json(mapping, after, first, members, unit, "{}")

    def _json(self, collection: Node, after: Node | None, first: Node | None, parts: Any, unit: str | None,
              brackets: str) -> TextEdit:
        if after is None:
            if unit is None:
                return TextEdit(self.path, collection.start, collection.end,
                                brackets[0] + ", ".join(parts("", None)) + brackets[1])
            indent = self.indent(collection.start)
            inner = indent + unit
            body = ("," + self.nl).join(inner + part for part in parts(inner, unit))
            return TextEdit(self.path, collection.start, collection.end,
                            brackets[0] + self.nl + body + self.nl + indent + brackets[1])
        assert first is not None
        if unit is None or self.line(first.start) == self.line(collection.start):
            return TextEdit(self.path, after.end, after.end, ", " + ", ".join(parts("", None)))
        indent = self.indent(first.start)
        return TextEdit(self.path, after.end, after.end,
                        "".join("," + self.nl + indent + part for part in parts(indent, unit)))

    def _append(self, seq: Node, new: list[Value]) -> TextEdit:
        last = seq.items[-1] if seq.items else None
        if self.json:
            unit = self.json_unit()

            def items(indent: str, unit: str | None) -> list[str]:
                return [self._lines(json_value(v, indent, unit)) for v in new]

            return self._json(seq, last, last, items, unit, "[]")
        if seq.flow or last is None:
            if not seq.flow:
                raise CannotEdit("an empty block list cannot be appended to")
            return self._flow(seq, last, [yaml_flow(v) for v in new], "[]")
        column = self.column(seq.start)
        lines = self._block(new, column, self.layout())
        return self._lines_at(self.line_after(self.content_end(last)), lines)

    def _lines(self, text: str) -> str:
        return text.replace("\n", self.nl) if self.nl != "\n" else text

    # --- layout ---------------------------------------------------------------------------------

    def line(self, offset: int) -> int:
        """0-based line of ``offset``."""
        return self.text.count("\n", 0, offset)

    def column(self, offset: int) -> int:
        return offset - (self.text.rfind("\n", 0, offset) + 1)

    def indent(self, offset: int) -> str:
        start = self.text.rfind("\n", 0, offset) + 1
        line = self.text[start:offset]
        return line[:len(line) - len(line.lstrip(" \t"))]

    def content_end(self, node: Node) -> int:
        """Offset just past the last character written for ``node`` (a block collection's own end
        mark lies at the next token, past comments and blank lines)."""
        while not node.flow and (node.pairs or node.items):
            node = node.pairs[-1][1] if node.pairs else node.items[-1]
        end = node.end
        while end > 0 and self.text[end - 1] in " \t\r\n":
            end -= 1
        return end

    def line_after(self, offset: int) -> int:
        newline = self.text.find("\n", offset)
        return len(self.text) if newline < 0 else newline + 1

    def layout(self) -> YamlLayout:
        step = 2
        found = self.lookup(self.root, "Resources", ("Resources",)) if self.root.kind == "map" else None
        resources = found[1] if found is not None and found[1].kind == "map" else None
        for _, resource in resources.pairs if resources is not None else ():
            if resource.kind == "map" and resource.pairs and not resource.flow:
                step = self.column(resource.pairs[0][0].start) - self.column(resources.pairs[0][0].start)
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
                    indent = self.column(value.start) - self.column(key.start)
                    return indent if 0 <= indent <= 8 else default
                stack.append(value)
            stack.extend(node.items)
        return default

    def spaced(self, resources: Node) -> bool:
        """Whether the template leaves a blank line between resources (or, with one resource,
        between its top-level sections)."""
        keys = [key for key, _ in resources.pairs] if len(resources.pairs) > 1 else [k for k, _ in self.root.pairs]
        lines = self.text.split("\n")  # not splitlines: it also breaks at U+2028, which YAML keeps
        blank = 0
        for key in keys[1:]:
            number = self.line(key.start) - 1
            while number >= 0 and lines[number].lstrip().startswith("#"):
                number -= 1
            blank += number >= 0 and not lines[number].strip()
        return len(keys) > 1 and 2 * blank >= len(keys) - 1

    def json_unit(self) -> str | None:
        """The file's indentation step (None: written on one line)."""
        if not self.root.pairs:
            return None
        first = self.root.pairs[0][0]
        if self.line(first.start) == self.line(self.root.start):
            return None
        return self.indent(first.start)
