"""The source lines a finding points at, for the reports that show them (the text report's
``--show-source``, the HTML threat model): read only inside the scanned root, each file once,
bounded in size. The lines are the scanned repository's text, untrusted: callers escape them
(``safe_text.visible``) before showing them, like every other value from the scan.
"""

from __future__ import annotations

from pathlib import Path

from iac_assist.analysis.findings import Finding
from iac_assist.inputs.confine import allowed

CONTEXT = 2
"""Source lines shown around a finding's lines."""
MAX_LINES = 24
"""Source lines shown per finding at most (a finding on a 300-line resource shows its start)."""
MAX_LINE = 240
"""Characters of one source line shown at most."""
MAX_FILE = 4 << 20
"""Bytes of a file read for its lines at most (a larger one shows no source)."""


class SourceLines:
    """Lines of the scanned files, read once each, only inside the scanned root (``confine``:
    no symbolic link out of it, nothing in ``.git``)."""

    def __init__(self, root: Path, context: int = CONTEXT, max_lines: int = MAX_LINES) -> None:
        self.root = root
        self.context = context
        self.max_lines = max_lines
        self.cache: dict[str, list[str] | None] = {}

    def lines(self, finding: Finding) -> list[list[int | str]]:
        """``[[number, text], ...]``: the finding's lines with ``context`` lines either side, at
        most ``max_lines``, each clipped to ``MAX_LINE`` characters; none when unreadable."""
        text = self._file(finding.loc.file)
        if not text or finding.loc.line < 1:
            return []
        first = max(1, finding.loc.line - self.context)
        last = min(len(text), max(finding.loc.end_line, finding.loc.line) + self.context,
                   first + self.max_lines - 1)
        return [[n, clip(text[n - 1])] for n in range(first, last + 1)]

    def _file(self, rel: str) -> list[str] | None:
        if rel not in self.cache:
            self.cache[rel] = None
            path = self.root / rel
            try:
                if rel and allowed(path, self.root) and path.is_file() and path.stat().st_size <= MAX_FILE:
                    self.cache[rel] = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                pass
        return self.cache[rel]


def clip(line: str) -> str:
    return line if len(line) <= MAX_LINE else line[:MAX_LINE] + "…"
