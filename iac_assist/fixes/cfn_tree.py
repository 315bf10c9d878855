"""Where every value of a CloudFormation template is written: a tree of spans (character offsets)
for YAML and JSON alike, so an editor can splice text at them and leave the rest untouched.

YAML is composed with PyYAML (the parser cfn-lint, hence the scanner, reads templates with); its
marks are character offsets of the text. Its C parser (libyaml, the scanner's) composes where it
reads a text exactly as the pure-Python one does, ten times faster; the pure one reads the rest and
words every refusal (``_fast_tree``). JSON gets its own small parser: PyYAML rejects some JSON
(a tab before a member), which cfn-lint then reads with the json module, positions lost.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from iac_assist.fixes.errors import CannotEdit

MAX_TEXT_CHARS = 8 * 1024 * 1024
"""Templates larger than this are not edited (CloudFormation itself takes 1 MB from S3)."""
MAX_DEPTH = 200


@dataclass(eq=False)
class Node:
    """One value of the template and the characters ``text[start:end]`` it is written in."""

    kind: str
    """``map``, ``seq`` or ``scalar``."""
    start: int
    end: int
    flow: bool = False
    """Written inline (``{a: 1}``, ``[1]``; every JSON collection)."""
    tag: str = ""
    """A YAML short-form function tag (``!Ref``); empty otherwise."""
    style: str = ""
    """Scalar quoting: ``""`` plain, ``'`` , ``"``, ``|`` or ``>``."""
    value: Any = None
    """A scalar's value as the template means it (YAML 1.1 resolution: ``yes`` is true)."""
    pairs: list[tuple[Node, Node]] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)

    def key_text(self) -> str | None:
        """The key this scalar spells, or None when it is not a plain string key."""
        return self.value if self.kind == "scalar" and isinstance(self.value, str) and not self.tag else None


