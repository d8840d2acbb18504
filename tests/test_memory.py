"""``release_freed`` gives a fragmented heap's free pages back to the system (glibc only)."""

from __future__ import annotations

import subprocess
import sys

import pyarrow as pa
import pytest

from pii_scan.memory import release_freed

# Small blocks come from the heap, not from mmap; keeping every 50th pins the heap's top, so
# only a trim (not glibc's automatic one at the top) can return the pages between them.
CHILD = """
import sys
from pii_scan.memory import release_freed
def rss_mib():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20
blocks = [bytearray(4000) for _ in range(60_000)]  # ~240 MiB
kept = blocks[::50]
del blocks
before = rss_mib()
trimmed = release_freed() if sys.argv[1] == "trim" else False
print(trimmed, before, rss_mib())
"""


def _run(mode: str) -> tuple[bool, float, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode], capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0] == "True", float(out[1]), float(out[2])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; glibc's trim")
def test_release_freed_returns_free_heap_pages() -> None:
    trimmed, before, after = _run("trim")
    if not trimmed:
        pytest.skip("not glibc: nothing to trim")
    assert before > 200  # the freed blocks were still resident
    assert after < before / 2
    untrimmed, before, after = _run("keep")
    assert not untrimmed and after > before * 0.9  # without it, the pages stay


def test_release_freed_is_safe_to_call_often() -> None:
    assert all(release_freed() in (True, False) for _ in range(3))


# glibc's mmap threshold set high first (as its own dynamic threshold rises after a large block
# is freed): 2 MiB blocks then come from the heap, where small blocks allocated after them pin
# their pages once they are freed, unless tune_for_scans lowered the threshold again.
TUNED_CHILD = """
import ctypes, sys
import pyarrow as pa
from pii_scan.memory import tune_for_scans
def rss_mib():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20
ctypes.CDLL("libc.so.6").mallopt(-3, 64 << 20)  # M_MMAP_THRESHOLD
tuned = tune_for_scans() if sys.argv[1] == "tune" else False
blocks, pins = [], []
for _ in range(60):
    blocks.append(bytearray(2 << 20))
    pins.append(bytearray(1024))  # past pymalloc (512 bytes): from the same heap
before = rss_mib()
del blocks
print(tuned, before, rss_mib(), pa.default_memory_pool().backend_name)
"""


def _child(mode: str) -> list[str]:
    return subprocess.run(
        [sys.executable, "-c", TUNED_CHILD, mode], capture_output=True, text=True, check=True
    ).stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; glibc's mallopt")
def test_tuned_scans_hand_large_freed_blocks_back_at_once() -> None:
    tuned, before, after, pool = _child("tune")
    if tuned != "True":
        pytest.skip("not glibc")
    assert float(before) > 110 and float(after) < float(before) - 100  # 120 MiB went back
    assert pool == "jemalloc" or not _has_jemalloc()
    _, before, after, pool = _child("keep")
    assert float(after) > float(before) - 20  # untuned, the heap kept them
    assert pool != "jemalloc"  # the default pool until tuned


def _has_jemalloc() -> bool:
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        return False
    return True
