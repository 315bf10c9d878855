"""The alternative deployments of a template whose conditions are not known before deployment.

A condition that tests a parameter without a value (``!Equals [!Ref Env, prod]``) may go either
way. Rather than let every rule handle ``Fn::If`` (cfn-lint expands conditions centrally for the
same reason), the template is resolved once per *world*: an assignment of the unknown parameters
that conditions test to each value they are compared with, plus "any other value". Parameters
bounded by ``AllowedValues`` take each allowed value instead (when they have no value, or, with
``--assume-worst``, even when their default would decide). The scan then keeps a finding only when
it holds in every world, or, with ``--assume-worst``, in any.

Worlds are consistent by construction (one value per parameter, so ``IsProd`` and ``IsDev`` are
never both true). Their number is bounded: past ``MAX_WORLDS`` the template is analysed once with
the unknown conditions left unknown, which never yields a definite finding from them.
"""

from __future__ import annotations

import itertools
from typing import Any

from iac_assist.parsers.cloudformation.intrinsics import (
    MAX_DEPTH,
    PSEUDO_PARAMETERS,
    OtherValue,
    Resolver,
    intrinsic_name,
    to_plain,
)

MAX_WORLDS = 64

World = dict[str, Any]


def worlds(base: Resolver, assume_worst: bool = False) -> tuple[list[World], str]:
    """The worlds to resolve the template in (``[{}]`` when nothing is open) and, when they had
    to be given up, why."""
    closed: dict[str, list[str]] = {}
    for name in base.parameter_names():
        allowed = _allowed(base.parameter_spec(name))
        if not allowed:
            continue
        value = base.parameter(name)
        if _unknown(value) or (assume_worst and not base.is_given(name)):
            closed[name] = allowed
    tested: dict[str, set[str]] = {}
    for condition in base.condition_names():
        if base.condition(condition) is None:
            _collect(base, base.condition_node(condition), tested, 0)
    open_: dict[str, list[Any]] = {}
    for name, literals in tested.items():
        if name in closed or not literals:
            continue
        excluded = frozenset(literals)
        open_[name] = [*sorted(literals), OtherValue(name, excluded)]
    choices = {**{k: list(v) for k, v in closed.items()}, **open_}
    if not choices:
        return [{}], ""
    count = 1
    for values in choices.values():
        count *= len(values)
    if count > MAX_WORLDS:
        return [{}], (f"{count} combinations of parameter values decide its conditions (over {MAX_WORLDS}); "
                      "conditions that depend on them are left unknown")
    names = sorted(choices)
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(choices[n] for n in names))], ""


def _allowed(spec: Any) -> list[str]:
    values = to_plain(spec.get("AllowedValues")) if hasattr(spec, "get") else None
    if not isinstance(values, list):
        return []
    out = []
    for value in values:
        text = "true" if value is True else "false" if value is False else value
        if isinstance(text, (str, int, float)) and str(text) not in out:
            out.append(str(text))
    return out


def _unknown(value: Any) -> bool:
    from iac_assist.model import Unknown

    return isinstance(value, Unknown)


def _collect(base: Resolver, node: Any, tested: dict[str, set[str]], depth: int) -> None:
    """Parameters (and pseudo parameters) without a value that ``Fn::Equals`` compares with a
    literal somewhere under ``node``, with those literals."""
    if depth > MAX_DEPTH:
        return
    fn = intrinsic_name(node)
    if fn == "Fn::Equals" and isinstance(node[fn], list) and len(node[fn]) == 2:
        left, right = node[fn]
        for one, other in ((left, right), (right, left)):
            name = _ref_name(one)
            if name is None or not _open(base, name):
                continue
            literal = base.value(other)
            if isinstance(literal, bool):
                literal = "true" if literal else "false"
            if isinstance(literal, (str, int, float)):
                tested.setdefault(name, set()).add(str(literal))
        return
    if fn == "Condition" and isinstance(node[fn], str):
        inner = base.condition_node(node[fn])
        if inner is not None and base.condition(node[fn]) is None:
            _collect(base, inner, tested, depth + 1)
        return
    if isinstance(node, dict):
        for value in node.values():
            _collect(base, value, tested, depth + 1)
    elif isinstance(node, list):
        for value in node:
            _collect(base, value, tested, depth + 1)


def _ref_name(node: Any) -> str | None:
    if intrinsic_name(node) == "Ref" and isinstance(node["Ref"], str):
        return str(node["Ref"])
    return None


def _open(base: Resolver, name: str) -> bool:
    if name in PSEUDO_PARAMETERS:
        return name not in ("AWS::NoValue", "AWS::NotificationARNs")
    return name in base.parameter_names() and _unknown(base.parameter(name))
