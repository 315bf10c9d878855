"""Template text (YAML or JSON) into dicts, lists and strings that carry marks (line, column).

The same decoding as cfn-lint's ``cfnlint.decode.decode_str`` (its ``cfn_yaml`` loader, MIT-0,
redone here): a mark on every mapping, list and string, the short intrinsic tags (``!Ref``,
``!GetAtt a.b``, ``!Sub``...) as their long forms, duplicate and null keys refused with the lines
cfn-lint gives, YAML alias amplification bounded. It exists because importing ``cfnlint.decode``
runs cfn-lint's package ``__init__``, which imports all of cfn-lint (its rules, sympy, networkx):
half a second before the first template is read, a pre-commit hook's whole budget. This module
imports PyYAML only, and uses its C parser (``CSafeLoader``) when PyYAML was built with libyaml.

Text that YAML cannot read for a reason JSON might not mind (a tab where a token starts, with the
pure-Python parser; an escape YAML does not know) is handed to cfn-lint's JSON decoder, as
cfn-lint does, and only then is cfn-lint imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from yaml import MappingNode, ScalarNode, SequenceNode
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.parser import ParserError
from yaml.scanner import ScannerError

try:
    from yaml import CSafeLoader as _FastLoader
except ImportError:  # PyYAML built without libyaml: the same results, slower
    from yaml import SafeLoader as _FastLoader

MAX_EXPANDED_NODES = 250_000
"""cfn-lint's bound on the nodes a template's aliases expand to ("billion laughs")."""

_UNCONVERTED_SUFFIXES = ("Ref", "Condition")
_JSON_ONLY = ("found character '\\t' that cannot start any token", "found unknown escape character")


@dataclass
class Mark:
    """Where a node starts or ends; 0-based like PyYAML's (and cfn-lint's) marks."""

    line: int = 1
    column: int = 1


@dataclass
class Problem:
    """Why a template does not decode. The attribute names are cfn-lint's ``Match``'s, so the
    callers read either."""

    message: str
    linenumber: int = 1
    columnnumber: int = 1


# The node classes: cfn-lint's (``cfnlint.decode.node``), the same names and behaviour.


class str_node(str):  # noqa: N801 - cfn-lint's name, shown by type(node).__name__
    def __new__(cls, x: Any, start_mark: Any = None, end_mark: Any = None) -> str_node:
        return str.__new__(cls, x)

    def __init__(self, x: Any, start_mark: Any = None, end_mark: Any = None) -> None:
        self.start_mark = start_mark or Mark()
        self.end_mark = end_mark or Mark()

    def __deepcopy__(self, memo: dict[int, Any]) -> str_node:
        result = str_node(self, self.start_mark, self.end_mark)
        memo[id(self)] = result
        return result


class dict_node(dict):  # noqa: N801
    def __init__(self, x: Any = None, start_mark: Any = None, end_mark: Any = None, using_merge: bool = False) -> None:
        try:
            dict.__init__(self, x)
        except TypeError:
            dict.__init__(self)
        self.start_mark = start_mark or Mark()
        self.end_mark = end_mark or Mark()
        self.using_merge = using_merge

    def __deepcopy__(self, memo: dict[int, Any]) -> dict_node:
        from copy import deepcopy

        result = dict_node(self, self.start_mark, self.end_mark)
        memo[id(self)] = result
        for k, v in self.items():
            result[deepcopy(k)] = deepcopy(v, memo)
        return result

    def get(self, key: Any, default: Any = None) -> Any:
        """A mapping default comes back as a node with this mapping's marks (cfn-lint's get)."""
        if isinstance(default, dict):
            default = dict_node(default, self.start_mark, self.end_mark)
        return super().get(key, default)


class list_node(list):  # noqa: N801
    def __init__(self, x: Any = None, start_mark: Any = None, end_mark: Any = None) -> None:
        try:
            list.__init__(self, x)
        except TypeError:
            list.__init__(self)
        self.start_mark = start_mark or Mark()
        self.end_mark = end_mark or Mark()

    def __deepcopy__(self, memo: dict[int, Any]) -> list_node:
        from copy import deepcopy

        result = list_node([], self.start_mark, self.end_mark)
        memo[id(self)] = result
        for v in self:
            result.append(deepcopy(v, memo))
        return result


class _ParseError(ConstructorError):
    """A template YAML reads but CloudFormation would not (duplicate or null key...)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].message)
        self.problems = problems


