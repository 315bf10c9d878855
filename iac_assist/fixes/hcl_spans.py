"""Where each block and attribute of a Terraform file lies, in characters: what the editor needs
and the model does not keep (it knows lines only).

The file is parsed by the same grammar as the scan (``parsers/terraform/hcl.py``), so heredocs,
strings holding braces and comments are never mistaken for structure; the parse tree's positions
are character offsets in the text as read."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from iac_assist.fixes.editor import CannotEdit


@dataclass
class Attr:
    name: str
    start: int
    end: int
    name_end: int
    value_start: int
    value_end: int
    line: int
    end_line: int


@dataclass
class Body:
    attrs: list[Attr] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    def attr(self, name: str) -> Attr | None:
        return next((a for a in self.attrs if a.name == name), None)

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]

    def dynamic(self, type_: str) -> bool:
        return any(b.type == "dynamic" and b.labels[:1] == [type_] for b in self.blocks)


@dataclass
class Block:
    type: str
    labels: list[str]
    start: int
    end: int
    open: int
    """Offset of ``{``."""
    close: int
    """Offset of ``}``."""
    line: int
    body: Body


def parse(text: str, rel: str) -> Body:
    """The file's top-level body; ``CannotEdit`` when it does not parse (it did for the scan, so
    only a file changed since) or when the scan parsed another text than this one. The last few
    are kept: every fix in a file asks for it again (the result is not to be changed)."""
    return _parse(text, rel)


_MODULES = (__name__, "iac_assist.parsers.terraform.hcl", "iac_assist.parsers.terraform.hcl_parser",
            "iac_assist.parsers.terraform.hcl_lalr")
"""The code a cached span table depends on (the parser's tables follow Lark's, keyed by its version)."""


@lru_cache(maxsize=8)
def _parse(text: str, rel: str) -> Body:
    from iac_assist.inputs import parse_cache
    from iac_assist.parsers.terraform.hcl import _closing_markers_trimmed

    if _closing_markers_trimmed(text) != text:
        # The scan's parse moved characters (blanks after a heredoc's closing marker).
        raise CannotEdit(f"{rel}: a heredoc's closing marker is followed by blanks; edit it by hand")
    # Through the parse cache, as the scan's own parse: a repeated scan whose report shows fixes
    # (JSON, SARIF, Markdown) parses nothing again.
    body = parse_cache.cached("terraform-spans", text, _spans, _MODULES, ("python-hcl2", "lark"))
    if body is None:
        raise CannotEdit(f"{rel} does not parse")
    return body


def _spans(text: str) -> Body | None:
    from iac_assist.parsers.terraform.hcl import _parser
    from iac_assist.parsers.terraform.hcl_parser import lark_errors

    try:
        tree = _parser().parse(text + "\n")
    except RecursionError:
        return None
    except lark_errors()[1]:  # Lark is imported only when there is an error to tell
        return None
    return _body(tree.children[0], text)


def _is_tree(node: Any, name: str) -> bool:
    return getattr(node, "data", None) == name


def _start(node: Any) -> Any:
    from iac_assist.parsers.terraform.hcl import edge_token  # Terraform's parser: only when fixing Terraform

    return edge_token(node, False)


def _end(node: Any) -> Any:
    from iac_assist.parsers.terraform.hcl import edge_token

    return edge_token(node, True)


def _body(node: Any, text: str) -> Body:
    body = Body()
    for child in node.children:
        if _is_tree(child, "attribute"):
            name_node, value = child.children[0], child.children[-1]
            first, last = _start(child), _end(child)
            body.attrs.append(Attr(
                name=text[_start(name_node).start_pos:_end(name_node).end_pos], start=first.start_pos,
                end=last.end_pos, name_end=_end(name_node).end_pos, value_start=_start(value).start_pos,
                value_end=_end(value).end_pos, line=first.line, end_line=last.end_line))
        elif _is_tree(child, "block"):
            body.blocks.append(_block(child, text))
    return body


def _block(node: Any, text: str) -> Block:
    names = []
    open_pos = close_pos = -1
    inner: Any = None
    for child in node.children:
        kind = getattr(child, "type", None)
        if kind == "LBRACE":
            open_pos = child.start_pos
        elif kind == "RBRACE":
            close_pos = child.start_pos
        elif _is_tree(child, "body"):
            inner = child
        elif hasattr(child, "data"):
            names.append(text[_start(child).start_pos:_end(child).end_pos].strip('"'))
    body = _body(inner, text) if inner is not None else Body()
    first = _start(node)
    return Block(names[0], names[1:], first.start_pos, _end(node).end_pos, open_pos, close_pos, first.line, body)


def line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def indent_of(text: str, pos: int) -> str:
    """The blanks that start the line holding ``pos``."""
    start = line_start(text, pos)
    end = start
    while end < len(text) and text[end] in " \t":
        end += 1
    return text[start:end]
