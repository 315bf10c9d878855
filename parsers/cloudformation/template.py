"""Decoding a CloudFormation template (YAML or JSON) into source resources with locations.

The decoder (``decode.py``, cfn-lint's decoding without cfn-lint's import cost) keeps a mark
(line, column) on every mapping, list and string, handles the short intrinsic tags (``!Ref``,
``!Sub``...) and guards against YAML alias bombs.
"""

from __future__ import annotations

import bisect
import json
import logging
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from iac_assist.model import Location, Origin, ScanError
from iac_assist.model.resource import SourceResource
from iac_assist.parsers.cloudformation.decode import decode_str
from iac_assist.parsers.cloudformation.gaps import unexpanded
from iac_assist.parsers.cloudformation.intrinsics import NOVALUE, ResolutionLimit, Resolver
from iac_assist.parsers.cloudformation.options import TemplateOptions
from iac_assist.parsers.cloudformation.sam import expand as expand_sam
from iac_assist.parsers.cloudformation.worlds import worlds

# cfn-lint's JSON decoder (decode.py's fallback) logs decoding problems itself; they are returned
# to the caller as ScanErrors instead.
logging.getLogger("cfnlint").addHandler(logging.NullHandler())

_FOR_EACH = "Fn::ForEach::"


Worlds = list[list[SourceResource]]
StackOutputs = Callable[[Resolver, str, str], Any]
"""The base resolution (open conditions left unknown) first, then one per alternative world."""


def load(path: Path, root: Path, options: TemplateOptions | None = None) -> tuple[Worlds, list[ScanError]]:
    """Read and decode one template file into its worlds (see ``worlds``). Never raises for bad input."""
    file = _relative(path, root)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return [[]], [ScanError(file, 1, f"cannot read template: {exc}")]
    return parse(text, file, options)


def parse(
    text: str, file: str, options: TemplateOptions | None = None, stack_outputs: StackOutputs | None = None,
    conditions: dict[str, str] | None = None,
) -> tuple[Worlds, list[ScanError]]:
    """Decode template text; ``file`` is the name locations and errors carry. One resource list
    per world, after the base one in which open conditions stay unknown (see ``worlds``).
    ``stack_outputs`` resolves the outputs of nested stacks (see ``stacks``); ``conditions``, when
    given, receives the resources that exist only under an open condition (logical id → condition
    name). Never raises: a defect of ours is reported as an error of this file (the gate fails
    closed)."""
    try:
        return _parse(text, file, options, stack_outputs, conditions)
    except ResolutionLimit as err:
        return [[]], [ScanError(file, 0, f"{err}; not analysed")]
    except RecursionError:
        return [[]], [ScanError(file, 0, "template nested too deeply to be analysed")]
    except Exception as err:
        return [[]], [_internal_error(file, err)]


def _internal_error(file: str, err: Exception) -> ScanError:
    return ScanError(file, 0, f"internal error while analysing this template ({type(err).__name__}: {err}); "
                     "please report it")


SECTIONS = ("Parameters", "Mappings", "Conditions", "Resources", "Outputs", "Rules", "Metadata", "Globals")
"""Top-level sections that CloudFormation (and SAM, ``Globals``) requires to be mappings."""


def _sections(template: dict, file: str) -> list[ScanError]:
    """Errors for sections of the wrong type (``Resources: [...]``, ``Parameters: x``), each at
    its line. A section that is not a mapping is left out, so the rest can still be analysed."""
    errors = []
    for name in SECTIONS:
        if name in template and not isinstance(template[name], dict) and template[name] is not None:
            key = _key(template, name)
            kind = _KINDS.get(type(template[name]).__name__.removesuffix("_node"), "scalar")
            errors.append(ScanError(file, _line(key) or 1, f"{name} is not a mapping (it is a {kind}); "
                                    "CloudFormation would reject this template", column=_column(key)))
            template[name] = {} if name != "Resources" else None
    return errors


_KINDS = {"str": "string", "int": "number", "float": "number", "bool": "boolean", "list": "list"}


