"""Spreadsheets: ``.xlsx``/``.xlsm`` (openpyxl, read-only streaming) and legacy ``.xls``
(xlrd, the maintained reader of the BIFF format).  Every worksheet is a table named by its
sheet, in workbook order; an empty sheet is a table without columns.

In each sheet, empty rows are skipped and the first remaining row is the header unless it
looks like data (:func:`~pii_scan.sources.delimited.sniff_header`; then the columns are
``column_1``, ``column_2``, ...).  Up to three narrower rows above the header (a title in A1,
``客户信息导出 2024-05-01``, often a merged cell) do not make it: the header is the row below
them, and they are scanned as the first rows of the table (a title may name a person).
Header names are made unique; a row wider than the header adds ``column_N`` columns when it
is met (appended to :attr:`TableStream.columns`).

Cells become text: numbers holding a whole value as integers (``13800138000``, as phone
numbers typed into Excel are stored), other numbers as their shortest text, dates as ISO 8601
(``1990-03-07``, with the time only when it is not midnight), booleans as ``true``/``false``;
formulas give their cached value.  Empty cells are null.

Workbooks are opened from a local file (object-store and archived workbooks are copied to a
temporary file first).  openpyxl keeps a workbook's shared strings in memory but streams the
rows of a sheet; xlrd loads one ``.xls`` sheet at a time (an ``.xls`` sheet holds at most
65,536 rows).
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Iterator
from typing import Any

import pyarrow as pa

from .base import (
    Limits,
    SourceError,
    TableStream,
    dedupe_names,
    guarded,
    limit_batches,
    reason,
)
from .delimited import sniff_header, title_count
from .inputs import Input, check_zip_member
from .strings import scalar_text

__all__ = ["cell_text", "read_xls", "read_xlsx"]

_SAMPLE_ROWS = 20
_CHUNK_ROWS = 4096


def cell_text(value: Any) -> str | None:
    """The text of one spreadsheet cell value (None for an empty cell)."""
    if value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return scalar_text(value)


def _sheet_stream(
    name: str, rows: Iterable[Iterable[Any]], batch_rows: int, max_rows: int | None, what: str
) -> TableStream:
    """A table from the raw rows of one sheet (values, not yet text)."""
    texts = (_row_text(row) for row in rows)
    nonempty = (row for row in texts if row)
    sample: list[list[str | None]] = []
    for row in nonempty:
        sample.append(row)
        if len(sample) >= _SAMPLE_ROWS:
            break
    if not sample:
        return TableStream(name=name, columns=[], batches=iter(()))
    titles = title_count([len(row) for row in sample])
    header = sniff_header([[cell or "" for cell in row] for row in sample[titles:]])
    if header:
        names = [cell or "" for cell in sample[titles]]
        columns = dedupe_names(names)
        data = sample[:titles] + sample[titles + 1 :]
    else:
        columns = [f"column_{i}" for i in range(1, max(len(r) for r in sample) + 1)]
        data = sample
    stream = TableStream(name=name, columns=columns, batches=iter(()))

    def all_rows() -> Iterator[list[str | None]]:
        yield from data
        yield from nonempty

    body = _batches(all_rows(), columns, batch_rows)
    stream.batches = limit_batches(guarded(body, what), batch_rows, max_rows)
    return stream


def _row_text(row: Iterable[Any]) -> list[str | None]:
    cells = [cell_text(v) for v in row]
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _batches(
    rows: Iterator[list[str | None]], columns: list[str], batch_rows: int
) -> Iterator[pa.RecordBatch]:
    chunk: list[list[str | None]] = []
    size = min(batch_rows, _CHUNK_ROWS)
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield _to_batch(chunk, columns)
            chunk = []
    if chunk:
        yield _to_batch(chunk, columns)


def _to_batch(chunk: list[list[str | None]], columns: list[str]) -> pa.RecordBatch:
    width = max(len(r) for r in chunk)
    while len(columns) < width:  # a row wider than the header: new columns
        columns.append(dedupe_names([*columns, f"column_{len(columns) + 1}"])[-1])
    arrays = []
    for j in range(len(columns)):
        arrays.append(pa.array([r[j] if j < len(r) else None for r in chunk], pa.string()))
    return pa.RecordBatch.from_arrays(arrays, names=list(columns))


# --------------------------------------------------------------------------- xlsx


def read_xlsx(
    src: Input, *, batch_rows: int, max_rows: int | None, encoding: str | None = None
) -> Iterator[TableStream]:
    """Yield one table per worksheet of an ``.xlsx``/``.xlsm`` workbook."""
    import openpyxl

    if not src.head(1):
        raise SourceError("empty file")
    with src.local_path() as path:
        check_workbook_parts(path, src.limits)
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
        except Exception as exc:  # openpyxl fails in many ways on a broken file
            raise SourceError(f"not a readable xlsx workbook: {_why(exc)}") from None
        try:
            failed = None  # the first sheet that cannot be read; the others still are
            for sheet in book.worksheets:
                try:
                    # Read-only sheets trust the <dimension> the writer declared, and some
                    # writers declare A1 for a full sheet: read every row that is there.
                    sheet.reset_dimensions()
                    rows = sheet.iter_rows(values_only=True)
                    stream = _sheet_stream(
                        sheet.title, rows, batch_rows, max_rows, "cannot read xlsx"
                    )
                except Exception as exc:
                    why = f"cannot read sheet {sheet.title!r}: {_why(exc)}"
                    failed = failed or SourceError(why)
                    continue
                stream.batches = _wrap(stream.batches, sheet.title)
                stream.independent = True
                yield stream
            if failed is not None:
                raise failed
        finally:
            book.close()


def check_workbook_parts(path: str, limits: Limits) -> None:
    """An ``.xlsx`` is a zip: its parts are held to the decompression-bomb limits from their
    declared sizes before openpyxl inflates them (a 100 KB workbook can hold a 100 MB cell)."""
    try:
        with zipfile.ZipFile(path) as book:
            infos = book.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: openpyxl says what is wrong
    for info in infos:
        try:
            check_zip_member(info, limits)
        except SourceError as exc:
            raise SourceError(f"workbook part {info.filename}: {exc}") from None


def _wrap(batches: Iterator[pa.RecordBatch], sheet: str) -> Iterator[pa.RecordBatch]:
    """Turn openpyxl's own exceptions (KeyError, XML errors, ...) into a SourceError."""
    try:
        yield from batches
    except SourceError:
        raise
    except Exception as exc:
        raise SourceError(f"cannot read sheet {sheet!r}: {_why(exc)}") from None