def _problem(message: str, line: int, column: int) -> Problem:
    return Problem(message, line + 1, column + 1)


class _Constructor(SafeConstructor):
    def flatten_mapping(self, node: MappingNode) -> None:
        # As cfn-lint: merge keys ("<<") are flattened first, and such a mapping may then
        # overwrite keys without a duplicate being reported.
        if any(key_node.tag == "tag:yaml.org,2002:merge" for key_node, _ in node.value):
            super().flatten_mapping(node)
            node.using_merge = True
        super().flatten_mapping(node)

    def construct_yaml_map(self, node: MappingNode) -> dict_node:
        mapping: dict[Any, Any] = {}
        self.flatten_mapping(node)
        problems: list[Problem] = []
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, False)
            value = self.construct_object(value_node, False)
            if key is None:
                mark = key_node.start_mark
                raise _ParseError([_problem(f"Null key {key_node.value!r} not supported (line {mark.line + 1})",
                                            mark.line, mark.column)])
            if not getattr(node, "using_merge", False) and _may_repeat(key, mapping):
                for key_dup in mapping:
                    if key_dup == key:
                        # The first duplicate names the earlier key too, as cfn-lint does.
                        if not problems:
                            problems.append(_problem(f"Duplicate found {key!r} (line {key_dup.start_mark.line + 1})",
                                                     key_dup.start_mark.line, key_dup.start_mark.column))
                        problems.append(_problem(f"Duplicate found {key!r} (line {key_node.start_mark.line + 1})",
                                                 key_node.start_mark.line, key_node.start_mark.column))
            try:
                mapping[key] = value
            except Exception as exc:
                raise _ParseError([_problem(f'Unhashable type "{key}" (line {key.start_mark.line + 1})',
                                            key.start_mark.line, key.start_mark.column)]) from exc
        if problems:
            raise _ParseError(problems)
        # What SafeConstructor.construct_yaml_map would make of the node again (the same pairs,
        # flattened already, the last of a merged key winning), built once.
        return dict_node(mapping, node.start_mark, node.end_mark, getattr(node, "using_merge", False))

    def construct_yaml_str(self, node: ScalarNode) -> str_node:
        return str_node(SafeConstructor.construct_yaml_str(self, node), node.start_mark, node.end_mark)

    def construct_yaml_seq(self, node: SequenceNode) -> list_node:
        (obj,) = SafeConstructor.construct_yaml_seq(self, node)
        return list_node(obj, node.start_mark, node.end_mark)

    def construct_getatt(self, node: Any) -> Any:
        """``!GetAtt a.b`` (or its list form) as the list ``Fn::GetAtt`` takes."""
        if isinstance(node.value, str):
            return list_node(node.value.split(".", 1), node.start_mark, node.end_mark)
        if isinstance(node.value, list):
            if any(isinstance(value, tuple) for value in node.value):
                return dict_node(self.construct_object(
                    MappingNode(tag="tag:yaml.org,2002:map", value=node.value, start_mark=node.start_mark,
                                end_mark=node.end_mark), deep=True))
            return list_node([self.construct_object(child, deep=True) for child in node.value],
                             node.start_mark, node.end_mark)
        raise ValueError(f"Unexpected GetAtt format: {type(node.value)}")


def _may_repeat(key: Any, mapping: dict[Any, Any]) -> bool:
    """Whether ``key`` may equal a key already in ``mapping``, found by its hash: comparing it with
    every key made a mapping's decoding quadratic (a template of one mapping of 100,000 keys took
    minutes). Only then are the keys compared, for cfn-lint's messages; an unhashable key always."""
    try:
        return key in mapping
    except TypeError:
        return True


