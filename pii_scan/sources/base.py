"""Shared types and plumbing of the sources layer.

Every reader turns one input into :class:`TableStream` objects whose batches hold only
``pa.string()`` columns.  This module holds what the readers have in common: the error type,
the stream record, column naming, and the wrappers that cut a stream of record batches to
``batch_rows``/``max_rows`` and turn library exceptions into one-line :class:`SourceError`
messages.
"""

from __future__ import annotations

import contextlib
import re
import threading
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

import pyarrow as pa

__all__ = [
    "ColumnNamer",
    "Limits",
    "SourceError",
    "SourceRef",
    "TableStream",
    "check_limits",
    "dedupe_names",
    "guarded",
    "limit_batches",
    "open_binary",
    "owned",
    "read_chunk",
    "reason",
]

#: The longest error reason we pass on; pyarrow messages can be long.
_MAX_REASON = 200


class SourceError(Exception):
    """A source cannot be read.

    The message is a one-line, user-facing reason: never a traceback and never a cell value.
    """

    def __init__(self, message: str) -> None:
        super().__init__(_one_line(message))


@dataclass(frozen=True)
class SourceRef:
    """One input found by :func:`pii_scan.sources.discover`.

    ``location`` is a local path or a URI that ``pyarrow.fs`` understands (``s3://bucket/key``).
    The bytes there are compressed when ``compression`` is set; with ``member`` they are a zip
    archive and the source is that member; with ``members`` the source is a Hive-partitioned
    Parquet dataset rooted at ``location`` made of those files.
    """

    path: str  # display path: as given on the command line, or the given folder + relative path
    location: str  # local path or URI to open
    format: str  # a key of pii_scan.sources.discovery.FORMATS' values, 'zip' or 'tar'
    compression: str | None = None  # 'gz' | 'bz2' | 'xz' | 'zst'
    member: str | None = None  # name of the zip member (as zipfile knows it)
    members: tuple[str, ...] = ()  # files (locations) of a Hive-partitioned Parquet dataset
    size: int | None = None  # bytes stored at location (of the member, when there is one)


@dataclass(frozen=True)
class Limits:
    """Limits against decompression bombs, applied to every source that is decompressed.

    ``max_ratio``: decompressed bytes may not exceed this multiple of the compressed bytes
    read so far (checked once
    :data:`~pii_scan.sources.inputs.RATIO_GRACE_BYTES` have come out); ``max_bytes``: the
    decompressed bytes of one source may not exceed this.  0 disables a limit.
    """

    max_ratio: float = 100.0
    max_bytes: int = 16 << 30


@dataclass
class TableStream:
    """One table of a source, read as a stream of all-string record batches.

    ``columns`` is complete before the first batch is taken, except for JSON Lines: a key that
    first appears after the first 4 MiB of the file is appended to ``columns`` (the same list
    object) when the batch holding it is produced; batches always carry every column known so
    far, in ``columns`` order.
    """

    name: str
    columns: list[str]
    batches: Iterator[pa.RecordBatch]
    row_base: int = 0  # row reported = row_base + index of the row within the stream
    skipped_rows: int = 0  # malformed rows skipped so far (ragged CSV rows); grows while reading
    encoding: str | None = None  # text encoding used to decode the source, when it has one
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def count_skipped(self, n: int = 1) -> None:
        """Add to :attr:`skipped_rows`; safe to call from pyarrow's reader threads."""
        with self._lock:
            self.skipped_rows += n

    def reset_skipped(self) -> None:
        """Set :attr:`skipped_rows` back to 0 (a reader that starts over counts again)."""
        with self._lock:
            self.skipped_rows = 0


# --------------------------------------------------------------------------- error messages

_CSV_ROW_TEXT = re.compile(r"(Expected \d+ columns?, got \d+).*", re.S)


def _one_line(text: str) -> str:
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    if len(line) > _MAX_REASON:
        line = line[: _MAX_REASON - 3].rstrip() + "..."
    return line or "unreadable source"


def reason(exc: BaseException) -> str:
    """A short, single-line description of ``exc`` that carries no cell values.

    pyarrow appends the offending row's text to some CSV errors; that part is cut.
    """
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = _CSV_ROW_TEXT.sub(r"\1", _one_line(str(exc)))
    return text


def open_binary(location: str) -> BinaryIO:
    """Open ``location`` for binary reading, raising :class:`SourceError` on failure."""
    try:
        return open(location, "rb")
    except OSError as exc:
        raise SourceError(f"cannot open file: {reason(exc)}") from None


