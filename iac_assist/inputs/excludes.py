"""Exclude patterns (``--exclude``, the configuration's ``exclude``), read the way ``.gitignore`` is.

The one home of exclude matching: discovery asks ``Excludes.why`` of every folder it would walk and
every file it would read. Patterns are gitignore patterns, matched by the ``pathspec`` library's
``GitIgnoreSpec`` (what git itself does, edge cases included) against paths relative to the scan
root:

- a pattern without a slash (``examples``, ``*.tf``) matches a file or folder of that name at any
  depth; one with a slash in the middle or at the start (``modules/*/tests``, ``/legacy``) is
  anchored at the scan root, where ``*`` and ``?`` never cross a ``/``;
- ``**/`` matches any number of folders (``**/examples/**``, ``**/fixtures``);
- a trailing ``/`` matches folders only (``tests/``); a folder matched is left out whole;
- ``!pattern`` takes back what an earlier pattern left out; as in git, a file inside a folder
  that is left out cannot be taken back (the folder is never walked);
- ``\\`` escapes a special character (``\\!important.tf``, ``\\#x.tf``); a leading ``./``
  anchors the pattern at the scan root (``./legacy`` is ``/legacy``), as people write paths.

A pattern that matches no file or folder of the scan is reported (``unmatched``): it is most
likely a typo, or written for another root. ``pathspec`` is imported only when there are patterns
(about 10 ms).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class Excludes:
    """Compiled exclude patterns, and which of them matched anything so far."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = list(dict.fromkeys(patterns))
        """The patterns as given, each once, in order (the last matching one decides)."""
        self._spec: Any = None
        self._compiled: list[Any] = []
        self._unused: set[int] = set(range(len(self.patterns)))
        if self.patterns:
            from pathspec import GitIgnoreSpec

            # One spec per pattern gives its compiled form, kept at its index whatever pathspec
            # does with blank lines and comments (they compile to nothing and match nothing).
            self._compiled = [GitIgnoreSpec.from_lines([_normalized(p)]).patterns[:1] for p in self.patterns]
            self._index = [i for i, one in enumerate(self._compiled) for _ in one]
            self._spec = GitIgnoreSpec([p for one in self._compiled for p in one])

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def why(self, rel: str, folder: bool = False) -> str | None:
        """The pattern that leaves ``rel`` (a path relative to the scan root, ``/``-separated) out
        of the scan, or None when it stays in (no pattern, or a ``!`` pattern took it back)."""
        if self._spec is None:
            return None
        path = rel + "/" if folder else rel
        self.note(path)
        result = self._spec.check_file(path)
        if result.include and result.index is not None:
            return self.patterns[self._index[result.index]]
        return None

    def note(self, rel: str) -> None:
        """Record which patterns match ``rel`` (a folder ends with ``/``), whatever decides: a
        pattern matching only what another one also leaves out, or what is skipped anyway, is
        not reported as matching nothing."""
        if not self._unused:
            return
        for i in list(self._unused):
            if any(p.match_file(rel) is not None for p in self._compiled[i]):
                self._unused.discard(i)

    @property
    def unmatched(self) -> list[str]:
        """The patterns that matched no path noted so far, in the order given."""
        return [p for i, p in enumerate(self.patterns) if i in self._unused]


def literal(rel: str) -> str:
    """A pattern matching exactly the file ``rel`` (relative to the scan root), whatever characters
    its name holds."""
    escaped = "".join("\\" + c if c in "\\*?[]!#" else c for c in rel.rstrip(" "))
    # Trailing spaces would be dropped, as git drops them, unless escaped.
    return "/" + escaped + "\\ " * (len(rel) - len(rel.rstrip(" ")))


def _normalized(pattern: str) -> str:
    """``./x`` as ``/x``: anchored at the scan root, as a path written from it means."""
    if not pattern.startswith("./"):
        return pattern
    while pattern.startswith("./"):
        pattern = pattern[2:].lstrip("/")
    return "/" + pattern
