"""Collecting where values came from while a front end evaluates them (see ``Origin``).

Evaluation nests: a resource's attribute reads a local, which reads a variable, whose value a
variables file gave. Each value being evaluated gets a set of origins; what the values it reads
came from is added to it as they are read, and a value computed once and cached gives its origins
again to every later reader. Values themselves stay plain; both front ends use this one trace.
"""

from __future__ import annotations

from collections.abc import Iterable

from iac_assist.model import MAX_ORIGINS, Origin


class OriginTrace:
    """The origins of the values under evaluation, innermost last; each set keeps its order, each
    origin once, and at most ``MAX_ORIGINS`` (input is untrusted: a chain is bounded)."""

    __slots__ = ("_stack",)

    def __init__(self) -> None:
        self._stack: list[dict[Origin, None]] = []

    def push(self) -> None:
        """A value starts being evaluated."""
        self._stack.append({})

    def pop(self) -> tuple[Origin, ...]:
        """The value is evaluated: its origins (call in a ``finally``, matching ``push``)."""
        return tuple(self._stack.pop())

    def note(self, found: Iterable[Origin]) -> None:
        """``found`` are origins of the value being evaluated (nothing when none is)."""
        if not found or not self._stack:  # most values read have no origin: called for each
            return
        current = self._stack[-1]
        for origin in found:
            if len(current) >= MAX_ORIGINS:
                return
            current.setdefault(origin, None)

    def first(self, origin: Origin) -> None:
        """``origin`` goes before what the value being evaluated has so far: a module input comes
        before the variables file that gave the caller its value."""
        if not self._stack:
            return
        current = self._stack[-1]
        rest = list(current)[:MAX_ORIGINS - 1]
        current.clear()
        current[origin] = None
        current.update(dict.fromkeys(rest))