#: zipfile's KeyError for a part the package lacks; part names are the format's, not data.
_MISSING_PART = re.compile(r"There is no item named '([\w./\[\]-]{1,64})' in the archive")


def _why(exc: BaseException) -> str:
    """Why openpyxl could not open a workbook, without values from it.

    >>> _why(KeyError("There is no item named '[Content_Types].xml' in the archive"))
    'no [Content_Types].xml in the package (a zip, but no Office Open XML workbook)'
    """
    missing = _MISSING_PART.search(str(exc.args[0])) if isinstance(exc, KeyError) else None
    if missing:
        return f"no {missing[1]} in the package (a zip, but no Office Open XML workbook)"
    name = type(exc).__name__
    if name == "error":  # struct.error, zlib.error: say whose
        name = f"{type(exc).__module__}.error"
    text = reason(exc)
    return f"{name}: {text}" if text else name


# --------------------------------------------------------------------------- xls


def read_xls(
    src: Input, *, batch_rows: int, max_rows: int | None, encoding: str | None = None
) -> Iterator[TableStream]:
    """Yield one table per worksheet of a legacy ``.xls`` workbook."""
    try:
        import xlrd
    except ImportError:  # pragma: no cover - xlrd is a dependency
        raise SourceError("reading .xls needs the xlrd package") from None

    if not src.head(1):
        raise SourceError("empty file")
    with src.local_path() as path:
        try:
            # xlrd writes its warnings about damaged files to sys.stdout, where they would
            # break a report written to standard output: they are dropped.
            book = xlrd.open_workbook(path, on_demand=True, logfile=_Discard(), verbosity=0)
        except Exception as exc:
            raise SourceError(f"not a readable xls workbook: {_why(exc)}") from None
        try:
            for index in range(book.nsheets):
                try:
                    sheet = book.sheet_by_index(index)
                    rows = (_xls_row(xlrd, book, sheet.row(r)) for r in range(sheet.nrows))
                    stream = _sheet_stream(
                        sheet.name, rows, batch_rows, max_rows, "cannot read xls"
                    )
                except Exception as exc:
                    raise SourceError(f"cannot read sheet {index + 1}: {_why(exc)}") from None
                stream.batches = _wrap(stream.batches, sheet.name)
                yield stream
                book.unload_sheet(index)
        finally:
            book.release_resources()


class _Discard:
    """A text stream that drops what is written to it (xlrd's log)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _xls_row(xlrd: Any, book: Any, cells: list[Any]) -> list[Any]:
    out: list[Any] = []
    for cell in cells:
        kind = cell.ctype
        if kind == xlrd.XL_CELL_DATE:
            try:
                out.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
            except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                out.append(cell.value)
        elif kind == xlrd.XL_CELL_BOOLEAN:
            out.append(bool(cell.value))
        elif kind in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            out.append(None)
        else:
            out.append(cell.value)
    return out
