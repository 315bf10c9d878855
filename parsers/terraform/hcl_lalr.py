"""python-hcl2's parser run from plain tables, without Lark: the success path of ``hcl_parser``.

The tables are Lark's own (``hcl_extract`` takes them from the Lark parser ``hcl_parser``
builds): its LALR parse table, the terminals its contextual lexer accepts in each parser state
(each terminal's expression, in the order its scanner's alternation has them), the keywords its
``unless`` callbacks give to a name, and the shape its tree builder gives each rule. The steps
are Lark's, in Lark's order, so the trees and every position are the same:

- the contextual lexer picks the terminals of the parser's state at the moment the next token is
  asked for, and takes the first of them, in the scanner's order, whose expression matches: what
  the scanner's alternation matches (terminals that cannot begin at the next character are not
  tried: they would not match); ignored terminals are skipped by the same lexer; lines are
  counted only in terminals Lark counts them in (``BasicLexer.newline_types``);
- python-hcl2's post-lexer holds back a newline token until it sees the next one: so the token
  after a newline is lexed in the state before the newline was fed, and a newline followed by an
  operator is merged into it, keeping the operator's position (``Token.update``);
- the LALR loop is Lark's ``ParserState.feed_token``; a reduction builds the node as Lark's
  ``ParseTreeBuilder`` callbacks do (filtered tokens, inlined ``_rules``, ``?rules`` with one
  child replaced by it, placeholders).

Anything else (no action for a token, no terminal matching, an inconsistent table) raises
``Unparsed``: the caller parses the text again with Lark, for Lark's own error.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any


class Unparsed(Exception):
    """The text could not be parsed here (a syntax error or anything unexpected)."""


class Token(str):
    """A token as Lark's: the text, its terminal's name and its place (lines and columns from 1)."""

    __slots__ = ("type", "value", "start_pos", "line", "column", "end_line", "end_column", "end_pos")
    __match_args__ = ("type", "value")

    type: str
    value: Any
    start_pos: int
    line: int
    column: int
    end_line: int
    end_column: int
    end_pos: int

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"

    def __eq__(self, other: object) -> bool:
        # As Lark's: tokens of different terminals differ, a token equals its text otherwise.
        if isinstance(other, str) and getattr(other, "type", self.type) != self.type:
            return False
        return str.__eq__(self, other)

    __hash__ = str.__hash__

    def __reduce__(self) -> tuple[Any, ...]:
        return (make_token, (self.type, self.value, self.start_pos, self.line, self.column, self.end_line,
                             self.end_column, self.end_pos))


_new_str = str.__new__


def make_token(kind: str, value: str, start_pos: int, line: int, column: int, end_line: int, end_column: int,
               end_pos: int) -> Token:
    token = _new_str(Token, value)
    token.type = kind
    token.value = value
    token.start_pos = start_pos
    token.line = line
    token.column = column
    token.end_line = end_line
    token.end_column = end_column
    token.end_pos = end_pos
    return token


class Tree:
    """A node of the parse tree: its rule's name (or alias) and its children, trees and tokens."""

    __slots__ = ("data", "children")

    def __init__(self, data: str, children: list[Any]) -> None:
        self.data = data
        self.children = children

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"

    def __eq__(self, other: object) -> bool:
        try:
            return bool(self.data == other.data and self.children == other.children)  # type: ignore[attr-defined]
        except AttributeError:
            return False

    def __hash__(self) -> int:
        return hash((self.data, tuple(self.children)))


_UNIT, _TREE, _BUILD = 0, 1, 2
"""How a reduction makes its value: a ``?rule`` of one symbol is its child itself (Lark's
``ExpandSingleChild``: the value stack is left as it is); a plain rule is a tree of its children
(Lark's tree class called with them); anything else is a builder (``_builder``)."""


def _reduction(name: str, size: int, expand1: bool, shape: Any) -> tuple[int, Any]:
    if shape is None and expand1 and size == 1:
        return _UNIT, None
    if shape is None and not expand1:
        return _TREE, name
    return _BUILD, _builder(name, expand1, shape)


