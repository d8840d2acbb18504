"""The sources layer: finding inputs and reading them as streams of all-string Arrow batches.

>>> found = discover(["data/", "s3://lake/raw/"], exclude=["*.tmp.csv"])   # doctest: +SKIP
>>> for ref in found.sources:                                            # doctest: +SKIP
...     for table in open_source(ref, max_rows=1000):
...         for batch in table.batches:
...             ...  # batch.schema.names == table.columns, every column pa.string()

Formats (by extension, case-insensitive; see :data:`FORMATS`):

======================  ===============================================================
``csv`` ``tsv`` ``psv``  delimited text, dialect and header sniffed (:mod:`.delimited`)
``jsonl`` ``json``       JSON Lines; JSON documents (:mod:`.jsonl`, :mod:`.jsondoc`)
``parquet``              files and Hive-partitioned datasets (:mod:`.parquet`)
``orc`` ``feather``      ORC, Feather / Arrow IPC files and streams (:mod:`.columnar`)
``arrow``
``xlsx`` ``xls``         spreadsheets, a table per sheet (:mod:`.spreadsheet`)
``sql``                  MySQL/MariaDB and PostgreSQL dumps, a table per SQL table
                         (:mod:`.sqldump`)
``sqlite``               SQLite databases, a table per table (:mod:`.sqlite`)
``text``                 plain text, one row per line (:mod:`.text`)
``zip`` ``tar``          archives, expanded into member sources (:mod:`.archives`)
======================  ===============================================================

Any of them may be compressed (``.gz``, ``.bz2``, ``.xz``, ``.zst``) and may live in an object
store (``s3://``); see :mod:`.inputs` and its decompression-bomb :class:`Limits`.  Every
failure to read a source is a :class:`SourceError` with a one-line reason, raised when the
source is opened or later while its batches are read.  Tables of a source must be read in
order: take a table's batches before asking for the next table.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator

from .archives import Archive
from .base import Limits, SourceError, SourceRef, TableStream, check_limits
from .discovery import ARCHIVE_FORMATS, FORMATS, Discovery, detect, detect_format, discover
from .encoding import detect_encoding
from .inputs import Input

__all__ = [
    "ARCHIVE_FORMATS",
    "FORMATS",
    "Archive",
    "Discovery",
    "Input",
    "Limits",
    "SourceError",
    "SourceRef",
    "TableStream",
    "detect",
    "detect_encoding",
    "detect_format",
    "discover",
    "open_source",
]

#: format -> (module, function) of its reader; a module is imported when a source needs it
#: (pyarrow.parquet and the SQL dump grammar cost a CSV scan ~50 ms of start-up otherwise).
_READERS: dict[str, tuple[str, str]] = {
    "csv": ("delimited", "read_delimited"),
    "tsv": ("delimited", "read_delimited"),
    "psv": ("delimited", "read_delimited"),
    "jsonl": ("jsonl", "read_jsonl"),
    "json": ("jsondoc", "read_json"),
    "parquet": ("parquet", "read_parquet"),
    "orc": ("columnar", "read_orc"),
    "feather": ("columnar", "read_arrow"),
    "arrow": ("columnar", "read_arrow"),
    "xlsx": ("spreadsheet", "read_xlsx"),
    "xls": ("spreadsheet", "read_xls"),
    "sql": ("sqldump", "read_sql"),
    "sqlite": ("sqlite", "read_sqlite"),
    "text": ("text", "read_text"),
}


def open_source(
    ref: SourceRef,
    *,
    batch_rows: int = 65_536,
    max_rows: int | None = None,
    encoding: str | None = None,
    limits: Limits | None = None,
) -> Iterator[TableStream]:
    """Yield the tables of ``ref``, each a :class:`TableStream` of all-string batches.

    ``batch_rows`` caps the rows of each batch; ``max_rows`` caps the rows read from each table
    (the first rows; None reads all) and reading stops once it is reached; ``encoding`` forces
    the text encoding of text-based sources (detected otherwise); ``limits`` are the
    decompression-bomb limits (:class:`Limits` defaults when None).  Raises
    :class:`SourceError` (possibly only while the batches are iterated) when the source cannot
    be read.  Archives (``zip``, ``tar``) are not tables: expand them with :class:`Archive`.
    """
    check_limits(batch_rows, max_rows)
    if ref.format not in _READERS:
        raise SourceError(f"unsupported format: {ref.format}")
    module, function = _READERS[ref.format]
    reader = getattr(importlib.import_module(f".{module}", __name__), function)
    return reader(Input(ref, limits), batch_rows=batch_rows, max_rows=max_rows, encoding=encoding)
