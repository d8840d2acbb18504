"""``release_freed`` gives a fragmented heap's free pages back to the system (glibc only); the
CLI gives Arrow's jemalloc its options before pyarrow loads."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pyarrow as pa
import pytest

from pii_scan.memory import (
    ARROW_JEMALLOC_ENV,
    JEMALLOC_DECAY_MS,
    arrow_jemalloc_options,
    configure_before_arrow,
    release_freed,
)

# Small blocks come from the heap, not from mmap; keeping every 50th pins the heap's top, so
# only a trim (not glibc's automatic one at the top) can return the pages between them.
FRAGMENTED_HEAP = """
import sys
from pii_scan.memory import free_heap_bytes, release_freed
def rss_mib():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20
blocks = [bytearray(4000) for _ in range(60_000)]  # ~240 MiB
kept = blocks[::50]
del blocks
"""
CHILD = (
    FRAGMENTED_HEAP
    + """
before = rss_mib()
trimmed = release_freed() if sys.argv[1] == "trim" else False
print(trimmed, before, rss_mib())
"""
)


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


KEEP_CHILD = (
    FRAGMENTED_HEAP
    + """
free = free_heap_bytes()
before = rss_mib()
release_freed(keep=1 << 40)  # far more than is free: kept for the next batches
kept_rss = rss_mib()
release_freed(keep=64 << 20)  # less than is free: trimmed
print(free, before, kept_rss, rss_mib())
"""
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; glibc's trim")
def test_release_freed_keeps_free_heap_up_to_a_bound() -> None:
    out = subprocess.run(
        [sys.executable, "-c", KEEP_CHILD], capture_output=True, text=True, check=True
    ).stdout.split()
    if out[0] == "None":
        pytest.skip("glibc without mallinfo2: every call trims")
    free, before, kept, after = int(out[0]), *map(float, out[1:])
    assert free > 200 << 20  # glibc counts the freed blocks as free heap
    assert kept > before * 0.9  # under the bound: nothing given back
    assert after < before / 2  # over it: trimmed


def test_release_freed_is_safe_to_call_often() -> None:
    assert all(release_freed() in (True, False) for _ in range(3))


# glibc's mmap threshold set low first (1 MiB, as before tune_for_scans raised it): every 2 MiB
# block is then mapped afresh and its pages faulted in again, where a tuned heap reuses the
# freed block's pages. A block of MMAP_THRESHOLD or more still goes back when freed.
TUNED_CHILD = """
import ctypes, resource, sys
import pyarrow as pa
from pii_scan.memory import MMAP_THRESHOLD, tune_for_scans
def rss_mib():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * 4096 / 2**20
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
ctypes.CDLL("libc.so.6").mallopt(-3, 1 << 20)  # M_MMAP_THRESHOLD
tuned = tune_for_scans() if sys.argv[1] == "tune" else False
start = faults()
for _ in range(50):
    block = b"x" * (2 << 20)  # written: every page touched
    del block
reused = faults() - start
big = b"x" * (MMAP_THRESHOLD + (8 << 20))
before = rss_mib()
del big
print(tuned, reused, before, rss_mib(), pa.default_memory_pool().backend_name)
"""


def _child(mode: str) -> list[str]:
    return subprocess.run(
        [sys.executable, "-c", TUNED_CHILD, mode], capture_output=True, text=True, check=True
    ).stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; glibc's mallopt")
def test_tuned_scans_reuse_freed_temporaries_and_hand_large_blocks_back() -> None:
    tuned, reused, before, after, pool = _child("tune")
    if tuned != "True":
        pytest.skip("not glibc")
    # 50 blocks of 512 pages each: faulted in once, then reused (a few pages of slack)
    assert int(reused) < 5 * 512
    assert float(after) < float(before) - 30  # the 40 MiB block went back at once
    assert pool == "jemalloc" or not _has_jemalloc()
    _, reused, _, _, pool = _child("keep")
    assert int(reused) > 40 * 512  # mapped afresh each time: every page faulted again
    assert pool != "jemalloc"  # the default pool until tuned


def _has_jemalloc() -> bool:
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        return False
    return True


# -- Arrow's jemalloc: options before pyarrow loads --------------------------------------------

ARENA_DECAY_CHILD = """
import pyarrow as pa
pool = pa.jemalloc_memory_pool()
buf = pa.allocate_buffer(8 << 20, memory_pool=pool)
del buf
"""


def _arena_zero_decay_ms(options: str) -> int:
    """The dirty-page decay of jemalloc's first arena (the one pyarrow's loading thread, the
    main thread, allocates from), as jemalloc's statistics report it at exit."""
    env = {**os.environ, ARROW_JEMALLOC_ENV: f"{options},stats_print:true"}
    stats = subprocess.run(
        [sys.executable, "-c", ARENA_DECAY_CHILD], env=env, capture_output=True, text=True
    )
    found = re.search(r"arenas\[0\]:.*?\n\s*dirty:\s+(-?\d+)", stats.stderr, re.DOTALL)
    assert found, stats.stderr[-2000:]
    return int(found.group(1))


@pytest.mark.skipif(not _has_jemalloc(), reason="pyarrow built without jemalloc")
def test_arrow_jemalloc_options_reach_the_arena_of_the_main_thread() -> None:
    assert _arena_zero_decay_ms(arrow_jemalloc_options()) == JEMALLOC_DECAY_MS
    # Without them, jemalloc_set_decay_ms after loading leaves that arena at Arrow's 1 s.
    assert _arena_zero_decay_ms("narenas:8") != JEMALLOC_DECAY_MS


CLI_ENV_CHILD = """
import os, sys
from pii_scan import cli
loaded_before = "pyarrow" in sys.modules
sys.argv = ["pii-scan", "--version"]
try:
    cli.main()
except SystemExit:
    pass
print(loaded_before, os.environ.get("JE_ARROW_MALLOC_CONF"))
"""


@pytest.mark.parametrize(
    ("preset", "expected"),
    [(None, arrow_jemalloc_options()), ("narenas:4", "narenas:4")],
    ids=["unset", "the user's own"],
)
def test_the_cli_sets_arrow_jemalloc_options_before_pyarrow_loads(preset, expected) -> None:
    env = {k: v for k, v in os.environ.items() if k != ARROW_JEMALLOC_ENV}
    if preset:
        env[ARROW_JEMALLOC_ENV] = preset
    out = subprocess.run(
        [sys.executable, "-c", CLI_ENV_CHILD], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[-2:] == ["False", expected]


def test_no_options_once_pyarrow_is_loaded(monkeypatch) -> None:
    monkeypatch.delenv(ARROW_JEMALLOC_ENV, raising=False)
    assert "pyarrow" in sys.modules  # this module imported it
    assert configure_before_arrow() is False
    assert ARROW_JEMALLOC_ENV not in os.environ
