"""HCL2 text into our syntax tree (bodies, blocks, attributes, expressions) with line numbers.

With ``hcl_parser.py`` (which builds the parser), the only module that touches python-hcl2: we
use its Lark grammar (8.x has operator precedence and parses string templates) and convert the
parse tree ourselves, so the parser can be swapped by rewriting these two files alone.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from iac_assist.parsers.terraform import expressions as ex

MAX_DEPTH = 400
"""Frames of the tree walk; deeper input is refused rather than crashing the interpreter."""
MAX_NUMBER_DIGITS = 1000
"""A longer numeric literal is refused (Python refuses to convert past 4300 digits anyway)."""


class HclError(Exception):
    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass
class Attribute:
    name: str
    expr: ex.Expr
    line: int
    end_line: int
    file: str = ""
    """Set when it comes from another file than its block's (an override file, merged in)."""


@dataclass
class Block:
    type: str
    labels: list[str]
    body: Body
    line: int
    end_line: int
    file: str = ""
    """Set when it comes from another file than its enclosing block's (an override file)."""


@dataclass
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    calls: tuple[ex.Call, ...] | None = field(default=None, compare=False, repr=False)
    """A parsed file's body: every function call made by its parse, template interpolations
    included, so that ``gaps.unknown_functions`` need not walk the whole tree for them. None for
    a body made otherwise (Terraform's JSON syntax, an override merged in)."""


_calls_made: list[ex.Call] | None = None
"""The function calls of the file being parsed (``parse`` of a file, and the expressions its
templates hold, parsed inside it)."""


@lru_cache(maxsize=1)
def _parser() -> Any:
    """One parser per process: building one costs more than parsing a small file."""
    from iac_assist.parsers.terraform import hcl_parser

    return hcl_parser.build()


def parse(text: str) -> Body:
    """Parse a whole file. Raises HclError with line and column on a syntax error."""
    parser = _parser()
    from iac_assist.parsers.terraform.hcl_parser import lark_errors

    if text.startswith("\ufeff"):
        text = text[1:]
    # Lark is imported only when an error is to be told (the except clauses are evaluated then).
    try:
        tree = parser.parse(_closing_markers_trimmed(text) + "\n")
    except lark_errors()[0] as err:
        raise HclError(_syntax_message(err), getattr(err, "line", 0), getattr(err, "column", 0)) from None
    except lark_errors()[1] as err:
        raise HclError(f"syntax error: {str(err).splitlines()[0]}") from None
    global _calls_made
    converter = _Converter()
    outermost = _calls_made is None
    if outermost:
        _calls_made = []
    # Headroom for MAX_DEPTH levels (a few frames each): the depth check, not the interpreter's
    # recursion limit, decides where deep nesting is reported, whatever the caller's stack.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _stack_depth() + MAX_DEPTH * _FRAMES_PER_LEVEL + 200))
    try:
        body = converter.body(tree.children[0], 0)
        if outermost:
            body.calls = tuple(_calls_made or ())
        return body
    except RecursionError:
        # A backstop (MAX_DEPTH stops the walk first): name the deepest place reached.
        node = converter.deepest
        raise HclError(f"nesting deeper than {MAX_DEPTH} levels", _line(node), _column(node)) from None
    finally:
        sys.setrecursionlimit(limit)
        if outermost:
            _calls_made = None


_FRAMES_PER_LEVEL = 8
"""Python frames the converter uses per level of nesting, at most (about 5 measured)."""


def _stack_depth() -> int:
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth


_HEREDOC_OPENING = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\r?\n")
_MARKER_WITH_SPACE = re.compile(r"^([ \t]*([A-Za-z][A-Za-z0-9._-]*))[ \t]+(?=\r?$)", re.M)


def _closing_markers_trimmed(text: str) -> str:
    """Terraform ends a heredoc at a line whose trimmed text is the marker, so ``EOT  `` closes
    ``<<EOT``; the grammar we borrow wants the marker last on its line. Trailing blanks after a
    line that is only a marker are dropped: lines and columns before them stay where they were."""
    if "<<" not in text:
        return text
    markers = set(_HEREDOC_OPENING.findall(text))
    if not markers:
        return text
    return _MARKER_WITH_SPACE.sub(lambda m: m.group(1) if m.group(2) in markers else m.group(0), text)


def parse_expression(text: str, line: int = 1) -> ex.Expr:
    """Parse one expression (the inside of a heredoc's ``${...}``), its nodes on ``line`` (the
    text is parsed as one line); errors name ``line``."""
    global _line_shift
    shift, _line_shift = _line_shift, max(line, 1) - 1
    try:
        body = parse("x = " + text.replace("\n", " ") + "\n")
    except HclError as err:
        raise HclError(err.message, line) from None
    finally:
        _line_shift = shift
    return body.attributes["x"].expr


