"""Plain-text sources (``.txt``, ``.log``, ``.md``, ``.text``): one row per line.

The table is named by the file stem and has one column, ``text``.  Rows are numbered from 1
(``row_base = 1``) so a finding's row is the line number.  Line endings (``\\n`` or ``\\r\\n``)
are stripped; blank lines are kept as empty strings so numbering stays right; a final line
without a newline is still a line, and a trailing newline does not add an empty one.  A lone
``\\r`` (classic Mac OS) is not a line break.

The file is read in ``TEXT_CHUNK_BYTES`` pieces cut after the last newline; each piece becomes
one Arrow string array without a Python loop over lines (NumPy finds the newlines, the line
bytes are compacted and wrapped with ``StringArray.from_buffers``).

Decoding: invalid bytes become U+FFFD instead of failing the source; NUL bytes in the first
8 KiB mean a binary file (:class:`SourceError`).  A file whose first 64 KiB are plain ASCII
and which turns out to hold GB18030 text further on is switched to GB18030 at that point;
in a UTF-8 file, a line that is not UTF-8 but valid GB18030 is read as GB18030
(:func:`~pii_scan.sources.encoding.repair_lines`).

A line longer than ``MAX_LINE_BYTES`` (or the record cap of the source's
:class:`~pii_scan.sources.base.Limits`, from ``--source-memory``) fails the source with a
reason; the lines before it are scanned.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from .base import (
    SourceError,
    TableStream,
    check_time,
    guarded,
    human_mib,
    limit_batches,
    read_chunk,
    record_cap,
)
from .encoding import HEAD_BYTES, WIDE_CODECS, repair_lines, text_encoding
from .inputs import Input, skip

__all__ = ["lines_array", "read_text"]

TEXT_CHUNK_BYTES = 4 << 20
MAX_LINE_BYTES = 64 << 20
_SCHEMA = pa.schema([pa.field("text", pa.string())])


def read_text(
    src: Input,
    *,
    batch_rows: int,
    max_rows: int | None,
    encoding: str | None,
) -> Iterator[TableStream]:
    """Yield the single ``text`` table of a plain-text file."""
    head = src.head(HEAD_BYTES)
    if not head:
        raise SourceError("empty file")
    label, codec, bom = text_encoding(head, encoding, lenient=True)
    stream = TableStream(
        name=src.name, columns=["text"], batches=iter(()), row_base=1, encoding=label
    )
    may_switch = encoding is None and codec == "utf-8" and head.isascii()
    body = _body(src, bom, codec, may_switch, stream)
    stream.batches = limit_batches(guarded(body, "cannot read text"), batch_rows, max_rows)
    yield stream


def lines_array(data: bytes | memoryview) -> pa.StringArray:
    """One string per ``\\n``-terminated line of UTF-8 ``data``, without the line ending.

    ``data`` must be empty or end with ``b"\\n"``; a ``\\r`` just before the ``\\n`` is dropped.
    """
    raw = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(raw == 10)
    n = len(newlines)
    if n == 0:
        return pa.array([], pa.string())
    starts = np.empty(n, dtype=np.int64)
    starts[0] = 0
    starts[1:] = newlines[:-1] + 1
    has_cr = (newlines > starts) & (raw[newlines - 1] == 13)
    lengths = newlines - starts - has_cr
    drop = np.zeros(len(raw), dtype=bool)
    drop[newlines] = True
    drop[newlines[has_cr] - 1] = True
    values = raw[~drop]
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(values))


def _batch(utf8: bytes) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays([lines_array(utf8)], schema=_SCHEMA)


def _body(
    src: Input, start: int, codec: str, may_switch: bool, stream: TableStream
) -> Iterator[pa.RecordBatch]:
    cap = record_cap(src.limits, MAX_LINE_BYTES)
    with src.open() as f:
        skip(f, start)
        if codec in WIDE_CODECS:
            yield from _wide_lines(f, codec, cap)
        else:
            yield from _byte_lines(f, codec, may_switch, stream, cap)


def _too_long(cap: int = MAX_LINE_BYTES) -> SourceError:
    return SourceError(f"a line is longer than {human_mib(cap)} (--source-memory)")


def _byte_lines(
    f: BinaryIO, codec: str, may_switch: bool, stream: TableStream, cap: int = MAX_LINE_BYTES
) -> Iterator[pa.RecordBatch]:
    """Lines of an ASCII-compatible encoding, whose multi-byte characters never hold 0x0A:
    the raw bytes can be cut at newlines before decoding."""

    def to_utf8(part: bytes) -> bytes:
        nonlocal codec, may_switch
        if codec == "utf-8":
            try:
                part.decode("utf-8")
            except UnicodeDecodeError:
                if may_switch and _gb18030(part):
                    codec = "gb18030"
                    stream.encoding = codec
                else:
                    return repair_lines(part)
            else:
                may_switch = may_switch and part.isascii()
                return part
        return part.decode(codec, "replace").encode("utf-8")

    carry = b""
    while True:
        check_time()
        chunk = read_chunk(f, TEXT_CHUNK_BYTES)
        if not chunk:
            if carry:
                yield _batch(to_utf8(carry) + b"\n")
            return
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0:
            if len(data) > cap:
                raise _too_long(cap)
            carry = data
            continue
        if cut - 1 > cap and _longest_line(data[:cut]) > cap:
            raise _too_long(cap)
        carry = data[cut:]
        yield _batch(to_utf8(data[:cut]))


def _gb18030(part: bytes) -> bool:
    try:
        part.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def _longest_line(data: bytes) -> int:
    """The length in bytes of the longest ``\\n``-terminated line of ``data``."""
    newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
    return int(np.diff(newlines, prepend=-1).max()) - 1 if len(newlines) else len(data)


def _wide_lines(f: BinaryIO, codec: str, cap: int = MAX_LINE_BYTES) -> Iterator[pa.RecordBatch]:
    """Lines of UTF-16/UTF-32 text, cut after decoding."""
    decoder = codecs.getincrementaldecoder(codec)("replace")
    carry = ""
    while True:
        check_time()
        chunk = read_chunk(f, TEXT_CHUNK_BYTES)
        text = carry + decoder.decode(chunk, final=not chunk)
        if not chunk:
            if text:
                yield _batch(text.encode("utf-8") + b"\n")
            return
        cut = text.rfind("\n") + 1
        if cut == 0:
            if len(text) * 2 > cap:
                raise _too_long(cap)
            carry = text
            continue
        carry = text[cut:]
        yield _batch(text[:cut].encode("utf-8"))
