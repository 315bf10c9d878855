"""The state of a folder tree, as one digest: what a scan of it can have depended on.

A scan reads only inside its root (``confine``), but from many places: discovery's walk, the
module loader's listings and ``.terraform/modules/modules.json``, ``file()``, ``fileset()`` and
``fileexists()``, variables files found beside a module, nested stacks, plans, the comments of
inline suppressions, the fixes' source texts. Rather than trusting each of them to report what it
read (one forgotten call site would make a cached result silently stale), the whole tree is
summed: every entry's name and type, every link's target, every regular file's size and content.
A file added, removed, renamed or edited anywhere under the root changes the digest.

``.git`` is listed but never entered (the scan never reads it). A file larger than ``large``
bytes (the scan's own size cap: it cannot read more of it than that) is summed by its size and
change time instead of its content, unless it changed in the last seconds (a change within the
file system's clock tick would not show in its times); so is no file when the tree holds more
than ``max_entries`` entries or ``max_bytes`` of content to hash: then there is no digest, and
no cached result (the walk would cost what the cache saves).
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path

GIT = ".git"
MAX_ENTRIES = 100_000
MAX_BYTES = 256 * 1024 * 1024
RACY_SECONDS = 3.0
"""A file whose times are this recent is hashed whatever its size (see the module docstring)."""


class _TooLarge(Exception):
    pass


Seen = dict[str, tuple[tuple[int, ...], str]]
"""File → its times and size when it was hashed, and the hash: a walk given the one before it
hashes again only the files whose times changed or are recent (a write always moves a file's
change time, which no program sets back)."""


def tree_digest(root: Path, large: int, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES,
                seen: Seen | None = None) -> str | None:
    """The digest of ``root``'s tree (see the module docstring), or None when it is too large to
    be worth one or cannot be listed. ``seen``: filled with what this walk hashed, and used (an
    earlier walk's) to skip files unchanged since."""
    walk = _Walk(large, max_entries, max_bytes, {} if seen is None else seen)
    try:
        walk.folder(os.fspath(root), "")
    except (_TooLarge, RecursionError):  # RecursionError: folders nested deeper than Python's stack
        return None
    except OSError as err:
        walk.add("!", "", str(err.errno))  # unlistable root: the scan says so; the cache treats it as a state
    return walk.digest.hexdigest()


class _Walk:
    def __init__(self, large: int, max_entries: int, max_bytes: int, seen: Seen) -> None:
        self.digest = hashlib.sha256()
        self.seen = seen
        self.large = large
        self.entries_left = max_entries
        self.bytes_left = max_bytes
        self.now = time.time()

    def add(self, kind: str, rel: str, detail: str) -> None:
        # NUL cannot occur in a file name: the fields cannot run into each other.
        self.digest.update(f"{kind}\0{rel}\0{detail}\0".encode("utf-8", "surrogateescape"))

    def folder(self, path: str, rel: str) -> None:
        with os.scandir(path) as listing:
            entries = sorted(listing, key=lambda e: e.name)
        for entry in entries:
            self.entries_left -= 1
            if self.entries_left < 0:
                raise _TooLarge
            name = f"{rel}/{entry.name}" if rel else entry.name
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError as err:
                self.add("?", name, str(err.errno))
                continue
            if stat.S_ISLNK(info.st_mode):
                self.add("l", name, os.readlink(entry.path))
            elif stat.S_ISDIR(info.st_mode):
                self.add("d", name, "")
                if entry.name.casefold() == GIT:
                    continue
                try:
                    self.folder(entry.path, name)
                except OSError as err:
                    self.add("!", name, str(err.errno))
            elif stat.S_ISREG(info.st_mode):
                self.add("f", name, self.file(entry.path, info))
            else:  # a FIFO or a device is never opened: the scan does not read them either
                self.add("o", name, str(stat.S_IFMT(info.st_mode)))

    def file(self, path: str, info: os.stat_result) -> str:
        recent = self.now - max(info.st_mtime, info.st_ctime) < RACY_SECONDS
        if info.st_size > self.large and not recent:
            return f"{info.st_size}:{info.st_mtime_ns}:{info.st_ctime_ns}:{info.st_ino}:{info.st_dev}"
        self.bytes_left -= info.st_size
        if self.bytes_left < 0:
            raise _TooLarge
        times = (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)
        known = self.seen.get(path)
        if known is not None and known[0] == times and not recent:
            return known[1]
        digest = hashlib.sha256()
        try:
            with open(path, "rb") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
        except OSError as err:
            return f"unreadable:{err.errno}"
        summed = f"{info.st_size}:{digest.hexdigest()}"
        if not recent:  # a write in the same clock tick as the last would not move its times
            self.seen[path] = (times, summed)
        return summed
