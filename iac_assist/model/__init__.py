"""The normalized model every policy reads: format-independent components and their facts.

A component is one piece of architecture (a bucket, a listener, a database) whatever the input
format. Each fact keeps the location it was declared at, so a finding can point at the line
that caused it, even when the fact came from a satellite resource (``aws_s3_bucket_acl``,
``AWS::S3::BucketPolicy``) folded onto its owner.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Location:
    """A place in a scanned file. ``file`` is relative to the scan root, POSIX separators."""

    file: str
    line: int
    end_line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class Unknown:
    """A value that cannot be known before deployment (a variable without value, a computed id).

    Policies never report a definite finding from an unknown value.
    """

    __slots__ = ("reason", "refs")

    def __init__(self, reason: str = "", refs: tuple[Ref, ...] = ()) -> None:
        self.reason = reason
        self.refs = refs
        """References the value was computed from: they still become graph edges."""

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})" if self.reason else "Unknown()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown)

    def __hash__(self) -> int:
        return hash(Unknown)

    def __bool__(self) -> bool:
        raise TypeError("the truth of an unknown value is unknown; test with is_known() first")


UNKNOWN = Unknown()


def is_known(value: Any) -> bool:
    """True when ``value`` holds no unknown part at its top level."""
    return not isinstance(value, (Unknown, Ref))


def is_true(value: Any) -> bool:
    """A value known to be ``True``: what a check asks of an entry of a block or list (a rule, a
    replica) where ``Component.is_true`` asks of a fact. Unknown values and truthy non-booleans
    are not."""
    return value is True


def is_false(value: Any) -> bool:
    """A value known to be ``False`` (a setting definitely off); unknown values are not."""
    return value is False


def fully_known(value: Any, *, refs_known: bool = False, max_depth: int = 64) -> bool:
    """True when no part of ``value`` is unknown (nor, unless ``refs_known``, a reference), searched
    to ``max_depth`` levels: deeper than that counts as not known (input is untrusted)."""

    def known(item: Any, depth: int) -> bool:
        if isinstance(item, Unknown) or (not refs_known and isinstance(item, Ref)) or depth > max_depth:
            return False
        if isinstance(item, list):
            return all(known(v, depth + 1) for v in item)
        if isinstance(item, dict):
            return all(known(v, depth + 1) for v in item.values())
        return True

    return known(value, 0)


class UnknownSettings(dict):
    """A block of settings whose value is not known (a variable, a wrong type): it names no setting,
    and every setting asked of it is unknown."""

    def get(self, key: Any, default: Any = None) -> Any:
        return Unknown(f"{key} not known: its block is not known")

    def __missing__(self, key: Any) -> Any:
        return Unknown(f"{key} not known: its block is not known")


def settings(value: Any) -> dict[str, Any]:
    """A fact that holds a block of settings (a public access block, an encryption
    configuration), as a mapping whatever was written: the block itself; empty when absent
    (None); ``UnknownSettings`` when unknown or not a block at all. Checks ask it with ``.get()``
    and never have to test its type first."""
    if isinstance(value, dict):
        return value
    return {} if value is None else UnknownSettings()


def number_text(value: Any) -> str | None:
    """A number as text, integers without a fraction (``443``, ``6``, ``0.5``); None for what is not
    a number written in a file: booleans, infinities and NaN (1e309 overflows a float), integers
    too long to print. Every conversion of a number to text goes through here, so that a huge or
    overflowing number is the same unknown everywhere instead of an error in one place."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value) if value.bit_length() <= _MAX_INT_BITS else None
    if isinstance(value, float) and math.isfinite(value):
        return str(int(value)) if value.is_integer() else repr(value)
    return None


_MAX_INT_BITS = 13_000
"""Python refuses to print an integer of more than 4300 digits (about 14,000 bits)."""


@dataclass(frozen=True)
class Ref:
    """A reference to another resource's attribute, e.g. ``aws_s3_bucket.b.id`` or ``!Ref Bucket``.

    ``address`` is the referenced resource's address; ``value`` is the attribute's value when the
    configuration states it (a bucket's name), else UNKNOWN (a generated id). References are how
    satellites find their owner and how the graph gets its edges, in both formats alike.
    """

    address: str
    attribute: str = ""
    value: Any = UNKNOWN

    def __repr__(self) -> str:
        return f"Ref({self.address}.{self.attribute})" if self.attribute else f"Ref({self.address})"