def check_size(text: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise CannotEdit(f"the template is larger than {MAX_TEXT_CHARS} characters")


def is_json(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith("{")


# --- YAML ---------------------------------------------------------------------------------------

_TABBED = re.compile(r"^[ ]*\t", re.MULTILINE)
_OTHER_BREAKS = re.compile("\r(?!\n)|[\x85\u2028\u2029]")


def yaml_tree(text: str) -> Node:
    """The template's tree; CannotEdit for what an edit at a mark could get wrong."""
    import yaml

    check_size(text)
    if _TABBED.search(text):
        raise CannotEdit("the template indents with tabs")
    if _OTHER_BREAKS.search(text):
        # YAML 1.1 breaks lines there too; offsets and columns here count \n only.
        raise CannotEdit("the template has line breaks other than \\n and \\r\\n (a lone \\r, U+0085, U+2028, U+2029)")
    fast = _fast_tree(text)
    if fast is not None:
        return fast
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except _Alias as err:
        raise CannotEdit(str(err)) from None
    except yaml.composer.ComposerError as err:
        if "single document" in str(err):
            raise CannotEdit("the file holds more than one YAML document") from None
        raise CannotEdit(f"the template does not parse: {_one_line(err)}") from None
    except yaml.YAMLError as err:
        raise CannotEdit(f"the template does not parse: {_one_line(err)}") from None
    except RecursionError:
        raise CannotEdit("the template is nested too deeply") from None
    finally:
        loader.dispose()
    if root is None:
        raise CannotEdit("the template is empty")
    constructor = yaml.constructor.SafeConstructor()
    return _convert(root, constructor, 0)


_PURE_ONLY = re.compile("[\t\ufeff]")


def _fast_tree(text: str) -> Node | None:
    """The tree as composed by libyaml (PyYAML's C parser, the one the scanner decodes with: ten
    times faster than the pure-Python one), or None to leave the text to the pure parser, whose
    tree or refusal is the same where both read a text. Left to it: a tab or a byte order mark
    anywhere (libyaml takes a tab between tokens and a mark at any line's start, which the pure
    parser refuses, and does not count a leading mark in its offsets), and whatever libyaml or
    the conversion refuses (an error, an alias, a merge key: the pure parser words the reason)."""
    import yaml

    fast_loader = getattr(yaml, "CSafeLoader", None)
    if fast_loader is None or _PURE_ONLY.search(text):
        return None
    try:
        loader = fast_loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
        if root is None:
            return None
        node = _convert(root, yaml.constructor.SafeConstructor(), 0, set())
    except Exception:  # noqa: BLE001 - any refusal is the pure parser's to word
        return None
    return node if _same_in_flow(text, node) else None


def _same_in_flow(text: str, root: Node) -> bool:
    """Whether the parsers agree on the scalars inside flow collections (``{a: 1}``, ``[a]``),
    where they read differently: libyaml marks an empty value after the space that follows
    ``:`` (the pure parser before it) and keeps a ``?`` inside a plain scalar (the pure parser
    refuses it)."""
    stack = [(root, False)]
    while stack:
        node, in_flow = stack.pop()
        if node.kind == "scalar":
            if in_flow and (node.start == node.end or (not node.style and "?" in text[node.start:node.end])):
                return False
            continue
        inner = in_flow or node.flow
        stack.extend((child, inner) for pair in node.pairs for child in pair)
        stack.extend((item, inner) for item in node.items)
    return True


def _one_line(err: Exception) -> str:
    return " ".join(str(err).split())[:300]


class _Alias(Exception):
    pass


def _loader_class() -> type:
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent: Any, index: Any) -> Any:
            # A value shared through an alias would change in every place that uses it, and an
            # alias bomb costs nothing to compose but everything to compare: none are edited.
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                raise _Alias(f"the template uses YAML aliases (*{event.anchor}, line {event.start_mark.line + 1})")
            return super().compose_node(parent, index)

    return Loader


_LOADER: type | None = None


def _Loader(text: str) -> Any:  # noqa: N802 - a class made lazily (PyYAML is imported on demand)
    global _LOADER
    if _LOADER is None:
        _LOADER = _loader_class()
    return _LOADER(text)


_STR = "tag:yaml.org,2002:str"


def _convert(node: Any, constructor: Any, depth: int, seen: set[int] | None = None) -> Node:
    """``seen``: the ids of the nodes converted so far, when the composer does not refuse aliases
    itself (libyaml's: an alias is the node of its anchor, met again)."""
    if depth > MAX_DEPTH:
        raise CannotEdit("the template is nested too deeply")
    if seen is not None:
        if id(node) in seen:
            raise _Alias("the template uses YAML aliases")
        seen.add(id(node))
    tag = node.tag if isinstance(node.tag, str) and node.tag.startswith("!") and not node.tag.startswith("!!") else ""
    start, end = node.start_mark.index, node.end_mark.index
    if node.id == "mapping":
        pairs = []
        for key, child in node.value:
            if key.tag == "tag:yaml.org,2002:merge":
                raise CannotEdit(f"the template merges mappings with << (line {key.start_mark.line + 1})")
            pairs.append((_convert(key, constructor, depth + 1, seen), _convert(child, constructor, depth + 1, seen)))
        return Node("map", start, end, flow=bool(node.flow_style), tag=tag, pairs=pairs)
    if node.id == "sequence":
        items = [_convert(item, constructor, depth + 1, seen) for item in node.value]
        return Node("seq", start, end, flow=bool(node.flow_style), tag=tag, items=items)
    if tag or node.tag == _STR:
        value: Any = node.value  # a string is its text (what the constructor would make, at a fraction of its cost)
    else:
        import yaml

        try:
            value = constructor.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError) as err:
            raise CannotEdit(f"a value does not parse: {_one_line(err)}") from None
    return Node("scalar", start, end, tag=tag, style=node.style or "", value=value)


# --- JSON ---------------------------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_LITERALS = {"true": True, "false": False, "null": None}


def json_tree(text: str) -> Node:
    check_size(text)
    parser = _Json(text)
    pos = 1 if text.startswith("\ufeff") else 0
    try:
        node, pos = parser.value(pos, 0)
    except RecursionError:
        raise CannotEdit("the template is nested too deeply") from None
    if parser.skip(pos) != len(text):
        raise CannotEdit(parser.where("unexpected content after the JSON value", pos))
    return node


