"""CloudFormation stacks: templates found in a scan, with their local nested stacks loaded in place.

An ``AWS::CloudFormation::Stack`` whose ``TemplateURL`` is a local path (as written before
``aws cloudformation package`` uploads it) is loaded with the parameters its parent passes, its
resources' addresses prefixed by the parent's logical id (``Network.PublicSubnet1``) so that they
stay unique in the parent's scope. A template used as a nested stack by another scanned template
is analysed only there, with its real parameters, not on its own with defaults (as Terraform
analyses a module only through its callers). Remote URLs are reported as not analysed; paths
leaving the scanned root are refused; nesting is bounded.

A nested stack is resolved once per world of its parent, with its own open conditions left
unknown (worlds do not multiply across stacks).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from iac_assist.confine import CATEGORY as OUTSIDE_ROOT
from iac_assist.confine import Outside, confine
from iac_assist.model import Location, Ref, ScanError, Unknown, iter_refs
from iac_assist.parsers.cloudformation.options import TemplateOptions
from iac_assist.resource import SourceResource

MAX_NESTING = 8
MAX_NESTED_LOADS = 1000
"""Nested templates resolved for one root stack (children and outputs, in every world): nesting
is bounded in depth, and 30 stacks each nesting 30 more, five deep, would be 810,000 loads."""
NESTED_TYPES = ("AWS::CloudFormation::Stack",)
_REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_TEMPLATE_URL = re.compile(r"""TemplateURL["']?\s*:\s*["']?([^\s"'#,}]+)""")
# A SAM application's local Location (it becomes a nested stack once the transform runs).
_SAM_LOCATION = re.compile(r"""\bLocation["']?\s*:\s*["']?([^\s"'#,}:]+\.(?:ya?ml|json|template))\b""")

Read = Callable[[Path, str, list], "str | None"]


@dataclass
class Stack:
    """A template analysed as a root: its resources (children included) in each world."""

    rel: str
    worlds: list[list[SourceResource]]
    files: set[str] = field(default_factory=set)
    """Every template file it is made of (its own and its nested stacks')."""


def load_stacks(
    candidates: list[Path], root: Path, read: Read, options: TemplateOptions | None = None
) -> tuple[list[Stack], list[ScanError], set[str]]:
    """Root stacks among ``candidates`` (YAML/JSON files; non-templates are skipped quietly),
    the problems found, and every file analysed as a template."""
    texts, roots, errors = find_stacks(candidates, root, read)
    stacks, stack_errors = load_roots(roots, texts, root, read, options)
    return stacks, errors + stack_errors, analysed_files(texts, stacks, root)


def find_stacks(
    candidates: list[Path], root: Path, read: Read
) -> tuple[dict[Path, str], list[Path], list[ScanError]]:
    """The templates among ``candidates`` (resolved path → text), those analysed as roots (not
    nested in another; sorted), and the files that could not be read. Nothing is decoded yet."""
    from iac_assist.parsers.cloudformation import looks_like_template

    errors: list[ScanError] = []
    texts: dict[Path, str] = {}
    for path in candidates:
        rel = path.relative_to(root).as_posix()
        text = read(path, rel, errors)
        if text is not None and looks_like_template(text):
            texts[path.resolve()] = text
    nested: set[Path] = set()
    for path, text in texts.items():
        # A cheap textual look first: decoding every template twice would double the cost.
        for url in _TEMPLATE_URL.findall(text) + _SAM_LOCATION.findall(text):
            target = _local(path, url, root)
            if isinstance(target, Path) and target != path:
                nested.add(target)
    return texts, [p for p in sorted(texts) if p not in nested], errors


def load_roots(
    roots: list[Path], texts: dict[Path, str], root: Path, read: Read, options: TemplateOptions | None = None
) -> tuple[list[Stack], list[ScanError]]:
    """Decode and resolve each of ``roots`` (whose text ``texts`` holds) with its nested stacks;
    ``texts`` gains the nested templates read. Worker processes call this with a share of the
    roots (see ``iac_assist.parallel``)."""
    errors: list[ScanError] = []
    from iac_assist.parsers.cloudformation.intrinsics import resolution_budget

    loader = _Loader(root, read, options or TemplateOptions(), texts, errors)
    stacks = []
    for path in roots:
        with resolution_budget():  # one per root stack: the same whatever the worker it runs in
            stacks.append(loader.root_stack(path))
    return stacks, errors


def analysed_files(texts: dict[Path, str], stacks: list[Stack], root: Path) -> set[str]:
    """Every file analysed as a template: those found and those loaded as nested stacks."""
    return {p.relative_to(root).as_posix() for p in texts} | {f for s in stacks for f in s.files}


class _Refused(str):
    """Why a nested stack's template is not read: it lies outside the scanned root or in .git."""


def _local(parent: Path, url: Any, root: Path) -> Path | str | None:
    """The local template a ``TemplateURL`` names; a message when it cannot be analysed; None
    when it is not a path at all (unknown)."""
    if not isinstance(url, str) or not url:
        return None
    if _REMOTE.match(url) or url.startswith("{{"):
        return f"nested stack template {url!r} is remote; not analysed"
    try:
        target = confine(url, parent.parent, root)
    except Outside as why:
        return _Refused(f"nested stack template {url!r} {why}; not analysed")
    if not target.is_file():
        return f"nested stack template {url!r} does not exist"
    return target


class _Loader:
    def __init__(self, root: Path, read: Read, options: TemplateOptions, texts: dict[Path, str],
                 errors: list[ScanError]) -> None:
        self.root = root.resolve()
        self.read = read
        self.options = options
        self.texts = texts
        self.errors = errors
        self.reported: set[tuple[str, int, str]] = set()
        self.loads = 0
        """Nested templates resolved for the root stack being loaded (see MAX_NESTED_LOADS)."""

    def _may_load(self) -> bool:
        self.loads += 1
        return self.loads <= MAX_NESTED_LOADS

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def root_stack(self, path: Path) -> Stack:
        from iac_assist.parsers.cloudformation import template

        rel = self.rel(path)
        self.loads = 0
        worlds, errors = template.parse(self.texts[path], rel, self.options, self._outputs_of(path, "", (path,)))
        self.errors.extend(errors)
        stack = Stack(rel, [], {rel})
        for world in worlds:
            stack.worlds.append(self._expand(world, path, "", (path,), stack, first=not stack.worlds))
        return stack

    def _expand(self, resources: list[SourceResource], path: Path, prefix: str, chain: tuple[Path, ...],
                stack: Stack, first: bool) -> list[SourceResource]:
        out = list(resources)
        for res in resources:
            if res.type not in NESTED_TYPES:
                continue
            out.extend(self._child(res, path, prefix, chain, stack, first))
        return out

    def _child(self, res: SourceResource, path: Path, prefix: str, chain: tuple[Path, ...], stack: Stack,
               first: bool) -> list[SourceResource]:
        from iac_assist.parsers.cloudformation import template

        url = res.get("TemplateURL")
        target = _local(path, url, self.root)
        if not isinstance(target, Path):
            if isinstance(target, _Refused):
                self._warn(res.at("TemplateURL"), f"{res.address}: {target}", "error", OUTSIDE_ROOT)
            elif isinstance(target, str):
                self._warn(res.at("TemplateURL"), f"{res.address}: {target}")
            elif first:
                self._warn(res.at("TemplateURL"), f"{res.address}: the nested stack's TemplateURL is not known; "
                           "not analysed")
            return []
        if target in chain or len(chain) > MAX_NESTING:
            self._warn(res.at("TemplateURL"), f"{res.address}: nested stacks form a cycle or nest deeper than "
                       f"{MAX_NESTING}; not analysed", "error")
            return []
        if not self._may_load():
            if self.loads == MAX_NESTED_LOADS + 1:  # once per root stack: the rest are cut off alike
                self._warn(res.at("TemplateURL"), f"{res.address}: more than {MAX_NESTED_LOADS} nested stacks "
                           "to resolve for this stack; it and those after it are not analysed", "error")
            return []
        rel = self.rel(target)
        text = self.texts.get(target)
        if text is None:
            text = self.read(target, rel, self.errors)
            if text is None:
                return []
            self.texts[target] = text
        stack.files.add(rel)
        parameters = res.get("Parameters")
        given = dict(parameters) if isinstance(parameters, dict) else {}
        options = TemplateOptions(parameters=given, assume_worst=self.options.assume_worst)
        child_prefix = f"{res.address}."  # res.address already carries the parent's prefix
        outputs = self._outputs_of(target, child_prefix, chain + (target,))
        worlds, errors = template.parse(text, rel, options, outputs)
        if first:
            self.errors.extend(errors)
        own = {r.address for r in worlds[0]}
        foreign = {id(ref) for ref in iter_refs(given)}
        children = [replace(r, address=child_prefix + r.address, body=prefix_refs(r.body, child_prefix, own, foreign))
                    for r in worlds[0]]
        return self._expand(children, target, child_prefix, chain + (target,), stack, first)

    def _outputs_of(self, path: Path, prefix: str, chain: tuple[Path, ...]) -> Callable[..., Any]:
        """The resolver hook for ``!GetAtt Nested.Outputs.Name`` in the template at ``path``."""

        def output(resolver: Any, logical_id: str, name: str) -> Any:
            from iac_assist.parsers.cloudformation import template

            props = resolver.resource_node(logical_id).get("Properties")
            props = props if isinstance(props, dict) else {}
            target = _local(path, resolver.value(props.get("TemplateURL")), self.root)
            if not isinstance(target, Path) or target in chain or len(chain) > MAX_NESTING or not self._may_load():
                return Unknown(f"outputs of {logical_id} are not known")
            params = resolver.value(props.get("Parameters")) if "Parameters" in props else {}
            given = dict(params) if isinstance(params, dict) else {}
            rel = self.rel(target)
            text = self.texts.get(target) or self.read(target, rel, [])
            if text is None:
                return Unknown(f"outputs of {logical_id} are not known")
            self.texts[target] = text
            child_prefix = f"{prefix}{logical_id}."
            values, own = template.outputs(text, rel, TemplateOptions(parameters=given),
                                           self._outputs_of(target, child_prefix, chain + (target,)))
            if name not in values:
                return Unknown(f"{logical_id} has no output {name}")
            return prefix_refs(values[name], child_prefix, own, {id(ref) for ref in iter_refs(given)})

        return output

    def _warn(self, loc: Location, message: str, level: str = "warning", category: str = "") -> None:
        key = (loc.file, loc.line, message)
        if key not in self.reported:
            self.reported.add(key)
            self.errors.append(ScanError(loc.file, loc.line, message, level=level, category=category))


def prefix_refs(value: Any, prefix: str, own: set[str], foreign: set[int]) -> Any:
    """A child stack's value with its references to its own resources prefixed. References the
    parent passed in (``foreign``, by identity) already name the parent's resources."""

    def fix(value: Any, depth: int = 0) -> Any:
        if depth > 64:
            return value
        if isinstance(value, Ref):
            if id(value) in foreign or value.address not in own:
                return value
            return Ref(prefix + value.address, value.attribute, fix(value.value, depth + 1))
        if isinstance(value, Unknown):
            refs = tuple(fix(r, depth + 1) for r in value.refs)
            return Unknown(value.reason, refs) if refs != value.refs else value
        if isinstance(value, list):
            return [fix(v, depth + 1) for v in value]
        if isinstance(value, dict):
            return {k: fix(v, depth + 1) for k, v in value.items()}
        return value

    return fix(value)
