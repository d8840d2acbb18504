"""``.json`` sources: JSON Lines, or a JSON document read as one table.

A ``.json`` file whose first line is a complete JSON object is JSON Lines
(:mod:`~pii_scan.sources.jsonl`).  Anything else is a JSON document, parsed as a stream so
that a document of any size is read in bounded memory:

* a top-level **array**: each element is a row (``[{"name": ...}, {...}]``);
* a top-level **object**: each element of an array that is the value of one of its members is
  a row, with column names starting with that member's key (``{"data": [{"phone": ...}]}``
  gives the column ``data.phone``); the object's other members form one more row, the last;
* a top-level scalar: one row in a column named ``value``.

Rows follow the JSON Lines rule (:func:`~pii_scan.sources.jsonl.flatten_record`): nested
objects give dotted column names (``user.contact.phone``) and arrays are looked through,
their scalar values joined by newlines in one cell.  An element that is a scalar is a value
of the column named by its member's key (``value`` in a top-level array).  Each element (or
member) is parsed on its own; one larger than :data:`MAX_VALUE_CHARS` (or the record cap
from ``--source-memory``), invalid, or nested deeper than
:data:`~pii_scan.sources.jsonl.MAX_JSON_DEPTH` levels fails the source, after the rows before
it are scanned.
Columns are those of the first rows, and keys that first appear later are appended when met.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any

import pyarrow as pa

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
from .jsonl import MAX_JSON_DEPTH, flatten_record, json_depth, read_jsonl

__all__ = ["MAX_VALUE_CHARS", "is_json_lines", "read_json"]

#: The largest single element (or member value) of a JSON document.
MAX_VALUE_CHARS = 64 << 20
READ_CHARS = 1 << 20
_CHUNK_ROWS = 4096
#: A batch ends after this many characters of values too: long texts make few rows a batch.
_CHUNK_CHARS = 4 << 20
_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()

_Row = dict[tuple[str, ...], "str | None"]


def is_json_lines(text: str) -> bool:
    """True when ``text`` (the decoded head of a ``.json`` file) is JSON Lines: its first line
    holds a complete JSON object and the next line starts another one; a file of one line is
    one record unless that object wraps records in an array (``{"data": [{...}, ...]}``).

    >>> is_json_lines('{"a": 1}\\n{"a": 2}\\n'), is_json_lines('{\\n "a": 1\\n}')
    (True, False)
    >>> is_json_lines('{"a": [1, 2]}'), is_json_lines('{"rows": [{"a": 1}]}'), is_json_lines("[1]")
    (True, False, False)
    """
    stripped = text.lstrip(" \t\r\n\ufeff")
    if not stripped.startswith("{"):
        return False
    first_line, _, rest = stripped.partition("\n")
    try:
        obj = json.loads(first_line)
    except (ValueError, RecursionError):
        return False
    if not isinstance(obj, dict):
        return False
    if rest.strip():
        return rest.lstrip().startswith("{")
    return not any(isinstance(v, list) and v and isinstance(v[0], dict) for v in obj.values())


def read_json(
    src: Input, *, batch_rows: int, max_rows: int | None, encoding: str | None
) -> Iterator[TableStream]:
    """Yield the single table of a ``.json`` file (JSON Lines or a JSON document)."""
    head = src.head(HEAD_BYTES)
    if not head:
        raise SourceError("empty file")
    label, codec, bom = text_encoding(head, encoding)
    text = codecs.getincrementaldecoder(codec)("replace").decode(head[bom:], final=False)
    if is_json_lines(text):
        yield from read_jsonl(src, batch_rows=batch_rows, max_rows=max_rows, encoding=encoding)
        return
    namer = ColumnNamer()
    doc = _Document(_chars(src, bom, codec), record_cap(src.limits, MAX_VALUE_CHARS))
    batches = primed(guarded(_batches(doc, namer), "cannot read JSON"))
    batches = limit_batches(batches, batch_rows, max_rows)
    yield TableStream(name=src.name, columns=namer.names, batches=batches, encoding=label)


def _chars(src: Input, bom: int, codec: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(codec)("strict")
    with src.open() as f:
        skip(f, bom)
        while True:
            check_time()
            chunk = read_chunk(f, READ_CHARS)
            try:
                text = decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError:
                raise SourceError(f"not valid {codec} text") from None
            if text:
                yield text
            if not chunk:
                return


class _Document:
    """A cursor over the text of a JSON document, read piece by piece."""

    def __init__(self, chunks: Iterator[str], max_chars: int = MAX_VALUE_CHARS) -> None:
        self.chunks = chunks
        self.max_chars = max_chars
        self.buf = ""
        self.pos = 0
        self.eof = False
        self.line = 1  # line number of buf[0]

    def more(self, chars: int | None = None) -> bool:
        """Append at least ``chars`` more characters; False at the end of the text."""
        chars = READ_CHARS if chars is None else chars
        if self.pos > len(self.buf) // 2:
            self.line += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos :]
            self.pos = 0
        got = 0
        parts = [self.buf]
        while got < chars:
            chunk = next(self.chunks, None)
            if chunk is None:
                self.eof = True
                break
            parts.append(chunk)
            got += len(chunk)
        self.buf = "".join(parts)
        return got > 0

    def error(self, what: str) -> SourceError:
        return SourceError(f"invalid JSON near line {self.line_no()}: {what}")

    def line_no(self) -> int:
        return self.line + self.buf.count("\n", 0, self.pos)

    def nested(self) -> SourceError:
        return SourceError(
            f"JSON near line {self.line_no()} is nested deeper than {MAX_JSON_DEPTH} levels"
        )

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or not self.more():
                return self.buf[self.pos : self.pos + 1]

    def expect(self, chars: str) -> str:
        c = self.peek()
        if not c or c not in chars:
            raise self.error(f"expected {' or '.join(repr(ch) for ch in chars)}")
        self.pos += 1
        return c

    def value(self) -> Any:
        """Parse the next JSON value."""
        self.peek()
        want = READ_CHARS
        while True:
            check_time()
            try:
                obj, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise self.error(exc.msg) from None
                if len(self.buf) - self.pos > self.max_chars:
                    raise SourceError(
                        f"a JSON value is larger than {human_mib(self.max_chars)}, or invalid"
                        " (--source-memory)"
                    ) from None
                self.more(want)
                want = min(want * 2, self.max_chars)
                continue
            except RecursionError:
                raise self.nested() from None
            more = end == len(self.buf) and not self.eof and not isinstance(obj, (dict, list, str))
            if more and self.more():  # a number or literal may go on in the next piece
                continue
            if end - self.pos > 2 * MAX_JSON_DEPTH and isinstance(obj, (dict, list)):
                text = self.buf[self.pos : end].encode("utf-8", "surrogatepass")
                if json_depth(text) > MAX_JSON_DEPTH:
                    raise self.nested()
            self.pos = end
            return obj


def _rows(doc: _Document) -> Iterator[_Row]:
    c = doc.peek()
    if not c:
        raise SourceError("empty JSON document")
    if c == "[":
        doc.pos += 1
        yield from _elements(doc, ())
    elif c == "{":
        doc.pos += 1
        yield from _members(doc)
    else:
        yield _row((), doc.value())
    if doc.peek():
        raise doc.error("extra data after the JSON document")


def _elements(doc: _Document, prefix: tuple[str, ...]) -> Iterator[_Row]:
    if doc.peek() == "]":
        doc.pos += 1
        return
    while True:
        yield _row(prefix, doc.value())
        if doc.expect(",]") == "]":
            return


def _members(doc: _Document) -> Iterator[_Row]:
    rest: dict[str, Any] = {}
    if doc.peek() == "}":
        doc.pos += 1
    else:
        while True:
            if doc.peek() != '"':
                raise doc.error("expected a member name")
            key = doc.value()
            doc.expect(":")
            if doc.peek() == "[":
                doc.pos += 1
                yield from _elements(doc, (key,))
            else:
                rest[key] = doc.value()
            if doc.expect(",}") == "}":
                break
    if rest:
        yield _row((), rest)


def _row(prefix: tuple[str, ...], element: Any) -> _Row:
    if isinstance(element, dict):
        return {(*prefix, *path): text for path, text in flatten_record(element).items()}
    head = prefix or ("value",)
    return {(*head, *path[1:]): text for path, text in flatten_record(element).items()}


def _batches(doc: _Document, namer: ColumnNamer) -> Iterator[pa.RecordBatch]:
    chunk: list[dict[str, str | None]] = []
    size = 0  # characters of text in ``chunk``
    rows = _rows(doc)
    while True:
        try:
            row = next(rows, None)
        except (SourceError, RecursionError) as exc:
            # The rows read before an invalid element are scanned, then the source fails.
            if chunk:
                yield _to_batch(chunk, namer.names)
            if isinstance(exc, RecursionError):  # flattening a value nested too deep
                raise doc.nested() from None
            raise
        if row is None:
            break
        chunk.append({namer.name(path): text for path, text in row.items()})
        size += sum(len(text) for text in row.values() if text)
        if len(chunk) >= _CHUNK_ROWS or size >= _CHUNK_CHARS:
            yield _to_batch(chunk, namer.names)
            chunk, size = [], 0
    if chunk:
        yield _to_batch(chunk, namer.names)


def _to_batch(rows: list[dict[str, str | None]], names: list[str]) -> pa.RecordBatch:
    arrays = [pa.array([row.get(name) for row in rows], pa.string()) for name in names]
    return pa.RecordBatch.from_arrays(arrays, names=list(names))
