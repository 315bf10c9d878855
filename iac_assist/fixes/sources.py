"""The scanned files as an editor may read them, and as ``--write`` may replace them.

Every path here was written by the scanned repository (a resource's file, a variables file a value
came from): it is resolved with ``inputs.confine`` (inside the root, every link followed, never in
``.git/``), must be a regular file, and must still hold the text the scan read (its digest in
``ScanResult.digests``)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

from iac_assist.analysis.result import digest
from iac_assist.fixes.editor import CannotEdit
from iac_assist.inputs.confine import GIT, Outside, confine
from iac_assist.inputs.discovery import read_text

_UNSAFE_NAME = {chr(c) for c in range(32)} | {"\x7f"}
"""Characters a path in a diff header cannot carry unambiguously (a newline would forge a line)."""


def resolve(root: Path, rel: str) -> Path:
    """The real path of ``rel`` under ``root``; raises ``CannotEdit`` unless it is a regular file
    inside the root, reached without leaving it, outside ``.git/``."""
    pure = PurePosixPath(rel)
    if not rel or pure.is_absolute() or ".." in pure.parts or any(ch in _UNSAFE_NAME for ch in rel):
        raise CannotEdit(f"{rel!r} is not a plain path inside the scanned root")
    if any(part.casefold() == GIT for part in pure.parts):
        raise CannotEdit(f"{rel} is inside {GIT}/")
    try:
        path = confine(rel, root, root)
    except Outside as err:
        raise CannotEdit(f"{rel} {err}") from None
    if not path.is_file():
        raise CannotEdit(f"{rel} is not a regular file")
    return path


class SourceFiles:
    """``editor.Sources`` over a scan: texts as read, refused once changed since the scan."""

    def __init__(self, root: Path, digests: Mapping[str, str], max_file_size: int | None = None,
                 unscanned: bool = False) -> None:
        """``unscanned``: also read a file the scan did not note (one read in a worker process),
        for reports only: ``--write`` never edits a file without the digest of what was scanned."""
        self.root = root
        self.digests = digests
        self.max_file_size = max_file_size
        self.unscanned = unscanned
        self._texts: dict[str, str] = {}

    def text(self, rel: str) -> str:
        if rel in self._texts:
            return self._texts[rel]
        if rel not in self.digests and not self.unscanned:
            raise CannotEdit(f"{rel} was not read by the scan")
        path = resolve(self.root, rel)
        errors: list = []
        text = read_text(path, rel, errors, self.max_file_size)
        if text is None:
            raise CannotEdit(str(errors[0]) if errors else f"{rel} cannot be read")
        if rel in self.digests and digest(text) != self.digests[rel]:
            raise CannotEdit(f"{rel} changed since the scan")
        self._texts[rel] = text
        return text

    @property
    def read(self) -> dict[str, str]:
        """Every text given out so far, by file."""
        return dict(self._texts)


def write(root: Path, rel: str, before: str, after: str, max_file_size: int | None = None) -> None:
    """Replace ``rel``'s text ``before`` with ``after``; raises ``CannotEdit`` when the file may
    not be written or no longer holds ``before``. The file is replaced whole (a new file renamed
    over it, its permissions kept), so a reader never sees half of it; a UTF-8 byte order mark
    stays."""
    path = resolve(root, rel)
    errors: list = []
    current = read_text(path, rel, errors, max_file_size)
    if current is None or digest(current) != digest(before):
        raise CannotEdit(f"{rel} changed since the scan: not written")
    with path.open("rb") as handle:
        bom = handle.read(3) == b"\xef\xbb\xbf"
    data = (b"\xef\xbb\xbf" if bom else b"") + after.encode("utf-8", "surrogatepass")
    tmp = path.with_name(f".{path.name}.iac-assist-fix.{os.getpid()}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, path.stat().st_mode & 0o7777)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as err:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise CannotEdit(f"{rel} cannot be written: {err.strerror or err}") from None