def _parse(
    text: str, file: str, options: TemplateOptions | None, stack_outputs: StackOutputs | None,
    conditions: dict[str, str] | None = None,
) -> tuple[Worlds, list[ScanError]]:
    options = options or TemplateOptions()
    template, errors = _decode(text, file)
    if template is None:
        return [[]], errors
    if not isinstance(template, dict):
        return [[]], [ScanError(file, 1, "not a CloudFormation template: the top level is not a mapping")]
    section_errors = _sections(template, file) + unexpanded(template, file)
    resources = template.get("Resources")
    if resources is None:
        return [[]], section_errors
    given = dict(options.parameters)
    # AWS::LanguageExtensions runs first (CloudFormation applies transforms in the order listed,
    # and SAM's needs it first); see foreach.py.
    template, loop_errors = _for_each(template, text, file, given)
    # Transform: AWS::Serverless-2016-10-31 (SAM) resources into what they deploy; see sam.py.
    template, sam_errors = _expanded(template, text, file, given)
    resources = template["Resources"]
    base = _Reader(text, file, template, given, stack_outputs=stack_outputs, given_origins=options.given_origins)
    found, errors = base.read(resources)
    errors = section_errors + loop_errors + sam_errors + errors
    if conditions is not None:
        conditions.update(base.conditional)
    out: Worlds = [found]
    alternatives, why = worlds(base.resolver, options.assume_worst)
    for world in alternatives if alternatives != [{}] else []:
        out.append(_Reader(text, file, template, given, world, stack_outputs, options.given_origins)
                   .read(resources)[0])
    if why:
        errors.append(ScanError(file, _line(_key(template, "Conditions")) or 1, why, level="warning",
                                 category="world-cap"))
    return out, errors


def outputs(
    text: str, file: str, options: TemplateOptions | None = None, stack_outputs: StackOutputs | None = None
) -> tuple[dict[str, Any], set[str]]:
    """The resolved ``Outputs`` of a template (open conditions unknown) and its resources' logical
    ids; empty when it does not decode."""
    template, _ = _decode(text, file)
    if not isinstance(template, dict):
        return {}, set()
    if _sections(template, file):
        return {}, set()
    given = dict((options or TemplateOptions()).parameters)
    template, _ = _for_each(template, text, file, given)
    template, _ = _expanded(template, text, file, given)  # outputs may name generated resources
    reader = _Reader(text, file, template, given, stack_outputs=stack_outputs)
    resources = template.get("Resources")
    return reader.resolver.outputs(), {str(k) for k in resources} if isinstance(resources, dict) else set()


def _for_each(template: dict, text: str, file: str, given: dict) -> tuple[dict, list[ScanError]]:
    """The template with its ``Fn::ForEach`` loops expanded, and the loops that could not be."""
    from iac_assist.parsers.cloudformation import foreach

    if not foreach.has_loops(text) or not foreach.declared(template):
        return template, []
    try:
        expanded, failed = foreach.expand(template, given)
    except foreach.NotExpanded as err:  # a loop that breaks its surroundings (a duplicate key)
        return template, [ScanError(file, _line(err.node) or 1, f"Fn::ForEach is not expanded ({err}); what it "
                                    "generates is not analysed", level="warning", category="transform-unexpanded")]
    return expanded, [ScanError(file, _line(node) or 1, f"{why}: not expanded, what it generates is not analysed",
                                column=_column(node), level="warning", category="transform-unexpanded")
                      for node, why in failed]


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


MAX_EXPANDED_CHARS = 64 * 1024 * 1024
"""Characters of a template's strings, each counted every time an alias repeats it. cfn-lint
bounds the nodes aliases expand to (250,000), not their size: 5,000 aliases of a 1 MiB string
are 5 GiB to join, resolve and check."""


def _decode(text: str, file: str) -> tuple[Any, list[ScanError]]:
    try:
        template, matches = _decoded(text)
    except RecursionError:
        return None, [ScanError(file, 1, "template could not be decoded: nested too deeply")]
    except Exception as exc:  # the decoder is third-party code fed untrusted input
        return None, [ScanError(file, 1, f"template could not be decoded: {exc}")]
    if not matches:
        amplified = _amplified(template)
        if amplified is not None:
            return None, [ScanError(file, _line(amplified) or 1,
                                    f"template expands to more than {MAX_EXPANDED_CHARS} characters once YAML "
                                    "aliases are expanded (alias amplification?); not analysed",
                                    column=_column(amplified))]
    errors = [
        ScanError(
            file,
            max(int(m.linenumber or 1), 1),
            f"template could not be decoded: {m.message}",
            column=max(int(m.columnnumber or 0), 0),
        )
        for m in matches
    ]
    return (None if errors else template), errors


