"""The tables ``hcl_lalr.FastParser`` runs on, taken from Lark's own parser of python-hcl2's grammar.

Lark stays the source of truth: the parse table is the one it loaded from its cache, the lexers
are the ones its contextual lexer built for each parser state (the terminals of their scanners'
alternations, in their order, checked to join into the very expressions Lark compiled; each
terminal with the characters a match can begin with, so that a lexer tries only those that can
match at a character), the tree shapes are read from its ``ParseTreeBuilder``'s wrapper chains.
Anything this module does not know how to mirror exactly (a transformer, lexer callbacks, a regex
flag, a wrapper it has not seen) raises ``Unsupported``: then there are no tables, Lark parses.
The result is checked against Lark on ``SAMPLES`` (every construct of the grammar, the post-lexer's
merges, positions across lines) before it is used or stored.

Imported only when tables are made (Lark is imported then anyway).
"""

from __future__ import annotations

import re
from typing import Any

from iac_assist.parsers.terraform import hcl_lalr

MERGED_NEWLINE = "NL_OR_COMMENT"
"""The terminal python-hcl2's post-lexer holds back and merges into a following operator."""


class Unsupported(Exception):
    """The Lark parser has a feature the tables cannot express."""


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise Unsupported(what)


def extract(parser: Any, post_lexer: Any) -> dict[str, Any]:
    """Plain tables (dicts, lists, tuples, str, int, bool, None) from ``hcl_parser.build_lark()``'s
    parser and python-hcl2's post-lexer module."""
    from functools import partial

    from lark.lexer import BasicLexer, ContextualLexer, PatternStr, UnlessCallback
    from lark.parse_tree_builder import (
        ChildFilterLALR,
        ChildFilterLALR_NoPlaceholders,
        ExpandSingleChild,
        ParseTreeBuilder,
    )
    from lark.parser_frontends import PostLexConnector
    from lark.parsers.lalr_analysis import Shift
    from lark.tree import Tree

    options = parser.options
    _require(options.transformer is None and options.tree_class in (None, Tree), "a transformer or tree class")
    _require(not options.lexer_callbacks and not options.regex and not options.use_bytes, "lexer options")
    _require(list(options.start) == ["start"], "start symbols")
    frontend = parser.parser
    _require(type(frontend.lexer) is PostLexConnector, "a post-lexer")
    _require(tuple(frontend.lexer.postlexer.always_accept) == (), "always_accept terminals")
    contextual = frontend.lexer.lexer
    _require(type(contextual) is ContextualLexer, "the contextual lexer")
    driver = frontend.parser.parser
    _require(not any(isinstance(k, str) for k in driver.callbacks), "token callbacks")
    flags = parser.lexer_conf.g_regex_flags
    _require(flags == 0, "regex flags")

    # The rules and the shapes of their nodes, as _without_propagated_positions builds them.
    rules = list(parser.rules)
    index_of = {id(rule): i for i, rule in enumerate(rules)}
    builder = ParseTreeBuilder(rules, Tree, False, False, options.maybe_placeholders)
    shaped = []
    for rule, chain in builder.rule_builders:
        expand1, shape, seen_filter = False, None, False
        for wrapper in chain:
            if wrapper is ExpandSingleChild:
                _require(not seen_filter, "wrapper order")
                expand1 = True
            elif isinstance(wrapper, partial) and wrapper.func is ChildFilterLALR and not wrapper.keywords:
                include, append_none = wrapper.args
                shape = (tuple((int(i), bool(x), int(n)) for i, x, n in include), int(append_none))
                seen_filter = True
            elif isinstance(wrapper, partial) and wrapper.func is ChildFilterLALR_NoPlaceholders \
                    and not wrapper.keywords:
                (include,) = wrapper.args
                shape = (tuple((int(i), bool(x), 0) for i, x in include), 0)
                seen_filter = True
            else:
                raise Unsupported(f"tree builder wrapper {wrapper!r}")
        name = rule.alias or rule.options.template_source or rule.origin.name
        shaped.append((str(rule.origin.name), len(rule.expansion), str(name), expand1, shape))

    table = driver.parse_table
    count = len(table.states)
    _require(sorted(table.states) == list(range(count)), "state numbers")
    actions: list[dict[str, int]] = []
    for state in range(count):
        row = {}
        for symbol, (how, arg) in table.states[state].items():
            if how is Shift:
                row[str(symbol)] = int(arg)
            else:
                _require(id(arg) in index_of, "a reduction by an unknown rule")
                row[str(symbol)] = ~index_of[id(arg)]
        actions.append(row)

    # The lexers: one per set of terminals, shared by the states that accept the same set.
    lexer_index: dict[int, int] = {}
    orders: list[list[int]] = []
    terminal_index: dict[str, int] = {}
    pieces: list[str] = []
    unless: list[dict[str, dict[str, str]]] = []
    newline: set[str] = set()
    ignore: set[str] = set()
    state_lexer = []
    for state in range(count):
        lexer = contextual.lexers[state]
        if id(lexer) not in lexer_index:
            _require(type(lexer) is BasicLexer and lexer.re is re and not lexer.user_callbacks, "a lexer")
            scanner = lexer.scanner
            _require(not scanner.use_bytes and scanner.g_regex_flags == flags, "scanner options")
            keywords: dict[str, dict[str, str]] = {}
            for name, callback in lexer.callback.items():
                _require(type(callback) is UnlessCallback, "a lexer callback")
                words: dict[str, str] = {}
                for terminal in callback.scanner.terminals:
                    pattern = terminal.pattern
                    _require(type(pattern) is PatternStr and not pattern.flags, "a keyword pattern")
                    words.setdefault(str(pattern.value), str(terminal.name))
                keywords[str(name)] = words
            # The scanner's alternation, one terminal at a time: the first alternative that
            # matches is the first terminal, in this order, whose own expression matches.
            order = []
            for terminal in scanner.terminals:
                piece = f"(?P<{terminal.name}>{terminal.pattern.to_regexp()})"  # as Scanner._build_mres
                name = str(terminal.name)
                if name not in terminal_index:
                    terminal_index[name] = len(pieces)
                    pieces.append(piece)
                _require(pieces[terminal_index[name]] == piece, "a terminal with two expressions")
                order.append(terminal_index[name])
            _require("|".join(str(m.pattern) for m in scanner._mres) == "|".join(pieces[i] for i in order),
                     "the scanner's expressions")
            lexer_index[id(lexer)] = len(orders)
            orders.append(order)
            unless.append(keywords)
            newline |= set(lexer.newline_types)
            ignore |= set(lexer.ignore_types)
        state_lexer.append(lexer_index[id(lexer)])

    start_state = table.start_states["start"]
    end_state = table.end_states["start"]
    return {
        "actions": actions, "start": int(start_state), "end": int(end_state), "rules": shaped,
        "state_lexer": state_lexer, "lexers": orders, "terminals": list(terminal_index), "pieces": pieces,
        "first": [first_characters(piece, flags) for piece in pieces],
        "compiled": [sre_form(piece, flags) for piece in pieces], "unless": unless, "flags": int(flags),
        "ignore": sorted(ignore), "newline": sorted(newline), "merged_newline": MERGED_NEWLINE,
        "operators": sorted(str(t) for t in post_lexer.OPERATOR_TYPES),
    }


