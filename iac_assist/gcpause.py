"""Holding CPython's cyclic garbage collector off while a large structure is built.

The collector runs a full collection whenever the objects that survived into its oldest
generation grow by a quarter since the last one, and each full collection walks every object
alive. Building the graph and the threat model of a large configuration makes hundreds of
thousands of objects that live on (components, edges, threats, flows), so the collector walks
the whole heap again and again while they are being made: at 50,000 components that was more
than half of the threat model's time, and the part that grew faster than the configuration.

These structures hold no reference cycles that need the collector (what they drop, reference
counting frees), so it is paused while they are built and resumed afterwards; what it then
walks, it walks once. parsers/terraform/hcl_parser.py does the same while loading the grammar.
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
