"""The shape of a policy: one declarative unit per control, with its check over the model.

A policy's metadata (title, rationale, remediation, STRIDE, CWE, severity) is written once here
and feeds the text report, SARIF rule metadata and the generated documentation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from iac_assist.analysis.findings import SEVERITIES, Finding
from iac_assist.fixes.declare import FixRule
from iac_assist.model import Component, Fact, Location, ScanError, shown

if TYPE_CHECKING:
    from iac_assist.model.graph import ResourceGraph

STRIDE_NAMES = {
    "S": "Spoofing",
    "T": "Tampering",
    "R": "Repudiation",
    "I": "Information disclosure",
    "D": "Denial of service",
    "E": "Elevation of privilege",
}
EXAMPLE_FILES = {
    # format -> (insecure, fixed) file names under policies/examples/<control>/
    "terraform": ("insecure.tf", "fixed.tf"),
    "cloudformation": ("insecure.yaml", "fixed.yaml"),
}


@dataclass(frozen=True)
class Hit:
    """What a check yields: the component concerned, where the cause is, and why."""

    component: Component
    loc: Location
    message: str
    cause: str = ""
    related: tuple[tuple[Location, str], ...] = ()
    path: tuple[tuple[Location, str], ...] = ()
    """For a reachability finding: each hop from the internet to the resource, in order."""


Check = Callable[["ResourceGraph"], Iterable[Hit]]


@dataclass(frozen=True)
class PolicySource:
    """Where a policy of one's own comes from (``--policies-dir``, the ``iac_assist.policies``
    entry points): its defects are the author's to fix, not ours to be told about."""

    file: str
    """The module defining it, as shown in reports (relative to the scan root when it can be)."""
    line: int
    examples: str = ""
    """The folder holding ``<control>/insecure.tf``... (``DIR/examples``); empty: none."""