def first_characters(pattern: str, flags: int) -> tuple[str, bool] | None:
    """The ASCII characters a match of ``pattern`` can begin with and whether it can begin with
    another character; None when it can begin with any (or when that is not worked out). A
    superset is always right (a terminal tried for nothing fails to match): what is not known
    (negated sets, categories, any character, back references, an empty match) is "any"."""
    if flags & re.IGNORECASE:
        return None
    try:
        from re import _constants, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, flags)
        found = None if parsed.state.flags & re.IGNORECASE else _first(list(parsed), _constants)
    except Exception:  # another interpreter's re: any
        return None
    if found is None or found[2]:
        return None
    return "".join(sorted(found[0])), found[1]


def _first(sequence: list[Any], c: Any) -> tuple[set[str], bool, bool] | None:
    """(ASCII first characters, non-ASCII ones possible, can match empty) of a parsed sequence."""
    chars: set[str] = set()
    other = False
    for op, av in sequence:
        found = _first_of(op, av, c)
        if found is None:
            return None
        chars |= found[0]
        other |= found[1]
        if not found[2]:
            return chars, other, False
    return chars, other, True


def _first_of(op: Any, av: Any, c: Any) -> tuple[set[str], bool, bool] | None:
    if op is c.LITERAL:
        return ({chr(av)}, False, False) if av < 128 else (set(), True, False)
    if op is c.IN:
        chars: set[str] = set()
        other = False
        for item, value in av:
            if item is c.LITERAL:
                if value < 128:
                    chars.add(chr(value))
                else:
                    other = True
            elif item is c.RANGE:
                low, high = value
                chars.update(chr(x) for x in range(low, min(high, 127) + 1))
                other |= high >= 128
            else:  # a negation or a category
                return None
        return chars, other, False
    if op is c.SUBPATTERN:
        return None if av[1] & re.IGNORECASE else _first(list(av[3]), c)
    if op is c.BRANCH:
        chars, other, empty = set(), False, False
        for alternative in av[1]:
            found = _first(list(alternative), c)
            if found is None:
                return None
            chars |= found[0]
            other |= found[1]
            empty |= found[2]
        return chars, other, empty
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)):
        found = _first(list(av[2]), c)
        return None if found is None else (found[0], found[1], found[2] or av[0] == 0)
    if op is getattr(c, "ATOMIC_GROUP", None):
        return _first(list(av), c)
    if op in (c.ASSERT, c.ASSERT_NOT, c.AT):  # zero width: what follows begins the match
        return set(), False, True
    return None