def _builder(name: str, expand1: bool, shape: Any) -> Callable[[list[Any]], Any]:
    """What Lark's callback for a rule does: ``ChildFilterLALR`` (or its variant without
    placeholders) around ``ExpandSingleChild`` around the tree class."""
    if shape is None:
        return lambda children: children[0] if len(children) == 1 else Tree(name, children)
    include, append_none = shape
    include = tuple((int(i), bool(expand), int(nones)) for i, expand, nones in include)

    def build(children: list[Any]) -> Any:
        filtered: list[Any] = []
        for i, expand, nones in include:
            if nones:
                filtered += [None] * nones
            if expand:
                if filtered:
                    filtered += children[i].children
                else:  # as Lark: the inlined node's own list (the node itself is dropped)
                    filtered = children[i].children
            else:
                filtered.append(children[i])
        if append_none:
            filtered += [None] * append_none
        if expand1 and len(filtered) == 1:
            return filtered[0]
        return Tree(name, filtered)

    return build


def _compile(pattern: str, flags: int, form: Any) -> Any:
    """``re.compile(pattern, flags)``, from its program compiled already when there is one."""
    if form is not None and form[0] == pattern:
        try:
            import _sre  # type: ignore[import-not-found]  # re's engine, as re._compiler calls it

            return _sre.compile(*form)
        except Exception:  # an interpreter whose engine refuses that program: compiled as usual
            pass
    return re.compile(pattern, flags)


class _Reductions(dict[int, tuple[Any, ...]]):
    """Rule number -> (size, origin, how, make): made when a rule is first reduced by (a small
    file reduces a few dozen of the grammar's rules)."""

    __slots__ = ("rules",)

    def __init__(self, rules: list[Any]) -> None:
        super().__init__()
        self.rules = rules

    def __missing__(self, number: int) -> tuple[Any, ...]:
        origin, size, name, expand1, shape = self.rules[number]
        made = self[number] = (size, origin, *_reduction(name, size, expand1, shape))
        return made


