"""JSON Lines sources (``.jsonl``, ``.ndjson``, line-delimited ``.json``).

The file is cut into pieces of about ``JSON_CHUNK_BYTES`` after the last newline and each
piece is parsed by ``pyarrow.json.read_json`` (multi-threaded; it unifies fields and number
types across its blocks).  Every piece is inferred on its own and then flattened and turned
into strings (:mod:`~pii_scan.sources.strings`), so a field that changes type between pieces,
or first shows up late in the file, costs nothing.

When pyarrow cannot parse a piece (a field that is a number in one line and a string in the
next, an invalid line) or its numbers may have lost digits (an integer beyond 2**53 read as a
float), the piece is parsed again line by line with the standard ``json`` module: values keep
their exact text, and an invalid line raises ``SourceError("invalid JSON on line N: ...")``.

Columns: nested objects are flattened to dotted names (``user.contact.phone``); arrays are
looked through, each cell holding the values found at its path joined by newlines
(:func:`flatten_record`, the same rule as :mod:`~pii_scan.sources.strings` for Arrow lists);
blank lines are skipped (rows are the 0-based index among the objects).  The columns of the
first piece are known before the first batch; a key first seen in a later piece is appended
to :attr:`TableStream.columns` when its batch is produced (earlier batches simply lacked it).
A ``.json`` file holding a JSON document rather than lines is read by
:mod:`~pii_scan.sources.jsondoc`.

Hostile lines: a line nested deeper than :data:`MAX_JSON_DEPTH` levels (checked with NumPy
before pyarrow, whose recursive parser would overflow the C stack) or longer than the record
cap (``MAX_LINE_BYTES``, or less from ``--source-memory``) fails the source with a reason;
the lines before it are read.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Generator, Iterator
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from .base import (
    ColumnNamer,
    SourceError,
    TableStream,
    check_time,
    guarded,
    human_mib,
    limit_batches,
    primed,
    read_chunk,
    record_cap,
)
from .encoding import HEAD_BYTES, text_encoding
from .inputs import Input, skip
from .strings import LIST_SEPARATOR, flatten_batch, scalar_text, typed_leaves

__all__ = [
    "MAX_JSON_DEPTH",
    "flatten_record",
    "json_depth",
    "read_jsonl",
    "record_batch",
    "too_deep",
]

JSON_CHUNK_BYTES = 4 << 20
MAX_LINE_BYTES = 64 << 20
#: The deepest nesting of objects and arrays read; deeper JSON fails the source with a reason
#: (pyarrow's parser overflows the C stack at some thousands of levels, Python's at ~1000).
MAX_JSON_DEPTH = 500
_PARSE_BLOCK_BYTES = 1 << 20
_EXACT_FLOAT = float(2**53)


def read_jsonl(
    src: Input,
    *,
    batch_rows: int,
    max_rows: int | None,
    encoding: str | None,
) -> Iterator[TableStream]:
    """Yield the single table of a JSON Lines file."""
    head = src.head(HEAD_BYTES)
    if not head:
        raise SourceError("empty file")
    label, codec, bom = text_encoding(head, encoding)

    namer = ColumnNamer()
    pieces = _pieces(src, bom, codec, record_cap(src.limits, MAX_LINE_BYTES))
    batches = primed(guarded(_batches(pieces, namer), "cannot read JSON Lines"))
    # primed: the first piece is read now, so the columns are known before the first batch.
    batches = limit_batches(batches, batch_rows, max_rows)
    yield TableStream(name=src.name, columns=namer.names, batches=batches, encoding=label)


# --------------------------------------------------------------------------- pieces of lines


def _too_long(line: int, cap: int) -> SourceError:
    return SourceError(f"line {line} is longer than {human_mib(cap)} (--source-memory)")


def _pieces(
    src: Input, start: int, codec: str, cap: int
) -> Generator[tuple[int, bytes], None, None]:
    """``(first line number, UTF-8 bytes of whole lines)`` for each piece of the file; a line
    longer than ``cap`` bytes fails the source."""
    with src.open() as f:
        skip(f, start)
        if codec != "utf-8":
            yield from _decoded_pieces(f, codec, cap)
            return
        line = 1
        carry = b""
        while True:
            check_time()
            chunk = read_chunk(f, JSON_CHUNK_BYTES)
            if not chunk:
                if carry.strip():
                    yield line, carry
                return
            data = carry + chunk if carry else chunk
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                if len(data) > cap:
                    raise _too_long(line, cap)
                carry = data
                continue
            piece, carry = data[:cut], data[cut:]
            if len(carry) > cap:
                raise _too_long(line + piece.count(b"\n"), cap)
            yield line, piece
            line += piece.count(b"\n")


def _decoded_pieces(f: BinaryIO, codec: str, cap: int) -> Iterator[tuple[int, bytes]]:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    line = 1
    carry = ""
    while True:
        check_time()
        chunk = read_chunk(f, JSON_CHUNK_BYTES)
        try:
            text = carry + decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError:
            raise SourceError(f"not valid {codec} text near line {line}") from None
        if not chunk:
            if text.strip():
                yield line, text.encode("utf-8")
            return
        cut = text.rfind("\n") + 1
        if cut == 0:
            if len(text) * 2 > cap:
                raise _too_long(line, cap)
            carry = text
            continue
        piece, carry = text[:cut], text[cut:]
        yield line, piece.encode("utf-8")
        line += piece.count("\n")


# --------------------------------------------------------------------------- parsing


def _batches(
    pieces: Generator[tuple[int, bytes], None, None], namer: ColumnNamer
) -> Iterator[pa.RecordBatch]:
    try:
        for first_line, piece in pieces:
            deep = too_deep(piece)
            if deep is not None:  # pyarrow's parser would overflow the stack
                yield from _line_by_line(_first_lines(piece, deep), first_line, namer)
                raise _nested(first_line + deep)  # the lines before it were read
            columns = _parse_fast(piece)
            if columns is None:
                yield from _line_by_line(piece, first_line, namer)
            elif columns[0]:
                yield record_batch(namer, *columns)
    finally:
        pieces.close()


def _line_by_line(piece: bytes, first_line: int, namer: ColumnNamer) -> Iterator[pa.RecordBatch]:
    """:func:`_parse_slow` as a batch; at an invalid line, the lines before it, then its error."""
    try:
        columns = _parse_slow(piece, first_line)
    except _BadLine as bad:
        columns, error = bad.read, bad.error
    else:
        error = None
    if columns is not None:
        yield record_batch(namer, *columns)
    if error is not None:
        raise error from None


def record_batch(
    namer: ColumnNamer, rows: int, values: list[tuple[tuple[str, ...], pa.Array]]
) -> pa.RecordBatch:
    """A batch with every column ``namer`` knows (after naming ``values``' paths), in order;
    the columns missing from ``values`` are null."""
    by_name = {namer.name(path): array for path, array in values}
    missing = pa.nulls(rows, pa.string())
    arrays = [by_name.get(name, missing) for name in namer.names]
    return pa.RecordBatch.from_arrays(arrays, names=list(namer.names))


_Columns = tuple[int, list[tuple[tuple[str, ...], pa.Array]]]


# A line whose first non-blank byte does not open an object (``null``, ``[``, a number).
_NOT_AN_OBJECT = re.compile(rb"(?m)^[ \t\r]*[^{ \t\r\n]")


def _parse_fast(piece: bytes) -> _Columns | None:
    """Parse with pyarrow; None when it fails or its numbers may be inexact.

    Only pieces whose every line is an object go to pyarrow: its reader crashes the process
    (pyarrow 26, SIGSEGV) on a block that starts with a top-level ``null``."""
    if _NOT_AN_OBJECT.search(piece):
        return None
    try:
        table = pajson.read_json(
            pa.BufferReader(piece),
            read_options=pajson.ReadOptions(use_threads=True, block_size=_PARSE_BLOCK_BYTES),
        )
    except pa.ArrowException:
        return None
    batch = table.combine_chunks().to_batches()
    if not batch:
        return table.num_rows, []
    (record,) = batch
    for _, array in typed_leaves(record):
        if pa.types.is_floating(array.type) and _may_be_inexact(array):
            return None
    return record.num_rows, list(flatten_batch(record))


def _may_be_inexact(array: pa.Array) -> bool:
    """A float column holding whole numbers of 2**53 or more may be integers that lost digits."""
    big = pc.greater_equal(pc.abs(array), _EXACT_FLOAT)
    return bool(pc.any(pc.fill_null(big, False)).as_py())


class _BadLine(Exception):
    """An invalid line: its ``error``, and the lines of the piece ``read`` before it."""

    def __init__(self, error: SourceError, read: _Columns | None):
        self.error, self.read = error, read


def _parse_slow(piece: bytes, first_line: int) -> _Columns | None:
    """Parse line by line with the standard library, keeping exact number text; an invalid
    line raises :class:`_BadLine` with what was read before it."""
    order: dict[tuple[str, ...], list[str | None]] = {}
    rows = 0

    def read() -> _Columns | None:
        columns = [(path, pa.array(values, pa.string())) for path, values in order.items()]
        return (rows, columns) if rows else None

    for offset, raw in enumerate(piece.split(b"\n")):
        if not raw.strip():
            continue
        line_no = first_line + offset
        try:
            obj = json.loads(raw)
            cells = flatten_record(obj) if isinstance(obj, dict) else None
        except ValueError as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "invalid text"
            raise _BadLine(SourceError(f"invalid JSON on line {line_no}: {msg}"), read()) from None
        except RecursionError:
            raise _BadLine(_nested(line_no), read()) from None
        if cells is None:
            error = SourceError(f"invalid JSON Lines on line {line_no}: not a JSON object")
            raise _BadLine(error, read())
        for path, value in cells.items():
            column = order.get(path)
            if column is None:
                column = order[path] = [None] * rows
            column.append(value)
        rows += 1
        for column in order.values():
            if len(column) < rows:
                column.append(None)
    return read()


def _nested(line: int) -> SourceError:
    return SourceError(f"JSON on line {line} is nested deeper than {MAX_JSON_DEPTH} levels")


def _first_lines(data: bytes, n: int) -> bytes:
    """The first ``n`` lines of ``data``."""
    end = 0
    for _ in range(n):
        end = data.index(b"\n", end) + 1
    return data[:end]


def too_deep(data: bytes, limit: int = MAX_JSON_DEPTH) -> int | None:
    """The 0-based number of the first line of ``data`` (UTF-8 JSON Lines) whose objects and
    arrays nest deeper than ``limit``, or None.  Only lines longer than ``2 * limit`` bytes
    can, so only those are looked at.

    >>> too_deep(b'{"a": 1}\\n' + b"[" * 30 + b"]" * 30 + b"\\n", limit=20)
    1
    """
    if len(data) <= 2 * limit:
        return None
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == 10)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(raw)]))
    for i in np.flatnonzero(ends - starts > 2 * limit):
        if json_depth(raw[starts[i] : ends[i]]) > limit:
            return int(i)
    return None


def json_depth(raw: np.ndarray | bytes) -> int:
    """How deep the objects and arrays of UTF-8 JSON text ``raw`` nest (brackets inside
    strings do not count).

    >>> json_depth(b'{"a": [1, {"b": "[[["}]}'), json_depth(b'"\\\\\\\\" [ ]')
    (3, 1)
    """
    if isinstance(raw, (bytes, bytearray, memoryview)):
        raw = np.frombuffer(raw, dtype=np.uint8)
    if len(raw) == 0:
        return 0
    quote = raw == 0x22
    for pos in np.flatnonzero(quote[1:] & (raw[:-1] == 0x5C)) + 1:  # quotes after a backslash
        k = pos - 1
        while k >= 0 and raw[k] == 0x5C:
            k -= 1
        if (pos - 1 - k) % 2:  # an odd number of backslashes: an escaped quote
            quote[pos] = False
    outside = (np.cumsum(quote, dtype=np.int32) & 1) == 0
    step = ((raw == 0x5B) | (raw == 0x7B)).astype(np.int32)
    step -= (raw == 0x5D) | (raw == 0x7D)
    step *= outside
    return int(np.cumsum(step, dtype=np.int32).max())


def flatten_record(obj: Any) -> dict[tuple[str, ...], str | None]:
    """The cells of one JSON record: leaf path -> text.

    Objects extend the path, arrays are looked through, and the non-null scalars found at a
    path are joined by newlines (null when there are none).  A top-level scalar or array has
    the path ``("value",)``.

    >>> flatten_record({"u": {"phones": ["138", None, "139"], "tags": []}, "n": 1.0})
    {('u', 'phones'): '138\\n139', ('u', 'tags'): None, ('n',): '1'}
    """
    found: dict[tuple[str, ...], list[str]] = {}
    if isinstance(obj, dict):
        _walk((), obj, found)
    else:
        _walk(("value",), obj, found)
    return {path: LIST_SEPARATOR.join(v) if v else None for path, v in found.items()}


def _walk(path: tuple[str, ...], value: Any, found: dict[tuple[str, ...], list[str]]) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _walk((*path, key), child, found)
    elif isinstance(value, list):
        if not value:
            found.setdefault(path, [])
        for child in value:
            _walk(path, child, found)
    else:
        values = found.setdefault(path, [])
        text = scalar_text(value)
        if text is not None:
            values.append(text)
