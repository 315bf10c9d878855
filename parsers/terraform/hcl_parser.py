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
"""

from __future__ import annotations

import gc
import importlib.util
import sys
from pathlib import Path
from typing import Any


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
    from lark.parsers.lalr_parser import LALR_Parser, _Parser

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
            inst.parser = _Parser(inst._parse_table, callbacks, debug)
            return inst

    return _FastLoadLALR


def build() -> Any:
    """A new Lark parser of python-hcl2's grammar (``.parse(text)`` gives its parse tree)."""
    folder = hcl2_folder()
    lark = _import_lark()
    # Loading creates some 100,000 objects and no garbage: the cyclic collector, which would run
    # over them again and again as they are made, is held off meanwhile (a third of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
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
    finally:
        if collecting:
            gc.enable()
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
    parser.parser.parser.parser.callbacks = callbacks
