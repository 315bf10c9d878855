"""What the front ends share to bound the work hostile input may cause: a budget made current for
everything evaluated inside a ``with`` block, without threading it through every call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")


@contextmanager
def current(var: ContextVar[T | None], value: T) -> Iterator[T]:
    """``value`` is ``var``'s value inside the ``with`` block (and in what it calls), then no more."""
    token = var.set(value)
    try:
        yield value
    finally:
        var.reset(token)
