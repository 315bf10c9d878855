"""Holding CPython's cyclic garbage collector off while a large structure is built.

The collector runs a full collection whenever the objects that survived into its oldest
generation grow by a quarter since the last one, and each full collection walks every object
alive. Building the graph and the threat model of a large configuration makes hundreds of
thousands of objects that live on (components, edges, threats, flows), so the collector walks
the whole heap again and again while they are being made: at 50,000 components that was more
than half of the threat model's time, and the part that grew faster than the configuration.

These structures hold no reference cycles that need the collector (what they drop, reference
counting frees), so it is paused while they are built and resumed afterwards; what it then
walks, it walks once. The same holds while the HCL grammar is loaded and while a kept scan
result is unpickled (``paused``). Where new work must still have its cycles collected but a
large finished structure need not be walked again (fix planning over a scan's graph), the
structure is set aside instead (``set_aside``). How often the collector runs at all is the
command line's choice (``cli.GC_THRESHOLD``).

Every use of the collector's switches is here, so that they nest: a block inside another keeps
the outer one's choice.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector is resumed on leaving it only if it
    was running on entering (a block nested in another, or a caller that turned it off, keeps
    it off)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


@contextmanager
def set_aside() -> Iterator[None]:
    """The objects made so far are left out of the collector's passes inside the block (frozen),
    and taken back on leaving it; cycles made inside are still collected. A caller that froze
    objects already keeps them so."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
