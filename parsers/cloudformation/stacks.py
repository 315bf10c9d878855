"""CloudFormation stacks: templates found in a scan, with their local nested stacks loaded in place.

An ``AWS::CloudFormation::Stack`` whose ``TemplateURL`` is a local path (as written before
``aws cloudformation package`` uploads it) is loaded with the parameters its parent passes, its
resources' addresses prefixed by the parent's logical id (``Network.PublicSubnet1``) so that they
stay unique in the parent's scope. A remote URL (S3, HTTPS) is followed to the template of the
scan with the same file name (the one whose folders match the URL's path best), said in a
warning (``TemplateOptions.local_nested_templates`` turns this off); otherwise it is reported as
not analysed. Paths leaving the scanned root are refused; nesting is bounded.

A template that a parent's resolved ``TemplateURL`` binds is analysed only there, with its real
parameters, not on its own with defaults (as Terraform analyses a module only through its
callers). Only a real binding counts: a template merely named in another file (a comment, a
parent that failed to decode or whose URL is not known) is still analysed on its own.

A nested stack is resolved once per world of its parent, with its own open conditions left
unknown (worlds do not multiply across stacks).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from iac_assist.inputs.confine import CATEGORY as OUTSIDE_ROOT
from iac_assist.inputs.confine import Outside, confine
from iac_assist.model import Location, Origin, Ref, ScanError, Unknown, iter_refs, origins, shown
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.cloudformation.intrinsics import Joined, Partial
from iac_assist.parsers.cloudformation.options import TemplateOptions

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
    conditions: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    """Resources that exist only under conditions not known before deployment: (file, address)
    → the conditions (a nested stack's own prefixed like its addresses: ``Data.IsProd``)."""


def load_stacks(
    candidates: list[Path], root: Path, read: Read, options: TemplateOptions | None = None
) -> tuple[list[Stack], list[ScanError], set[str]]:
    """Root stacks among ``candidates`` (YAML/JSON files; non-templates are skipped quietly),
    the problems found, and every file analysed as a template."""
    texts, roots, errors = find_stacks(candidates, root, read)
    first = set(roots)
    mentioned = [p for p in texts if p not in first]
    options = with_templates(options, texts, root)
    stacks, stack_errors = load_roots(roots, texts, root, read, options)
    stacks, more = settle(stacks, mentioned, texts, root, read, options)
    return stacks, errors + stack_errors + more, analysed_files(texts, stacks, root)


def find_stacks(
    candidates: list[Path], root: Path, read: Read
) -> tuple[dict[Path, str], list[Path], list[ScanError]]:
    """The templates among ``candidates`` (resolved path → text), those to analyse as roots
    first (sorted), and the files that could not be read. Nothing is decoded yet: a template
    that some TemplateURL in the text seems to name waits for ``settle``, which analyses it on
    its own unless a parent really bound it."""
    from iac_assist.parsers.cloudformation import looks_like_template

    errors: list[ScanError] = []
    texts: dict[Path, str] = {}
    for path in candidates:
        rel = path.relative_to(root).as_posix()
        text = read(path, rel, errors)
        if text is not None and looks_like_template(text):
            texts[path.resolve()] = text
    by_name = _by_name(texts)
    nested: set[Path] = set()
    for path, text in texts.items():
        # A cheap textual look first: decoding every template twice would double the cost.
        for url in _TEMPLATE_URL.findall(text) + _SAM_LOCATION.findall(text):
            target, _ = _local(path, url, root, by_name)
            if isinstance(target, Path) and target != path:
                nested.add(target)
    return texts, [p for p in sorted(texts) if p not in nested], errors


def with_templates(options: TemplateOptions | None, texts: Mapping[Path, str], root: Path) -> TemplateOptions:
    """``options`` knowing the templates of the scan (where a remote TemplateURL may be found)."""
    real = root.resolve()
    found = tuple(sorted(p.relative_to(real).as_posix() for p in texts if p.is_relative_to(real)))
    return replace(options or TemplateOptions(), templates=found)


def settle(
    stacks: list[Stack], mentioned: list[Path], texts: dict[Path, str], root: Path, read: Read,
    options: TemplateOptions | None = None,
) -> tuple[list[Stack], list[ScanError]]:
    """The root stacks once bindings are known: the templates ``mentioned`` as nested that no
    parent bound are analysed on their own, and a root that another stack bound is dropped (it is
    analysed there)."""
    real = root.resolve()
    bound = {f for s in stacks for f in s.files if f != s.rel}
    orphans = [p for p in sorted(mentioned) if p.relative_to(real).as_posix() not in bound]
    errors: list[ScanError] = []
    if orphans:
        more, errors = load_roots(orphans, texts, root, read, options)
        stacks = stacks + more
    return _unbound(stacks), errors


def _unbound(stacks: list[Stack]) -> list[Stack]:
    # Two stacks binding each other are a cycle (an error already): both stay.
    binders: dict[str, list[Stack]] = {}
    for stack in stacks:
        for f in stack.files - {stack.rel}:
            binders.setdefault(f, []).append(stack)
    return [s for s in stacks if not any(other.rel not in s.files for other in binders.get(s.rel, []))]


def load_roots(
    roots: list[Path], texts: dict[Path, str], root: Path, read: Read, options: TemplateOptions | None = None
) -> tuple[list[Stack], list[ScanError]]:
    """Decode and resolve each of ``roots`` (whose text ``texts`` holds) with its nested stacks;
    ``texts`` gains the nested templates read. Worker processes call this with a share of the
    roots (see ``frontend.py``)."""
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


@dataclass(frozen=True)
class _Gap:
    """A nested stack that is not analysed, and why."""

    message: str
    category: str = ""
    level: str = "warning"
    """``error`` when the template was refused (outside the root, in .git): the stack is then
    certainly left out, as a module outside the root is."""


def _by_name(texts: Mapping[Path, str] | list[Path]) -> dict[str, list[Path]]:
    out: dict[str, list[Path]] = {}
    for path in sorted(texts):
        out.setdefault(path.name, []).append(path)
    return out


def _remote_path(url: Any) -> tuple[list[str], str] | None:
    """The path a remote TemplateURL ends with (its segments, the file name last), and the URL as
    shown; None when not remote or without a file name. A URL built from unknown parts
    (``!Sub https://${Bucket}.s3.../vpc.yaml``) still ends with its written path."""
    from urllib.parse import urlsplit

    if isinstance(url, str):
        if not _REMOTE.match(url):
            return None
        try:
            path = urlsplit(url).path
        except ValueError:
            return None
        shown = url
    elif isinstance(url, Partial) and "/" in url.suffix:
        path, shown = url.suffix.split("?", 1)[0], "${...}" + url.suffix
    else:
        return None
    segments = path.split("/")
    return (segments, shown) if segments[-1] not in ("", ".", "..") else None


def _closest(segments: list[str], candidates: list[Path]) -> list[Path]:
    """The candidates whose folders match most of the URL's path, from its end: a bucket prefix
    ``services/web/service.yaml`` picks ``services/web/service.yaml`` among several ``service.yaml``."""

    def shared(path: Path) -> int:
        count = 0
        for written, local in zip(reversed(segments), reversed(path.parts), strict=False):
            if written != local:
                break
            count += 1
        return count

    best = max((shared(p) for p in candidates), default=0)
    return [p for p in candidates if shared(p) == best]


def _local(
    parent: Path, url: Any, root: Path, by_name: Mapping[str, list[Path]] | None = None
) -> tuple[Path | _Gap | None, str]:
    """The local template a ``TemplateURL`` names, with a note when it was found by the file name
    of a remote URL (``by_name``: the scan's templates by file name; None: not looked up); a gap
    when it cannot be analysed; None when it is not known at all."""
    remote = _remote_path(url)
    if remote is not None:
        segments, shown = remote
        matches = _closest(segments, [p for p in (by_name or {}).get(segments[-1], []) if p != parent])
        if len(matches) == 1 and by_name is not None:
            rel = _relative(matches[0], root)
            return matches[0], (f"nested stack template {shown!r} is remote; {rel}, the template of the scan with "
                                "its file name, is analysed in its place")
        if len(matches) > 1:
            names = ", ".join(_relative(p, root) for p in matches[:5])
            return _Gap(f"nested stack template {shown!r} is remote, and several templates of the scan have its "
                        f"file name ({names}); not analysed", "remote-template"), ""
        return _Gap(f"nested stack template {shown!r} is remote; not analysed", "remote-template"), ""
    if not isinstance(url, str) or not url:
        return None, ""
    if _REMOTE.match(url) or url.startswith("{{"):
        return _Gap(f"nested stack template {url!r} is remote; not analysed", "remote-template"), ""
    try:
        target = confine(url, parent.parent, root)
    except Outside as why:
        return _Gap(f"nested stack template {url!r} {why}; not analysed", OUTSIDE_ROOT, "error"), ""
    if not target.is_file():
        return _Gap(f"nested stack template {url!r} does not exist", "remote-template"), ""
    return target, ""


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.name


class _Loader:
    def __init__(self, root: Path, read: Read, options: TemplateOptions, texts: dict[Path, str],
                 errors: list[ScanError]) -> None:
        self.root = root.resolve()
        self.read = read
        self.options = options
        self.texts = texts
        self.errors = errors
        self.reported: set[tuple[str, int, str]] = set()
        self.by_name = (_by_name([self.root / rel for rel in options.templates])
                        if options.local_nested_templates else None)
        """The scan's templates by file name, where a remote TemplateURL is looked for."""
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
        own: dict[str, str] = {}
        worlds, errors = template.parse(self.texts[path], rel, self.options, self._outputs_of(path, "", (path,)),
                                        own)
        self.errors.extend(errors)
        stack = Stack(rel, [], {rel}, {(rel, address): (name,) for address, name in own.items()})
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
        target, note = _local(path, url, self.root, self.by_name)
        if note and first:
            self._warn(res.at("TemplateURL"), f"{res.address}: {note}")
        if not isinstance(target, Path):
            if isinstance(target, _Gap):
                self._warn(res.at("TemplateURL"), f"{res.address}: {target.message}", target.level, target.category)
            elif first:
                self._warn(res.at("TemplateURL"), f"{res.address}: the nested stack's TemplateURL is not known; "
                           "not analysed", category="remote-template")
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
        options = replace(self.options, parameters=given, given_origins=_given_origins(res, given))
        child_prefix = f"{res.address}."  # res.address already carries the parent's prefix
        outputs = self._outputs_of(target, child_prefix, chain + (target,))
        conditional: dict[str, str] = {}
        worlds, errors = template.parse(text, rel, options, outputs, conditional)
        if first:
            self.errors.extend(errors)
            # A child exists only when its stack does, and then only under its own conditions.
            inherited = stack.conditions.get((res.loc.file, res.address), ())
            for r in worlds[0]:
                name = conditional.get(r.address)
                conditions = inherited + ((child_prefix + name,) if name else ())
                if conditions:
                    stack.conditions[(r.loc.file, child_prefix + r.address)] = conditions
        own = {r.address for r in worlds[0]}
        foreign = {id(ref) for ref in iter_refs(given)}
        children = [replace(r, address=child_prefix + r.address, body=prefix_refs(r.body, child_prefix, own, foreign))
                    for r in worlds[0]]
        return self._expand(children, target, child_prefix, chain + (target,), stack, first)

    def _outputs_of(self, path: Path, prefix: str, chain: tuple[Path, ...]) -> Callable[..., Any]:
        """The resolver hook for ``!GetAtt Nested.Outputs.Name`` in the template at ``path``."""
        # A nested stack's outputs, by resolver and logical id: every output a template reads of
        # one nested stack resolved that whole stack again (72 times for 6 stacks on the corpus).
        # Its parameters as first resolved are kept with them: the references they pass in are
        # told apart by identity (``prefix_refs``).
        known: dict[tuple[int, str], tuple[Any, dict, dict[str, Any], set[str]]] = {}

        def output(resolver: Any, logical_id: str, name: str) -> Any:
            from iac_assist.parsers.cloudformation import template

            child_prefix = f"{prefix}{logical_id}."
            seen = known.get((id(resolver), logical_id))
            if seen is not None and seen[0] is resolver:
                _, given, values, own = seen
            else:
                props = resolver.resource_node(logical_id).get("Properties")
                props = props if isinstance(props, dict) else {}
                target, _ = _local(path, resolver.value(props.get("TemplateURL")), self.root, self.by_name)
                if not isinstance(target, Path) or target in chain or len(chain) > MAX_NESTING \
                        or not self._may_load():
                    return Unknown(f"outputs of {logical_id} are not known")
                params = resolver.value(props.get("Parameters")) if "Parameters" in props else {}
                given = dict(params) if isinstance(params, dict) else {}
                rel = self.rel(target)
                text = self.texts.get(target) or self.read(target, rel, [])
                if text is None:
                    return Unknown(f"outputs of {logical_id} are not known")
                self.texts[target] = text
                values, own = template.outputs(text, rel, replace(self.options, parameters=given, assume_worst=False),
                                               self._outputs_of(target, child_prefix, chain + (target,)))
                known[(id(resolver), logical_id)] = (resolver, given, values, own)
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
        if isinstance(value, Joined):
            return Joined(value.reason, value.delimiter, [fix(v, depth + 1) for v in value.items])
        if isinstance(value, Partial):
            return Partial(value.reason, tuple(fix(r, depth + 1) for r in value.refs), value.suffix)
        if isinstance(value, Unknown):
            refs = tuple(fix(r, depth + 1) for r in value.refs)
            return Unknown(value.reason, refs) if refs != value.refs else value
        if isinstance(value, list):
            return [fix(v, depth + 1) for v in value]
        if isinstance(value, dict):
            return {k: fix(v, depth + 1) for k, v in value.items()}
        return value

    return fix(value)


def _given_origins(res: SourceResource, given: Mapping[str, Any]) -> dict[str, tuple[Origin, ...]]:
    """Where a nested stack's parameters were given: the parent's ``Parameters`` entry, then
    where that value came from in turn (a parameter of the parent)."""
    out: dict[str, tuple[Origin, ...]] = {}
    for name, value in given.items():
        if isinstance(value, Unknown):
            continue
        loc = res.at("Parameters", name)
        here = Origin(loc.file, loc.line, f"passes {name} = {shown(value)} to stack {res.address}")
        out[name] = origins((here,), res.origins_at("Parameters", name))
    return out
