"""How the ids the SAM transform generates, and cfn-lint's decoded nodes, go into the parse cache
(``iac_assist/inputs/parse_cache.py``).

Our decoder's nodes (``decode.py``) are classes pickle names as they are. cfn-lint's come only
from its JSON decoder, ``decode.py``'s fallback for text YAML cannot read; cfn-lint makes their
classes (``dict_node``, ``list_node``, ``str_node``: a mapping, list or
string with ``start_mark`` and ``end_mark``) inside factory functions, so pickle cannot name
them. Each is reduced to one of the functions below (which pickle can name) with the node's
attributes and items: marks and anything else on the node come back as they were, and a node
shared by several parents (a YAML alias) is still one node. ``sam.GeneratedId`` (a string with
the marks of the SAM resource it comes from) takes two arguments to be made: it is rebuilt the
same way, from its text and attributes.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from iac_assist.parsers.cloudformation.sam import GeneratedId


def new_dict_node() -> Any:
    from cfnlint.decode.node import dict_node

    return dict.__new__(dict_node)


def new_list_node() -> Any:
    from cfnlint.decode.node import list_node

    return list.__new__(list_node)


def new_str_node(text: str) -> Any:
    from cfnlint.decode.node import str_node

    return str.__new__(str_node, text)


def new_generated_id(text: str) -> Any:
    return str.__new__(GeneratedId, text)


def _dict(node: Any) -> tuple:
    return new_dict_node, (), dict(vars(node)), None, iter(dict.items(node))


def _list(node: Any) -> tuple:
    return new_list_node, (), dict(vars(node)), iter(list.__iter__(node))


def _str(node: Any) -> tuple:
    return new_str_node, (str.__str__(node),), dict(vars(node))


def _generated_id(node: Any) -> tuple:
    return new_generated_id, (str.__str__(node),), dict(vars(node))


def reducers() -> dict[type, Callable[[Any], tuple]]:
    """The reducers for what this process may pickle: cfn-lint's node classes only when its JSON
    decoder ran here (a template scan does not import cfn-lint otherwise)."""
    out: dict[type, Callable[[Any], tuple]] = {GeneratedId: _generated_id}
    node = sys.modules.get("cfnlint.decode.node")
    if node is not None:
        out.update({node.dict_node: _dict, node.list_node: _list, node.str_node: _str})
    return out