def _short_form(loader: _Constructor, tag_suffix: str, node: Any) -> dict_node:
    """``!Ref x`` is ``{"Ref": x}``, ``!Sub s`` is ``{"Fn::Sub": s}``; any ``!Tag``, as cfn-lint."""
    if tag_suffix not in _UNCONVERTED_SUFFIXES:
        tag_suffix = f"Fn::{tag_suffix}"
    if tag_suffix == "Fn::GetAtt":
        return dict_node({tag_suffix: loader.construct_getatt(node)}, node.start_mark, node.end_mark)
    if isinstance(node, ScalarNode):
        return dict_node({tag_suffix: loader.construct_scalar(node)}, node.start_mark, node.end_mark)
    if isinstance(node, SequenceNode):
        return dict_node({tag_suffix: loader.construct_sequence(node, True)}, node.start_mark, node.end_mark)
    if isinstance(node, MappingNode):
        return dict_node({tag_suffix: loader.construct_mapping(node, True)}, node.start_mark, node.end_mark)
    raise Exception(f"Bad tag: !{tag_suffix}")


class _Loader(_FastLoader, _Constructor):
    def __init__(self, stream: str) -> None:
        _FastLoader.__init__(self, stream)
        _Constructor.__init__(self)


_Loader.add_constructor("tag:yaml.org,2002:map", _Constructor.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:str", _Constructor.construct_yaml_str)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Constructor.construct_yaml_seq)
_Loader.add_multi_constructor("!", _short_form)


def _guard_alias_expansion(template: Any) -> None:
    """Refuse a template whose aliases expand past MAX_EXPANDED_NODES nodes (counted once per
    distinct node, so the walk itself stays cheap)."""
    sizes: dict[int, int] = {}

    def size(node: Any) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            sizes[id(node)] = 1
            return 1
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_EXPANDED_NODES:
                raise _ParseError([Problem(f"Template resolves to more than {MAX_EXPANDED_NODES} nodes once YAML "
                                           "aliases are expanded; this is not supported and may indicate YAML "
                                           "alias amplification")])
        sizes[id(node)] = total
        return total

    size(template)


def _load_yaml(text: str) -> Any:
    try:
        template = _Loader(text).get_single_data()
        if template is None:  # an empty file
            template = dict_node({}, Mark(0, 0), Mark(0, 0))
        # Aliases need anchors ("&x"): without one there is nothing to expand.
        if "&" in text:
            _guard_alias_expansion(template)
        return template
    except (_ParseError, ScannerError, ParserError):
        raise
    except Exception as exc:
        raise _ParseError([Problem(f"Template could not be parsed: {exc}")]) from exc


def _yaml_problem(err: yaml.MarkedYAMLError) -> Problem:
    mark = err.problem_mark
    return Problem(str(err.problem), mark.line + 1 if mark else 1, mark.column + 1 if mark else 1)


def decode_str(text: str) -> tuple[Any, list[Any]]:
    """``(template, [])`` or ``(None, problems)``: the result of cfn-lint's ``decode_str`` (each
    problem has its ``message``, ``linenumber`` and ``columnnumber``)."""
    try:
        return _load_yaml(text), []
    except _ParseError as err:
        return None, list(err.problems)
    except ParserError as err:
        return None, [_yaml_problem(err)]
    except ScannerError as err:
        if err.problem and (err.problem in _JSON_ONLY or err.problem.startswith(_JSON_ONLY[1])):
            return _decode_json(text, err)
        return None, [_yaml_problem(err)]
    except Exception as err:
        return None, [Problem(str(err))]


def _decode_json(text: str, yaml_error: ScannerError) -> tuple[Any, list[Any]]:
    """What YAML cannot read may be JSON: cfn-lint's JSON decoder (marks and duplicate keys
    alike), imported only now."""
    from json import JSONDecodeError

    from cfnlint.decode import cfn_json

    try:
        return cfn_json.loads(text), []
    except cfn_json.JSONDecodeError as errors:
        return None, [Problem(e.message, e.linenumber, e.columnnumber) for e in errors.matches]
    except JSONDecodeError as err:
        if err.msg in ("No JSON object could be decoded", "Expecting value"):
            return None, [_yaml_problem(yaml_error)]
        return None, [Problem(err.msg, err.lineno, err.colno)]
    except Exception as err:
        return None, [Problem(f"Tried to parse None as JSON but got error: {err}")]
