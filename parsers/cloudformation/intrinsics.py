"""Resolving CloudFormation intrinsic functions, parameters and conditions before deployment.

What can be computed from the template alone is computed (parameter defaults, mappings,
conditions over them, ``Fn::Sub`` of known parts); what only exists after deployment becomes
``Unknown`` (pseudo parameters, generated ids, imports); a reference to another resource
becomes ``Ref`` so that satellites find their owner and the graph gets its edge. A result is
never a guess: anything built from an unknown part that cannot be computed is ``Unknown``.

The input is the decoder's tree: dicts, lists and strings that may carry ``start_mark``
attributes. The output is plain Python data plus ``Unknown`` and ``Ref``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from contextvars import ContextVar
from typing import Any

from iac_assist.inputs.bounds import current
from iac_assist.model import Location, Origin, Ref, Unknown, Withheld, fully_known, iter_refs, shown
from iac_assist.model.trace import OriginTrace

MAX_DEPTH = 64
"""Templates are untrusted input: every walk stops at this nesting depth."""
MAX_STRING = 8 * 1024 * 1024
"""Characters a Fn::Sub or Fn::Join may build: ``${P}`` a million times over a 1 MiB parameter
would be a terabyte."""
MAX_SPLIT = 100_000
"""Pieces a Fn::Split may return."""
MAX_RESOLVED = 256 * 1024 * 1024
"""Characters resolving one stack may produce, its worlds and nested stacks included: the strings
intrinsics build, and the resolved values, a shared string counted each time it occurs (as every
check reading them will). A parameter or a ``!Join`` repeated through YAML aliases is resolved
once and shared, so repetition is cheap to build; it is what it expands to that is bounded."""
ELEMENT_CHARS = 16
"""What one list or mapping element counts for in MAX_RESOLVED (about its memory)."""


class ResolutionLimit(Exception):
    """A bound passed while resolving intrinsics: reported as an error, the resource not analysed."""


class Budget:
    """Characters left to produce (see MAX_RESOLVED), shared by the resolvers of one stack."""

    __slots__ = ("left",)

    def __init__(self, chars: int = MAX_RESOLVED) -> None:
        self.left = chars

    def charge(self, chars: int, what: str) -> None:
        self.left -= chars
        if self.left < 0:
            raise ResolutionLimit(f"{what + ': ' if what else ''}resolving this stack produces more than "
                                  f"{MAX_RESOLVED} characters (a string repeated through parameters or YAML aliases?)")


_BUDGET: ContextVar[Budget | None] = ContextVar("iac_assist_cloudformation_budget", default=None)


def resolution_budget() -> AbstractContextManager[Budget]:
    """One budget (MAX_RESOLVED) for every resolver made inside the ``with`` block: a stack's
    worlds and nested stacks. A resolver made outside one has its own."""
    return current(_BUDGET, Budget())


def _bounded(pieces: list[str], fn: str, budget: Budget | None = None) -> list[str]:
    size = sum(len(p) for p in pieces)
    if size > MAX_STRING:
        raise ResolutionLimit(f"{fn} would build a string of {size} characters, over the limit of {MAX_STRING}")
    if budget is not None:
        budget.charge(size, fn)
    return pieces


def resolved_size(value: Any, limit: int) -> int:
    """Characters in ``value``, shared parts counted each time they occur, elements counted
    ELEMENT_CHARS each; the walk stops once past ``limit``."""
    size = 0
    stack = [value]
    while stack and size <= limit:
        item = stack.pop()
        size += ELEMENT_CHARS
        if isinstance(item, str):
            size += len(item)
        elif isinstance(item, dict):
            size += sum(len(k) for k in item if isinstance(k, str))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, Ref):
            stack.append(item.value)
    return size

PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)

Path = tuple[str | int, ...]
Where = Callable[[Any], "Location | None"]


class _NoValue:
    """``Ref: AWS::NoValue``: the property or list item it stands in is removed."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NOVALUE"


NOVALUE = _NoValue()

