"""CSV and TSV sources, streamed with ``pyarrow.csv.open_csv``.

The header row is read here, not by pyarrow: it is decoded with the detected encoding, parsed
with the standard ``csv`` module (quotes and embedded newlines work), its names are made unique
(:func:`~pii_scan.sources.base.dedupe_names`), and pyarrow is handed the bytes after it with
those names and every column typed ``pa.string()``.  Empty cells are null.

Details:

* A ``.csv`` whose header has a single field but contains tabs, semicolons or pipes is read
  with the most frequent of those as the delimiter.  ``.tsv`` is always tab-separated.
  Quoting follows RFC 4180 for both (a quote inside a quoted field is doubled; quoted fields
  may hold delimiters and newlines).
* Blank lines before the header and between rows are ignored.
* A row with too few or too many fields is skipped and counted in
  :attr:`TableStream.skipped_rows` rather than failing the source.
* pyarrow reads ahead a few dozen blocks, so memory stays around 32 x ``CSV_BLOCK_BYTES``.
  A row larger than a block makes the reader start over with 8x larger blocks (up to
  ``MAX_BLOCK_BYTES``), skipping the rows it already produced.
* Encoding is decided from the first 64 KiB (:mod:`~pii_scan.sources.encoding`); pyarrow
  transcodes non-UTF-8 input.  Invalid UTF-8 further into a file fails the source.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterator
from pathlib import PurePath
from typing import BinaryIO

import pyarrow as pa
import pyarrow.csv as pacsv

from .base import (
    SourceError,
    SourceRef,
    TableStream,
    dedupe_names,
    guarded,
    limit_batches,
    open_binary,
    read_chunk,
)
from .encoding import HEAD_BYTES, text_encoding

__all__ = ["read_delimited"]

CSV_BLOCK_BYTES = 1 << 20
MAX_BLOCK_BYTES = 64 << 20
MAX_HEADER_CHARS = 8 << 20
_SNIFF_DELIMITERS = "\t;|"


def read_delimited(
    ref: SourceRef,
    *,
    batch_rows: int,
    max_rows: int | None,
    encoding: str | None,
) -> Iterator[TableStream]:
    """Yield the single table of a CSV (``ref.format == 'csv'``) or TSV file."""
    delimiter = "\t" if ref.format == "tsv" else ","
    with open_binary(ref.location) as f:
        head = read_chunk(f, HEAD_BYTES)
        if not head:
            raise SourceError("empty file")
        label, codec, bom = text_encoding(head, encoding)
        f.seek(bom)
        names, header_bytes, delimiter = _read_header(f, codec, delimiter, ref.format == "csv")
        size = os.fstat(f.fileno()).st_size
    columns = dedupe_names(names)
    stream = TableStream(
        name=PurePath(ref.path).stem, columns=columns, batches=iter(()), encoding=label
    )
    body = _body(ref.location, bom + header_bytes, size, columns, codec, delimiter, stream)
    stream.batches = limit_batches(guarded(body, "cannot read CSV"), batch_rows, max_rows)
    yield stream


# --------------------------------------------------------------------------- header


def _read_header(
    f: BinaryIO, codec: str, delimiter: str, sniff: bool
) -> tuple[list[str], int, str]:
    """Parse the first non-blank record: ``(names, bytes used incl. blank lines, delimiter)``."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    text = ""
    want = 64 * 1024
    while True:
        chunk = read_chunk(f, want)
        eof = not chunk
        try:
            text += decoder.decode(chunk, final=eof)
        except UnicodeDecodeError:
            raise SourceError(f"header row is not valid {codec} text") from None
        found = _first_record(text, delimiter, eof)
        if found is not None:
            row, used = found
            if sniff and len(row) == 1:
                counts = {d: text[:used].count(d) for d in _SNIFF_DELIMITERS}
                best = max(counts, key=lambda d: counts[d])
                if counts[best]:
                    delimiter = best
                    again = _first_record(text, delimiter, eof)
                    if again is None:  # the record now runs past what was read
                        continue
                    row, used = again
            row[0] = row[0].removeprefix("\ufeff")
            return row, len(text[:used].encode(codec)), delimiter
        if eof:
            raise SourceError("no header row")
        if len(text) > MAX_HEADER_CHARS:
            raise SourceError("header row is longer than 8 MiB")
        want = min(want * 2, 4 << 20)


