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

Columns: nested objects are flattened to dotted names (``user.contact.phone``); arrays become
JSON text; blank lines are skipped (rows are the 0-based index among the objects).  The
columns of the first piece are known before the first batch; a key first seen in a later piece
is appended to :attr:`TableStream.columns` when its batch is produced (earlier batches simply
lacked it).  A ``.json`` file that holds a JSON document (an array, or an object spread over
several lines) raises ``SourceError("JSON documents are not supported yet")``.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Generator, Iterator
from pathlib import PurePath
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from .base import (
    ColumnNamer,
    SourceError,
    SourceRef,
    TableStream,
    guarded,
    limit_batches,
    open_binary,
    read_chunk,
)
from .encoding import HEAD_BYTES, text_encoding
from .strings import flatten_batch, format_float, json_text, to_string_array

__all__ = ["read_jsonl"]

JSON_CHUNK_BYTES = 4 << 20
MAX_LINE_BYTES = 64 << 20
_PARSE_BLOCK_BYTES = 1 << 20
_EXACT_FLOAT = float(2**53)


def read_jsonl(
    ref: SourceRef,
    *,
    batch_rows: int,
    max_rows: int | None,
    encoding: str | None,
) -> Iterator[TableStream]:
    """Yield the single table of a JSON Lines file."""
    with open_binary(ref.location) as f:
        head = read_chunk(f, HEAD_BYTES)
    if not head:
        raise SourceError("empty file")
    label, codec, bom = text_encoding(head, encoding)
    if PurePath(ref.location).suffix.lower() == ".json":
        _check_line_delimited(head[bom:], codec)

    namer = ColumnNamer()
    pieces = _pieces(ref.location, bom, codec)
    batches = guarded(_batches(pieces, namer), "cannot read JSON Lines")
    # Read the first piece now so that the columns are known before the first batch.
    first = next(batches, None)
    stream = TableStream(
        name=PurePath(ref.path).stem, columns=namer.names, batches=iter(()), encoding=label
    )

    def all_batches() -> Iterator[pa.RecordBatch]:
        try:
            if first is not None:
                yield first
                yield from batches
        finally:
            batches.close()

    stream.batches = limit_batches(all_batches(), batch_rows, max_rows)
    yield stream


def _check_line_delimited(head: bytes, codec: str) -> None:
    text = codecs.getincrementaldecoder(codec)("replace").decode(head, final=False)
    stripped = text.lstrip()
    if stripped.startswith("["):
        raise SourceError("JSON documents are not supported yet")
    first_line, newline, _ = stripped.partition("\n")
    if newline:
        try:
            json.loads(first_line)
        except ValueError:
            raise SourceError("JSON documents are not supported yet") from None


# --------------------------------------------------------------------------- pieces of lines


def _pieces(location: str, start: int, codec: str) -> Generator[tuple[int, bytes], None, None]:
    """``(first line number, UTF-8 bytes of whole lines)`` for each piece of the file."""
    with open_binary(location) as f:
        f.seek(start)
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
            by_name = {namer.name(path): array for path, array in values}
            if rows == 0:
                continue
            missing = pa.nulls(rows, pa.string())
            arrays = [by_name.get(name, missing) for name in namer.names]
            yield pa.RecordBatch.from_arrays(arrays, names=list(namer.names))
    finally:
        pieces.close()


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
    out: list[tuple[tuple[str, ...], pa.Array]] = []
    for path, array in flatten_batch(record):
        if pa.types.is_floating(array.type) and _may_be_inexact(array):
            return None
        out.append((path, to_string_array(array)))
    return record.num_rows, out


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
        for path, value in _flatten_object((), obj):
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


def _flatten_object(
    path: tuple[str, ...], obj: dict[str, Any]
) -> Iterator[tuple[tuple[str, ...], str | None]]:
    for key, value in obj.items():
        here = (*path, key)
        if isinstance(value, dict) and value:
            yield from _flatten_object(here, value)
        elif isinstance(value, dict):
            continue  # an empty object has no leaves (pyarrow drops it too)
        else:
            yield here, _text(value)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    return json_text(value)