@dataclass(frozen=True)
class Policy:
    id: str
    control: str
    title: str
    severity: str
    stride: str
    cwe: int
    rationale: str
    remediation: str
    check: Check = field(repr=False, compare=False)
    precision: str = "high"
    references: tuple[str, ...] = ()
    formats: tuple[str, ...] = tuple(EXAMPLE_FILES)
    """The input formats that can write what the policy checks (a Terraform-only resource: the
    IAM password policy); its examples come in each of them."""
    source: PolicySource | None = field(default=None, compare=False)
    """None for a built-in policy; for one of one's own, where it was defined."""
    fix: FixRule | None = field(default=None, repr=False, compare=False)
    """The smallest safe edit that makes a hit pass, on the model (see ``iac_assist.fixes.declare``)."""
    no_fix: str = ""
    """Why no edit can be right for this control (the CIDR to allow is only known to the user)."""

    def __post_init__(self) -> None:
        if self.fix is not None and self.no_fix:
            raise ValueError(f"{self.id}: a fix and a reason for having none")
        if not self.formats or not set(self.formats) <= set(EXAMPLE_FILES):
            raise ValueError(f"{self.id}: formats among {sorted(EXAMPLE_FILES)}, got {self.formats!r}")
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.id}: unknown severity {self.severity!r}")
        if not set(self.stride) <= set("STRIDE"):
            raise ValueError(f"{self.id}: STRIDE letters only, got {self.stride!r}")

    @property
    def stride_letters(self) -> list[str]:
        """The STRIDE letters in STRIDE order, each once, whatever order they were declared in."""
        return [letter for letter in STRIDE_NAMES if letter in self.stride]

    def examples(self) -> dict[str, tuple[str, str]]:
        """``{format: (insecure, fixed)}`` source texts shipped with the policy.

        The same files are the policy's test fixtures and the examples of its documentation; the
        folder's ``expected.json`` (the tests' snapshot of the findings) is neither read nor shipped."""
        from importlib.resources import files
        from pathlib import Path

        folder: Any
        if self.source is not None:
            if not self.source.examples:
                return {}
            folder = Path(self.source.examples) / self.control
        else:
            folder = files("iac_assist.policies") / "examples" / self.control
        out = {}
        for fmt, names in EXAMPLE_FILES.items():
            texts = tuple((folder / name).read_text(encoding="utf-8") for name in names if (folder / name).is_file())
            if len(texts) == 2:
                out[fmt] = texts
        return out

    @property
    def name(self) -> str:
        """A PascalCase name for SARIF ``rule.name``."""
        return "".join(part.capitalize() for part in self.control.split("-"))

    def run(self, graph: ResourceGraph) -> Iterator[Finding]:
        for hit in self.check(graph):
            yield self.finding(hit)

    def finding(self, hit: Hit) -> Finding:
        name, fact = _cited(hit)
        return Finding(
            rule_id=self.id,
            control=self.control,
            severity=self.severity,
            title=self.title,
            resource=hit.component.address,
            loc=hit.loc,
            message=hit.message,
            cause=hit.cause,
            related=hit.related,
            path=hit.path,
            origins=fact.provenance if fact is not None else (),
            origin_of=_claim(name, fact.value) if fact is not None else "",
        )

    def judge(self, graph: ResourceGraph) -> tuple[list[Finding], list[ScanError]]:
        """The policy's findings, and an error for each component it could not judge.

        A defect of ours that raises while a component is judged costs the findings on that
        component only: the check is run again with it left out of the loop that was judging
        it (every other question still sees it), and the error names it, file and line. The
        error fails the gate, since an unjudged resource is no pass."""
        try:
            return list(self.run(graph)), []
        except Exception as err:  # noqa: BLE001 - a defect of ours; isolated below
            first = err
        view = _JudgingView(graph)
        kept: list[Finding] = []
        unjudged: list[ScanError] = []
        while len(unjudged) < MAX_UNJUDGED:
            view.start()
            partial: list[Hit] = []
            try:
                partial.extend(self.check(view))  # type: ignore[arg-type]  # duck-typed graph
                return kept + [self.finding(h) for h in partial], unjudged
            except Exception as err:  # noqa: BLE001
                culprit = view.judged()
                if culprit is None or culprit.id in view.hidden:
                    first = err
                    break
                view.hidden.add(culprit.id)
                # Findings on it before the defect struck are still true.
                kept.extend(self.finding(h) for h in partial if h.component is culprit)
                unjudged.append(ScanError(
                    culprit.loc.file, culprit.loc.line,
                    f"rule {self.id} could not judge {culprit.address} ({_describe(err)}); its findings on this "
                    f"resource are missing; {self._defect_note()}", category=self._defect_category()))
            finally:
                view.stop()
        if self.source is not None:
            return [], [ScanError(self.source.file, self.source.line, f"rule {self.id} raised "
                                  f"({_describe(first)}); its findings are missing; {self._defect_note()}")]
        return [], [ScanError("", 0, f"internal error in rule {self.id} ({_describe(first)}); its findings are "
                              "missing; please report it", category="internal-error")]

    def _defect_note(self) -> str:
        if self.source is None:
            return "please report it"
        return f"fix the policy of your own ({self.source.file}:{self.source.line})"

    def _defect_category(self) -> str:
        # A policy of one's own that raises is an error (exit 2) of its author's, not a defect of
        # iac-assist (the internal-error category says "please report it").
        return "internal-error" if self.source is None else ""


