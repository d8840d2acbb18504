"""Keep a long scan's memory flat: hand the pages that a batch freed back to the system.

The core's per-batch NumPy temporaries (a few MiB each) come from glibc's heaps, which keep
freed pages for reuse; fragments of later batches then pin them, and the peak crept up with
input size (504 MB for 10M rows against 467 MB for 1M). :func:`release_freed` after each batch
returns every whole free page (glibc's ``malloc_trim``): 10M rows peak at ~473 MB.  Pinning
glibc's mmap threshold at 1 MiB did it too, but at ~2.5 s more system time per 1M rows, as
every large temporary was mapped and zero-filled afresh.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows): nothing to do
        return None


def release_freed() -> bool:
    """Return freed heap pages to the system; False where the C library cannot.

    >>> release_freed() in (True, False)
    True
    """
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
