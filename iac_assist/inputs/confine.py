"""Paths that repository content names, confined to the scanned root.

A module ``source``, a ``file()`` argument, a ``Dir`` of ``.terraform/modules/modules.json``, a
nested stack's ``TemplateURL``: each is written by whoever wrote the repository, so each is
resolved here before anything is opened. A path is allowed when, every symbolic link followed,
it lies inside the scanned root and not in a ``.git`` folder (a CI checkout keeps its token in
``.git/config``). Callers open the path ``confine`` returns, never the name they were given, and
read it with the scan's size cap.
"""

from __future__ import annotations

import os
from pathlib import Path

GIT = ".git"
CATEGORY = "outside-root"
"""The ``ScanError`` category of every refusal (see ``iac_assist.model.NOT_ANALYSED``)."""


class Outside(Exception):
    """A named path that is not read: ``str(err)`` says why (``is outside the scanned root``)."""


def confine(name: str | os.PathLike[str], base: Path, root: Path) -> Path:
    """``name`` (relative to ``base``, or absolute) resolved, all links followed; raises
    ``Outside`` unless the result is inside ``root`` and outside every ``.git`` folder."""
    text = os.fspath(name)
    if "\0" in text:
        raise Outside("is not a valid path (it holds a NUL character)")
    try:
        target = (base / text).resolve()
    except (OSError, RuntimeError):  # RuntimeError: a link loop, before Python 3.13
        raise Outside("leads through a symbolic link loop") from None
    check(target, root)
    return target


def check(target: Path, root: Path, real_root: Path | None = None) -> None:
    """Raise ``Outside`` unless the resolved path ``target`` may be read for a scan of ``root``
    (``real_root``: ``root`` resolved, by a caller checking many paths)."""
    real_root = real_root or root.resolve()
    if target != real_root and real_root not in target.parents:
        raise Outside("is outside the scanned root")
    # Compared without case: on a case-insensitive file system .GIT/config is .git/config.
    if any(part.casefold() == GIT for part in target.relative_to(real_root).parts):
        raise Outside(f"is inside {GIT}/, which holds the repository's credentials")


def allowed(target: Path, root: Path) -> bool:
    """Whether ``target`` (any path: it is resolved) may be read for a scan of ``root``."""
    try:
        check(target.resolve(), root)
    except (Outside, OSError, RuntimeError):
        return False
    return True