@dataclass(frozen=True)
class Origin:
    """A place a value came from that is not the line it is used at: a variables file's line
    (``envs/prod.tfvars:3 sets db_public = true``), a variable's default, a module input, a
    CloudFormation parameter's ``Default``, or the command line (``file`` empty: no place in the
    repository). ``file`` is relative to the scan root, like every ``Location``; ``what`` quotes
    the scanned text and is escaped by each report."""

    file: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line} {self.what}" if self.file else self.what


MAX_ORIGINS = 8
"""Origins kept for one value: a chain through modules, or the variables an expression read."""
MAX_SHOWN = 60
"""Characters of a value quoted in an origin's text."""


def origins(*parts: Iterable[Origin]) -> tuple[Origin, ...]:
    """The origins of ``parts`` in order, each once, at most MAX_ORIGINS."""
    out: dict[Origin, None] = {}
    for part in parts:
        for origin in part:
            if len(out) >= MAX_ORIGINS:
                return tuple(out)
            out.setdefault(origin, None)
    return tuple(out)


def shown(value: Any) -> str:
    """A value as an origin's text quotes it: ``true``, ``3``, ``"prod"``; longer ones cut short."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    number = number_text(value)
    if number is not None:
        text = number
    elif isinstance(value, str):
        text = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    elif isinstance(value, list):
        text = "[...]" if value else "[]"
    elif isinstance(value, dict):
        text = "{...}" if value else "{}"
    else:
        text = "(known after apply)"
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN - 3] + "..."


@dataclass
class Fact:
    """One attribute of a component: its value and where it was declared."""

    value: Any
    loc: Location
    origin: str = ""
    """Address of the resource that declared it when that is not the component (a satellite)."""
    provenance: tuple[Origin, ...] = ()
    """Where the value came from when not from ``loc`` itself (a variables file, a default, a
    module input, a parameter): each place in order, nearest first."""


VOCABULARY_CHECK: Callable[[str, str], None] | None = None
"""Set by ``vocabulary.strict()``: raises for a fact the component's kind does not declare."""


@dataclass
class Component:
    """A format-independent piece of architecture.

    ``kind`` is the vocabulary policies use (``s3.bucket``, ``lb.listener``, ``rds.instance``...);
    ``address`` is what findings name (Terraform address or CloudFormation logical id);
    ``id`` is unique in the model (differs from ``address`` only for parts of a resource, such as
    the listeners of a classic ELB).
    """

    id: str
    kind: str
    address: str
    source_type: str
    loc: Location
    facts: dict[str, Fact] = field(default_factory=dict)
    label: str = ""
    """A name people recognise (CDK path, bucket name); the address when empty."""
    scope: str = ""
    """Where addresses are unique: the Terraform root module folder or the template file.
    References resolve within their scope."""
    call_loc: Location | None = None
    """For a component declared in a downloaded module: the calling ``module`` block in the
    repository (see ``SourceResource.call_loc``)."""

    def get(self, key: str, default: Any = None) -> Any:
        if VOCABULARY_CHECK is not None:
            VOCABULARY_CHECK(self.kind, key)
        fact = self.facts.get(key)
        return default if fact is None else fact.value

    def loc_of(self, key: str) -> Location:
        """Where ``key`` was declared, or the component itself when it was left unset."""
        if VOCABULARY_CHECK is not None:
            VOCABULARY_CHECK(self.kind, key)
        fact = self.facts.get(key)
        return self.loc if fact is None else fact.loc

    def set(self, key: str, value: Any, loc: Location | None = None, origin: str = "",
            provenance: tuple[Origin, ...] = ()) -> None:
        if VOCABULARY_CHECK is not None:
            VOCABULARY_CHECK(self.kind, key)
        self.facts[key] = Fact(value, loc or self.loc, origin, provenance)

    def has(self, key: str) -> bool:
        # Not checked: code that serves every kind asks whether this one has a fact (a vpc).
        return key in self.facts

    def refs(self) -> Iterator[tuple[str, Ref]]:
        """Every reference held in any fact, with the fact's name."""
        for key, fact in self.facts.items():
            for ref in iter_refs(fact.value):
                yield key, ref

    # --- questions with the "unknown is never a finding" rule inside ---------------------------
    # A check asks these instead of comparing ``get()`` itself: each answers True only for a
    # known value, so an unknown (``Unknown``, ``Ref``: a variable without value, a computed
    # attribute) never makes a check report, whichever way the question is put. ``unset`` is the
    # value a fact that was not written counts as (AWS's default for it, when it matters); a fact
    # holding None was not written either (null is unset, as in the mapping tables).

    def _value(self, key: str, unset: Any) -> Any:
        value = self.get(key)
        return unset if value is None else value

    def is_true(self, key: str, *, unset: Any = None) -> bool:
        """The fact is known to be ``True`` (``unset`` when not written)."""
        return is_true(self._value(key, unset))

    def is_false(self, key: str, *, unset: Any = None) -> bool:
        """The fact is known to be ``False`` (``unset`` when not written): a setting definitely off."""
        return is_false(self._value(key, unset))

    def equals(self, key: str, value: Any, *, unset: Any = None) -> bool:
        """The fact is known and equal to ``value`` (``unset`` when not written). Compared with
        ``==``: ask booleans with ``is_true``/``is_false``."""
        actual = self._value(key, unset)
        return is_known(actual) and actual == value

    def one_of(self, key: str, values: Iterable[Any], *, unset: Any = None) -> bool:
        """The fact is known and equal to one of ``values`` (``unset`` when not written)."""
        actual = self._value(key, unset)
        return is_known(actual) and any(actual == value for value in values)

    def is_unset(self, key: str) -> bool:
        """The fact was not written, or written empty (null, ``""``): definitely nothing given.
        An unknown value may be anything, so it is not unset."""
        return self.get(key) in (None, "")

    def below(self, key: str, limit: float, *, unset: Any = None) -> bool:
        """The fact is a known number (not a boolean) smaller than ``limit``."""
        actual = self._value(key, unset)
        return isinstance(actual, (int, float)) and not isinstance(actual, bool) and actual < limit

    def items(self, name: str) -> list[Any]:
        """A list-valued fact's elements; none when it is absent or unknown (nothing to judge),
        so that ``for x in comp.items(...)`` never tests the truth of an unknown."""
        value = self.get(name)
        return value if isinstance(value, list) else []

    @property
    def display(self) -> str:
        return self.label or self.address


