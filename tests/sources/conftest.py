"""Helpers shared by the sources tests: read a file through ``open_source`` and check the
invariants every reader must keep (all-string batches named like ``columns``, no batch larger
than ``batch_rows``), and build a "lake" folder holding a file of every format."""

from __future__ import annotations

import bz2
import csv
import gzip
import importlib.util
import io
import json
import lzma
import shutil
import sqlite3
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest

from pii_scan.sources import SourceRef, TableStream, detect, open_source


@dataclass
class Read:
    table: TableStream
    columns_before: list[str]  # table.columns before the first batch was taken
    batches: list[pa.RecordBatch]

    @property
    def rows(self) -> list[dict[str, Any]]:
        return [row for batch in self.batches for row in batch.to_pylist()]

    def column(self, name: str) -> list[Any]:
        return [row.get(name) for row in self.rows]


def ref_for(path: Path | str, fmt: str | None = None) -> SourceRef:
    """A ref as discovery makes it: format (unless given) and compression from the name."""
    path = str(path)
    found = detect(path)
    compression = found[1] if found else None
    fmt = fmt or (found[0] if found else "text")
    return SourceRef(path=path, location=path, format=fmt, compression=compression)


def _read(path: Path | str, fmt: str | None = None, **options: Any) -> Read:
    """Read the single table of ``path``, checking the stream invariants on the way."""
    tables = list(open_source(ref_for(path, fmt), **options))
    assert len(tables) == 1
    (table,) = tables
    before = list(table.columns)
    batches = []
    for batch in table.batches:
        assert batch.schema.names == table.columns[: batch.num_columns]
        assert batch.schema.names == table.columns
        assert all(t == pa.string() for t in batch.schema.types)
        assert 0 < batch.num_rows <= options.get("batch_rows", 65_536)
        batches.append(batch)
    return Read(table, before, batches)


def _assert_one_line(message: str) -> None:
    assert message, "empty error message"
    assert "\n" not in message and "\r" not in message
    assert "Traceback" not in message
    assert message == message.strip()


@pytest.fixture
def read():
    """``read(path, fmt=None, **open_source_options) -> Read``."""
    return _read


@pytest.fixture
def one_line():
    """``one_line(message)`` asserts an error message is a single clean line."""
    return _assert_one_line


@pytest.fixture
def ref():
    """``ref(path, fmt=None) -> SourceRef`` with the format from the extension."""
    return ref_for


# --------------------------------------------------------------------------- shared test data


