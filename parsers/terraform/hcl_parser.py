"""python-hcl2's Lark parser, built for start-up time; one instance per process (``hcl._parser``).

The parser is exactly python-hcl2's: its grammar file, its post-lexer, its options (LALR with
Lark's contextual lexer, positions kept) and the grammar analysis it caches beside itself
(``hcl2/.lark_cache.bin``, checked by Lark against the grammar, the options and Lark's version).
What differs is what it costs to have one, which a pre-commit hook pays on every commit:

- ``hcl2.parser`` would run python-hcl2's package ``__init__``, which imports its dict
  transformer, reconstructor and formatter (none used here): the grammar file and the post-lexer
  module are read from the installed package instead.
- Lark imports the ``regex`` module when it is installed (cfn-lint and our Terraform functions
  depend on it), to use it only with ``regex=True``, which this grammar does not ask for: it is
  kept out of that import (the functions import it themselves when a pattern is matched).
- Loading the cached parse table goes through Lark's generic deserializer once per action (about
  20,000, most of them references to rules already loaded); ``_FastLoadLALR`` reads the same table
  directly. ``_plugins`` is Lark's hook for replacing its LALR parser class (lark-cython uses it).

Lark itself is needed only to make the tables and to report an error. ``build()`` gives a
``Parser`` that parses with the tables of Lark's parser (``hcl_lalr``, without importing Lark),
kept between processes (``hcl_tables``), and re-parses with Lark (``build_lark()``) whatever the
tables do not parse: a syntax error is then Lark's own, message and positions included.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

from iac_assist.gcpause import paused
from iac_assist.parsers.terraform import hcl_lalr, hcl_tables


def hcl2_folder() -> Path:
    """Where python-hcl2 is installed, found without importing it."""
    spec = importlib.util.find_spec("hcl2")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("python-hcl2 is not installed")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def _import_lark() -> Any:
    if "lark" in sys.modules or "regex" in sys.modules:
        import lark

        return lark
    sys.modules["regex"] = None  # type: ignore[assignment]  # an ImportError for Lark's optional import
    try:
        import lark
    finally:
        del sys.modules["regex"]
    return lark


def _post_lexer(folder: Path) -> Any:
    """python-hcl2's ``PostLexer``, from its own file, under a private name."""
    name = "iac_assist.parsers.terraform._hcl2_postlexer"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.spec_from_file_location(name, folder / "postlexer.py")
        if spec is None or spec.loader is None:
            raise ImportError(f"python-hcl2's post-lexer not found in {folder}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        sys.modules[name] = module
    return module.PostLexer()


def _fast_load_lalr() -> type:
    from lark.grammar import Rule
    from lark.parsers.lalr_analysis import IntParseTable, Reduce, Shift
    from lark.parsers.lalr_parser import LALR_Parser

    _FastParser = _fast_parser()

    class _IdentityRule(Rule):  # type: ignore[misc]
        # A rule is looked up (hashed) and compared with the end state at every reduction, three
        # per token, through Python-level methods; the loaded rules are unique objects, so
        # identity is their equality, and the C-level slots do the same work at no call cost.
        __slots__ = ()
        __hash__ = object.__hash__
        __eq__ = object.__eq__
        __ne__ = object.__ne__

    class _FastLoadLALR(LALR_Parser):  # type: ignore[misc]
        @classmethod
        def deserialize(cls, data: dict[str, Any], memo: dict[int, Any], callbacks: Any, debug: bool = False) -> Any:
            for loaded in memo.values():
                if type(loaded) is Rule:
                    loaded.__class__ = _IdentityRule
            # As IntParseTable.deserialize, with a rule reference ({"@": n}) looked up directly.
            tokens = data["tokens"]

            def rule(arg: Any) -> Any:
                ref = arg.get("@") if isinstance(arg, dict) else None
                return memo[ref] if ref is not None else Rule.deserialize(arg, memo)

            states = {
                state: {tokens[token]: ((Reduce, rule(arg)) if action == 1 else (Shift, arg))
                        for token, (action, arg) in actions.items()}
                for state, actions in data["states"].items()
            }
            inst = cls.__new__(cls)
            inst._parse_table = IntParseTable(states, data["start_states"], data["end_states"])
            inst.parser = _FastParser(inst._parse_table, callbacks, debug)
            return inst

    return _FastLoadLALR


def _fast_parser() -> type:
    """Lark's LALR driver with the parse table flattened for its inner loop.

    Lark's ``ParserState.feed_token`` looks up an action as ``(Shift|Reduce, arg)``, then the
    rule's callback by the rule, its length and its origin's name, at each of the three
    reductions per token. Here a state's action is either the next state (an int: shift) or
    ``(length, callback, origin name)``: the same steps, same order, same results. Anything
    unexpected (a token no action accepts) is handed to Lark's own ``feed_token``, which raises
    its usual error, positions and expected tokens included.
    """
    from lark.parsers.lalr_analysis import Shift
    from lark.parsers.lalr_parser import _Parser
    from lark.parsers.lalr_parser_state import ParseConf, ParserState

    class _FastState(ParserState):  # type: ignore[misc]
        # The table is a class attribute of a subclass per parser (see ``prepare``): Lark copies
        # a state (``type(self)(...)``) to list the expected tokens of an error.
        __slots__ = ()
        _actions: dict[int, dict[str, Any]] = {}
        _token_callbacks: dict[str, Any] = {}

        def feed_token(self, token: Any, is_end: bool = False) -> Any:
            actions = self._actions
            state_stack = self.state_stack
            value_stack = self.value_stack
            kind = token.type
            end_state = self.parse_conf.end_state
            while True:
                action = actions[state_stack[-1]].get(kind)
                if action is None:
                    return ParserState.feed_token(self, token, is_end)  # raises Lark's error
                if action.__class__ is int:
                    state_stack.append(action)
                    callback = self._token_callbacks.get(kind)
                    value_stack.append(token if callback is None else callback(token))
                    return None
                size, callback, origin = action
                if size:
                    children = value_stack[-size:]
                    del state_stack[-size:]
                    del value_stack[-size:]
                else:
                    children = []
                value = callback(children)
                new_state = actions[state_stack[-1]][origin]
                state_stack.append(new_state)
                value_stack.append(value)
                if is_end and new_state == end_state:
                    return value

    class _FastParser(_Parser):  # type: ignore[misc]
        _state: type | None = None

        def prepare(self) -> None:
            """Flatten the table with the current callbacks (call again after changing them)."""
            callbacks = self.callbacks
            actions = {
                state: {kind: (arg if how is Shift else (len(arg.expansion), callbacks[arg], arg.origin.name))
                        for kind, (how, arg) in row.items()}
                for state, row in self.parse_table.states.items()
            }
            tokens = {k: v for k, v in callbacks.items() if isinstance(k, str)}
            self._state = type("_FastState", (_FastState,), {"__slots__": (), "_actions": actions,
                                                             "_token_callbacks": tokens})

        def parse(self, lexer: Any, start: str, value_stack: Any = None, state_stack: Any = None,
                  start_interactive: bool = False) -> Any:
            if start_interactive or self._state is None:
                return super().parse(lexer, start, value_stack, state_stack, start_interactive)
            conf = ParseConf(self.parse_table, self.callbacks, start)
            return self.parse_from_state(self._state(conf, lexer, state_stack, value_stack))

    return _FastParser


def build_lark() -> Any:
    """A new Lark parser of python-hcl2's grammar (``.parse(text)`` gives its parse tree)."""
    folder = hcl2_folder()
    lark = _import_lark()
    # Loading creates some 100,000 objects and no garbage: the cyclic collector, which would run
    # over them again and again as they are made, is held off meanwhile (a third of the time).
    with paused():
        # The options and their order are python-hcl2's (hcl2/parser.py): Lark's cache key is
        # made of them, so its cache file is shared with python-hcl2's own parser.
        parser = lark.Lark.open(
            str(folder / "hcl2.lark"),
            parser="lalr",
            cache=str(folder / ".lark_cache.bin"),
            propagate_positions=True,
            postlex=_post_lexer(folder),
            _plugins={"LALR_Parser": _fast_load_lalr()},
        )
        _without_propagated_positions(parser)
    return parser


def _without_propagated_positions(parser: Any) -> None:
    """Build trees without copying positions up to every node.

    The options stay python-hcl2's (they key the cached table), but propagating positions wraps
    every reduction (three for each token in this grammar) and was half of the parse time. The
    converter reads a node's line from its first and last tokens instead (``hcl._line``), only
    for the nodes it keeps.
    """
    from lark.parse_tree_builder import ParseTreeBuilder
    from lark.tree import Tree

    options = parser.options
    builder = ParseTreeBuilder(parser.rules, options.tree_class or Tree, False, False, options.maybe_placeholders)
    callbacks = builder.create_callback(options.transformer)
    callbacks.update({name: fn for name, fn in parser._callbacks.items() if isinstance(name, str)})
    parser._callbacks = callbacks
    driver = parser.parser.parser.parser
    driver.callbacks = callbacks
    if hasattr(driver, "prepare"):  # ours, when the table came from the cache (see _fast_parser)
        driver.prepare()


class Parser:
    """python-hcl2's parser: ``parse(text)`` gives Lark's parse tree of ``text`` or raises Lark's error.

    With tables, the text is parsed by ``hcl_lalr`` and Lark is not imported; whatever that does
    not parse (a syntax error, or anything unexpected) is parsed again by Lark, built then, whose
    tree or error is the answer. Without tables, Lark parses everything, as before they existed.
    """

    def __init__(self, fast: hcl_lalr.FastParser | None, lark: Any = None) -> None:
        self.fast = fast
        self._lark = lark
        self.fallbacks = 0
        """Texts the tables did not parse (Lark's turn)."""

    def lark(self) -> Any:
        if self._lark is None:
            self._lark = build_lark()
        return self._lark

    def parse(self, text: str) -> Any:
        if self.fast is not None:
            try:
                return self.fast.parse(text)
            except Exception:  # hcl_lalr.Unparsed, or anything unexpected: Lark decides
                self.fallbacks += 1
        return self.lark().parse(text)


def build() -> Parser:
    """The parser of ``hcl._parser()``: from kept tables when there are; else tables are made from
    Lark's parser and kept when they can be (``hcl_tables``); else Lark's parser alone."""
    folder = hcl2_folder()
    try:
        table_key = hcl_tables.key(folder)
    except (OSError, ImportError, UnicodeDecodeError):
        return Parser(None)
    tables = hcl_tables.load(table_key)
    if tables is not None:
        try:
            return Parser(hcl_lalr.FastParser(tables))
        except Exception:  # a file of the right shape but inconsistent: made again below
            pass
    target = hcl_tables.writable_directory()
    if target is None:
        return Parser(None)
    lark = build_lark()
    tables = make_tables(lark, folder)
    if tables is None:
        return Parser(None, lark)
    hcl_tables.store(tables, table_key, target)
    return Parser(hcl_lalr.FastParser(tables), lark)


def make_tables(lark: Any, folder: Path | None = None) -> dict[str, Any] | None:
    """Tables from ``lark`` (``build_lark()``), checked against it; None when they cannot be made."""
    from iac_assist.parsers.terraform import hcl_extract

    folder = folder or hcl2_folder()
    try:
        tables = hcl_extract.extract(lark, sys.modules[_post_lexer(folder).__module__])
        hcl_extract.check(tables, lark)
    except Exception:  # hcl_extract.Unsupported, or a Lark whose insides moved: Lark parses
        return None
    return tables


def prepare_tables(folders: list[Path] | None = None) -> Path | None:
    """Make and keep the tables even when Python writes no bytecode (the test suite asks, so that
    its parses and its processes run on them); the file, or None when they cannot be kept."""
    folder = hcl2_folder()
    table_key = hcl_tables.key(folder)
    name = hcl_tables.file_name(table_key)
    if hcl_tables.load(table_key, folders) is not None:
        return next(f / name for f in (folders or hcl_tables.directories()) if (f / name).is_file())
    target = hcl_tables.writable_directory(force=True, folders=folders)
    tables = make_tables(build_lark(), folder) if target is not None else None
    if target is None or tables is None:
        return None
    return hcl_tables.store(tables, table_key, target)


def lark_errors() -> tuple[type[Exception], type[Exception]]:
    """Lark's ``UnexpectedInput`` and ``LarkError``, for an ``except`` clause: imported only when an
    exception is being handled (a successful parse never imports Lark)."""
    _import_lark()
    from lark.exceptions import LarkError, UnexpectedInput

    return UnexpectedInput, LarkError
