"""The progress line a scan draws on standard error while it works, on a terminal.

    iac-assist: 412 files found, 37 modules and templates analysed, loading 5/8, 3.4s

It appears only once a scan has taken more than a moment (``DELAY``: a pre-commit run never
flickers), is redrawn in place at most every ``INTERVAL`` and erased at the end, so what stays on
the screen is the report. It is drawn on a terminal only (the CLI decides: ``--progress`` asks for
it anywhere); on a stream that is not one (a CI log, asked for) each state is a line of its own,
at most one every ``LOG_INTERVAL``, and nothing is erased. Its text is ours alone (counts and
step names, never a file name from the scan), and it never reaches standard output.

It observes the engine (``iac_assist.analysis.progress.Progress``); with ``--jobs`` the pool's
thread reports finished batches, hence the lock.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Callable
from typing import TextIO

DELAY = 0.5
"""Seconds a scan runs before the line appears."""
INTERVAL = 0.1
"""Seconds between redraws on a terminal."""
LOG_INTERVAL = 2.0
"""Seconds between lines when the stream is not a terminal."""
_ERASE = "\r\033[K"


class ProgressLine:
    """A ``Progress`` observer drawing one line on ``stream``; ``in_place``: redraw it over itself
    (a terminal) rather than write a line per state (a log); ``close`` erases it."""

    def __init__(self, stream: TextIO, in_place: bool = True, clock: Callable[[], float] = time.monotonic,
                 width: Callable[[], int] | None = None) -> None:
        self.stream = stream
        self.in_place = in_place
        self.clock = clock
        self.width = width or (lambda: shutil.get_terminal_size((80, 24)).columns)
        self.started = clock()
        self.drawn_at: float | None = None
        self.lock = threading.Lock()
        self.files = self.scopes = self.done = self.total = 0
        self.step_name = ""

    def found(self, files: int) -> None:
        with self.lock:
            self.files, self.scopes, self.step_name = files, 0, ""
            self._draw()

    def step(self, name: str, total: int) -> None:
        with self.lock:
            self.step_name, self.total, self.done = name, total, 0
            self._draw()

    def advance(self, done: int = 1) -> None:
        with self.lock:
            self.done = min(self.total, self.done + done)
            self._draw()

    def analysed(self, scopes: int) -> None:
        with self.lock:
            self.scopes += scopes
            self._draw()

    def text(self) -> str:
        parts = [f"{self.files} file{'s' if self.files != 1 else ''} found"]
        if self.scopes:
            what = "module or template" if self.scopes == 1 else "modules and templates"
            parts.append(f"{self.scopes} {what} analysed")
        if self.step_name:
            parts.append(f"{self.step_name} {self.done}/{self.total}")
        parts.append(f"{self.clock() - self.started:.1f}s")
        return "iac-assist: " + ", ".join(parts)

    def close(self) -> None:
        """Erase the line (on a terminal), leaving the cursor where it was before."""
        with self.lock:
            if self.drawn_at is not None and self.in_place:
                self.stream.write(_ERASE)
                self.stream.flush()
            self.drawn_at = None

    def _draw(self) -> None:
        now = self.clock()
        if now - self.started < DELAY:
            return
        interval = INTERVAL if self.in_place else LOG_INTERVAL
        if self.drawn_at is not None and now - self.drawn_at < interval:
            return
        self.drawn_at = now
        text = self.text()
        if self.in_place:
            # Wider than the terminal, the line would wrap and the redraw leave its head behind.
            self.stream.write(_ERASE + text[: max(10, self.width() - 1)])
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
