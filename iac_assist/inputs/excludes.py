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

The tool's other globs are not paths and keep their own syntax: resource addresses in a
``--data-classification`` file (``aws_s3_bucket.*``, fnmatch, where ``*`` spans ``.`` and ``[...]``
as people expect of an address), IAM actions and ARNs (``s3:Get*``, as AWS matches them).
Suppressions and baselines name rules and fingerprints, never paths.

A pattern that matches no file or folder of the scan is reported (``unmatched``): it is most
likely a typo, or written for another root. ``pathspec`` (and ``regex``, which matches its
expressions within a time bound) are imported only when there are patterns (about 45 ms).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MATCH_SECONDS = 0.05
"""Longest one pattern may take to match one path. A pattern comes from the repository's
configuration too, and a gitignore pattern is a regular expression: ``*a*a*a*a*a*a*a*b`` against a
long name of ``a`` backtracks for hours in Python's ``re``. Matching runs in the ``regex`` engine,
which can stop; a pattern that takes longer is dropped with a warning (``too_slow``): more is
scanned, never less."""
DIR_MARK = "ps_d"
"""The group pathspec's gitignore regexes capture when a path matched as inside a matched folder."""


class Excludes:
    """Compiled exclude patterns, and which of them matched anything so far."""

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = list(dict.fromkeys(patterns))
        """The patterns as given, each once, in order (the last matching one decides)."""
        self._rules: list[tuple[int, bool, Any]] = []
        """(index in ``patterns``, include, compiled regex); blank and comment patterns have none."""
        self._unused: set[int] = set(range(len(self.patterns)))
        self.too_slow: list[str] = []
        """Patterns dropped because matching them took longer than MATCH_SECONDS."""
        if self.patterns:
            import regex
            from pathspec import GitIgnoreSpec

            for index, pattern in enumerate(self.patterns):
                for compiled in GitIgnoreSpec.from_lines([_normalized(pattern)]).patterns[:1]:
                    if compiled.include is not None and compiled.regex is not None:
                        self._rules.append((index, compiled.include, regex.compile(compiled.regex.pattern)))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def why(self, rel: str, folder: bool = False) -> str | None:
        """The pattern that leaves ``rel`` (a path relative to the scan root, ``/``-separated) out
        of the scan, or None when it stays in (no pattern, or a ``!`` pattern took it back)."""
        path = rel + "/" if folder else rel
        # git's rule, as pathspec's GitIgnoreSpec applies it: the last matching pattern decides,
        # except that a path matched as inside an excluded folder (priority 1) cannot be taken back
        # by a pattern naming it (a file cannot be re-included when its folder is excluded).
        include, decided, priority = False, -1, 0
        for index, includes, compiled in list(self._rules):
            match = self._match(index, compiled, path)
            if match is None:
                continue
            self._unused.discard(index)
            dir_mark = bool(match.groupdict().get(DIR_MARK))
            rank = 1 if dir_mark else 2
            if (includes and dir_mark) or rank >= priority:
                include, decided, priority = includes, index, rank
        return self.patterns[decided] if include else None

    def note(self, rel: str) -> None:
        """Record which patterns match ``rel`` (a folder ends with ``/``), whatever decides: a
        pattern matching only what another one also leaves out, or what is skipped anyway, is
        not reported as matching nothing."""
        if not self._unused:
            return
        for index, _, compiled in list(self._rules):
            if index in self._unused and self._match(index, compiled, rel) is not None:
                self._unused.discard(index)

    @property
    def unmatched(self) -> list[str]:
        """The patterns that matched no path noted so far, in the order given (a pattern dropped
        as too slow is reported as such, not here)."""
        slow = set(self.too_slow)
        return [p for i, p in enumerate(self.patterns) if i in self._unused and p not in slow]

    def _match(self, index: int, compiled: Any, path: str) -> Any:
        try:
            return compiled.match(path, timeout=MATCH_SECONDS)
        except TimeoutError:
            self.too_slow.append(self.patterns[index])
            self._rules = [rule for rule in self._rules if rule[0] != index]
            return None


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
