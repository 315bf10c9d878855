"""Mutations of the policy examples for tests/test_mutations.py: every attribute of every example,
in both formats, replaced in turn by an unknown value and by each wrong type, or removed.

Terraform: the project's HCL parser gives each attribute's and block's lines; an attribute (or an
object item of a multi-line value, such as a ``jsonencode`` policy document) is rewritten on those
lines. CloudFormation: the template is loaded with yaml (short-form intrinsics turned into their
long form), each value under ``Resources`` replaced, and dumped back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from iac_assist.parsers.terraform import hcl

EXAMPLES = Path(__file__).resolve().parent.parent / "policies" / "examples"
HUGE = "1" + "0" * 400
"""10**400: more digits than any float holds."""

# Terraform: a variable without a value is unknown, as before apply.
TF_UNKNOWN = "var.mutation_unknown"
TF_PRELUDE = 'variable "mutation_unknown" {}\n'
TF_VALUES = {
    "unknown": TF_UNKNOWN,
    "string": '"mutated"',
    "number": "42",
    "huge": HUGE,
    "overflow": "1e309",
    "bool": "true",
    "list": '["mutated", 42]',
    "map": '{ mutated = "x" }',
    "null": "null",
}

# CloudFormation: a parameter without a value is unknown, as before deployment.
CFN_PARAMETER = "MutationUnknown"
_OVERFLOW = "__mutation_overflow__"
CFN_VALUES: dict[str, Any] = {
    "unknown": {"Ref": CFN_PARAMETER},
    "import": {"Fn::ImportValue": "mutation-export"},
    "string": "mutated",
    "number": 42,
    "huge": 10**400,
    "overflow": _OVERFLOW,  # written as 1.0e+309 (yaml.dump would write .inf)
    "bool": True,
    "list": ["mutated", 42],
    "map": {"Mutated": "x"},
    "null": None,
}


@dataclass(frozen=True)
class Mutation:
    example: str
    """``<control>/<file>``"""
    where: str
    """The attribute mutated: a line (Terraform) or a path (CloudFormation)."""
    kind: str
    name: str
    """The file name to scan it as."""
    build: Callable[[], str] = field(repr=False, compare=False)

    @property
    def text(self) -> str:
        """The mutated file (built on demand: a sample of mutations is cheap to draw)."""
        return self.build()

    def __str__(self) -> str:
        return f"{self.example} {self.where} -> {self.kind}"


def example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.glob("*/*") if p.suffix in (".tf", ".yaml"))


def mutations(path: Path) -> Iterator[Mutation]:
    yield from (_terraform if path.suffix == ".tf" else _cloudformation)(path)


# --- Terraform ----------------------------------------------------------------------------------

# A ``key = value`` or ``key: value`` line whose value ends on it (an object item, an attribute).
_ITEM = re.compile(r'^(?P<head>\s*(?:[A-Za-z_][\w-]*|"[^"]*")\s*[=:]\s*)(?P<value>.*?)(?P<tail>,?\s*(?:#.*)?)$')


def _terraform(path: Path) -> Iterator[Mutation]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    example = f"{path.parent.name}/{path.name}"
    multiline: set[int] = set()

    def make(where: str, kind: str, new_lines: list[str]) -> Mutation:
        return Mutation(example, where, kind, "main.tf", lambda: TF_PRELUDE + "\n".join(new_lines()) + "\n")

    def splice(first: int, last: int, replacement: list[str]) -> Callable[[], list[str]]:
        return lambda: lines[: first - 1] + replacement + lines[last:]

    for block, attribute in _attributes(hcl.parse(text)):
        indent = re.match(r"\s*", lines[attribute.line - 1]).group(0)
        where = f"line {attribute.line} {attribute.name}"
        if attribute.line == block.line or attribute.end_line == block.end_line:
            continue  # a one-line block: covered as an item below
        multiline.update(range(attribute.line + 1, attribute.end_line))
        for kind, value in TF_VALUES.items():
            yield make(where, kind, splice(attribute.line, attribute.end_line, [f"{indent}{attribute.name} = {value}"]))
        yield make(where, "missing", splice(attribute.line, attribute.end_line, []))
    for block in _nested_blocks(hcl.parse(text)):
        indent = re.match(r"\s*", lines[block.line - 1]).group(0)
        where = f"line {block.line} block {block.type}"
        inner = lines[block.line: block.end_line - 1] if block.end_line > block.line else []
        yield make(where, "missing", splice(block.line, block.end_line, []))
        yield make(where, "unknown", splice(block.line, block.end_line, [
            f'{indent}dynamic "{block.type}" {{', f"{indent}  for_each = {TF_UNKNOWN}", f"{indent}  content {{",
            *inner, f"{indent}  }}", f"{indent}}}"]))
        yield make(where, "empty", splice(block.line, block.end_line, [f"{indent}{block.type} {{", f"{indent}}}"]))
        for kind in ("string", "list", "null"):
            yield make(where, f"attribute-{kind}", splice(block.line, block.end_line,
                                                          [f"{indent}{block.type} = {TF_VALUES[kind]}"]))
    # Object items inside multi-line values (policy documents, tags, environment variables).
    for number, content in enumerate(lines, 1):
        match = _ITEM.match(content)
        if number not in multiline or not match or not _complete(match.group("value")):
            continue
        where = f"line {number} item {match.group('head').strip()}"
        for kind, value in TF_VALUES.items():
            yield make(where, kind, splice(number, number, [match.group("head") + value + match.group("tail")]))


def _attributes(body: hcl.Body) -> Iterator[tuple[hcl.Block, hcl.Attribute]]:
    for block in body.blocks:
        yield from ((block, a) for a in block.body.attributes.values())
        yield from _attributes(block.body)


def _nested_blocks(body: hcl.Body, depth: int = 0) -> Iterator[hcl.Block]:
    for block in body.blocks:
        if depth:
            yield block
        yield from _nested_blocks(block.body, depth + 1)


def _complete(value: str) -> bool:
    """A value that starts and ends on its line (not the opening of a multi-line one)."""
    value = value.strip()
    if not value or value.startswith("<<") or value[-1] in "{[(":
        return False
    return all(value.count(a) == value.count(b) for a, b in ("{}", "[]", "()"))


# --- CloudFormation ------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form intrinsics, turned into their long form."""