class Withheld(Unknown):
    """A value written in the configuration that deployment is expected to replace (a NoEcho
    parameter's default): unknown to the policies that judge values, yet still a literal in the
    repository for those that look for secrets."""

    __slots__ = ("literal",)

    def __init__(self, literal: Any, reason: str = "") -> None:
        super().__init__(reason)
        self.literal = literal


def iter_refs(value: Any, _depth: int = 0) -> Iterator[Ref]:
    """References found anywhere inside a value (bounded depth: input is untrusted)."""
    if _depth > 64:
        return
    if isinstance(value, Ref):
        yield value
    elif isinstance(value, Unknown):
        yield from value.refs
    elif isinstance(value, Fact):
        yield from iter_refs(value.value, _depth + 1)
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_refs(item, _depth + 1)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from iter_refs(item, _depth + 1)


@dataclass(frozen=True)
class ScanError:
    """An input that could not be analysed (fully or in part). The rest of the scan goes on."""

    file: str
    line: int
    message: str
    column: int = 0
    level: str = "error"
    """``error`` fails the gate (exit 2); ``warning`` is reported only."""
    category: str = ""
    """What kind of gap this is, for the summary and the gate (see ``NOT_ANALYSED``): empty for
    a plain parse or evaluation problem."""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")
        return f"{where}: {self.message}"


NOT_ANALYSED: dict[str, str] = {
    "module-not-downloaded": "a registry or git module that terraform init has not downloaded",
    "remote-template": "a nested stack or included template that is not in the scanned tree",
    "sam-unexpanded": "a SAM template expanded without AWS's translator installed",
    "transform-unexpanded": "a CloudFormation transform or macro that is not expanded (AWS::Include, a custom macro)",
    "unknown-function": "a Terraform function or CloudFormation intrinsic the evaluator does not know",
    "world-cap": "CloudFormation conditions with more possible deployments than are enumerated",
    "value-cycle": "values that depend on each other in a cycle",
    "outside-root": "a file named by the repository that lies outside the scanned root or in .git",
    "skipped-iac": "an IaC file skipped by an exclude, a size cap or a folder rule",
    "missing-file": "a file the configuration reads (file(), templatefile()) that is not in the scanned tree",
    "plan-not-used": "a Terraform plan found beside .tf files it does not match, or a state found beside .tf "
                     "files, analysed as code instead",
    "repository-setting": "a setting of the scanned repository that waived or narrowed the gate",
    "internal-error": "a resource a rule could not judge because of a defect of iac-assist (please report it)",
}
"""Categories of ``ScanError`` that say some of the input was not analysed (or was waived by the
repository itself). Each is counted in the summary of every format, and
``--fail-on-unanalysed`` turns any of them into a failing gate (exit 2)."""