def read_chunk(f: BinaryIO, size: int) -> bytes:
    """``f.read(size)``, raising :class:`SourceError` on an OS error."""
    try:
        return f.read(size)
    except OSError as exc:
        raise SourceError(f"cannot read file: {reason(exc)}") from None


# --------------------------------------------------------------------------- batch plumbing


def guarded(batches: Iterable[pa.RecordBatch], what: str) -> Iterator[pa.RecordBatch]:
    """Re-raise any failure while iterating ``batches`` as ``SourceError("<what>: <reason>")``."""
    iterator = iter(batches)
    try:
        while True:
            try:
                batch = next(iterator)
            except StopIteration:
                return
            except SourceError:
                raise
            except (pa.ArrowException, OSError, UnicodeError) as exc:
                raise SourceError(f"{what}: {reason(exc)}") from None
            yield batch
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def limit_batches(
    batches: Iterable[pa.RecordBatch], batch_rows: int, max_rows: int | None
) -> Iterator[pa.RecordBatch]:
    """Re-slice ``batches`` to at most ``batch_rows`` rows each and stop after ``max_rows``.

    The source is not asked for another batch once ``max_rows`` rows have been produced, and it
    is closed (if it is a generator) when this generator finishes or is closed.
    """
    remaining = max_rows
    iterator = iter(batches)
    try:
        if remaining is not None and remaining <= 0:
            return
        for batch in iterator:
            rows = batch.num_rows
            if remaining is not None and rows > remaining:
                rows = remaining
            start = 0
            while start < rows:
                length = min(batch_rows, rows - start)
                yield batch.slice(start, length)
                start += length
            if remaining is not None:
                remaining -= rows
                if remaining <= 0:
                    return
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def owned(
    batches: Iterable[pa.RecordBatch], stack: contextlib.ExitStack
) -> Iterator[pa.RecordBatch]:
    """``batches``, with the resources in ``stack`` (an open file, a temporary copy) released
    when the batches end, fail or are closed, or when the iterator is dropped unstarted.

    This lets a single-table reader's tables generator finish before the batches are read.
    """

    def run() -> Iterator[pa.RecordBatch]:
        with stack:
            yield from batches

    iterator = run()
    weakref.finalize(iterator, stack.close)
    return iterator


def check_limits(batch_rows: int, max_rows: int | None) -> None:
    """Validate the common reader arguments (programming errors, not source errors)."""
    if not isinstance(batch_rows, int) or batch_rows < 1:
        raise ValueError(f"batch_rows must be a positive integer, got {batch_rows!r}")
    if max_rows is not None and (not isinstance(max_rows, int) or max_rows < 0):
        raise ValueError(f"max_rows must be None or a non-negative integer, got {max_rows!r}")


# --------------------------------------------------------------------------- column names


def dedupe_names(names: Sequence[str]) -> list[str]:
    """Make column names unique and non-empty, deterministically.

    An empty (or blank) name becomes ``column_<position>`` (1-based).  A repeated name gets the
    smallest suffix ``_2``, ``_3``, ... that is not used by any other column, so names that
    were unique to begin with are never changed.

    >>> dedupe_names(["a", "", "a", "a_2"])
    ['a', 'column_2', 'a_3', 'a_2']
    """
    wanted = [n if n.strip() else f"column_{i}" for i, n in enumerate(names, 1)]
    taken = set(wanted)
    seen: set[str] = set()
    out: list[str] = []
    for name in wanted:
        if name in seen:
            k = 2
            while f"{name}_{k}" in taken:
                k += 1
            name = f"{name}_{k}"
            taken.add(name)
        seen.add(name)
        out.append(name)
    return out


class ColumnNamer:
    """Assigns stable, unique column names to field paths discovered incrementally.

    A path is a tuple of keys (``("user", "contact", "phone")``) whose name is the dotted join
    (``user.contact.phone``); a clash gets the next free ``_2``, ``_3`` suffix.  ``names`` lists
    every assigned name in first-seen order and only ever grows.
    """

    def __init__(self) -> None:
        self.names: list[str] = []
        self._by_path: dict[tuple[str, ...], str] = {}
        self._taken: set[str] = set()

    def name(self, path: tuple[str, ...]) -> str:
        """The column name of ``path``, assigning a new one on first sight."""
        found = self._by_path.get(path)
        if found is not None:
            return found
        base = ".".join(path)
        if not base.strip():
            base = f"column_{len(self.names) + 1}"
        name, k = base, 2
        while name in self._taken:
            name, k = f"{base}_{k}", k + 1
        self._by_path[path] = name
        self._taken.add(name)
        self.names.append(name)
        return name
