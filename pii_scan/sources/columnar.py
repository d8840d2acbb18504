"""ORC and Feather / Arrow IPC sources.

* **ORC** (``.orc``): read a stripe at a time with ``pyarrow.orc.ORCFile.read_stripe``, so
  memory is bounded by one stripe.
* **Arrow IPC** (``.arrow``, ``.ipc``, ``.feather``, ``.arrows``): the file format (Feather
  version 2; starts with ``ARROW1``) is read a record batch at a time through random access;
  the stream format is read as a stream, so it needs no temporary copy wherever it lives;
  legacy Feather version 1 files (``FEA1``) are read whole with ``pyarrow.feather``.

Both are typed: the columns come from the schema (structs flattened to dotted names, lists
looked through) and the values are turned into text by :mod:`~pii_scan.sources.strings`.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa

from .base import SourceError, TableStream, dedupe_names, guarded, limit_batches, owned, reason
from .inputs import Input
from .strings import flatten_batch, flatten_schema

__all__ = ["bounded", "checked_batch", "read_arrow", "read_orc", "schema_columns"]

_ORC_CORRUPT = "truncated or corrupt ORC file"
_IPC_CORRUPT = "truncated or corrupt Arrow file"
TOO_BIG = "a size in the file is larger than the memory available"


def schema_columns(schema: pa.Schema, what: str) -> list[str]:
    """The flattened, unique column names of ``schema``; :class:`SourceError` ``what: ...``
    when a name is not UTF-8 (pyarrow only fails when the name is read)."""
    try:
        return dedupe_names([".".join(path) for path in flatten_schema(schema)])
    except UnicodeDecodeError:
        raise SourceError(f"{what}: a column name is not valid UTF-8") from None


def _as_bytes(array: pa.Array) -> pa.Array:
    """A text array seen as the binary array of the same buffers (other arrays unchanged)."""
    t = array.type
    if pa.types.is_string(t):
        return array.view(pa.binary())
    if pa.types.is_large_string(t):
        return array.view(pa.large_binary())
    if pa.types.is_dictionary(t) and (
        pa.types.is_string(t.value_type) or pa.types.is_large_string(t.value_type)
    ):
        return pa.DictionaryArray.from_arrays(array.indices, _as_bytes(array.dictionary))
    return array


def checked_batch(batch: pa.RecordBatch) -> pa.RecordBatch:
    """``batch`` after a full validation, which the Parquet, ORC and Arrow IPC readers skip.

    Text columns holding bytes that are not UTF-8 (written by a tool that does not check, or
    a damaged file) are passed on as binary, which the text conversion turns to null as for
    any binary value that is not UTF-8; any other inconsistency (offsets or lengths out of
    range) raises ``pyarrow.ArrowInvalid``, which the readers report as a corrupt file.
    """
    try:
        batch.validate(full=True)
        return batch
    except pa.ArrowInvalid:
        pass
    arrays = [_as_bytes(array) for array in batch.columns]
    out = pa.RecordBatch.from_arrays(arrays, names=batch.schema.names)
    out.validate(full=True)
    return out


def bounded(batches: Iterable[pa.RecordBatch], what: str) -> Iterator[pa.RecordBatch]:
    """``batches``, with a failed allocation turned into :class:`SourceError` ``what: ...``:
    a damaged length or size field asks pyarrow for more memory than there is."""
    try:
        yield from batches
    except MemoryError:
        raise SourceError(f"{what}: {TOO_BIG}") from None


def _strings(batch: pa.RecordBatch, columns: list[str]) -> pa.RecordBatch:
    arrays = [array for _, array in flatten_batch(checked_batch(batch))]
    return pa.RecordBatch.from_arrays(arrays, names=columns)


def _batches_of(data: pa.RecordBatch | pa.Table) -> Iterator[pa.RecordBatch]:
    if isinstance(data, pa.Table):
        yield from data.to_batches()
    else:
        yield data


# --------------------------------------------------------------------------- ORC


def read_orc(
    src: Input, *, batch_rows: int, max_rows: int | None, encoding: str | None = None
) -> Iterator[TableStream]:
    """Yield the single table of an ORC file (``encoding`` is ignored)."""
    import pyarrow.orc as orc

    stack = contextlib.ExitStack()
    with stack:
        f = stack.enter_context(src.random_access())
        try:
            if f.size() == 0:
                raise SourceError("empty file")
            reader = orc.ORCFile(f)
            schema = reader.schema
        except MemoryError:
            raise SourceError(f"{_ORC_CORRUPT}: {TOO_BIG}") from None
        except (pa.ArrowException, OSError, ValueError) as exc:
            raise SourceError(f"{_ORC_CORRUPT}: {reason(exc)}") from None
        columns = schema_columns(schema, _ORC_CORRUPT)
        stream = TableStream(name=src.name, columns=columns, batches=iter(()))

        def body() -> Iterator[pa.RecordBatch]:
            for i in range(reader.nstripes):
                for batch in _batches_of(reader.read_stripe(i)):
                    yield _strings(batch, columns)

        batches = owned(body(), stack.pop_all())
    checked = guarded(bounded(batches, _ORC_CORRUPT), _ORC_CORRUPT)
    stream.batches = limit_batches(checked, batch_rows, max_rows)
    yield stream


# --------------------------------------------------------------------------- Arrow IPC


def read_arrow(
    src: Input, *, batch_rows: int, max_rows: int | None, encoding: str | None = None
) -> Iterator[TableStream]:
    """Yield the single table of a Feather / Arrow IPC file or stream."""
    import pyarrow.ipc as ipc

    magic = src.head(8)
    if not magic:
        raise SourceError("empty file")
    if magic.startswith(b"ARROW1"):
        stack = contextlib.ExitStack()
        with stack:
            f = stack.enter_context(src.random_access())
            try:
                reader: Any = ipc.open_file(f)
            except MemoryError:
                raise SourceError(f"{_IPC_CORRUPT}: {TOO_BIG}") from None
            except (pa.ArrowException, OSError) as exc:
                raise SourceError(f"{_IPC_CORRUPT}: {reason(exc)}") from None
            batches = owned(_file_batches(reader), stack.pop_all())
        yield _stream(src, reader.schema, batches, batch_rows, max_rows)
        return
    if magic.startswith(b"FEA1"):
        import pyarrow.feather as feather

        with src.random_access() as f, warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # legacy, but still data
            try:
                table = feather.read_table(f)
            except MemoryError:
                raise SourceError(f"{_IPC_CORRUPT}: {TOO_BIG}") from None
            except (pa.ArrowException, OSError) as exc:
                raise SourceError(f"{_IPC_CORRUPT}: {reason(exc)}") from None
        yield _stream(src, table.schema, iter(table.to_batches()), batch_rows, max_rows)
        return
    stack = contextlib.ExitStack()
    with stack:
        f = stack.enter_context(src.open())
        try:
            reader = ipc.open_stream(f)
        except MemoryError:
            raise SourceError(f"{_IPC_CORRUPT}: {TOO_BIG}") from None
        except (pa.ArrowException, OSError) as exc:
            raise SourceError(f"not an Arrow IPC file or stream: {reason(exc)}") from None
        batches = owned(iter(reader), stack.pop_all())
    yield _stream(src, reader.schema, batches, batch_rows, max_rows)


def _file_batches(reader: Any) -> Iterator[pa.RecordBatch]:
    for i in range(reader.num_record_batches):
        yield reader.get_batch(i)


def _stream(
    src: Input,
    schema: pa.Schema,
    batches: Iterator[pa.RecordBatch],
    batch_rows: int,
    max_rows: int | None,
) -> TableStream:
    columns = schema_columns(schema, _IPC_CORRUPT)
    stream = TableStream(name=src.name, columns=columns, batches=iter(()))
    body = (_strings(batch, columns) for batch in bounded(batches, _IPC_CORRUPT))
    stream.batches = limit_batches(guarded(body, _IPC_CORRUPT), batch_rows, max_rows)
    return stream
