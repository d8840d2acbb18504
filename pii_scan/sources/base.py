"""Shared types and plumbing of the sources layer.

Every reader turns one input into :class:`TableStream` objects whose batches hold only
``pa.string()`` columns.  This module holds what the readers have in common: the error type,
the stream record, column naming, and the wrappers that cut a stream of record batches to
``batch_rows``/``max_rows`` and turn library exceptions into one-line :class:`SourceError`
messages.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import re
import stat
import threading
import time
import weakref
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "RECORD_MEMORY_FACTOR",
    "ColumnNamer",
    "Limits",
    "SourceError",
    "SourceRef",
    "TableStream",
    "TimeBudget",
    "check_cells",
    "check_limits",
    "check_time",
    "dedupe_names",
    "file_kind",
    "guarded",
    "human_mib",
    "limit_batches",
    "open_binary",
    "owned",
    "primed",
    "read_chunk",
    "reason",
    "record_bytes",
    "record_cap",
    "time_budget",
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
    #: The longest line, CSV row or JSON value a text reader holds (0: the readers' own caps,
    #: 64 MiB); a longer one fails the source.  The scanner derives it from its per-source
    #: memory budget (``--source-memory``), since matching a cell takes ~45 bytes per byte.
    max_record_bytes: int = 0


#: Bytes of memory a source needs per byte of its longest record: matching one cell takes
#: about 45 bytes per byte in the core (offsets, folded copies), and readers hold a few copies.
RECORD_MEMORY_FACTOR = 64


def record_bytes(memory: int) -> int:
    """The longest record a per-source memory budget of ``memory`` bytes allows (0: no cap).

    >>> record_bytes(1 << 30) >> 20
    16
    """
    return max(memory // RECORD_MEMORY_FACTOR, 1 << 10) if memory and memory > 0 else 0


def record_cap(limits: Limits, own: int) -> int:
    """The record-size cap of a reader whose own (hard) cap is ``own`` bytes: the smaller of
    ``own`` and ``limits.max_record_bytes`` when that is set."""
    wanted = limits.max_record_bytes
    return min(own, wanted) if wanted and wanted > 0 else own


def check_cells(batch: pa.RecordBatch, cap: int) -> None:
    """Raise :class:`SourceError` when a value of ``batch`` is longer than ``cap`` bytes (the
    record cap of the memory budget; 0: no check).  Matching takes ~45 bytes per byte of a
    value, so this is checked before a batch is matched, whatever reader produced it."""
    if not cap or cap <= 0:
        return
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
            continue
        if len(column) == 0 or column.nbytes <= cap:
            continue
        longest = pc.max(pc.binary_length(column)).as_py() or 0
        if longest > cap:
            raise SourceError(
                f"a value of column {name} is longer than {human_mib(cap)} (--source-memory)"
            )


def human_mib(n: int) -> str:
    """``16 MiB``, ``1.5 MiB``, ``512 KiB``: how the record caps are named in messages."""
    if n >= 1 << 20:
        return f"{n / (1 << 20):g} MiB"
    if n >= 1 << 10:
        return f"{n / (1 << 10):g} KiB"
    return f"{n} bytes"


# --------------------------------------------------------------------------- time budget


class TimeBudget:
    """A per-source time budget: :meth:`check` raises :class:`SourceError` once ``seconds``
    have passed since it was made (``seconds`` 0 or None: no budget)."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds or 0
        self.deadline = time.monotonic() + self.seconds if self.seconds > 0 else None

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def check(self) -> None:
        if self.expired():
            raise SourceError(
                f"stopped: took longer than {self.seconds:g} s (time budget, --source-timeout)"
            )


_BUDGET: contextvars.ContextVar[TimeBudget | None] = contextvars.ContextVar(
    "pii_scan_time_budget", default=None
)


@contextlib.contextmanager
def time_budget(seconds: float | None) -> Iterator[TimeBudget]:
    """Run the block under a per-source :class:`TimeBudget`, which :func:`check_time` (called
    by the readers' read loops) and the scanner (between batches) enforce."""
    budget = TimeBudget(seconds)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def check_time() -> None:
    """Raise :class:`SourceError` when the current source's time budget is spent."""
    budget = _BUDGET.get()
    if budget is not None:
        budget.check()


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
    skipped_rows: int = 0  # malformed rows skipped so far; grows while reading
    ragged_rows: int = 0  # CSV rows read with too few or too many fields, evened out
    encoding: str | None = None  # text encoding used to decode the source, when it has one
    # A failure of this table leaves the source's other tables readable (a sheet of a
    # workbook, a table of an SQLite file): they are scanned, the source then fails.
    independent: bool = False
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def count_skipped(self, n: int = 1) -> None:
        """Add to :attr:`skipped_rows`; safe to call from pyarrow's reader threads."""
        with self._lock:
            self.skipped_rows += n

    def count_ragged(self, n: int = 1) -> None:
        """Add to :attr:`ragged_rows`."""
        with self._lock:
            self.ragged_rows += n

    def recount(self) -> None:
        """Set :attr:`skipped_rows` and :attr:`ragged_rows` back to 0 (a reader that starts
        over counts again)."""
        with self._lock:
            self.skipped_rows = self.ragged_rows = 0


# --------------------------------------------------------------------------- error messages

_CSV_ROW_TEXT = re.compile(r"(Expected \d+ columns?, got \d+).*", re.S)