_DECODER_MODULES = (__name__, decode_str.__module__, "iac_assist.parsers.cloudformation.cached_nodes")
_DECODER_LIBRARIES = ("cfn-lint", "PyYAML")


def _decoded(text: str) -> tuple[Any, list[Any]]:
    """The decoder's result for ``text``, through the parse cache (``iac_assist/inputs/parse_cache.py``):
    the template as written, before parameters, conditions or transforms, so it depends on the
    text and the decoder alone."""
    from iac_assist.inputs import parse_cache

    return parse_cache.cached("cloudformation-decode", text, decode_str, _DECODER_MODULES, _DECODER_LIBRARIES,
                              _reducers())


def _expanded(template: dict, text: str, file: str, given: dict) -> tuple[dict, list[ScanError]]:
    """``expand_sam``, through the parse cache when its inputs are plain: the SAM translator is the
    slowest step of a repeated scan (and its import the slowest import). What the transform gets
    is decided by the template's text (decoded, then its loops expanded), the parameter values
    (strings) and the file name its errors carry: all three are the key."""
    from iac_assist.inputs import parse_cache
    from iac_assist.parsers.cloudformation import sam

    if not sam.declares_sam(template) or not all(isinstance(k, str) and isinstance(v, str) for k, v in given.items()):
        return expand_sam(template, file, given)
    # json.dumps escapes NUL: the text ends at the last one.
    key = text + "\0" + json.dumps([file, sorted(given.items())])
    modules = (*_DECODER_MODULES, sam.__name__, "iac_assist.parsers.cloudformation.intrinsics",
               "iac_assist.parsers.cloudformation.foreach")
    return parse_cache.cached("cloudformation-sam", key, lambda _: expand_sam(template, file, given), modules,
                              (*_DECODER_LIBRARIES, "aws-sam-translator"), _reducers())


def _reducers() -> dict:
    from iac_assist.parsers.cloudformation.cached_nodes import reducers

    return reducers()


def _amplified(template: Any) -> Any:
    """The mapping or list at which the template's expanded strings pass MAX_EXPANDED_CHARS, or
    None. Walked iteratively, shared (aliased) parts counted each time, as every later step would."""
    chars = 0
    stack: list[tuple[Any, Any]] = [(template, template)]
    while stack:
        node, container = stack.pop()
        if isinstance(node, str):
            chars += len(node)
            if chars > MAX_EXPANDED_CHARS:
                return container
        elif isinstance(node, dict):
            stack.extend((k, node) for k in node)
            stack.extend((v, node) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, node) for v in node)
    return None


def _line(node: Any) -> int:
    """1-based line of a decoder node; 0 when it carries no mark (numbers, booleans)."""
    mark = getattr(node, "start_mark", None)
    line = getattr(mark, "line", None)
    return line + 1 if isinstance(line, int) else 0


def _column(node: Any) -> int:
    """1-based column of a decoder node; 0 when it carries no mark."""
    mark = getattr(node, "start_mark", None)
    column = getattr(mark, "column", None)
    return column + 1 if isinstance(column, int) else 0


def _key(mapping: Mapping[Any, Any], name: str) -> Any:
    """The key object itself (it carries the mark) of ``name`` in ``mapping``."""
    for key in mapping:
        if key == name:
            return key
    return None