# Types whose ``Ref`` returns a property the template may state: the reference then carries it.
_REF_RETURNS_PROPERTY = {"AWS::S3::Bucket": "BucketName"}

_SUB_PLACEHOLDER = re.compile(r"\$\{([^}]*)\}")


class OtherValue(Unknown):
    """A parameter's value in a world where it equals none of the values the conditions test it
    against: unknown, except that ``Fn::Equals`` with any of those values is false."""

    __slots__ = ("excluded",)

    def __init__(self, name: str, excluded: frozenset[str]) -> None:
        super().__init__(f"{name} has a value other than {', '.join(sorted(excluded))}")
        self.excluded = excluded


class Partial(Unknown):
    """A string built from unknown parts but ending with written text
    (``!Sub https://${Bucket}.s3.amazonaws.com/vpc.yaml``): unknown, except for that end."""

    __slots__ = ("suffix",)

    def __init__(self, reason: str, refs: tuple[Ref, ...] = (), suffix: str = "") -> None:
        super().__init__(reason, refs)
        self.suffix = suffix


class Joined(Partial):
    """``Fn::Join`` over items some of which are unknown (``!Join [",", [!Ref SubnetA, !Ref
    SubnetB]]``, a subnet list passed to a nested stack): an unknown string, which ``Fn::Split``
    on the same delimiter, or a list parameter it is given to, takes apart into its items again,
    references kept."""

    __slots__ = ("delimiter", "items")

    def __init__(self, reason: str, delimiter: str, items: list[Any]) -> None:
        # Every reference object itself, not deduplicated: nested stacks tell the references a
        # parent passed in by identity.
        refs = tuple(ref for item in items for ref in iter_refs(item))
        last = _text(items[-1]) if items else None
        suffix = "" if last is None else (delimiter if len(items) > 1 else "") + last
        super().__init__(reason, refs, suffix)
        self.delimiter = delimiter
        self.items = items

    def split(self, delimiter: str, depth: int = 0) -> list[Any] | None:
        """The items again, split on ``delimiter`` as CloudFormation would split the joined text;
        None when that text cannot be taken apart without knowing the unknown items."""
        if delimiter != self.delimiter or depth > MAX_DEPTH:
            return None
        out: list[Any] = []
        for item in self.items:
            text = _text(item)
            if text is not None:
                out.extend(text.split(delimiter))
            elif isinstance(item, Joined):
                inner = item.split(delimiter, depth + 1)
                if inner is None:
                    return None
                out.extend(inner)
            elif isinstance(item, Ref):
                out.append(item)  # an id never holds the delimiter of a list of ids
            else:
                return None
        return out


def _no_location(_node: Any) -> Location | None:
    return None


def intrinsic_name(node: Any) -> str | None:
    """The function a one-key mapping calls (``Ref``, ``Fn::Join``...), else None."""
    if isinstance(node, dict) and len(node) == 1:
        key = next(iter(node))
        if isinstance(key, str) and (key == "Ref" or key.startswith("Fn::")):
            return str(key)
    return None


def to_plain(node: Any, depth: int = 0) -> Any:
    """Decoder nodes as plain data, without resolving anything (parameter defaults, mappings)."""
    if depth > MAX_DEPTH:
        return Unknown("nested too deeply")
    if isinstance(node, dict):
        return {str(k): to_plain(v, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v, depth + 1) for v in node]
    return _scalar(node)


def _scalar(node: Any) -> Any:
    if isinstance(node, str):
        return str(node)  # drops the decoder's str subclass
    if node is None or isinstance(node, (bool, int, float)):
        return node
    if isinstance(node, (datetime.date, datetime.datetime)):
        # YAML reads an unquoted date as a date; CloudFormation sees the text.
        return node.isoformat()
    return Unknown(f"unsupported value of type {type(node).__name__}")


def _text(value: Any) -> str | None:
    """A resolved scalar as the string CloudFormation would use, None when not computable."""
    if isinstance(value, Ref):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return None


