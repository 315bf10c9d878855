"""What a CloudFormation template asks for that is not expanded or evaluated: transforms and
macros other than SAM (``Transform: AWS::Include``, a custom macro, ``Fn::Transform``) and
intrinsic functions the resolver does not know. CloudFormation would run them at deployment;
here their results are unknown, so each is reported (``transform-unexpanded``,
``unknown-function``) rather than passed in silence.

``Fn::ForEach`` (AWS::LanguageExtensions) in ``Resources`` is reported where resources are read
(template.py); ``Rules`` is not evaluated at all, so its functions are not looked at.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from iac_assist.model import ScanError
from iac_assist.parsers.cloudformation.intrinsics import _FUNCTIONS
from iac_assist.parsers.cloudformation.sam import SAM_TRANSFORM

HANDLED_TRANSFORMS = frozenset({SAM_TRANSFORM, "AWS::LanguageExtensions"})
"""SAM is expanded (or reported by sam.py); the language extensions' functions are evaluated."""
KNOWN = frozenset(_FUNCTIONS) | {"Fn::If", "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or", "Condition"}
SECTIONS = ("Conditions", "Resources", "Outputs")
MAX_NODES = 1_000_000
"""Nodes visited per template at most (the decoder bounds nesting; this bounds time)."""


def unexpanded(template: Mapping[Any, Any], file: str) -> list[ScanError]:
    """Warnings for the transforms, macros and unknown functions of a decoded ``template``: one
    per transform, and one per function name at its first use with the number of uses."""
    out = _transforms(template, file)
    uses: dict[str, list[int]] = {}
    stack: list[Any] = [template.get(section) for section in SECTIONS]
    visited = 0
    while stack and visited < MAX_NODES:
        node = stack.pop()
        visited += 1
        if isinstance(node, Mapping):
            if len(node) == 1:
                key = next(iter(node))
                if isinstance(key, str) and key.startswith("Fn::") and key not in KNOWN \
                        and not key.startswith("Fn::ForEach::"):
                    uses.setdefault(key, []).append(_line(key) or _line(node))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    for name, lines in sorted(uses.items()):
        first = min((n for n in lines if n > 0), default=1)
        count = f" ({len(lines)} uses)" if len(lines) > 1 else ""
        if name == "Fn::Transform":
            out.append(ScanError(file, first, f"Fn::Transform{count} is not expanded (a macro such as AWS::Include "
                                 "runs at deployment): what it inserts is not analysed", level="warning",
                                 category="transform-unexpanded"))
        else:
            out.append(ScanError(file, first, f"{name}{count} is an intrinsic function iac-assist does not know: its "
                                 "result is unknown, and what depends on it is not analysed", level="warning",
                                 category="unknown-function"))
    return out


def _transforms(template: Mapping[Any, Any], file: str) -> list[ScanError]:
    declared = template.get("Transform")
    names = declared if isinstance(declared, list) else [declared] if declared is not None else []
    key = next((k for k in template if k == "Transform"), None)
    out = []
    for name in names:
        if isinstance(name, str) and name.strip() in HANDLED_TRANSFORMS:
            continue
        shown = name.get("Name", name) if isinstance(name, Mapping) else name  # {Name: AWS::Include, ...}
        out.append(ScanError(file, _line(name) or _line(key) or 1,
                             f"transform {shown!r} is not expanded (CloudFormation runs it at deployment): the "
                             "template is analysed as written, not as the transform would change it",
                             level="warning", category="transform-unexpanded"))
    return out


def _line(node: Any) -> int:
    mark = getattr(node, "start_mark", None)
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else 0