class _Reader:
    """Turns the decoded Resources section into SourceResources."""

    def __init__(self, text: str, file: str, template: dict, given: dict, world: dict | None = None,
                 stack_outputs: StackOutputs | None = None,
                 given_origins: Mapping[str, tuple[Origin, ...]] | None = None) -> None:
        self.file = file
        self.lines = text.splitlines()
        self.json = text.lstrip().startswith("{")
        self.template = template
        self.resolver = Resolver(template, self.where, given, world, given_origins)
        self.resolver.stack_outputs = stack_outputs
        self.errors: list[ScanError] = []
        self.conditional: dict[str, str] = {}
        """Resources that exist only under a condition not known before deployment: id → condition."""

    def where(self, node: Any) -> Location | None:
        line = _line(node)
        return Location(self.file, line) if line else None

    def read(self, resources: dict) -> tuple[list[SourceResource], list[ScanError]]:
        bounds = sorted(({_line(k) for k in resources} | {_line(k) for k in self.template}) - {0})
        out: list[SourceResource] = []
        for key, node in resources.items():
            res = self._resource(key, node, bounds)
            if res is not None:
                out.append(res)
        return out, self.errors

    def _resource(self, key: Any, node: Any, bounds: list[int]) -> SourceResource | None:
        address = str(key)
        line = _line(key) or _line(node) or 1  # a numeric logical id carries no mark
        if address.startswith(_FOR_EACH):
            from iac_assist.parsers.cloudformation import foreach

            if not foreach.declared(self.template):  # else the expansion said why it failed
                message = (f"{address}: Fn::ForEach without the AWS::LanguageExtensions transform is not expanded, "
                           "its resources are not analysed")
                self._problem(line, message, "warning", "transform-unexpanded")
            return None
        if not isinstance(node, dict) or not isinstance(node.get("Type"), str):
            self._problem(line, f"resource {address} has no Type", "error")
            return None
        condition = node.get("Condition")
        exists = self.resolver.condition(condition)
        if exists is False:
            return None  # never created
        if exists is None and isinstance(condition, str) and self.resolver.condition_node(condition) is not None:
            self.conditional[address] = str(condition)
        locs: dict[tuple[str | int, ...], Location] = {}
        origins: dict[tuple[str | int, ...], tuple[Origin, ...]] = {}
        properties = node.get("Properties")
        if properties is not None and not isinstance(properties, dict):
            self._problem(line, f"the Properties of {address} are not a mapping", "error")
            properties = None
        try:
            body = self.resolver.resolve({} if properties is None else properties, (), locs, origins=origins)
        except ResolutionLimit as err:
            self._problem(line, f"resource {address}: {err}; not analysed", "error")
            return None
        if body is NOVALUE:
            body = {}
        if not isinstance(body, dict):
            # Properties chosen by an unknown condition: analysed as if none were written.
            self._problem(line, f"the Properties of {address} are not known before deployment", "warning")
            body, locs, origins = {}, {}, {}
        loc = Location(self.file, line, end_line=self._end_line(key, line, bounds))
        return SourceResource(
            address=address,
            type=str(node["Type"]),
            loc=loc,
            body=body,
            locs=locs,
            origins=origins,
            format="cloudformation",
            label=_cdk_path(node),
        )

    def _problem(self, line: int, message: str, level: str, category: str = "") -> None:
        self.errors.append(ScanError(self.file, line, message, level=level, category=category))

    def _end_line(self, key: Any, line: int, bounds: list[int]) -> int:
        if self.json:
            # A resource the SAM transform generated ends where the one it comes from does.
            closing = _closing_line(self.lines, line, str(getattr(key, "origin", key)))
            if closing:
                return closing
        # The resource ends before the next resource or top-level section; comments and blank
        # lines in between belong to neither.
        following = bisect.bisect_right(bounds, line)
        end = bounds[following] - 1 if following < len(bounds) else len(self.lines)
        while end > line and _is_filler(self.lines[end - 1]):
            end -= 1
        return max(end, line)


def _is_filler(text: str) -> bool:
    stripped = text.strip()
    return not stripped or stripped.startswith("#")


def _cdk_path(node: dict) -> str:
    metadata = node.get("Metadata")
    path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
    return str(path) if isinstance(path, str) else ""


def _closing_line(lines: list[str], line: int, key: str) -> int:
    """Line of the brace closing the JSON object written after ``"key":`` on ``line``; 0 if none."""
    if not 0 < line <= len(lines):
        return 0
    found = re.search(r'"' + re.escape(key) + r'"\s*:\s*', lines[line - 1])
    if found is None:
        return 0
    depth, in_string, escaped = 0, False, False
    for number in range(line, len(lines) + 1):
        text = lines[number - 1]
        start = found.end() if number == line else 0
        for char in text[start:]:
            if in_string:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_string = False
            elif char == '"':
                in_string = True
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth <= 0:
                    return number
            elif depth == 0 and char not in " \t":
                return 0  # the value is not an object
    return 0