class _Json:
    def __init__(self, text: str) -> None:
        self.text = text

    def where(self, message: str, pos: int) -> str:
        return f"the template does not parse: {message} (line {self.text.count(chr(10), 0, pos) + 1})"

    def skip(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()  # type: ignore[union-attr]

    def value(self, pos: int, depth: int) -> tuple[Node, int]:
        if depth > MAX_DEPTH:
            raise CannotEdit("the template is nested too deeply")
        pos = self.skip(pos)
        char = self.text[pos:pos + 1]
        if char == "{":
            return self.object(pos, depth)
        if char == "[":
            return self.array(pos, depth)
        if char == '"':
            value, end = self.string(pos)
            return Node("scalar", pos, end, style='"', value=value), end
        match = _NUMBER.match(self.text, pos)
        if match:
            literal = match.group()
            if len(literal) > 100:
                raise CannotEdit(self.where("a number longer than 100 characters", pos))
            number = float(literal) if match.group(1) or match.group(2) else int(literal)
            return Node("scalar", pos, match.end(), value=number), match.end()
        for word, result in _LITERALS.items():
            if self.text.startswith(word, pos):
                return Node("scalar", pos, pos + len(word), value=result), pos + len(word)
        raise CannotEdit(self.where("expected a value", pos))

    def string(self, pos: int) -> tuple[str, int]:
        match = _STRING.match(self.text, pos)
        if not match:
            raise CannotEdit(self.where("invalid string", pos))
        return json.loads(match.group()), match.end()

    def object(self, start: int, depth: int) -> tuple[Node, int]:
        node = Node("map", start, start, flow=True)
        seen: set[str] = set()
        pos = self.skip(start + 1)
        if self.text.startswith("}", pos):
            node.end = pos + 1
            return node, node.end
        while True:
            pos = self.skip(pos)
            if not self.text.startswith('"', pos):
                raise CannotEdit(self.where("expected a member name", pos))
            key, end = self.string(pos)
            if key in seen:
                raise CannotEdit(self.where(f"duplicate key {key!r}", pos))
            seen.add(key)
            key_node = Node("scalar", pos, end, style='"', value=key)
            pos = self.skip(end)
            if not self.text.startswith(":", pos):
                raise CannotEdit(self.where("expected ':'", pos))
            value, pos = self.value(pos + 1, depth + 1)
            node.pairs.append((key_node, value))
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
            elif self.text.startswith("}", pos):
                node.end = pos + 1
                return node, node.end
            else:
                raise CannotEdit(self.where("expected ',' or '}'", pos))

    def array(self, start: int, depth: int) -> tuple[Node, int]:
        node = Node("seq", start, start, flow=True)
        pos = self.skip(start + 1)
        if self.text.startswith("]", pos):
            node.end = pos + 1
            return node, node.end
        while True:
            item, pos = self.value(pos, depth + 1)
            node.items.append(item)
            pos = self.skip(pos)
            if self.text.startswith(",", pos):
                pos += 1
            elif self.text.startswith("]", pos):
                node.end = pos + 1
                return node, node.end
            else:
                raise CannotEdit(self.where("expected ',' or ']'", pos))


def tree(text: str) -> tuple[Node, bool]:
    """The template's tree and whether it is JSON. The last few are kept (read only, never
    changed): every fix in a template, and every check of an edited text, asks for it again."""
    outcome = _tree(text)
    if isinstance(outcome, CannotEdit):
        raise CannotEdit(outcome.reason, outcome.parameter)
    return outcome


@lru_cache(maxsize=16)
def _tree(text: str) -> tuple[Node, bool] | CannotEdit:
    try:
        return _read(text)
    except CannotEdit as err:
        return err


def _read(text: str) -> tuple[Node, bool]:
    if is_json(text):
        try:
            return json_tree(text), True
        except CannotEdit:
            # A YAML template written in flow style reads like JSON but is none.
            try:
                return yaml_tree(text), False
            except CannotEdit:
                pass
            raise
    return yaml_tree(text), False
