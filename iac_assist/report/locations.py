"""Where a finding is in the repository, for the reports a code host reads (SARIF, GitHub
annotations, JUnit, Markdown).

A scan reports paths relative to its root (often a subfolder of a repository). Code hosts want
them relative to the repository root, and every location must be a file of the repository:
findings inside a downloaded module (``.terraform/modules/...``, not committed) are placed on
the ``module`` block that calls it.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from iac_assist.inputs.discovery import repository_root
from iac_assist.model import Location

if TYPE_CHECKING:
    from iac_assist.analysis.result import ScanResult


@dataclass(frozen=True)
class RepoLocations:
    """Turns scan-relative locations into repository-relative ones."""

    prefix: str = ""
    """The scan root relative to the repository root, ``""`` or ending with ``/`` (``infra/prod/``)."""
    calls: dict[str, Location] = field(default_factory=dict)
    """Scan-relative folder of downloaded module code → the calling ``module`` block."""

    def path(self, rel: str) -> str:
        """A scan-relative path as a repository-relative one."""
        return self.prefix + rel if rel else rel

    def call_for(self, loc: Location) -> Location | None:
        """The module call standing for ``loc`` when ``loc`` is in downloaded module code."""
        if not self.calls:
            return None
        folder = posixpath.dirname(loc.file)
        while folder:
            call = self.calls.get(folder)
            if call is not None:
                return call
            folder = posixpath.dirname(folder)
        return None

    def place(self, loc: Location) -> Location:
        """``loc`` in the repository: the module call for downloaded code, the path re-rooted."""
        target = self.call_for(loc) or loc
        return replace(target, file=self.path(target.file))


def repo_locations(result: ScanResult) -> RepoLocations:
    """The mapping for ``result``: its root within the repository found by walking up to ``.git``
    (the scan root itself when there is none), and the calls of every downloaded module."""
    prefix = ""
    repo = repository_root(result.root) if result.root.is_dir() else None
    if repo is not None:
        rel = result.root.resolve().relative_to(repo).as_posix()
        prefix = "" if rel == "." else rel + "/"
    calls: dict[str, Location] = {}
    if result.graph is not None:
        for comp in result.graph.components.values():
            if comp.call_loc is not None:
                calls.setdefault(posixpath.dirname(comp.loc.file), comp.call_loc)
    return RepoLocations(prefix, calls)


def automation_id(places: RepoLocations) -> str:
    """GitHub's analysis category for a scan root: ``iac-assist/<root in the repository>/``, so
    that scans of different roots are separate analyses and a re-scan replaces its own."""
    return f"iac-assist/{places.prefix}"