_line_shift = 0
"""Added to the lines of the nodes being made: an expression parsed apart (``parse_expression``)
is written on the line its template gives, not on its text's first."""


def parse_template(text: str, line: int = 1) -> ex.Expr:
    """Parse ``text`` as a string template (``${...}`` and ``%{...}`` live): a ``templatefile``
    file, or a string of Terraform's JSON syntax."""
    if "${" not in text and "%{" not in text:
        return ex.Literal(text, line)
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return parse_expression('"' + escaped.replace("\t", "\\t") + '"', line)


def _syntax_message(err: Any) -> str:
    token = getattr(err, "token", None)
    if token is not None and getattr(token, "value", None) is not None:
        shown = str(token.value).strip().splitlines()[0][:40] if str(token.value).strip() else repr(token.value)
        return f"syntax error: unexpected {shown!r}"
    char = getattr(err, "char", None)
    if char is not None:
        return f"syntax error: unexpected character {char!r}"
    return "syntax error"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)


def _unescape(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        code = m.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES.get(code, "\\" + code)

    return _ESCAPE_RE.sub(repl, text) if "\\" in text else text


def _is_tree(node: Any, *names: str) -> bool:
    return hasattr(node, "data") and (not names or node.data in names)


def edge_token(node: Any, last: bool) -> Any:
    """The first (or last) token under a node of the parse tree (the node itself for a token):
    positions are read from tokens, since the parser does not copy them up to every tree node
    (see ``hcl_parser.build``). None for a node without tokens."""
    item = node
    while True:  # down the first (last) children: the walk below, unless a node on the way is empty
        children = getattr(item, "children", None)
        if children is None:
            return item
        if not children:
            break
        item = children[-1] if last else children[0]
    stack = [node]
    while stack:
        item = stack.pop()
        children = getattr(item, "children", None)
        if children is None:
            return item
        stack.extend(children if last else reversed(children))
    return None


def _line(node: Any) -> int:
    token = edge_token(node, False)
    line = getattr(token, "line", 0) or 0
    return line + _line_shift if line else 0


def _column(node: Any) -> int:
    token = edge_token(node, False)
    return getattr(token, "column", 0) or 0


def _end_line(node: Any) -> int:
    token = edge_token(node, True)
    line = getattr(token, "end_line", 0) or 0
    return line + _line_shift if line else 0


_SKIP_TOKENS = {
    "LPAR", "RPAR", "LSQB", "RSQB", "LBRACE", "RBRACE", "COMMA", "EQ", "COLON", "QMARK",
    "DBLQUOTE", "FOR", "IN", "IF", "FOR_OBJECT_ARROW", "NL_OR_COMMENT", "DOT",
}


def _parts(node: Any) -> list[Any]:
    """Children that carry meaning: no punctuation, no newlines or comments."""
    return [c for c in node.children
            if (c.data != "new_line_or_comment" if hasattr(c, "data") else c.type not in _SKIP_TOKENS)]


class _Converter:
    def __init__(self) -> None:
        self.deepest: Any = None

    def body(self, node: Any, depth: int) -> Body:
        self._check(depth, node)
        body = Body()
        for child in node.children:
            if _is_tree(child, "attribute"):
                name = self.name(child.children[0])
                expr = self.expr(child.children[-1], depth + 1)
                body.attributes[name] = Attribute(name, expr, _line(child), _end_line(child))
            elif _is_tree(child, "block"):
                body.blocks.append(self.block(child, depth + 1))
        return body

    def block(self, node: Any, depth: int) -> Block:
        kids = [c for c in node.children if _is_tree(c) and c.data != "new_line_or_comment"]
        inner = kids[-1]
        labels = [self.label(k) for k in kids[1:-1]]
        return Block(self.name(kids[0]), labels, self.body(inner, depth + 1), _line(node), _end_line(node))

    def name(self, node: Any) -> str:
        if _is_tree(node):
            return str(node.children[0])
        return str(node)

    def label(self, node: Any) -> str:
        if _is_tree(node, "string"):
            return "".join(_unescape(str(p.children[0])) for p in node.children if _is_tree(p, "string_part"))
        return self.name(node)

    def _check(self, depth: int, node: Any) -> None:
        if depth > MAX_DEPTH:
            raise HclError(f"nesting deeper than {MAX_DEPTH} levels", _line(node), _column(node))
        self.deepest = node

    # --- expressions -------------------------------------------------------------------------

    def expr(self, node: Any, depth: int) -> ex.Expr:
        self._check(depth, node)
        method = getattr(self, "x_" + node.data, None) if _is_tree(node) else None
        if method is None:
            raise HclError(f"unsupported syntax {getattr(node, 'data', node)!r}", _line(node))
        return method(node, depth + 1)

    def x_expr_term(self, node: Any, depth: int) -> ex.Expr:
        inner = _parts(node)
        return self.expr(inner[0], depth)

    def x_int_lit(self, node: Any, depth: int) -> ex.Expr:
        text = str(node.children[0])
        if len(text) > MAX_NUMBER_DIGITS:
            raise HclError(f"number with more than {MAX_NUMBER_DIGITS} digits", _line(node), _column(node))
        return ex.Literal(int(text), _line(node))

    def x_float_lit(self, node: Any, depth: int) -> ex.Expr:
        text = "".join(str(c) for c in node.children)
        if len(text) > MAX_NUMBER_DIGITS:
            raise HclError(f"number with more than {MAX_NUMBER_DIGITS} digits", _line(node), _column(node))
        value = float(text)
        return ex.Literal(int(value) if value.is_integer() and "e" not in text.lower() else value, _line(node))

    def x_literal_value(self, node: Any, depth: int) -> ex.Expr:
        word = str(node.children[0])
        return ex.Literal({"true": True, "false": False, "null": None}[word], _line(node))

    def x_identifier(self, node: Any, depth: int) -> ex.Expr:
        return ex.Variable(str(node.children[0]), _line(node))

    def x_keyword(self, node: Any, depth: int) -> ex.Expr:
        return ex.Variable(str(node.children[0]), _line(node))

    def x_string(self, node: Any, depth: int) -> ex.Expr:
        raw = [p.children[0] for p in node.children if _is_tree(p, "string_part")]
        parts = self._template_parts(raw, depth)
        return _make_template(parts, _line(node))

    def x_template_string(self, node: Any, depth: int) -> ex.Expr:
        text = str(node.children[0])
        return ex.Literal(_unescape(text[2:-2]), _line(node))

    def _template_parts(self, raw: list[Any], depth: int) -> list[Any]:
        """Flat string parts (python-hcl2 leaves directives flat) into template pieces."""
        pieces: list[tuple[Any, ...]] = []
        for item in raw:
            if not _is_tree(item):
                text = str(item)
                escaped = item.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE")
                pieces.append(("text", text[1:] if escaped else _unescape(text), 0))
            elif item.data == "interpolation":
                pieces.append(("expr", self.expr(_parts(item)[1], depth), 0))
            elif item.data == "template_if_start":
                cond = [c for c in item.children if _is_tree(c)][-1]
                pieces.append(("if", self.expr(cond, depth), _line(item)))
            elif item.data == "template_for_start":
                trees = [c for c in item.children if _is_tree(c)]
                names = [self.name(t) for t in trees[:-1]]
                key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
                pieces.append(("for", (key_var, value_var, self.expr(trees[-1], depth)), _line(item)))
            else:
                pieces.append((item.data.removeprefix("template_"), None, _line(item)))
        return _assemble(pieces)

    def x_heredoc_template(self, node: Any, depth: int) -> ex.Expr:
        return self._heredoc(str(node.children[0]), False, _line(node), depth)

    def x_heredoc_template_trim(self, node: Any, depth: int) -> ex.Expr:
        return self._heredoc(str(node.children[0]), True, _line(node), depth)

    def _heredoc(self, token: str, trim: bool, line: int, depth: int) -> ex.Expr:
        first_nl = token.index("\n")
        lines = token[first_nl + 1 :].splitlines(keepends=True)
        body_lines = lines[:-1]  # the last line is the closing marker
        if trim:
            indents = [len(ln) - len(ln.lstrip(" \t")) for ln in body_lines if ln.strip()]
            cut = min(indents, default=0)
            body_lines = [ln[cut:] for ln in body_lines]
        text = "".join(body_lines).replace("\r\n", "\n")
        return _make_template(_split_template(text, line + 1, depth), line)

    def x_tuple(self, node: Any, depth: int) -> ex.Expr:
        return ex.TupleExpr(tuple(self.expr(c, depth) for c in _parts(node)), _line(node))

    def x_object(self, node: Any, depth: int) -> ex.Expr:
        items = []
        for elem in _parts(node):
            key_node, value_node = _parts(elem)[0], _parts(elem)[-1]
            items.append((self._object_key(key_node, depth), self.expr(value_node, depth)))
        return ex.ObjectExpr(tuple(items), _line(node))

    def _object_key(self, node: Any, depth: int) -> ex.Expr:
        inner = _parts(node)[0]
        if _is_tree(inner, "keyword"):
            return ex.Literal(str(inner.children[0]), _line(inner))
        # A bare name as key is a string, not a variable (``{ Name = "x" }``); parentheses
        # make it an expression (``{ (var.k) = "x" }``).
        if _is_tree(inner, "expr_term"):
            only = _parts(inner)
            if len(only) == 1 and _is_tree(only[0], "identifier") and len(inner.children) == 1:
                return ex.Literal(str(only[0].children[0]), _line(inner))
        return self.expr(inner, depth)

    def x_function_call(self, node: Any, depth: int) -> ex.Expr:
        names = [self.name(c) for c in node.children if _is_tree(c, "identifier")]
        args_node = next((c for c in node.children if _is_tree(c, "arguments")), None)
        args: tuple[ex.Expr, ...] = ()
        expand = False
        if args_node is not None:
            args = tuple(self.expr(c, depth) for c in args_node.children if _is_tree(c) and
                         c.data != "new_line_or_comment")
            expand = any(not _is_tree(c) and c.type == "ELLIPSIS" for c in args_node.children)
        call = ex.Call("::".join(names), args, expand, _line(node))
        if _calls_made is not None:
            _calls_made.append(call)
        return call

    def x_index_expr_term(self, node: Any, depth: int) -> ex.Expr:
        obj = self.expr(node.children[0], depth)
        return ex.Index(obj, self._index_key(node.children[1], depth), _line(node))

    def _index_key(self, node: Any, depth: int) -> ex.Expr:
        if node.data == "short_index":
            return ex.Literal(int(str(_parts(node)[-1])), _line(node))
        return self.expr(_parts(node)[0], depth)

    def x_get_attr_expr_term(self, node: Any, depth: int) -> ex.Expr:
        obj = self.expr(node.children[0], depth)
        return ex.GetAttr(obj, self.name(_parts(node.children[1])[0]), _line(node))

    def _splat(self, node: Any, depth: int) -> ex.Expr:
        obj = self.expr(node.children[0], depth)
        each: ex.Expr = ex.SplatItem(_line(node))
        for step in node.children[1].children[1:]:
            if _is_tree(step, "get_attr"):
                each = ex.GetAttr(each, self.name(_parts(step)[0]), _line(step))
            elif _is_tree(step):
                each = ex.Index(each, self._index_key(step, depth), _line(step))
        return ex.Splat(obj, each, _line(node))

    x_attr_splat_expr_term = _splat
    x_full_splat_expr_term = _splat

    def x_conditional(self, node: Any, depth: int) -> ex.Expr:
        cond, then, otherwise = (self.expr(c, depth) for c in _parts(node))
        return ex.Conditional(cond, then, otherwise, _line(node))

    def x_binary_op(self, node: Any, depth: int) -> ex.Expr:
        left = self.expr(node.children[0], depth)
        term = node.children[1]
        op_node, right_node = _parts(term)[0], _parts(term)[-1]
        op = str(op_node.children[0]).strip()
        return ex.BinaryOp(op, left, self.expr(right_node, depth), _line(node))

    def x_unary_op(self, node: Any, depth: int) -> ex.Expr:
        op = str(node.children[0]).strip()
        return ex.UnaryOp(op, self.expr(node.children[1], depth), _line(node))

    def _for(self, node: Any, depth: int, is_object: bool) -> ex.Expr:
        kids = _parts(node)
        intro = kids[0]
        intro_parts = _parts(intro)
        names = [self.name(c) for c in intro_parts if _is_tree(c, "identifier")]
        collection = self.expr(intro_parts[-1], depth)
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        cond_node = next((c for c in kids if _is_tree(c, "for_cond")), None)
        cond = self.expr(_parts(cond_node)[-1], depth) if cond_node is not None else None
        exprs = [c for c in kids[1:] if _is_tree(c) and c.data != "for_cond"]
        group = any(not _is_tree(c) and c.type == "ELLIPSIS" for c in node.children)
        if is_object:
            return ex.ForExpr(key_var, value_var, collection, self.expr(exprs[1], depth),
                              self.expr(exprs[0], depth), cond, group, _line(node))
        return ex.ForExpr(key_var, value_var, collection, self.expr(exprs[0], depth), None, cond,
                          False, _line(node))

    def x_for_tuple_expr(self, node: Any, depth: int) -> ex.Expr:
        return self._for(node, depth, False)

    def x_for_object_expr(self, node: Any, depth: int) -> ex.Expr:
        return self._for(node, depth, True)


def _make_template(parts: list[Any], line: int) -> ex.Expr:
    if not parts:
        return ex.Literal("", line)
    if all(isinstance(p, str) for p in parts):
        return ex.Literal("".join(parts), line)
    if len(parts) == 1 and isinstance(parts[0], ex.Expr):
        # "${x}" alone yields x's value unchanged (not converted to a string), as in Terraform.
        return parts[0]
    return ex.Template(tuple(parts), line)


# Only the keyword is matched: ``(.*?)~?\s*$`` over the rest backtracks quadratically on a long
# run of spaces, and the caller has stripped the directive's whitespace and ``~`` markers already.
_DIRECTIVE_RE = re.compile(r"\s*~?\s*(if|else|endif|for|endfor)\b")


def _split_template(text: str, line: int, depth: int) -> list[Any]:
    """Split a heredoc body into template pieces (literal text, interpolations, directives)."""
    pieces: list[tuple[Any, ...]] = []
    i = 0
    buf: list[str] = []
    while i < len(text):
        if text.startswith(("$${", "%%{"), i):
            buf.append(text[i + 1 : i + 3])
            i += 3
            continue
        if text.startswith(("${", "%{"), i):
            end = _matching_brace(text, i + 2)
            here = line + text.count("\n", 0, i)
            if end < 0:
                raise HclError("unterminated template sequence", here)
            if buf:
                pieces.append(("text", "".join(buf), here))
                buf = []
            inner = text[i + 2 : end].strip().strip("~").strip()
            if text[i] == "$":
                pieces.append(("expr", parse_expression(inner, here), here))
            else:
                pieces.append(_directive(inner, here))
            i = end + 1
            continue
        buf.append(text[i])
        i += 1
    if buf:
        pieces.append(("text", "".join(buf), line))
    return _assemble(pieces)


def _directive(inner: str, line: int) -> tuple[Any, ...]:
    m = _DIRECTIVE_RE.match(inner)
    if not m:
        raise HclError("unknown template directive", line)
    word, rest = m.group(1), inner[m.end():].strip().removesuffix("~").strip()
    if word == "if":
        return ("if", parse_expression(rest, line), line)
    if word == "for":
        fm = re.match(r"^([A-Za-z_][\w-]*)\s*(?:,\s*([A-Za-z_][\w-]*))?\s+in\s+(.*)$", rest, re.S)
        if not fm:
            raise HclError("malformed %{for} directive", line)
        key_var, value_var = (fm.group(1), fm.group(2)) if fm.group(2) else (None, fm.group(1))
        return ("for", (key_var, value_var, parse_expression(fm.group(3), line)), line)
    return (word, None, line)


def _assemble(pieces: list[tuple[Any, ...]]) -> list[Any]:
    """Nest ``if``/``else``/``endif`` and ``for``/``endfor`` pieces into TemplateIf/TemplateFor."""
    stack: list[tuple[Any, list[Any]]] = [(None, [])]
    for kind, value, line in pieces:
        if kind in ("text", "expr"):
            stack[-1][1].append(value)
        elif kind in ("if", "for"):
            stack.append(([kind, value, None], []))
        elif kind == "else":
            head, parts = stack[-1]
            if not head or head[0] != "if" or head[2] is not None:
                raise HclError("%{else} without %{if}", line)
            head[2] = parts
            stack[-1] = (head, [])
        elif kind in ("endif", "endfor"):
            opener = kind[3:]
            head, parts = stack.pop() if len(stack) > 1 else (None, [])
            if not head or head[0] != opener:
                raise HclError(f"%{{{kind}}} without %{{{opener}}}", line)
            if opener == "if":
                then, otherwise = (head[2], parts) if head[2] is not None else (parts, [])
                stack[-1][1].append(ex.TemplateIf(head[1], tuple(then), tuple(otherwise)))
            else:
                key_var, value_var, collection = head[1]
                stack[-1][1].append(ex.TemplateFor(key_var, value_var, collection, tuple(parts)))
    if len(stack) != 1:
        raise HclError("unterminated template directive", pieces[-1][2] if pieces else 0)
    return stack[0][1]


def _matching_brace(text: str, start: int) -> int:
    """Index of the ``}`` closing a sequence opened just before ``start`` (strings respected)."""
    level = 0
    i = start
    in_string = False
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            level += 1
        elif ch == "}":
            if level == 0:
                return i
            level -= 1
        i += 1
    return -1