class FastParser:
    """Parses with the tables of ``hcl_extract.extract`` (checked by ``hcl_tables.valid``)."""

    def __init__(self, tables: dict[str, Any]) -> None:
        self._actions: Any = tables["actions"]
        """State -> {symbol: action}: a list, or a mapping that reads rows on first use (hcl_tables)."""
        self._start: int = tables["start"]
        self._end: int = tables["end"]
        self._rules = _Reductions(tables["rules"])
        self._state_lexer: list[int] = tables["state_lexer"]
        self._orders: list[list[int]] = tables["lexers"]
        """Lexer -> its terminals (numbers), in the order its scanner tries them."""
        self._pieces: list[str] = tables["pieces"]
        self._first: list[Any] = tables["first"]
        self._unless: list[dict[str, dict[str, str]]] = tables["unless"]
        self._forms: Any = tables["compiled"]
        """Terminal -> its expression's compiled program (``hcl_extract.sre_form``), or None."""
        self._matchers: list[Any] = [None] * len(self._pieces)
        self._compiled: list[Any] = [None] * len(self._orders)
        self._flags: int = tables["flags"]
        self._ignore = frozenset(tables["ignore"])
        self._newline = frozenset(tables["newline"])
        self._merged_nl: str = tables["merged_newline"]
        self._operators = frozenset(tables["operators"])

    def _lexer(self, index: int) -> tuple[dict[str, tuple[Any, ...]], dict[str, dict[str, str]]]:
        # Made when a state first needs it, as Lark builds a lexer's scanner on first use.
        lexer: tuple[dict[str, tuple[Any, ...]], dict[str, dict[str, str]]] = ({}, self._unless[index])
        self._compiled[index] = lexer
        return lexer

    def _candidates(self, index: int, char: str) -> tuple[Any, ...]:
        """The terminals of lexer ``index`` that can match at a ``char``, in the scanner's order (the
        others would fail to match there): the ``match`` of each one's expression."""
        ascii_char = char < "\x80"
        found = []
        for terminal in self._orders[index]:
            first = self._first[terminal]
            if first is None or (char in first[0] if ascii_char else first[1]):
                found.append(self._matchers[terminal] or self._matcher(terminal))
        candidates = self._compiled[index][0][char] = tuple(found)
        return candidates

    def _matcher(self, terminal: int) -> Any:
        try:
            form = self._forms[terminal]
        except (KeyError, IndexError):
            form = None
        matcher = self._matchers[terminal] = _compile(self._pieces[terminal], self._flags, form).match
        return matcher

    def parse(self, text: str) -> Any:
        """The parse tree of ``text``, as Lark's parser gives it; ``Unparsed`` when it cannot."""
        try:
            return self._parse(text)
        except (KeyError, IndexError) as err:  # no action for a token, or for a rule's goto
            raise Unparsed(f"unexpected input: {err!r}") from None

    def _parse(self, text: str) -> Any:
        actions, rules, state_lexer, compiled = self._actions, self._rules, self._state_lexer, self._compiled
        ignore, newline, operators, merged_nl = self._ignore, self._newline, self._operators, self._merged_nl
        new_str, token_class, tree_class = _new_str, Token, Tree
        state_stack = [self._start]
        value_stack: list[Any] = []
        pos, line, line_start, end = 0, 1, 0, len(text)
        pending: Token | None = None
        while True:
            # The contextual lexer: the next token, with the terminals of the state as it is now.
            token = None
            if pos < end:
                index = state_lexer[state_stack[-1]]
                dispatch, unless = compiled[index] or self._lexer(index)
                while pos < end:
                    char = text[pos]
                    candidates = dispatch.get(char)
                    if candidates is None:
                        candidates = self._candidates(index, char)
                    for matcher in candidates:  # the first that matches, as in Lark's alternation
                        match = matcher(text, pos)
                        if match is not None:
                            break
                    else:
                        raise Unparsed("no terminal matches")
                    value = match[0]
                    kind = match.lastgroup
                    if not value or kind is None:
                        raise Unparsed("empty match")
                    start, start_line, column = pos, line, pos - line_start + 1
                    if kind in newline:
                        count = value.count("\n")
                        if count:
                            line += count
                            line_start = start + value.rindex("\n") + 1
                    pos = start + len(value)
                    if kind in ignore:
                        continue
                    if kind in unless:
                        kind = unless[kind].get(value, kind)
                    # make_token, inlined: one call per token is a tenth of the lexer's time.
                    token = new_str(token_class, value)
                    token.type = kind
                    token.value = value
                    token.start_pos = start
                    token.line = start_line
                    token.column = column
                    token.end_line = line
                    token.end_column = pos - line_start + 1
                    token.end_pos = pos
                    break
            # python-hcl2's post-lexer: a newline waits for the next token, which may take it in.
            if token is None:
                if pending is None:
                    break
                batch: tuple[Token, ...] = (pending,)
                pending = None
            elif token.type == merged_nl:
                if pending is None:
                    pending = token
                    continue
                batch, pending = (pending,), token
            elif pending is not None:
                if token.type in operators:
                    batch = (make_token(token.type, pending + token, token.start_pos, token.line, token.column,
                                        token.end_line, token.end_column, token.end_pos),)
                else:
                    batch = (pending, token)
                pending = None
            else:
                batch = (token,)
            # The LALR loop (Lark's ParserState.feed_token).
            for fed in batch:
                kind = fed.type
                while True:
                    action = actions[state_stack[-1]][kind]
                    if action >= 0:
                        state_stack.append(action)
                        value_stack.append(fed)
                        break
                    size, origin, how, make = rules[~action]
                    if how == _UNIT:  # the child is the value: only the state changes
                        state_stack[-1] = actions[state_stack[-2]][origin]
                        continue
                    if size:
                        children = value_stack[-size:]
                        del state_stack[-size:]
                        del value_stack[-size:]
                    else:
                        children = []
                    value_stack.append(tree_class(make, children) if how == _TREE else make(children))
                    state_stack.append(actions[state_stack[-1]][origin])
        # The end of the input: reduce until the start rule is complete.
        end_state = self._end
        while True:
            action = actions[state_stack[-1]]["$END"]
            if action >= 0:
                raise Unparsed("unexpected end of input")
            size, origin, how, make = rules[~action]
            if size:
                children = value_stack[-size:]
                del state_stack[-size:]
                del value_stack[-size:]
            else:
                children = []
            result = children[0] if how == _UNIT else tree_class(make, children) if how == _TREE else make(children)
            new_state = actions[state_stack[-1]][origin]
            state_stack.append(new_state)
            value_stack.append(result)
            if new_state == end_state:
                return result
