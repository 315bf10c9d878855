"""The shape of a policy: one declarative unit per control, with its check over the model.

A policy's metadata (title, rationale, remediation, STRIDE, CWE, severity) is written once here
and feeds the text report, SARIF rule metadata and the generated documentation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from iac_assist.findings import SEVERITIES, Finding
from iac_assist.model import Component, Location

if TYPE_CHECKING:
    from iac_assist.graph import ResourceGraph

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

    def __post_init__(self) -> None:
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

        The same files are the policy's test fixtures and the examples of its documentation."""
        from importlib.resources import files

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
            yield Finding(
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
            )


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
) -> Callable[[Check], Policy]:
    """Declare a policy; the check function's docstring is its rationale."""

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
        )

    return make