def sre_form(pattern: str, flags: int) -> Any:
    """The arguments ``re`` passes to ``_sre.compile`` for ``pattern`` (its compiled program), so
    that a process can skip compiling it (``re`` does that in Python: most of a small file's
    parse); None when this interpreter's ``re`` does not compile that way, or gives another
    pattern that way than ``re.compile`` does."""
    try:
        import _sre
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, flags)
        code = [int(c) for c in _compiler._code(parsed, flags)]
        groupindex = {str(k): int(v) for k, v in parsed.state.groupdict.items()}
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        form = (pattern, int(flags | parsed.state.flags), code, int(parsed.state.groups - 1), groupindex,
                tuple(indexgroup))
        if _sre.compile(*form) != re.compile(pattern, flags):
            return None
    except Exception:  # another interpreter, another re: patterns are compiled as usual
        return None
    return form


def canonical(node: Any) -> Any:
    """A tree (Lark's or ours) as nested tuples: names, token types, values and all six positions."""
    if hasattr(node, "data"):
        return (str(node.data), tuple(canonical(child) for child in node.children))
    if node is None:
        return None
    return ("token", node.type, str(node), node.value, node.line, node.column, node.end_line, node.end_column,
            node.start_pos, node.end_pos)


def outcome(parse: Any, text: str) -> Any:
    """``canonical`` of the tree, or the error's type, message, line and column."""
    try:
        tree = parse(text)
    except Exception as err:
        return ("error", type(err).__name__, str(err), getattr(err, "line", None), getattr(err, "column", None))
    return canonical(tree)


def check(tables: dict[str, Any], lark_parser: Any) -> None:
    """Raise ``Unsupported`` unless the tables parse ``SAMPLES`` exactly as Lark does."""
    fast = hcl_lalr.FastParser(tables)
    for text in SAMPLES:
        expected = outcome(lark_parser.parse, text)
        try:
            got = canonical(fast.parse(text))
        except hcl_lalr.Unparsed:
            got = "unparsed"
        if expected[0] == "error":
            _require(got == "unparsed", f"the tables parse what Lark refuses: {text!r}")
        else:
            _require(got == expected, f"the tables parse differently from Lark: {text!r}")


SAMPLES = [
    "",
    "\n",
    "x = 1",
    "x = 1\n",
    'resource "aws_s3_bucket" "b" {\n  bucket = "name"\n  tags = { Name = "x", "k" = 2 }\n}\n',
    "# hash comment\n// slash comment\n/* block\n comment */\nx = 1 # trailing\ny = 2 // trailing\n",
    "a = 1 +\n  2\nb = 1\n  + 2\nc = x\n  ? y\n  : z\nd = a\n  && b\n  || c\ne = -1\nf = !true\n",
    "x = a == b != c < d > e <= f >= g * h / i % j - k\n",
    "x = [\n  1,\n  2,\n]\ny = [for i, v in var.list : v if v != null]\n"
    "z = {for k, v in var.m : k => v...}\nw = {for k, v in var.m : k => [for x in v : x]}\n",
    'x = "a${var.b}c %{ if var.c }yes%{ else }no%{ endif } %{for i in var.l}${i}%{endfor}"\n',
    'x = "$${escaped} %%{escaped} \\"quoted\\" \\n \\u00e9"\ny = "${"nested ${"deep"}"}"\n',
    "x = <<EOT\nline 1 ${var.a}\n  line 2\nEOT\ny = <<-EOT\n    indented\n    EOT\n",
    "x = a.b[0].c[*].d\ny = a.*.b\nz = a[\"k\"].0\nw = f(a, b...)\nv = p::q::r(1)\n",
    "x = 1.5\ny = 1e3\nz = -2.5E-3\nw = 0\n",
    "for = 1\nin = 2\nif = 3\ntrue = 4\nnull = 5\nfor_each = 6\nelse = 7\nendif = 8\nendfor = 9\n",
    "in {\n  for = 1\n}\nx = { in = 1, for = 2, if = 3 }\ny = {\n  in = 1\n  for = 2\n}\nz = a.true\n",
    "x = \"é ü 中文 🎉\"\r\ny = 2\r\n\tz = 3\r\n",
    "x = (\n  a +\n  b\n)\ny = f(\n  a,\n  b,\n)\nz = a ? b : c\n",
    "x = a\n\n\n  == b\ny = c\n# comment\n  * d\n",
    'x = "%{ if a ~}b%{~ endif }"\ny = "%{ for k, v in m }${k}=${v}%{ endfor }"\n',
    "x = \"${a}\"\nblock \"l1\" l2 {\n}\nblock2 {}\n",
    # Errors: the fast path must refuse them (Lark then raises its own error).
    "x = \n", 'resource "a" {\n', "x = [1, 2\n", "x = 1 +* 2\n", "}\n", 'a "b" = 1\n', "x = a ? b\n",
    'x = "${"\n', "x = 1 2\n", "x = @\n", "x = <<EOT\nno end\n",
]
"""Texts parsed both ways before tables are used: every construct of the grammar, keywords as
names, newlines before operators, comments of each kind, heredocs, CRLF, tabs and unicode, errors."""
