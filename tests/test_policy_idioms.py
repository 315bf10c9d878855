"""Checks decide unknown values in one place: a cheap scan of policies/ for the idioms the
Component questions and the network and policy-document helpers replaced, so they do not come
back one rule at a time."""

from __future__ import annotations

import ast
from pathlib import Path

POLICIES = Path(__file__).resolve().parent.parent / "policies"

PORT_FIELDS = {"from_port", "to_port"}
"""A rule's ports are read through iac_assist.model.network (port_range, admits_port, describe_ports)."""


def _is_get_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"


def _offences(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare) and _is_get_call(node.left):
            for op, right in zip(node.ops, node.comparators, strict=True):
                if isinstance(op, (ast.Is, ast.IsNot, ast.Eq, ast.NotEq)) and isinstance(right, ast.Constant) \
                        and isinstance(right.value, bool):
                    found.append((node.lineno, "get(...) compared with True/False: ask is_true/is_false"))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
            if any(name.split(".")[0] == "fnmatch" for name in names):
                found.append((node.lineno, "fnmatch: match actions with iac_assist.model.policy_documents"))
        elif isinstance(node, ast.Constant) and node.value in PORT_FIELDS:
            found.append((node.lineno, f"{node.value!r}: read ports with iac_assist.model.network"))
    return found


def test_policies_use_the_shared_questions():
    offences = [f"{path.name}:{line}: {why}"
                for path in sorted(POLICIES.glob("*.py"))
                for line, why in _offences(ast.parse(path.read_text(encoding="utf-8"), str(path)))]
    assert not offences, "\n".join(offences)


def test_the_scan_finds_the_idioms():
    source = '''
import fnmatch
from fnmatch import fnmatchcase
if comp.get("enabled", False) is False or entry.get("on") is not True or comp.get("x") == True:
    lo = rule.get("from_port")
'''
    assert [line for line, _ in _offences(ast.parse(source))] == [2, 3, 4, 4, 4, 5]