def _load_make_dumps():
    path = Path(__file__).resolve().parent.parent / "fixtures" / "sql" / "make_dumps.py"
    spec = importlib.util.spec_from_file_location("make_dumps", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_dumps", module)
    spec.loader.exec_module(module)
    return module


make_dumps = _load_make_dumps()
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

#: Columns of the people tables of the lake, and the verdict each must get.
PEOPLE_COLUMNS = ["姓名", "身份证号", "手机号", "email", "地址"]
PEOPLE_ENTITIES = {
    "姓名": "PERSON",
    "身份证号": "CN_RESIDENT_ID",
    "手机号": "CN_MOBILE_PHONE",
    "email": "EMAIL_ADDRESS",
    "地址": "CN_ADDRESS",
}


def people(n: int = 30) -> list[dict[str, str]]:
    """``n`` people with valid resident IDs and mobile numbers (the SQL fixtures' data)."""
    return [{c: row[c] for c in PEOPLE_COLUMNS} for row in make_dumps.customers()[:n]]


def people_table(n: int = 30) -> pa.Table:
    rows = people(n)
    return pa.table({c: [r[c] for r in rows] for c in PEOPLE_COLUMNS})


def csv_text(rows: list[dict[str, str]], delimiter: str = ",", header: bool = True) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if header:
        writer.writerow(PEOPLE_COLUMNS)
    writer.writerows([[r[c] for c in PEOPLE_COLUMNS] for r in rows])
    return out.getvalue()


def jsonl_text(rows: list[dict[str, str]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def compress(data: bytes, kind: str) -> bytes:
    if kind == "gz":
        return gzip.compress(data)
    if kind == "bz2":
        return bz2.compress(data)
    if kind == "xz":
        return lzma.compress(data)
    sink = pa.BufferOutputStream()
    with pa.CompressedOutputStream(sink, "zstd") as out:
        out.write(data)
    return sink.getvalue().to_pybytes()


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)


def write_sqlite(path: Path) -> None:
    db = sqlite3.connect(path)
    with db:
        db.execute(
            'CREATE TABLE "客户" ("姓名" TEXT, "身份证号" TEXT, "手机号" INTEGER, email, "地址")'
        )
        db.executemany(
            'INSERT INTO "客户" VALUES (?, ?, ?, ?, ?)',
            [(r["姓名"], r["身份证号"], int(r["手机号"]), r["email"], r["地址"]) for r in people()],
        )
        db.execute("CREATE TABLE orders (order_id INTEGER, note BLOB)")
        db.executemany(
            "INSERT INTO orders VALUES (?, ?)",
            [(i, b"\xff\x00" if i % 2 else "备注".encode()) for i in range(10)],
        )
        db.execute("CREATE VIEW v AS SELECT * FROM orders")
    db.close()


def build_lake(root: Path) -> dict[str, dict[str, list[str]]]:
    """A folder with a file of every format; returns {display path: {table: columns}} of what
    a scan must report (paths relative to ``root``)."""
    root.mkdir(parents=True, exist_ok=True)
    rows = people()
    table = people_table()
    expected: dict[str, dict[str, list[str]]] = {}
    cols = list(PEOPLE_COLUMNS)

    def put(name: str, data: bytes | str, tables: dict[str, list[str]] | None = None) -> Path:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        if tables is not None:
            expected[name] = tables
        return path

    put("people.csv", csv_text(rows), {"people": cols})
    put("people_gbk.csv", csv_text(rows).encode("gb18030"), {"people_gbk": cols})
    put("people_utf16.csv", csv_text(rows).encode("utf-16"), {"people_utf16": cols})
    put("people.tsv", csv_text(rows, "\t"), {"people": cols})
    put("people.psv", csv_text(rows, "|"), {"people": cols})
    put("people_semicolon.csv", csv_text(rows, ";"), {"people_semicolon": cols})
    put("people.jsonl", jsonl_text(rows), {"people": cols})
    put("people_array.json", json.dumps(rows, ensure_ascii=False, indent=1), {"people_array": cols})
    wrapper = {"code": 0, "data": rows}
    put(
        "wrapped.json",
        json.dumps(wrapper, ensure_ascii=False),
        {"wrapped": ["data." + c for c in cols] + ["code"]},
    )
    pq.write_table(table, root / "people.parquet")
    expected["people.parquet"] = {"people": cols}
    for year, part in ((2023, table.slice(0, 15)), (2024, table.slice(15))):
        (root / "sales" / f"year={year}" / "city=北京").mkdir(parents=True)
        pq.write_table(part, root / "sales" / f"year={year}" / "city=北京" / "part-0.parquet")
    expected["sales"] = {"sales": [*cols, "year", "city"]}
    orc.write_table(table, str(root / "people.orc"))
    expected["people.orc"] = {"people": cols}
    feather.write_feather(table, root / "people.feather")
    expected["people.feather"] = {"people": cols}
    with (
        pa.OSFile(str(root / "people.arrows"), "wb") as sink,
        ipc.new_stream(sink, table.schema) as w,
    ):
        w.write_table(table)
    expected["people.arrows"] = {"people": cols}
    write_xlsx(
        root / "people.xlsx",
        {
            "客户": [cols, *([r[c] for c in cols] for r in rows)],
            "订单": [
                ["订单号", "收货电话"],
                *([f"D{i}", int(r["手机号"])] for i, r in enumerate(rows)),
            ],
        },
    )
    expected["people.xlsx"] = {"客户": cols, "订单": ["订单号", "收货电话"]}
    shutil.copy(FIXTURES / "spreadsheets" / "people.xls", root / "people.xls")
    expected["people.xls"] = {"客户": ["姓名", "身份证号", "手机号", "email", "生日"], "空表": []}
    shutil.copy(FIXTURES / "sql" / "mysql_extended.sql", root / "shop.sql")
    shop = ["id", "姓名", "身份证号", "手机号", "email", "地址", "备注", "photo", "created"]
    orders = ["order_id", "customer_id", "amount", "收货电话", "ip"]
    # made with mysqldump --databases shop: its tables follow ``USE `shop```
    expected["shop.sql"] = {
        "shop.orders": orders,
        "shop.客户": shop,
        "shop.empty_table": ["id", "note"],
    }
    put("shop_pg.sql.gz", gzip.compress((FIXTURES / "sql" / "pg_copy.sql").read_bytes()))
    expected["shop_pg.sql.gz"] = {
        "empty_table": ["id", "note"],
        "orders": orders,
        "客户": [*shop, "tags", "profile"],
    }
    write_sqlite(root / "people.sqlite")
    expected["people.sqlite"] = {"客户": cols, "orders": ["order_id", "note"]}
    put(
        "notes.txt",
        "客户张三的身份证号是110101199003077777，电话13800138000。\n",
        {"notes": ["text"]},
    )
    put("people.csv.gz", compress(csv_text(rows).encode(), "gz"), {"people": cols})
    put("people.jsonl.bz2", compress(jsonl_text(rows).encode(), "bz2"), {"people": cols})
    put("people.tsv.xz", compress(csv_text(rows, "\t").encode(), "xz"), {"people": cols})
    put("people.csv.zst", compress(csv_text(rows).encode(), "zst"), {"people": cols})
    with zipfile.ZipFile(root / "bundle.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("inner/people.csv", csv_text(rows))
        z.writestr("inner/people.jsonl", jsonl_text(rows))
        z.writestr("__MACOSX/inner/._people.csv", b"\x00\x05junk")
        z.writestr("inner/readme.docx", b"not scanned")
    expected["bundle.zip!inner/people.csv"] = {"people": cols}
    expected["bundle.zip!inner/people.jsonl"] = {"people": cols}
    with tarfile.open(root / "bundle.tar.gz", "w:gz") as tar:
        for name, data in (
            ("x/people.tsv", csv_text(rows, "\t").encode()),
            ("x/people.parquet", (root / "people.parquet").read_bytes()),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    expected["bundle.tar.gz!x/people.parquet"] = {"people": cols}
    expected["bundle.tar.gz!x/people.tsv"] = {"people": cols}
    put("skip_me.csv", csv_text(rows))  # excluded by the tests
    put("report.docx", b"PK not scanned")  # unsupported
    return expected


@pytest.fixture(scope="session")
def lake(tmp_path_factory) -> tuple[Path, dict[str, dict[str, list[str]]]]:
    """``(folder, expected tables)`` of a folder holding a file of every format."""
    root = tmp_path_factory.mktemp("lake") / "lake"
    return root, build_lake(root)


def _read_all(path: Path | str, fmt: str | None = None, **options: Any) -> dict[str, Read]:
    """Read every table of ``path`` in order (as the scanner does): {table name: Read}."""
    out: dict[str, Read] = {}
    for table in open_source(ref_for(path, fmt), **options):
        before = list(table.columns)
        batches = []
        for batch in table.batches:
            assert batch.schema.names == table.columns
            assert all(t == pa.string() for t in batch.schema.types)
            batches.append(batch)
        out[table.name] = Read(table, before, batches)
    return out


@pytest.fixture
def read_all():
    """``read_all(path, fmt=None, **open_source_options) -> {table name: Read}``."""
    return _read_all
