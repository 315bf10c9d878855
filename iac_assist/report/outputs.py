"""Report files: ``--report FORMAT=PATH`` and ``--output``, shared by ``scan`` and ``model``.

One analysis, several renders: the command checks every requested file before it scans (a typo
costs no time) and writes them after it, each fully or not at all, so a CI step never uploads a
half-written SARIF file left by an interrupted run or a full disk.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path


class ReportError(ValueError):
    """A ``--report`` that cannot be honoured: a usage error, said before anything is scanned."""


def parse_report(spec: str, formats: Sequence[str]) -> tuple[str, Path]:
    """``FORMAT=PATH`` as ``(format, path)``; the format is one of ``formats``."""
    fmt, sep, path = spec.partition("=")
    fmt = fmt.strip().lower()
    if not sep or not path:
        raise ReportError(f"expected FORMAT=PATH (e.g. sarif=results.sarif), not {spec!r}")
    if fmt not in formats:
        raise ReportError(f"unknown format {fmt!r} in {spec!r}; expected one of {', '.join(formats)}")
    if path.endswith(("/", os.sep)) or Path(path).is_dir():
        raise ReportError(f"{path} is a folder: name the file to write ({fmt}={path.rstrip('/' + os.sep)}/report)")
    folder = Path(path).parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent  # the folders missing are created when the file is written
    if folder.exists() and not folder.is_dir():
        raise ReportError(f"{path}: {folder} is a file, not a folder")
    return fmt, Path(path)


def _same_file(path: Path) -> Path:
    # Resolved: `out.sarif`, `./out.sarif` and a symlink to it are one file, written once.
    return path.resolve()


def check_targets(reports: Iterable[tuple[str, Path]], output: Path | None, read: Iterable[tuple[str, Path]]) -> None:
    """Every file written is named once (``--output`` included), and none is a file the run
    reads (``read``: what it is, and where; the configuration, the baseline, a variables file):
    a report cannot overwrite them."""
    seen: dict[Path, str] = {}
    named = [(f"--output {output}", output)] if output is not None else []
    named += [(f"{fmt}={path}", path) for fmt, path in reports]
    inputs = {_same_file(path): what for what, path in read}
    for label, path in named:
        key = _same_file(path)
        if key in seen:
            raise ReportError(f"{label} writes the same file as {seen[key]}")
        if key in inputs:
            raise ReportError(f"{label} would overwrite {inputs[key]}, which this run reads")
        seen[key] = label


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a temporary file in the same folder (the
    rename stays on one file system), renamed over ``path``. The folder is created. A path that
    is itself no regular file (a symbolic link such as ``/dev/stdout``, a device, a named pipe) is
    written through, in place, as it always was: renaming over it would replace the link or the
    device instead of writing where it leads. Raises OSError."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        with path.open("w", encoding="utf-8") as handle:
            handle.write(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile  # only when a file is written: a scan to the console starts faster

    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is as readable as -o made it
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
