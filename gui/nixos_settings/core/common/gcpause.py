"""Pausing Python's cycle collector while a burst of long-lived objects is made.

Mapping a configuration makes a few objects per binding (definitions holding tree-sitter
nodes).  Each collection of the cycle collector walks every tracked object, and a burst of
allocations triggers collections in proportion: with sets nested thousands deep, mapping
became super-linear in the file's size for that reason alone.  Nothing made here forms
garbage cycles that must be freed at once (reference counting frees the rest), so the
collector is paused for the burst and left as it was found.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Run the body with the cycle collector off; it is switched on again afterwards if it
    was on before (nested and concurrent uses end with it on)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
