"""Keep a long scan's memory flat: glibc's heaps give back what each batch freed.

The core's per-batch NumPy temporaries (a few MiB each) come from glibc's heaps, which keep
freed pages for reuse; fragments of later batches then pin them, and the peak crept up with
input size (504 MB for 10M rows against 467 MB for 1M). Two measures, measured on the 1M-row
benchmark CSV:

* :func:`release_freed` after each batch returns every whole free page (``malloc_trim``);
* :func:`tune_for_scans` (the CLI) maps blocks of 1 MiB and more on their own, so a freed
  temporary goes back at once, and stops glibc trimming the heap top by itself: with its
  default threshold (128 KiB once the mmap threshold is fixed) the heap shrank and grew again
  within every batch, ~2.5 s more system time per 1M rows; the per-batch trim does it once.

Together: 447-459 MB peak for 1M rows, 482 MB for 10M, ~1.3-1.6 s of system time per 1M rows.
Elsewhere than glibc both do nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

_M_TRIM_THRESHOLD = -1  # <malloc.h>
_M_MMAP_THRESHOLD = -3


@cache
def _libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim, libc.mallopt  # noqa: B018 - glibc only
        return libc
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows): nothing to do
        return None


def release_freed() -> bool:
    """Return freed heap pages to the system; False where the C library cannot.

    >>> release_freed() in (True, False)
    True
    """
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    return True


def tune_for_scans() -> bool:
    """Map blocks of 1 MiB and more on their own, and leave trimming to :func:`release_freed`
    (for a process that scans: the CLI and its workers). False where it cannot."""
    libc = _libc()
    if libc is None:
        return False
    libc.mallopt(_M_MMAP_THRESHOLD, 1 << 20)
    libc.mallopt(_M_TRIM_THRESHOLD, 256 << 20)
    return True
