"""What a scan tells an observer while it works: the engine reports its steps here and knows
nothing of terminals (the CLI's progress line is ``iac_assist.report.progress``).

The steps, in order: the files discovery found; the loading work (parsing module folders, decoding
root stacks), counted as it completes — in worker processes (``--jobs``) a piece completes when a
worker delivers it, which may be out of order and on another thread of this process; the modules
and templates analysed (normalised into the model); the rules run. An observer must therefore be
safe to call from more than one thread, and cheap: it is called once per piece of work.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    """An observer of one or more scans (``--new-since`` analyses the past revision too)."""

    def found(self, files: int) -> None:
        """Discovery found ``files`` candidate IaC files."""
        ...

    def step(self, name: str, total: int) -> None:
        """A step of ``total`` pieces of work starts (``loading``, ``checking``)."""
        ...

    def advance(self, done: int = 1) -> None:
        """``done`` more pieces of the current step completed."""
        ...

    def analysed(self, scopes: int) -> None:
        """``scopes`` more modules or templates were analysed into the model."""
        ...


class Silent:
    """The observer of a scan nobody watches."""

    def found(self, files: int) -> None:
        pass

    def step(self, name: str, total: int) -> None:
        pass

    def advance(self, done: int = 1) -> None:
        pass

    def analysed(self, scopes: int) -> None:
        pass


SILENT = Silent()