def _comparable(value: Any, depth: int = 0) -> Any:
    """A value for ``Fn::Equals``: strings all the way down, None when any part is unknown."""
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, list):
        items = [_comparable(v, depth + 1) for v in value]
        return None if any(i is None for i in items) else items
    return _text(value)


def _mapping(node: Any) -> Mapping[Any, Any]:
    return node if isinstance(node, dict) else {}


class Resolver:
    """Evaluates a template's intrinsics; one per template.

    ``where`` gives the location of a decoder node (None when it has none); it is used to record
    where each part of a resolved value was written.
    """

    def __init__(
        self,
        template: Mapping[Any, Any],
        where: Where = _no_location,
        given: Mapping[str, Any] | None = None,
        world: Mapping[str, Any] | None = None,
        given_origins: Mapping[str, tuple[Origin, ...]] | None = None,
    ) -> None:
        """``given``: parameter values the user supplied (``--parameters``); ``world``: the values
        one alternative deployment takes for parameters (and pseudo parameters) that are not known;
        ``given_origins``: where given values were written (a parent stack's ``Parameters``), by
        name; a value given without one came from the command line."""
        self._where = where
        self._template = template
        self.stack_outputs: Callable[[Resolver, str, str], Any] | None = None
        """Resolves ``!GetAtt Nested.Outputs.Name`` of a nested stack (set by the stack loader)."""
        self._given = dict(given or {})
        self._world = dict(world or {})
        self._parameters = _mapping(template.get("Parameters"))
        self._mappings = _mapping(template.get("Mappings"))
        self._conditions = _mapping(template.get("Conditions"))
        self._resources = _mapping(template.get("Resources"))
        self._condition_cache: dict[str, bool | None] = {}
        self._ref_values: dict[str, Any] = {}
        self._busy: set[str] = set()
        self._parameter_values: dict[str, Any] = {}
        self._strings: dict[int, str] = {}
        """Strings computed by a function node, by the node's identity: a node repeated through
        YAML aliases is computed once and its result shared, not copied."""
        self.budget = _BUDGET.get() or Budget()
        self._given_origins = dict(given_origins or {})
        self._trace = OriginTrace()
        """Where the parameters read by the functions being resolved got their values. Values stay
        plain; the origins of those written at a recorded path go to the ``origins`` table."""
        self._origin_table: dict[Path, tuple[Origin, ...]] | None = None
        self._string_origins: dict[int, tuple[Origin, ...]] = {}
        self._parameter_origins: dict[str, tuple[Origin, ...]] = {}

    # -- conditions -------------------------------------------------------------------------

    def condition(self, name: Any) -> bool | None:
        """The value of a named condition; None when it depends on something unknown."""
        if not isinstance(name, str) or name not in self._conditions:
            return None
        if name in self._condition_cache:
            return self._condition_cache[name]
        key = f"condition:{name}"
        if key in self._busy:  # a cycle: invalid template, and certainly not known
            return None
        self._busy.add(key)
        # Parameters read by a condition are not origins of the values it chooses: a condition is
        # computed once, so they would be told for the first value only (worlds cover conditions).
        self._trace.push()
        try:
            result = self._test(self._conditions[name], 0)
        finally:
            self._busy.discard(key)
            self._trace.pop()
        self._condition_cache[name] = result
        return result

    def _test(self, node: Any, depth: int) -> bool | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(node, bool):
            return node
        if not isinstance(node, dict) or len(node) != 1:
            return None
        fn, arg = next(iter(node.items()))
        if fn == "Condition":
            return self.condition(arg)
        if fn == "Fn::Equals":
            return self._equals(arg, depth)
        if fn == "Fn::Not" and isinstance(arg, list) and len(arg) == 1:
            inner = self._test(arg[0], depth + 1)
            return None if inner is None else not inner
        if fn in ("Fn::And", "Fn::Or") and isinstance(arg, list):
            return self._combine(fn, [self._test(a, depth + 1) for a in arg])
        return None

    def _equals(self, arg: Any, depth: int) -> bool | None:
        if not isinstance(arg, list) or len(arg) != 2:
            return None
        left_value, right_value = self.value(arg[0], depth + 1), self.value(arg[1], depth + 1)
        for one, other in ((left_value, right_value), (right_value, left_value)):
            if isinstance(one, OtherValue) and _text(other) in one.excluded:
                return False
        left, right = _comparable(left_value), _comparable(right_value)
        if left is None or right is None:
            return None
        return left == right

    @staticmethod
    def _combine(fn: str, results: list[bool | None]) -> bool | None:
        # Three-valued logic: one false operand decides an And, one true operand an Or.
        decisive = fn == "Fn::Or"
        if decisive in results:
            return decisive
        if None in results:
            return None
        return not decisive

    def parameter_spec(self, name: str) -> Mapping[Any, Any]:
        spec = self._parameters.get(name)
        return spec if isinstance(spec, dict) else {}

    def is_given(self, name: str) -> bool:
        return name in self._given

    def parameter_names(self) -> list[str]:
        return [str(name) for name in self._parameters]

    def condition_names(self) -> list[str]:
        return [str(name) for name in self._conditions]

    def condition_node(self, name: str) -> Any:
        return self._conditions.get(name)

    # -- values -----------------------------------------------------------------------------

    def value(self, node: Any, depth: int = 0) -> Any:
        """Resolve ``node`` without recording locations (arguments of functions)."""
        return self.resolve(node, (), None, depth)

    def resolve(
        self, node: Any, path: Path = (), locs: dict[Path, Location] | None = None, depth: int = 0,
        origins: dict[Path, tuple[Origin, ...]] | None = None,
    ) -> Any:
        """Resolve ``node``; when ``locs`` is given, record where each path of the result was written,
        and in ``origins`` where the parameters it read got their values (a Default, ``--parameters``).

        May return ``NOVALUE`` (the caller drops the property or item).
        """
        if depth == 0:
            # A value handed out (a resource's properties, an output): charged as consumers read it.
            if self.budget.left < 0:
                self.budget.charge(0, "")
            saved, self._origin_table = self._origin_table, origins
            try:
                value = self._resolve(node, path, locs, 0)
            finally:
                self._origin_table = saved
            self.budget.charge(resolved_size(value, max(self.budget.left, 0)), "")
            return value
        return self._resolve(node, path, locs, depth)


    def _resolve(self, node: Any, path: Path, locs: dict[Path, Location] | None, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return Unknown("nested too deeply")
        fn = intrinsic_name(node)
        if fn is not None:
            return self._call(fn, node, path, locs, depth + 1)
        if isinstance(node, dict):
            return self._resolve_dict(node, path, locs, depth)
        if isinstance(node, list):
            return self._resolve_list(node, path, locs, depth)
        return _scalar(node)

    def _resolve_dict(self, node: dict, path: Path, locs: dict[Path, Location] | None, depth: int) -> dict:
        out: dict[str, Any] = {}
        for key, child in node.items():
            name = str(key)
            value = self._resolve(child, (*path, name), locs, depth + 1)
            if value is NOVALUE:
                continue
            out[name] = value
            # The key's line: that is where the user wrote the attribute.
            self._record(locs, (*path, name), key)
        return out

    def _resolve_list(self, node: list, path: Path, locs: dict[Path, Location] | None, depth: int) -> list:
        out: list[Any] = []
        for child in node:
            value = self._resolve(child, (*path, len(out)), locs, depth + 1)
            if value is NOVALUE:
                continue
            self._record(locs, (*path, len(out)), child)
            out.append(value)
        return out

    def _record(self, locs: dict[Path, Location] | None, path: Path, node: Any) -> None:
        if locs is None:
            return
        loc = self._where(node)
        if loc is not None:
            locs[path] = loc

    # -- functions --------------------------------------------------------------------------

    def _call(self, fn: str, node: dict, path: Path, locs: dict[Path, Location] | None, depth: int) -> Any:
        if locs is None or self._origin_table is None:
            return self._function(fn, node, path, locs, depth)
        # A function written at a recorded path: the parameters it reads are its value's origins.
        self._trace.push()
        try:
            value = self._function(fn, node, path, locs, depth)
        finally:
            found = self._trace.pop()
        if found:
            self._origin_table[path] = found
            self._trace.note(found)
        return value

    def _function(self, fn: str, node: dict, path: Path, locs: dict[Path, Location] | None, depth: int) -> Any:
        arg = node[fn]
        if fn == "Fn::If":
            return self._if(arg, path, locs, depth)
        handler = _FUNCTIONS.get(fn)
        if handler is None:
            return Unknown(f"{fn} is not evaluated")
        shared = self._strings.get(id(node))
        if shared is not None:
            self._trace.note(self._string_origins.get(id(node), ()))
            return shared
        self._trace.push()
        try:
            value = handler(self, arg, depth)
        finally:
            found = self._trace.pop()
        self._trace.note(found)
        if isinstance(value, str):
            self._strings[id(node)] = value
            if found:
                self._string_origins[id(node)] = found
        return value

    def _if(self, arg: Any, path: Path, locs: dict[Path, Location] | None, depth: int) -> Any:
        if not isinstance(arg, list) or len(arg) != 3:
            return Unknown("malformed Fn::If")
        chosen = self.condition(arg[0])
        if chosen is None:
            # Either branch may be deployed: both keep their references as graph edges.
            branches = [self.value(branch, depth + 1) for branch in arg[1:]]
            return unknown_from(f"condition {arg[0]} is not known before deployment", *branches)
        # Only the chosen branch is evaluated: the other may name resources that do not exist.
        return self._resolve(arg[1] if chosen else arg[2], path, locs, depth + 1)

    def ref(self, arg: Any, depth: int) -> Any:
        name = self.value(arg, depth + 1)
        if not isinstance(name, str):
            return Unknown("Ref to a computed name")
        if name == "AWS::NoValue":
            return NOVALUE
        if name in self._world:
            return self._world[name]
        if name in PSEUDO_PARAMETERS or name.startswith("AWS::"):
            return Unknown(f"{name} is known at deployment")
        if name in self._parameters:
            return self.parameter(name)
        if name in self._resources:
            return Ref(name, "Ref", self._ref_value(name, depth))
        return Unknown(f"Ref to undeclared {name}")

    def parameter(self, name: str) -> Any:
        """A parameter's value; computed once, so every reference shares it (a copy per ``Ref``
        of a 1 MiB default would be a gigabyte for a thousand references)."""
        if name not in self._parameter_values:
            value = self._parameter(name)
            self._parameter_values[name] = value
            self._parameter_origins[name] = () if isinstance(value, Unknown) else self._parameter_origin(name, value)
        self._trace.note(self._parameter_origins[name])
        return self._parameter_values[name]

    def _parameter_origin(self, name: str, value: Any) -> tuple[Origin, ...]:
        """Where parameter ``name`` got ``value``: given (by a parent stack, or ``--parameters``),
        or its ``Default``; none for a deployment alternative (see ``worlds``)."""
        if name in self._world:
            return ()
        sets = f"sets {name} = {shown(value)}"
        if name in self._given:
            return self._given_origins.get(name) or (Origin("", 0, f"--parameters {sets}"),)
        spec = _mapping(self._parameters.get(name))
        key = next((k for k in spec if k == "Default"), None)
        loc = self._where(key) if key is not None else None
        loc = loc or self._where(spec)
        if loc is None:
            return ()
        return (Origin(loc.file, loc.line, f"sets the Default {name} = {shown(value)}"),)

    def _parameter(self, name: str) -> Any:
        spec = self._parameters.get(name)
        spec = spec if isinstance(spec, dict) else {}
        kind = spec.get("Type")
        kind = kind if isinstance(kind, str) else "String"
        if name in self._world:
            return self._world[name]
        if name in self._given:
            default = self._given[name]
        elif "Default" not in spec:
            return Unknown(f"parameter {name} has no default")
        elif kind.startswith("AWS::SSM::Parameter::Value"):
            # The default names an SSM parameter; its value is read at deployment.
            return Unknown(f"parameter {name} is read from SSM")
        elif str(spec.get("NoEcho", "")).lower() == "true":
            # A NoEcho default stands for a value given at deployment; it is not analysed as one,
            # though it is still a secret written in the template.
            return Withheld(to_plain(spec["Default"]), f"parameter {name} is NoEcho")
        else:
            default = to_plain(spec["Default"])
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            return _as_list(default)
        return default

    def _ref_value(self, name: str, depth: int) -> Any:
        if name not in self._ref_values:
            self._ref_values[name] = self._configured_ref_value(name, depth)
        return self._ref_values[name]

    def _configured_ref_value(self, name: str, depth: int) -> Any:
        resource = _mapping(self._resources.get(name))
        kind, props = resource.get("Type"), resource.get("Properties")
        prop = _REF_RETURNS_PROPERTY.get(kind) if isinstance(kind, str) else None
        if prop is None or not isinstance(props, dict) or prop not in props:
            return Unknown(f"{name} is created at deployment")
        key = f"ref:{name}"
        if key in self._busy:
            return Unknown("circular reference")
        self._busy.add(key)
        try:
            value = self.value(props[prop], depth + 1)
        finally:
            self._busy.discard(key)
        return value if isinstance(value, str) else Unknown(f"{name} is created at deployment")

    def get_att(self, arg: Any, depth: int) -> Any:
        if isinstance(arg, str):
            arg = arg.split(".", 1)
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("malformed Fn::GetAtt")
        name = self.value(arg[0], depth + 1)
        attribute = self.value(arg[1], depth + 1)
        if not isinstance(name, str) or name not in self._resources:
            return Unknown("Fn::GetAtt of an undeclared resource")
        if (self.stack_outputs is not None and isinstance(attribute, str) and attribute.startswith("Outputs.")
                and _mapping(self._resources[name]).get("Type") == "AWS::CloudFormation::Stack"):
            key = f"outputs:{name}"
            if key in self._busy:
                return Unknown("circular reference")
            self._busy.add(key)
            try:
                value = self.stack_outputs(self, name, attribute.removeprefix("Outputs."))
            finally:
                self._busy.discard(key)
            # Like a Terraform module output: the value itself (a reference to the child's resource
            # keeps its edge); an unknown one still refers to the nested stack.
            return Ref(name, attribute) if isinstance(value, Unknown) and not value.refs else value
        return Ref(name, attribute if isinstance(attribute, str) else "")

    def resource_node(self, name: str) -> Mapping[Any, Any]:
        return _mapping(self._resources.get(name))

    def outputs(self) -> dict[str, Any]:
        """The template's ``Outputs`` values, resolved (outputs whose condition is false left out)."""
        out: dict[str, Any] = {}
        for key, node in _mapping(self._template.get("Outputs")).items():
            node = _mapping(node)
            if self.condition(node.get("Condition")) is False or "Value" not in node:
                continue
            out[str(key)] = self.value(node["Value"])
        return out

    def sub(self, arg: Any, depth: int) -> Any:
        variables: dict[str, Any] = {}
        if isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], dict):
            variables = {str(k): self.value(v, depth + 1) for k, v in arg[1].items()}
            arg = arg[0]
        if not isinstance(arg, str):
            return Unknown("malformed Fn::Sub")
        text: list[str] = []
        unknown: list[Any] = []
        end = 0
        for match in _SUB_PLACEHOLDER.finditer(arg):
            text.append(arg[end : match.start()])
            end = match.end()
            name = match.group(1)
            if name.startswith("!"):
                text.append("${" + name[1:] + "}")
                continue
            value = variables[name] if name in variables else self._sub_variable(name, depth)
            piece = _text(value)
            if piece is None:
                unknown.append(value)
            else:
                text.append(piece)
        text.append(arg[end:])
        if not unknown:
            return "".join(_bounded(text, "Fn::Sub", self.budget))
        value = _single_ref(unknown, _SUB_PLACEHOLDER.fullmatch(arg) is not None, "Fn::Sub")
        if isinstance(value, Unknown) and arg[end:]:
            # The written end is known (a TemplateURL's file name).
            return Partial(value.reason, value.refs, arg[end:])
        return value

    def _sub_variable(self, name: str, depth: int) -> Any:
        if "." in name and name.split(".", 1)[0] in self._resources:
            return self.get_att(name, depth)
        value = self.ref(name, depth)
        return Unknown("AWS::NoValue inside Fn::Sub") if value is NOVALUE else value

    def join(self, arg: Any, depth: int) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("malformed Fn::Join")
        delimiter = self.value(arg[0], depth + 1)
        items = self.value(arg[1], depth + 1)
        if not isinstance(delimiter, str) or not isinstance(items, list):
            return unknown_from("Fn::Join over unknown values", items)
        pieces = [_text(item) for item in items]
        if None not in pieces:
            texts = [p for p in pieces if p is not None]
            _bounded(texts + [delimiter] * (len(texts) - 1), "Fn::Join", self.budget)
            return delimiter.join(texts)
        if len(items) == 1 and isinstance(items[0], Ref):
            return items[0]  # the reference itself, so the graph keeps the edge
        return Joined("Fn::Join of values known at deployment", delimiter, items)

    def select(self, arg: Any, depth: int) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("malformed Fn::Select")
        index = _index(self.value(arg[0], depth + 1))
        items = self.value(arg[1], depth + 1)
        if index is None or not isinstance(items, list) or not 0 <= index < len(items):
            return unknown_from("Fn::Select over unknown values", items)
        return items[index]

    def split(self, arg: Any, depth: int) -> Any:
        if not isinstance(arg, list) or len(arg) != 2:
            return Unknown("malformed Fn::Split")
        delimiter = self.value(arg[0], depth + 1)
        value = self.value(arg[1], depth + 1)
        source = _text(value)
        if isinstance(delimiter, str) and delimiter and source is None and isinstance(value, Joined):
            items = value.split(delimiter)
            if items is not None:
                return items
        if not isinstance(delimiter, str) or not delimiter or source is None:
            return unknown_from("Fn::Split of an unknown value", value)
        pieces = source.count(delimiter) + 1
        if pieces > MAX_SPLIT:
            raise ResolutionLimit(f"Fn::Split would return {pieces} pieces, over the limit of {MAX_SPLIT}")
        self.budget.charge(len(source) + pieces * ELEMENT_CHARS, "Fn::Split")
        return source.split(delimiter)

    def find_in_map(self, arg: Any, depth: int) -> Any:
        if not isinstance(arg, list) or len(arg) not in (3, 4):
            return Unknown("malformed Fn::FindInMap")
        keys = [_text(self.value(a, depth + 1)) for a in arg[:3]]
        if None in keys:
            return Unknown("Fn::FindInMap with an unknown key")
        node: Any = self._mappings
        for key in keys:
            node = _entry(node, key)
        if node is not None:
            return to_plain(node)
        default = arg[3] if len(arg) == 4 and isinstance(arg[3], dict) else {}
        if "DefaultValue" in default:
            return self.value(default["DefaultValue"], depth + 1)
        return Unknown("Fn::FindInMap of a missing entry")

    def base64(self, arg: Any, depth: int) -> Any:
        # Kept as the text before encoding: that is what a reader (or a secrets check) wants.
        return self.value(arg, depth + 1)

    def cidr(self, arg: Any, depth: int) -> Any:
        """``Fn::Cidr [block, count, bits]``: the first ``count`` subnets with ``bits`` host bits."""
        import ipaddress

        if not isinstance(arg, list) or len(arg) != 3:
            return Unknown("malformed Fn::Cidr")
        block, count, bits = (_text(self.value(a, depth + 1)) for a in arg)
        if block is None or count is None or bits is None:
            return unknown_from("Fn::Cidr of an unknown value", *(self.value(a, depth + 1) for a in arg))
        try:
            network = ipaddress.ip_network(block, strict=False)
            n, host_bits = int(count), int(bits)
            prefix = network.max_prefixlen - host_bits
            if not 1 <= n <= 256 or prefix < network.prefixlen:
                raise ValueError
            subnets = network.subnets(new_prefix=prefix)
            return [str(next(subnets)) for _ in range(n)]
        except (ValueError, StopIteration):
            return Unknown(f"Fn::Cidr cannot split {block} into {count} subnets of {bits} host bits")

    def length(self, arg: Any, depth: int) -> Any:
        value = self.value(arg, depth + 1)
        return len(value) if isinstance(value, list) else unknown_from("Fn::Length of an unknown list", value)

    def to_json_string(self, arg: Any, depth: int) -> Any:
        import json

        value = self.value(arg, depth + 1)
        if any(True for _ in iter_refs(value)) or not fully_known(value, refs_known=True, max_depth=MAX_DEPTH):
            return unknown_from("Fn::ToJsonString of an unknown value", value)
        size = resolved_size(value, MAX_STRING)
        if size > MAX_STRING:
            raise ResolutionLimit(f"Fn::ToJsonString would build a string of more than {MAX_STRING} characters")
        self.budget.charge(size, "Fn::ToJsonString")
        return json.dumps(value, separators=(",", ":"))

    def known_at_deployment(self, _arg: Any, _depth: int) -> Any:
        return Unknown("known at deployment")


