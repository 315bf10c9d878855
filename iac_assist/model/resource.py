"""A resource as a front end hands it over: evaluated values plus the location of each one.

Both front ends produce these (Terraform resource instances, CloudFormation resources after
intrinsics and conditions are resolved); normalizers turn them into model components.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from iac_assist.model import Location, Origin

Path = tuple[str | int, ...]

_MISSING = object()


@dataclass
class SourceResource:
    """An evaluated resource.

    ``body`` holds plain values (str, int, float, bool, None, list, dict), ``Unknown`` and ``Ref``.
    Terraform nested blocks appear as lists of dicts (``body["versioning"] == [{"enabled": True}]``);
    CloudFormation ``Properties`` appear as they are. ``locs`` maps a path into ``body``
    (``("versioning", 0, "enabled")``) to where it was written. ``origins`` maps a path to where
    its value came from when that was not where it was written (a variables file, a module input,
    a parameter's default): a side table, so that values stay plain.
    """

    address: str
    type: str
    loc: Location
    body: dict[str, Any]
    locs: dict[Path, Location] = field(default_factory=dict)
    format: str = "terraform"
    label: str = ""
    condition: str = ""
    """Why the resource may not exist at all, when that is not known before deployment: a
    Terraform block (or the module holding it) whose ``count``/``for_each`` is unknown, analysed
    as one representative instance (``aws_wafv2_web_acl_association.x.count > 0``)."""
    call_loc: Location | None = None
    """For a resource declared in a downloaded module (``.terraform/modules/...``, not part of the
    repository): the ``module`` block of the scanned configuration that leads to it, where reports
    that must point inside the repository (SARIF, annotations) place its findings."""
    origins: dict[Path, tuple[Origin, ...]] = field(default_factory=dict)

    def get(self, *path: str | int, default: Any = None) -> Any:
        node: Any = self.body
        for step in path:
            if isinstance(step, int):
                if not isinstance(node, list) or not -len(node) <= step < len(node):
                    return default
                node = node[step]
            else:
                if not isinstance(node, dict) or step not in node:
                    return default
                node = node[step]
        return node

    def has(self, *path: str | int) -> bool:
        return self.get(*path, default=_MISSING) is not _MISSING

    def at(self, *path: str | int) -> Location:
        """Location of the deepest part of ``path`` that was written down (the resource's own
        location when none was)."""
        for end in range(len(path), 0, -1):
            found = self.locs.get(tuple(path[:end]))
            if found is not None:
                return found
        return self.loc

    def origins_at(self, *path: str | int) -> tuple[Origin, ...]:
        """Where the value at ``path`` came from: the origins of the deepest part of ``path`` that
        has any, unless a deeper part was written down without any (its own literal)."""
        if not self.origins:
            return ()
        for end in range(len(path), 0, -1):
            part = tuple(path[:end])
            found = self.origins.get(part)
            if found is not None:
                return found
            if part in self.locs:
                return ()
        return ()

    def blocks(self, name: str) -> list[tuple[int, dict[str, Any]]]:
        """Nested blocks (Terraform) or a list property (CloudFormation) with their indexes."""
        value = self.body.get(name)
        if isinstance(value, dict):
            return [(0, value)]
        if isinstance(value, list):
            return [(i, v) for i, v in enumerate(value) if isinstance(v, dict)]
        return []