def _claim(name: str, value: Any) -> str:
    """``publicly_accessible is true``; ``policy is set`` for a value too large to quote."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return f"{name} is {shown(value)}"
    return f"{name} is set"


def _cited(hit: Hit) -> tuple[str, Fact | None]:
    """The fact of the hit's component that the hit points at, when its value came from elsewhere
    (see ``Fact.provenance``): the fact named by the cause, else the first at the hit's line.
    Checks cite a fact by its location (``comp.loc_of(name)``), so every policy gets it alike."""
    facts = hit.component.facts
    fact = facts.get(hit.cause)
    if fact is not None and fact.provenance and fact.loc == hit.loc:
        return hit.cause, fact
    if hit.loc == hit.component.loc:
        return "", None  # the resource itself (something missing): no value is cited
    for name, fact in facts.items():
        if fact.provenance and fact.loc == hit.loc:
            return name, fact
    return "", None


MAX_UNJUDGED = 16
"""Components a policy may fail to judge before the whole policy is given up (each costs a rerun)."""


def _describe(err: Exception) -> str:
    text = " ".join(str(err).split())
    return f"{type(err).__name__}: {text[:200]}" + ("..." if len(text) > 200 else "")


class _JudgingView:
    """The graph as a policy sees it on a rerun after a defect: the iterations over components
    (``of_kind``, ``components.values()``) are tracked, so that the component being judged when
    the check raises is known, and the outermost loops skip the components already given up."""

    def __init__(self, graph: ResourceGraph) -> None:
        self._graph = graph
        self.hidden: set[str] = set()
        self._active: list[_Tracking] = []
        self._derived: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._graph, name)

    def start(self) -> None:
        self._active = []
        # Indexes may have been computed from a component that is now left out: compute afresh.
        self._derived = {}

    def stop(self) -> None:
        self._active = []

    def judged(self) -> Component | None:
        """The current component of the outermost loop still running."""
        return self._active[0].current if self._active else None

    def derived(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    def of_kind(self, *kinds: str) -> list[Component]:
        return _Tracked(self, self._graph.of_kind(*kinds))

    @property
    def components(self) -> dict[str, Component]:
        return _TrackedComponents(self, self._graph.components)


class _Tracked(list):
    def __init__(self, view: _JudgingView, items: Iterable[Component]) -> None:
        super().__init__(items)
        self._view = view

    def __iter__(self) -> Iterator[Component]:
        return _Tracking(self._view, list.__iter__(self))


class _TrackedComponents(dict):
    def __init__(self, view: _JudgingView, components: dict[str, Component]) -> None:
        super().__init__(components)
        self._view = view

    def values(self) -> Any:
        return _Tracked(self._view, dict.values(self))


class _Tracking:
    """An iteration over components that the view knows is running, and at which component."""

    def __init__(self, view: _JudgingView, items: Iterator[Component]) -> None:
        self._view = view
        self._items = items
        self.current: Component | None = None
        self._outermost = not view._active
        view._active.append(self)

    def __iter__(self) -> _Tracking:
        return self

    def __next__(self) -> Component:
        for comp in self._items:
            if self._outermost and getattr(comp, "id", None) in self._view.hidden:
                continue
            self.current = comp
            return comp
        self._leave()
        raise StopIteration

    def _leave(self) -> None:
        if self in self._view._active:
            self._view._active.remove(self)

    def __del__(self) -> None:
        # An iteration left early (any(), next(), break) is over when it is dropped.
        self._leave()


def policy(
    *,
    id: str,
    control: str,
    title: str,
    severity: str,
    stride: str,
    cwe: int,
    remediation: str,
    precision: str = "high",
    references: tuple[str, ...] = (),
    formats: tuple[str, ...] = tuple(EXAMPLE_FILES),
    fix: FixRule | None = None,
    no_fix: str = "",
) -> Callable[[Check], Policy]:
    """Declare a policy; the check function's docstring is its rationale. ``fix``: its fix on the
    model (``SetFacts``, or a function: see ``iac_assist.fixes.declare``); ``no_fix``: why none can
    be right."""

    def make(check: Check) -> Policy:
        doc = (check.__doc__ or "").strip()
        if not doc:
            raise ValueError(f"{id}: a policy's check needs a docstring (its rationale)")
        return Policy(
            id=id,
            control=control,
            title=title,
            severity=severity,
            stride=stride,
            cwe=cwe,
            rationale=" ".join(doc.split()),
            remediation=remediation.strip(),
            check=check,
            precision=precision,
            references=references,
            formats=formats,
            fix=fix,
            no_fix=" ".join(no_fix.split()),
        )

    return make
