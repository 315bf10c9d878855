"""What the engine needs of an input format: the front-end protocol.

The engine knows no format. Each front end (``parsers/terraform``, ``parsers/cloudformation``, or
one a plugin registers: see ``iac_assist.analysis.frontends``) is asked, in registry order, to take
its files among those discovery found, and hands back *scopes*: source resources whose addresses
are unique together, normalized with its own ``Normalizer``. Everything a format does on its own
(Terraform plans superseding their root module, CloudFormation's nested stacks and the alternative
deployments of open conditions) stays inside its front end.

A scan runs each front end in three steps, so that the expensive part can go to worker processes
(``--jobs``, see ``parallel.py``) while the result stays the same byte for byte:

1. ``FrontEnd.prepare``, in the parent: take files (a cheap look at their content), say how much
   loading work there is.
2. ``Preparation.batches``: that work in pieces that travel to workers (a module-level function
   and picklable arguments); only called when there are workers.
3. ``Preparation.finish``, in the parent, in registry order: join what the workers delivered (a
   piece they could not deliver is done here), and return the scopes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from iac_assist.model import ScanError

if TYPE_CHECKING:
    from iac_assist.model.builder import Normalizer
    from iac_assist.model.resource import SourceResource

Read = Callable[[Path, str, list], "str | None"]
"""``read(path, rel, errors)``: a file's text within the scan's size cap, or None with an error."""


@dataclass(frozen=True)
class ScanInputs:
    """What every front end is told about the scan."""

    root: Path
    """Every reported path is relative to it."""
    read: Read
    named: frozenset[Path] = frozenset()
    """Files named on the command line (resolved), as opposed to found in a folder."""


@dataclass(frozen=True)
class Batch:
    """A piece of loading work for a worker process: ``run(*args)``, whose result comes back
    pickled. ``run`` must be a module-level function (it travels by name)."""

    run: Callable[..., object]
    args: tuple


@dataclass
class Scope:
    """Source resources whose addresses are unique together (a Terraform root module, a plan, a
    CloudFormation root stack with its nested stacks), normalized together."""

    name: str
    """Where the addresses are unique: a folder or a file, relative to the root."""
    resources: list[SourceResource]
    """The resources as analysed: what is not known before deployment left unknown."""
    alternatives: list[list[SourceResource]] = field(default_factory=list)
    """Other possible deployments, each in full (CloudFormation's open conditions): a finding on
    ``resources`` stands only if it holds in every alternative that creates its resource."""
    assume_worst: bool = False
    """Judge ``alternatives`` by the worst one: a finding in any of them stands."""


@dataclass
class Loaded:
    """What a front end made of its files."""

    scopes: list[Scope] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    files: set[str] = field(default_factory=set)
    """Files analysed, relative to the root."""
    conditions: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    """Resources that exist only under conditions not known before deployment: (file, address) →
    those conditions, which their findings name."""


@runtime_checkable
class Preparation(Protocol):
    """One front end's share of one scan, between ``prepare`` and ``finish``."""

    claimed: set[Path]
    """The offered files it takes: front ends later in the registry are not offered them."""
    units: int
    """Independent units of loading work (a module folder, a root stack): with fewer than two, no
    worker is started."""
    size: int
    """Bytes of source those units hold (a small scan is not worth starting workers)."""
    slow_start: bool
    """Its workers first import something slow (cfn-lint): its batches are started first."""

    def batches(self, workers: int) -> list[Batch]:
        """The loading work in pieces, for ``workers`` worker processes."""
        ...

    def finish(self, delivered: list[object | None] | None) -> Loaded:
        """The scopes. ``delivered``: None when nothing was loaded in workers; else the result of
        each of ``batches``, in order, None for one a worker could not deliver (to be done here,
        where it fails as a serial scan would)."""
        ...


@runtime_checkable
class FrontEnd(Protocol):
    """An input format."""

    name: str
    """Its name: the ``format`` of its source resources and of its ``Normalizer``."""
    takes: tuple[str, ...]
    """The kinds of discovered files it is offered (``iac_assist.inputs.discovery.KINDS``)."""
    option: str
    """The keyword of ``scan``/``build_graph`` whose value it receives (``variables``), or ""."""
    option_type: type
    """What that value must be (checked before the scan starts: a TypeError names the keyword)."""

    def prepare(self, files: Mapping[str, list[Path]], scan: ScanInputs, options: object | None) -> Preparation:
        """Take its files among ``files`` (kind → paths not taken by an earlier front end);
        ``options``: the value given for ``option`` (None when none was), an ``option_type``."""
        ...

    @property
    def normalizer(self) -> Normalizer:
        """Its source resources into model components (imported on first use)."""
        ...


def internal_error(rel: str, err: Exception) -> ScanError:
    """A defect of ours while analysing ``rel``: reported, so that it fails the gate, never silent."""
    return ScanError(rel, 1, f"internal error while analysing this file ({type(err).__name__}: {err}); "
                     "please report it", category="internal-error")

