"""``Fn::ForEach`` of the ``AWS::LanguageExtensions`` transform, expanded as CloudFormation does.

cfn-lint ships an expansion (``cfnlint.template.transforms._language_extensions``), but it is
built for linting: a collection it cannot resolve becomes random names, pseudo parameters take
made-up values (``us-east-1``, ``teststack``), parameters take their defaults even when a
deployment gives others, ``Fn::FindInMap`` anywhere in the template is rewritten with a guessed key,
and every level is deep-copied. A scan must not guess, so the expansion is redone here: each
collection is resolved with the template's own resolver (the deployment's parameter values,
mappings, ``Fn::Split``...), and a loop whose collection is not known is not expanded but reported.

The generated keys and values keep the decoder's marks: a generated resource is located on the
templated key's line (``${Name}Bucket:``), its properties on the lines that wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from iac_assist.parsers.cloudformation.decode import dict_node, list_node, str_node
from iac_assist.parsers.cloudformation.intrinsics import Resolver, intrinsic_name

PREFIX = "Fn::ForEach::"
MAX_NESTING = 5
"""Loops inside loops, as CloudFormation allows."""
MAX_GENERATED = 5000
"""Keys all loops of a template may generate (CloudFormation's own limit is 500 resources): a
hostile template must not multiply itself."""
MAX_NODES = 500_000
"""Mappings and lists the loops may build, all copies counted: 5,000 copies of a large fragment
would be gigabytes."""
MAX_DEPTH = 64

_SECTIONS = ("Conditions", "Resources", "Outputs")


class NotExpanded(Exception):
    """A loop that cannot be expanded; ``node`` carries the line it is reported at."""

    def __init__(self, message: str, node: Any) -> None:
        super().__init__(message)
        self.node = node


def has_loops(text: str) -> bool:
    return PREFIX in text


def declared(template: Mapping[Any, Any]) -> bool:
    """Whether the template asks for the ``AWS::LanguageExtensions`` transform."""
    transform = template.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return "AWS::LanguageExtensions" in [str(n) for n in names if isinstance(n, str)]


def expand(template: dict, given: Mapping[str, Any]) -> tuple[dict, list[tuple[Any, str]]]:
    """``template`` with its ``Fn::ForEach`` loops expanded (in Conditions, Resources, Outputs and
    anywhere inside them), and the loops left unexpanded: (their key, why). Those stay in the
    template, where the reader reports them as not analysed."""
    resolver = Resolver(template, given=given)
    expander = _Expander(resolver)
    out = dict_node(dict(template), getattr(template, "start_mark", None), getattr(template, "end_mark", None))
    for section in _SECTIONS:
        if isinstance(template.get(section), dict):
            out[_key(template, section)] = expander.walk(template[section], {}, 0, 0)
    return out, expander.failed


class _Expander:
    def __init__(self, resolver: Resolver) -> None:
        self.resolver = resolver
        self.generated = 0
        self.nodes = 0
        self.failed: list[tuple[Any, str]] = []

    def walk(self, node: Any, params: dict[str, str], depth: int, loops: int) -> Any:
        """``node`` with loops expanded and the identifiers of enclosing loops (``params``) replaced."""
        if depth > MAX_DEPTH:
            return node
        if params and isinstance(node, (dict, list)):
            self.nodes += 1
            if self.nodes > MAX_NODES:
                raise NotExpanded(f"loops build more than {MAX_NODES} mappings and lists", node)
        if isinstance(node, dict):
            fn = intrinsic_name(node)
            if params and fn is not None:
                replaced = self._function(fn, node, params, depth, loops)
                if replaced is not None:
                    return replaced
            out = dict_node({}, getattr(node, "start_mark", None), getattr(node, "end_mark", None))
            for key, value in node.items():
                if isinstance(key, str) and key.startswith(PREFIX):
                    self._loop(key, value, params, depth, loops, out)
                    continue
                new_key = _substitute_key(key, params) if params else key
                if new_key in out:
                    raise NotExpanded(f"Fn::ForEach generates {new_key} twice", key)
                out[new_key] = self.walk(value, params, depth + 1, loops)
            return out
        if isinstance(node, list):
            return list_node([self.walk(v, params, depth + 1, loops) for v in node],
                             getattr(node, "start_mark", None), getattr(node, "end_mark", None))
        return node

    def _loop(self, key: str, value: Any, params: dict[str, str], depth: int, loops: int, out: dict) -> None:
        try:
            generated = self._expand(key, value, params, depth, loops)
        except NotExpanded as err:
            if loops:
                raise  # an inner loop that fails leaves its outer loop unexpanded
            self.failed.append((key, f"{key}: {err}"))
            out[key] = value
            return
        for new_key, new_value in generated.items():
            if new_key in out:
                raise NotExpanded(f"Fn::ForEach generates {new_key} twice", key)
            out[new_key] = new_value

    def _expand(self, key: str, value: Any, params: dict[str, str], depth: int, loops: int) -> dict:
        if loops >= MAX_NESTING:
            raise NotExpanded(f"loops nest deeper than {MAX_NESTING}", key)
        if not isinstance(value, list) or len(value) != 3:
            raise NotExpanded("expects [identifier, collection, fragment]", key)
        identifier, collection, fragment = value
        if not isinstance(identifier, str) or not re.fullmatch(r"[A-Za-z0-9]+", identifier):
            raise NotExpanded("its identifier is not alphanumeric", key)
        if not isinstance(fragment, dict):
            raise NotExpanded("its fragment is not a mapping", key)
        items = self._collection(self.walk(collection, params, depth + 1, loops) if params else collection)
        if items is None:
            raise NotExpanded("its collection is not known before deployment", key)
        out: dict = {}
        for item in items:
            self.generated += len(fragment)
            if self.generated > MAX_GENERATED:
                raise NotExpanded(f"loops generate more than {MAX_GENERATED} entries", key)
            inner = self.walk(fragment, {**params, identifier: item}, depth + 1, loops + 1)
            for new_key, new_value in inner.items():
                if new_key in out:
                    raise NotExpanded(f"generates {new_key} twice", key)
                out[new_key] = new_value
        return out

    def _collection(self, node: Any) -> list[str] | None:
        value = self.resolver.value(node)
        if not isinstance(value, list):
            return None
        items = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                return None
            items.append(str(item))
        return items

    def _function(self, fn: str, node: dict, params: dict[str, str], depth: int, loops: int) -> Any:
        """An intrinsic with an identifier replaced, or None to walk it as any mapping."""
        arg = node[fn]
        if fn == "Ref" and isinstance(arg, str) and arg in params:
            return str_node(params[arg], getattr(arg, "start_mark", None), getattr(arg, "end_mark", None))
        if fn == "Fn::Sub":
            if isinstance(arg, str):
                return _like(node, {fn: _substitute(arg, params, False)})
            if isinstance(arg, list) and arg and isinstance(arg[0], str):
                rest = [self.walk(v, params, depth + 1, loops) for v in arg[1:]]
                return _like(node, {fn: list_node([_substitute(arg[0], params, False), *rest],
                                                  getattr(arg, "start_mark", None), getattr(arg, "end_mark", None))})
        if fn == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            # The condition's name is not templated; its branches are.
            branches = [self.walk(v, params, depth + 1, loops) for v in arg[1:]]
            return _like(node, {fn: list_node([arg[0], *branches], getattr(arg, "start_mark", None),
                                              getattr(arg, "end_mark", None))})
        return None


def _like(node: Any, value: dict) -> dict:
    return dict_node(value, getattr(node, "start_mark", None), getattr(node, "end_mark", None))


def _substitute(text: str, params: Mapping[str, str], keys: bool) -> str:
    """``${Id}`` replaced by the item (and, in keys, ``&{Id}`` by its letters and digits)."""
    out = text
    for name, value in params.items():
        out = out.replace("${" + name + "}", value)
        if keys:
            out = out.replace("&{" + name + "}", re.sub(r"[^0-9A-Za-z]", "", value))
    if out == text:
        return text
    return str_node(out, getattr(text, "start_mark", None), getattr(text, "end_mark", None))


def _substitute_key(key: Any, params: Mapping[str, str]) -> Any:
    if not isinstance(key, str):
        return key
    new = _substitute(key, params, True)
    if new is not key:
        new.origin = getattr(key, "origin", str(key))  # the key as written (JSON end lines)
    return new


def _key(mapping: Mapping[Any, Any], name: str) -> Any:
    for key in mapping:
        if key == name:
            return key
    return name