def _as_list(value: Any) -> Any:
    """A list parameter's value from the string it is given as: split on commas, each item
    trimmed. A parent stack passes ``!Join [",", [!Ref A, !Ref B]]``: the references come back."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(",")]
    if isinstance(value, Joined):
        items = value.split(",")
        if items is not None:
            return [item.strip() if isinstance(item, str) else item for item in items]
    if isinstance(value, Ref) and not isinstance(value.value, str):
        return [value]  # one id passed alone
    return value


def _single_ref(unknown: list[Any], whole: bool, fn: str) -> Any:
    """The reference itself when it is all the expression is, so the graph keeps the edge."""
    if whole and len(unknown) == 1 and isinstance(unknown[0], Ref):
        return unknown[0]
    return unknown_from(f"{fn} of values known at deployment", *unknown)


def unknown_from(reason: str, *values: Any) -> Unknown:
    """An unknown that keeps the references it was computed from (they remain graph edges)."""
    refs: dict[Ref, None] = {}
    for value in values:
        refs.update(dict.fromkeys(iter_refs(value)))
    return Unknown(reason, refs=tuple(refs))


def _entry(node: Any, key: str) -> Any:
    # YAML may read a mapping key such as 80 as a number; CloudFormation compares text.
    if isinstance(node, dict):
        for candidate, value in node.items():
            if _text(candidate) == key:
                return value
    return None


def _index(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


_FUNCTIONS: dict[str, Callable[[Resolver, Any, int], Any]] = {
    "Ref": Resolver.ref,
    "Fn::GetAtt": Resolver.get_att,
    "Fn::Sub": Resolver.sub,
    "Fn::Join": Resolver.join,
    "Fn::Select": Resolver.select,
    "Fn::Split": Resolver.split,
    "Fn::FindInMap": Resolver.find_in_map,
    "Fn::Base64": Resolver.base64,
    "Fn::GetAZs": Resolver.known_at_deployment,
    "Fn::Cidr": Resolver.cidr,
    # AWS::LanguageExtensions
    "Fn::Length": Resolver.length,
    "Fn::ToJsonString": Resolver.to_json_string,
    "Fn::ImportValue": Resolver.known_at_deployment,
}
