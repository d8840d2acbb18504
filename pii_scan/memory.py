"""Keep a long scan's memory flat: glibc's heaps give back what the batches freed.

The core's per-batch NumPy temporaries (a few MiB each) come from glibc's heaps, which keep
freed pages for reuse; fragments of later batches then pin them, and the peak crept up with
input size (504 MB for 10M rows against 467 MB for 1M). Measured on the benchmark CSVs:

* :func:`release_freed` after each batch returns every whole free page (``malloc_trim``)
  once the heaps hold more than :data:`KEEP_FREE` free. Up to that, the next batches reuse
  the pages: trimming after every batch made each batch fault them in again (~190,000 page
  faults per 1M rows against ~105,000; 10M rows: 1.3M against 0.33M), for ~15 MB less at
  the peak.
* :func:`tune_for_scans` (the CLI) fixes glibc's thresholds. Blocks under 32 MiB come from
  the heap, where a freed temporary's pages serve the next one: mapped on their own (the
  threshold was 1 MiB), every temporary was faulted in afresh (~420,000 page faults and
  ~1.9 s of system time per 1M rows against ~250,000 and ~1.2 s). The heap top is not
  trimmed by glibc itself: with its default threshold it shrank and grew again within every
  batch (~2.5 s more system time).

Arrow's own buffers (the CSV reader's blocks, the batches) come from its memory pool:
:func:`tune_for_scans` also picks jemalloc, which gives freed pages back after a decay, where
mimalloc, pyarrow's default, kept ~60 MB of them. A decay of 5 s instead of pyarrow's 1 s
lets the next batches reuse them: ~290,000 -> ~195,000 page faults per 1M rows, ~0.4 s less
system time, ~10 MB more at the peak. ``jemalloc_set_decay_ms`` only reaches the arenas made
after it, though: the main thread's arena, made when pyarrow loads, kept Arrow's 1 s and gave
back the joined batches' pages between batches. :func:`configure_before_arrow` (the CLI, before
pyarrow loads) gives every arena the 5 s: ~165,000 -> ~120,000 page faults per 1M rows.

Together, for the CLI: ~105,000 page faults and ~0.6 s of system time per 1M rows when
measured (~420,000 and ~2 s before these settings); a peak of 405-425 MB for 1M rows,
416-427 MB for 10M and 422 MB for 20M (453-465 MB for 1M with mimalloc). The code has changed
since: the latest benchmark counts 121,000-127,000 page faults, ~0.9 s of system time and a
peak of 391-412 MB per 1M rows, 420 MB for 10M. Elsewhere than glibc the heap settings do
nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys
from functools import cache

_M_TRIM_THRESHOLD = -1  # <malloc.h>
_M_MMAP_THRESHOLD = -3
#: Blocks from this size up are mapped on their own, and unmapped when freed.
MMAP_THRESHOLD = 32 << 20
#: jemalloc keeps freed pages this long for reuse (pyarrow's default: 1 s).
JEMALLOC_DECAY_MS = 5000
#: Free heap kept for the next batches: a scan trims the heaps only beyond it.
KEEP_FREE = 64 << 20


#: Arrow's jemalloc reads its options from this variable once, when pyarrow loads.
ARROW_JEMALLOC_ENV = "JE_ARROW_MALLOC_CONF"


def arrow_jemalloc_options() -> str:
    """The options :func:`configure_before_arrow` gives Arrow's jemalloc.

    >>> arrow_jemalloc_options()
    'dirty_decay_ms:5000,muzzy_decay_ms:5000'
    """
    return f"dirty_decay_ms:{JEMALLOC_DECAY_MS},muzzy_decay_ms:{JEMALLOC_DECAY_MS}"


def configure_before_arrow() -> bool:
    """Give every arena of Arrow's jemalloc the decay of :data:`JEMALLOC_DECAY_MS`, for this
    process and the workers it starts. Only before pyarrow is imported, and not over options
    the user set: False then."""
    if "pyarrow" in sys.modules or ARROW_JEMALLOC_ENV in os.environ:
        return False
    os.environ[ARROW_JEMALLOC_ENV] = arrow_jemalloc_options()
    return True


@cache
def _libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim, libc.mallopt  # noqa: B018 - glibc only
        return libc
    except (OSError, AttributeError):  # not glibc (musl, macOS, Windows): nothing to do
        return None


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd",
            "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost",
        )
    ]  # fmt: skip


def free_heap_bytes() -> int | None:
    """Bytes that glibc's heaps hold free, all arenas (``mallinfo2``, glibc 2.33+); None
    where that is not known.

    >>> free_heap_bytes() is None or free_heap_bytes() >= 0
    True
    """
    mallinfo2 = _mallinfo2()
    return None if mallinfo2 is None else int(mallinfo2().fordblks)


@cache
def _mallinfo2():
    mallinfo2 = getattr(_libc(), "mallinfo2", None)
    if mallinfo2 is not None:
        mallinfo2.restype = _MallInfo2
    return mallinfo2


def release_freed(keep: int = 0) -> bool:
    """Return freed heap pages to the system once the heaps hold more than ``keep`` bytes
    free (every time for 0, or where that is not known); False where the C library cannot.

    >>> release_freed() in (True, False)
    True
    """
    libc = _libc()
    if libc is None:
        return False
    if keep:
        free = free_heap_bytes()
        if free is not None and free <= keep:
            return True
    libc.malloc_trim(0)
    return True


def tune_for_scans() -> bool:
    """For a process that scans (the CLI and its workers): Arrow's buffers come from
    jemalloc, which returns freed pages after a short decay (mimalloc, pyarrow's default,
    kept ~60 MB of them: the 1M-row benchmark CSV peaked at 453-465 MB, with jemalloc at
    396-428 MB, as fast); glibc serves blocks under :data:`MMAP_THRESHOLD` from its heaps,
    reusing freed pages, and leaves trimming to :func:`release_freed`. False where glibc
    cannot be tuned."""
    import pyarrow as pa

    with contextlib.suppress(NotImplementedError):
        pa.set_memory_pool(pa.jemalloc_memory_pool())  # not in every pyarrow build
        pa.jemalloc_set_decay_ms(JEMALLOC_DECAY_MS)
    libc = _libc()
    if libc is None:
        return False
    libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    libc.mallopt(_M_TRIM_THRESHOLD, 256 << 20)
    return True