def _intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_Loader.add_multi_constructor("!", _intrinsic)


def _cloudformation(path: Path) -> Iterator[Mutation]:
    template = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - SafeLoader subclass
    example = f"{path.parent.name}/{path.name}"
    parameters = template.setdefault("Parameters", {}) or {}
    parameters[CFN_PARAMETER] = {"Type": "String"}
    template["Parameters"] = parameters
    for name, resource in (template.get("Resources") or {}).items():
        if not isinstance(resource, dict) or "Properties" not in resource:
            continue
        for trail in _paths(resource["Properties"], ("Resources", name, "Properties")):
            where = "/".join(str(part) for part in trail)
            for kind, value in CFN_VALUES.items():
                yield Mutation(example, where, kind, "template.yaml",
                               lambda t=trail, v=value: _dump(_replace(template, t, v)))
            yield Mutation(example, where, "missing", "template.yaml",
                           lambda t=trail: _dump(_replace(template, t, None, remove=True)))


def _paths(node: Any, trail: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    yield trail
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*trail, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*trail, i))


def _replace(node: Any, trail: tuple[Any, ...], value: Any, remove: bool = False) -> Any:
    if not trail:
        return value
    head, rest = trail[0], trail[1:]
    copy = dict(node) if isinstance(node, dict) else list(node)
    if remove and not rest:
        del copy[head]
    else:
        copy[head] = _replace(node[head], rest, value, remove)
    return copy


def _dump(template: Any) -> str:
    text = yaml.safe_dump(template, sort_keys=False, width=1000)
    return text.replace(_OVERFLOW, "1.0e+309")