def _one_line(text: str) -> str:
    line = next((ln.strip() for ln in str(text).splitlines() if ln.strip()), "")
    if len(line) > _MAX_REASON:
        line = line[: _MAX_REASON - 3].rstrip() + "..."
    return line or "unreadable source"


# What may be a value inside a library's message: quoted text (Python's "invalid literal for
# int() with base 10: '110105...'", KeyError('张三'), sqlite's near "...": syntax error, pyarrow's
# "In CSV column #2: ... '...'"), bytes literals, e-mail addresses, runs of 7 or more digits
# (possibly grouped by spaces or dashes), Han text, and pyarrow's JSON "row" dumps.
_VALUE_LIKE = re.compile(
    r"""b?(?<![A-Za-z])'[^'\n]*'"""  # 'quoted' (not the apostrophe of "can't")
    r'|b?"[^"\n]*"'  # "quoted"
    r"|\S+@\S+"  # e-mail
    r"|\d(?:[\s\-]?\d){6,}"  # 7+ digits, also 138 0013 8000 (full-width too: \d is Unicode)
    r"|[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]+"  # Han, kana, Hangul, full-width
)


def scrub_values(text: str) -> str:
    """``text`` with whatever may be a cell value replaced by ``…`` (for messages of other
    libraries that do not come as an exception, such as a Spark job's failure text)."""
    return _VALUE_LIKE.sub("…", text)


def reason(exc: BaseException) -> str:
    """A short, single-line description of ``exc`` that carries no cell values.

    pyarrow appends the offending row's text to some CSV errors; that part is cut. A decoding
    error keeps its codec and reason, not the bytes. Anything else that may be a value (quoted
    text, long digit runs, e-mail addresses, Han text) is replaced by ``…``: library messages
    quote the input they choke on.

    >>> reason(ValueError("invalid literal for int() with base 10: '110105199003071239'"))
    'invalid literal for int() with base 10: …'
    >>> reason(pa.ArrowInvalid("CSV parse error: Expected 3 columns, got 2: 张三,13800138000"))
    'CSV parse error: Expected 3 columns, got 2'
    >>> reason(UnicodeDecodeError("utf-8", bytes([0xE5, 0xBC, 0xA0, 0xFF]), 3, 4, "bad byte"))
    'cannot decode utf-8 text: bad byte'
    """
    if isinstance(exc, OSError) and exc.strerror:
        return scrub_values(exc.strerror)
    if isinstance(exc, UnicodeError):
        codec = getattr(exc, "encoding", None) or "the"
        why = getattr(exc, "reason", None) or "invalid data"
        verb = "encode" if isinstance(exc, UnicodeEncodeError) else "decode"
        return scrub_values(f"cannot {verb} {codec} text: {why}")
    text = _CSV_ROW_TEXT.sub(r"\1", _one_line(str(exc)))
    if isinstance(exc, (NameError, AttributeError, ImportError)):
        return text  # a bug: the names quoted are the program's, and say where it is
    return scrub_values(text)


def printable_path(path: str) -> str:
    """``path`` as text that can be written anywhere. A file name that is no UTF-8 (Python
    keeps its bytes as surrogates: GBK names from a Windows archive or share) is shown as
    those bytes read as GB18030, else with the bytes that are no UTF-8 written ``%FF``; each
    part of the path apart.

    >>> printable_path("/data/" + "客户名单.csv".encode("gbk").decode("utf-8", "surrogateescape"))
    '/data/客户名单.csv'
    >>> printable_path("/data/" + b"\\xff.csv".decode("utf-8", "surrogateescape"))
    '/data/%FF.csv'
    """
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        pass
    parts = []
    for part in path.split("/"):
        try:
            part.encode("utf-8")
        except UnicodeEncodeError:
            raw = part.encode("utf-8", "surrogateescape")
            try:
                part = raw.decode("gb18030")
            except UnicodeDecodeError:
                part = "".join(
                    f"%{ord(c) - 0xDC00:02X}" if 0xDC80 <= ord(c) <= 0xDCFF else c for c in part
                )
        parts.append(part)
    return "/".join(parts)


def native_path(path: str) -> str | bytes:
    """``path`` for pyarrow, which takes no surrogates in a str: the OS bytes then."""
    try:
        path.encode("utf-8")
        return path
    except UnicodeEncodeError:
        return os.fsencode(path)


def open_binary(location: str) -> BinaryIO:
    """Open ``location`` for binary reading, raising :class:`SourceError` on failure.

    Only regular files are opened: a FIFO, device or socket put in a file's place after
    discovery fails (``cannot open file: not a regular file (a FIFO)``) instead of blocking
    (the file is opened non-blocking and checked before it is read)."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    nonblock = getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(location, flags | nonblock)
    except OSError as exc:
        raise SourceError(f"cannot open file: {reason(exc)}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise SourceError(f"cannot open file: not a regular file ({file_kind(mode)})")
        if nonblock:
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def file_kind(mode: int) -> str:
    """What a file that is not a regular file is, from its ``st_mode``."""
    for test, kind in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return kind
    return "a special file"


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


def primed(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """``batches``, with the first one read now: readers that learn their columns while
    parsing (JSON) know those of the first rows before the table is announced. ``batches`` is
    closed when the returned iterator ends or is closed."""
    first = next(batches, None)

    def all_batches() -> Iterator[pa.RecordBatch]:
        try:
            if first is not None:
                yield first
                yield from batches
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()

    return all_batches()


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