def _first_record(text: str, delimiter: str, eof: bool) -> tuple[list[str], int] | None:
    """The first non-blank CSV record in ``text`` and the characters it (and blank lines
    before it) take, or None if ``text`` has none or it may continue past ``text``."""
    lines = iter(io.StringIO(text, newline=""))
    skipped = 0
    first = None
    for line in lines:
        if line.strip():
            first = line
            break
        skipped += len(line)
    if first is None:
        return None
    used = [len(first)]

    def feed() -> Iterator[str]:
        yield first
        for line in lines:
            used.append(len(line))
            yield line

    reader = csv.reader(feed(), delimiter=delimiter, quotechar='"', doublequote=True, strict=False)
    try:
        row = next(reader)
    except (csv.Error, StopIteration):
        if eof:
            raise SourceError("malformed header row") from None
        return None
    end = skipped + sum(used)
    if end >= len(text) and not eof:
        return None
    if end >= len(text) and _unterminated(text[skipped:end], delimiter):
        raise SourceError("malformed header row: a quote is never closed")
    return row, end


def _unterminated(record: str, delimiter: str) -> bool:
    """True if ``record`` (the rest of the file) ends inside a quoted field."""
    strict = csv.reader(io.StringIO(record, newline=""), delimiter=delimiter, strict=True)
    try:
        next(strict, None)
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


# --------------------------------------------------------------------------- body


def _body(
    location: str,
    offset: int,
    size: int,
    columns: list[str],
    codec: str,
    delimiter: str,
    stream: TableStream,
) -> Iterator[pa.RecordBatch]:
    """Record batches after the header; restarts with larger blocks when a row is too big."""
    if offset >= size:
        return
    block = CSV_BLOCK_BYTES
    produced = 0
    while True:
        skip = produced
        try:
            for batch in _read_body(location, offset, columns, codec, delimiter, stream, block):
                if skip:
                    if batch.num_rows <= skip:
                        skip -= batch.num_rows
                        continue
                    batch = batch.slice(skip)
                    skip = 0
                produced += batch.num_rows
                yield batch
            return
        except pa.ArrowInvalid as exc:
            message = str(exc)
            if "Empty CSV file" in message and not produced:
                return  # only blank lines after the header
            if "straddl" in message and block < MAX_BLOCK_BYTES:
                block *= 8
                stream.reset_skipped()  # the new pass counts them again
                continue
            if "straddl" in message:
                raise SourceError("a row is larger than 64 MiB") from None
            if "invalid UTF8" in message:
                raise SourceError(
                    f"invalid {codec} text after the first 64 KiB (force the encoding)"
                ) from None
            raise


def _read_body(
    location: str,
    offset: int,
    columns: list[str],
    codec: str,
    delimiter: str,
    stream: TableStream,
    block: int,
) -> Iterator[pa.RecordBatch]:
    def on_invalid_row(row: object) -> str:
        stream.count_skipped()
        return "skip"

    read_options = pacsv.ReadOptions(
        column_names=columns,
        block_size=block,
        encoding="utf8" if codec == "utf-8" else codec,
        use_threads=True,
    )
    parse_options = pacsv.ParseOptions(
        delimiter=delimiter,
        quote_char='"',
        double_quote=True,
        escape_char=False,
        newlines_in_values=True,
        ignore_empty_lines=True,
        invalid_row_handler=on_invalid_row,
    )
    convert_options = pacsv.ConvertOptions(
        column_types={name: pa.string() for name in columns},
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
        null_values=[""],
        check_utf8=True,
    )
    with pa.OSFile(location, "rb") as source:
        source.seek(offset)
        reader = pacsv.open_csv(
            source,
            read_options=read_options,
            parse_options=parse_options,
            convert_options=convert_options,
        )
        try:
            yield from reader
        finally:
            reader.close()
