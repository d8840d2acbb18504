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
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Generator, Iterator
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from .base import (
    ColumnNamer,
    SourceError,
    TableStream,
    guarded,
    limit_batches,
    read_chunk,
)
from .encoding import HEAD_BYTES, text_encoding
from .inputs import Input, skip
from .strings import LIST_SEPARATOR, flatten_batch, format_float, typed_leaves

__all__ = ["flatten_record", "read_jsonl", "record_batch"]

JSON_CHUNK_BYTES = 4 << 20
MAX_LINE_BYTES = 64 << 20
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
    pieces = _pieces(src, bom, codec)
    batches = guarded(_batches(pieces, namer), "cannot read JSON Lines")
    # Read the first piece now so that the columns are known before the first batch.
    first = next(batches, None)
    stream = TableStream(name=src.name, columns=namer.names, batches=iter(()), encoding=label)

    def all_batches() -> Iterator[pa.RecordBatch]:
        try:
            if first is not None:
                yield first
                yield from batches
        finally:
            batches.close()

    stream.batches = limit_batches(all_batches(), batch_rows, max_rows)
    yield stream


# --------------------------------------------------------------------------- pieces of lines


def _pieces(src: Input, start: int, codec: str) -> Generator[tuple[int, bytes], None, None]:
    """``(first line number, UTF-8 bytes of whole lines)`` for each piece of the file."""
    with src.open() as f:
        skip(f, start)
        if codec != "utf-8":
            yield from _decoded_pieces(f, codec)
            return
        line = 1
        carry = b""
        while True:
            chunk = read_chunk(f, JSON_CHUNK_BYTES)
            if not chunk:
                if carry.strip():
                    yield line, carry
                return
            data = carry + chunk if carry else chunk
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                if len(data) > MAX_LINE_BYTES:
                    raise SourceError(f"line {line} is longer than {MAX_LINE_BYTES >> 20} MiB")
                carry = data
                continue
            piece, carry = data[:cut], data[cut:]
            yield line, piece
            line += piece.count(b"\n")


def _decoded_pieces(f: BinaryIO, codec: str) -> Iterator[tuple[int, bytes]]:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    line = 1
    carry = ""
    while True:
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
            if len(text) * 2 > MAX_LINE_BYTES:
                raise SourceError(f"line {line} is longer than {MAX_LINE_BYTES >> 20} MiB")
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
            columns = _parse_fast(piece)
            if columns is None:
                columns = _parse_slow(piece, first_line)
            if columns is None:
                continue
            rows, values = columns
            if rows:
                yield record_batch(namer, rows, values)
    finally:
        pieces.close()


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


def _parse_fast(piece: bytes) -> _Columns | None:
    """Parse with pyarrow; None when it fails or its numbers may be inexact."""
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


def _parse_slow(piece: bytes, first_line: int) -> _Columns | None:
    """Parse line by line with the standard library, keeping exact number text."""
    order: dict[tuple[str, ...], list[str | None]] = {}
    rows = 0
    for offset, raw in enumerate(piece.split(b"\n")):
        if not raw.strip():
            continue
        line_no = first_line + offset
        try:
            obj = json.loads(raw)
        except ValueError as exc:
            msg = exc.msg if isinstance(exc, json.JSONDecodeError) else "invalid text"
            raise SourceError(f"invalid JSON on line {line_no}: {msg}") from None
        if not isinstance(obj, dict):
            raise SourceError(f"invalid JSON Lines on line {line_no}: not a JSON object")
        for path, value in flatten_record(obj).items():
            column = order.get(path)
            if column is None:
                column = order[path] = [None] * rows
            column.append(value)
        rows += 1
        for column in order.values():
            if len(column) < rows:
                column.append(None)
    if rows == 0:
        return None
    return rows, [(path, pa.array(values, pa.string())) for path, values in order.items()]


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
        text = _text(value)
        if text is not None:
            values.append(text)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    return str(value)
