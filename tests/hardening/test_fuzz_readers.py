"""Fuzz tests of the readers (issue #8): broken files give an error entry, never a traceback.

A valid small file of every binary and structured format is built once; hypothesis then
truncates it, flips bits, overwrites or deletes byte ranges, or replaces it with random bytes
(behind the format's magic number or not), and the result is scanned with
:func:`pii_scan.scan.scan_paths` (and a few times with the CLI).  Each case must end with the
file listed in ``report["sources"]`` (``ok`` or ``error``) or ``report["errors"]``, every
error a non-empty single line, and no traceback anywhere.

Error entries that read ``unexpected error: ...`` (the scanner's fallback for an exception a
reader did not turn into a :class:`~pii_scan.sources.SourceError`) are accepted but counted
and reported in a warning at the end of the module: each is a reader without a clear message.

Case counts are fixed (``max_examples`` below, derandomized); ``PII_SCAN_FUZZ_SCALE=10`` runs
ten times as many, randomized.
"""

from __future__ import annotations

import bz2
import collections
import csv
import functools
import gzip
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.orc as orc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from fuzzing import fuzz
from hypothesis import given
from hypothesis import strategies as st

from pii_scan.cli import cli
from pii_scan.scan import ScanOptions, scan_paths

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OPTIONS = ScanOptions(threads=1, sample_rows=0)
#: The scanner's fallback message for a reader failure that is not a SourceError.
UNEXPECTED = "unexpected error:"
#: ``unexpected error`` entries seen, by file name and message (reported at module end).
UNEXPECTED_SEEN: collections.Counter[tuple[str, str]] = collections.Counter()


# --------------------------------------------------------------------------- valid seeds

ROWS = [
    {"姓名": "张三", "手机号": "13800138000", "身份证号": "110105199003071239", "n": 1},
    {"姓名": "李四", "手机号": "+86 139 1234 5678", "身份证号": None, "n": 2},
    {"姓名": "王五", "手机号": "１３８００１３８０００", "身份证号": "11010519900307101X", "n": 3},
    {"姓名": None, "手机号": "", "身份证号": "440306800229002", "n": 4},
] * 3


def _table() -> pa.Table:
    return pa.Table.from_pylist(ROWS)


def _csv_text() -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(ROWS[0]))
    writer.writeheader()
    writer.writerows(ROWS)
    return out.getvalue()


def _jsonl_text() -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in ROWS)


def _via_file(suffix: str, write: Callable[[Path], object]) -> bytes:
    """The bytes ``write(path)`` puts in a temporary file named ``*suffix``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"seed{suffix}"
        write(path)
        return path.read_bytes()


def _xlsx(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(list(ROWS[0]))
    for row in ROWS:
        sheet.append(list(row.values()))
    other = book.create_sheet("订单")
    other.append(["电话", "金额"])
    other.append([13912345678, 12.5])
    book.save(path)


def _sqlite(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute('CREATE TABLE "客户" ("姓名" TEXT, "手机号" TEXT, "身份证号" TEXT, n INTEGER)')
    db.executemany("INSERT INTO 客户 VALUES (?, ?, ?, ?)", [tuple(r.values()) for r in ROWS])
    db.execute("CREATE TABLE t2 (a BLOB, b REAL)")
    db.execute("INSERT INTO t2 VALUES (x'e5bca0e4b889', 1.5)")
    db.commit()
    db.close()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("客户.csv", _csv_text())
        archive.writestr("more.jsonl", _jsonl_text())
    return out.getvalue()


def _tar_gz() -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, text in (("a.csv", _csv_text()), ("b.jsonl", _jsonl_text())):
            data = text.encode("utf-8")
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _arrow_stream() -> bytes:
    sink = io.BytesIO()
    with ipc.new_stream(sink, _table().schema) as writer:
        writer.write_table(_table(), max_chunksize=4)
    return sink.getvalue()


@functools.cache
def seeds() -> dict[str, bytes]:
    """File name -> bytes of a valid small file, one per format fuzzed."""
    table = _table()
    return {
        "t.parquet": _via_file(".parquet", lambda p: pq.write_table(table, p, row_group_size=5)),
        "t.csv.gz": gzip.compress(_csv_text().encode("utf-8"), mtime=0),
        "t.jsonl.bz2": bz2.compress(_jsonl_text().encode("utf-8")),
        "t.xlsx": _via_file(".xlsx", _xlsx),
        "t.xls": (FIXTURES / "spreadsheets" / "people.xls").read_bytes(),
        "t.zip": _zip(),
        "t.tar.gz": _tar_gz(),
        "mysql.sql": (FIXTURES / "sql" / "mysql_extended.sql").read_bytes(),
        "pg.sql": (FIXTURES / "sql" / "pg_copy.sql").read_bytes(),
        "pg_inserts.sql": (FIXTURES / "sql" / "pg_inserts.sql").read_bytes(),
        "t.sqlite": _via_file(".sqlite", _sqlite),
        "t.jsonl": _jsonl_text().encode("utf-8"),
        "t.json": json.dumps({"客户": ROWS}, ensure_ascii=False).encode("utf-8"),
        "t.orc": _via_file(".orc", lambda p: orc.write_table(table, str(p), stripe_size=64)),
        "t.feather": _via_file(".feather", lambda p: feather.write_feather(table, p)),
        "t.arrows": _arrow_stream(),
    }


NAMES = sorted(seeds())

#: Magic numbers a random body is put behind, so that format sniffing passes.
MAGIC = {
    "t.parquet": b"PAR1",
    "t.csv.gz": b"\x1f\x8b\x08\x00",
    "t.jsonl.bz2": b"BZh9",
    "t.xlsx": b"PK\x03\x04",
    "t.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    "t.zip": b"PK\x03\x04",
    "t.tar.gz": b"\x1f\x8b\x08\x00",
    "t.sqlite": b"SQLite format 3\x00",
    "t.orc": b"ORC",
    "t.feather": b"ARROW1\x00\x00",
    "t.arrows": b"\xff\xff\xff\xff",
}

#: Syntax tokens inserted into text formats, to reach the parsers' corner cases.
TOKENS = {
    ".sql": [
        "'",
        "\\",
        ";",
        "$$",
        "$q$",
        "/*",
        "*/",
        "/*!40101 ",
        "-- ",
        "#",
        "\n",
        "`",
        '"',
        "\\.\n",
        "\\N",
        "E'",
        "X'",
        "0x",
        "_binary '",
        "COPY t (a) FROM stdin;\n",
        "INSERT INTO `t` VALUES (",
        "INSERT INTO t (a, b) VALUES ",
        "CREATE TABLE t (\n",
        "(",
        ")",
        ",",
        "\t",
        "NULL",
        "\\restrict x\n",
    ],
    ".json": ["{", "}", "[", "]", '"', ":", ",", "\\u", "\\ud800", "\n", "null", "1e999"],
}
TOKENS[".jsonl"] = TOKENS[".json"]

# --------------------------------------------------------------------------- mutations


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    """A broken version of seed ``name``: truncated, bit-flipped, overwritten, cut, random
    bytes (optionally behind the format's magic number and before its tail), or, for text
    formats, with syntax tokens inserted."""
    data = seeds()[name]
    size = len(data)
    tokens = TOKENS.get(Path(name).suffix, [])
    hows = ["truncate", "flip", "overwrite", "cut", "random", "magic"]
    how = draw(st.sampled_from(hows + ["tokens"] * bool(tokens)))
    if how == "tokens":  # syntax tokens inserted at a few places (text formats)
        out = data
        for pos, token in draw(
            st.lists(
                st.tuples(st.integers(0, size), st.sampled_from(tokens)), min_size=1, max_size=6
            )
        ):
            out = out[:pos] + token.encode() + out[pos:]
        return out
    if how == "truncate":
        return data[: draw(st.integers(0, size - 1))]
    if how == "flip":
        out = bytearray(data)
        for pos, bit in draw(
            st.lists(st.tuples(st.integers(0, size - 1), st.integers(0, 7)), min_size=1, max_size=8)
        ):
            out[pos] ^= 1 << bit
        return bytes(out)
    if how == "overwrite":
        pos = draw(st.integers(0, size - 1))
        chunk = draw(st.binary(min_size=1, max_size=32))
        return data[:pos] + chunk + data[pos + len(chunk) :]
    if how == "cut":
        lo = draw(st.integers(0, size - 1))
        hi = draw(st.integers(lo + 1, min(size, lo + 4096)))
        return data[:lo] + data[hi:]
    body = draw(st.binary(max_size=2048))
    if how == "magic":
        tail = data[size - draw(st.integers(0, min(64, size))) :] if draw(st.booleans()) else b""
        return MAGIC.get(name, data[:16]) + body + tail
    return body


# --------------------------------------------------------------------------- checks


@pytest.fixture(autouse=True, scope="module")
def _no_debug() -> Iterator[None]:
    """PII_SCAN_DEBUG would let reader bugs raise: the tests want the user's view."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("PII_SCAN_DEBUG", raising=False)
        yield


@pytest.fixture(autouse=True, scope="module")
def _report_unexpected() -> Iterator[None]:
    """At the end of the module, warn about every ``unexpected error`` entry seen."""
    yield
    if UNEXPECTED_SEEN:
        lines = [f"{n}x {name}: {msg}" for (name, msg), n in sorted(UNEXPECTED_SEEN.items())]
        warnings.warn("readers without a clear error message:\n" + "\n".join(lines), stacklevel=1)


def check_one_line(message: object) -> None:
    """A user-facing error reason: a non-empty single line, no traceback."""
    assert isinstance(message, str) and message.strip(), message
    assert "\n" not in message and "\r" not in message, message
    assert "Traceback" not in message, message


def check_report(report: dict, path: Path) -> list[dict]:
    """The file is listed (``ok``/``error`` entries or in ``errors``); errors are one-line
    reasons; the report is JSON without traceback text.  Returns the file's entries."""
    where = str(path)
    entries = [
        s for s in report["sources"] if s["path"] == where or s["path"].startswith(where + "!")
    ]
    listed_errors = [e for e in report["errors"] if e["path"].startswith(where)]
    assert entries or listed_errors, report
    for entry in entries:
        assert entry["status"] in ("ok", "error"), entry
        if entry["status"] == "error":
            check_one_line(entry["error"])
            assert {"path": entry["path"], "error": entry["error"]} in report["errors"]
            if entry["error"].startswith(UNEXPECTED):
                UNEXPECTED_SEEN[(path.name, entry["error"])] += 1
        for table in entry["tables"]:
            assert table["rows_scanned"] >= 0
    for error in report["errors"]:
        check_one_line(error["error"])
    assert "Traceback (most recent call last)" not in json.dumps(report, ensure_ascii=False)
    return entries


def scan_bytes(name: str, data: bytes) -> tuple[dict, list[dict]]:
    """Write ``data`` as file ``name`` in a fresh folder and scan it."""
    with tempfile.TemporaryDirectory(prefix="pii-fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        report = scan_paths([str(path)], OPTIONS)
        return report, check_report(report, path)


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("name", NAMES)
def test_valid_seed_scans_cleanly(name: str) -> None:
    """Every seed is a readable file with rows, so the mutations start from real data."""
    _, entries = scan_bytes(name, seeds()[name])
    assert entries and all(e["status"] == "ok" for e in entries), entries
    assert sum(t["rows_scanned"] for e in entries for t in e["tables"]) > 0


@pytest.mark.parametrize("name", NAMES)
@fuzz(80)
@given(data=st.data())
def test_broken_file_gives_an_error_entry_not_a_traceback(name: str, data: st.DataObject) -> None:
    """A truncated, bit-flipped, overwritten or random file of each format is listed in the
    report (read or not) with a one-line reason; nothing escapes scan_paths."""
    scan_bytes(name, data.draw(mutated(name), label="content"))


@pytest.mark.parametrize("name", ["t.parquet", "t.zip", "mysql.sql", "t.xlsx"])
@fuzz(5)
@given(data=st.data())
def test_cli_reports_broken_files_without_traceback(name: str, data: st.DataObject) -> None:
    """``pii-scan scan --format json`` on a broken file exits 0 with a JSON report that lists
    it; no traceback on stdout or stderr."""
    content = data.draw(mutated(name), label="content")
    runner = CliRunner()
    with tempfile.TemporaryDirectory(prefix="pii-fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        result = runner.invoke(cli, ["scan", str(path), "--format", "json", "-q"])
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
        check_report(json.loads(result.stdout), path)


# --------------------------------------------------------------------------- found by fuzzing

TYPED = ["a.parquet", "a.orc", "a.feather", "a.arrows"]


def write_typed(path: Path, table: pa.Table) -> None:
    """``table`` as the typed columnar format named by ``path``'s extension."""
    if path.suffix == ".parquet":
        pq.write_table(table, path)
    elif path.suffix == ".orc":
        orc.write_table(table, str(path))
    elif path.suffix == ".feather":
        feather.write_feather(table, path)
    else:
        with ipc.new_stream(str(path), table.schema) as writer:
            writer.write_table(table)


@pytest.mark.parametrize("name", TYPED)
def test_text_that_is_not_utf8_becomes_null(tmp_path: Path, name: str) -> None:
    """Parquet, ORC and Arrow readers do not check that text is UTF-8: a string column with
    other bytes (written by a tool that does not check) is read, those cells as null, instead
    of failing in the matching core."""
    raw = pa.array([b"13800138000", b"\xff\xfe1390", None, b"13912345678"], pa.binary())
    text = pa.Array.from_buffers(pa.string(), len(raw), raw.buffers())
    path = tmp_path / name
    write_typed(path, pa.table({"手机号": text, "n": [1, 2, 3, 4]}))
    report = scan_paths([str(path)], OPTIONS)
    (entry,) = check_report(report, path)
    assert entry["status"] == "ok", entry
    (table,) = entry["tables"]
    assert table["rows_scanned"] == 4
    phone = next(c for c in table["columns"] if c["name"] == "手机号")
    assert phone["entity"] == "CN_MOBILE_PHONE"


@pytest.mark.parametrize("name", TYPED)
def test_column_name_that_is_not_utf8_is_a_clear_error(tmp_path: Path, name: str) -> None:
    """A column name whose bytes are not UTF-8 (pyarrow fails when it reads the name) gives
    an error entry that says so, not an ``unexpected error``."""
    path = tmp_path / name
    write_typed(path, pa.table({"客户电话": ["13800138000"], "n": [1]}))
    label = "客户电话".encode()
    data = path.read_bytes()
    assert label in data  # the name is stored uncompressed in the footer / schema
    path.write_bytes(data.replace(label, b"\xff" * len(label)))
    report = scan_paths([str(path)], OPTIONS)
    (entry,) = check_report(report, path)
    assert entry["status"] == "error"
    assert entry["error"].endswith("a column name is not valid UTF-8"), entry["error"]


@pytest.mark.parametrize(
    "method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA], ids=str
)
def test_corrupt_zip_member_data_is_a_clear_error(tmp_path: Path, method: int) -> None:
    """Damaged compressed data of a zip member (deflate, bzip2, LZMA) is a ``corrupt zip
    member`` error of that member."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        archive.writestr("a.csv", _csv_text() * 20)
    data = bytearray(out.getvalue())
    body = 30 + int.from_bytes(data[26:28], "little") + int.from_bytes(data[28:30], "little")
    for k in range(body + 20, body + 60):
        data[k] ^= 0x55
    path = tmp_path / "t.zip"
    path.write_bytes(bytes(data))
    (entry,) = check_report(scan_paths([str(path)], OPTIONS), path)
    assert entry["status"] == "error"
    assert entry["error"].startswith("corrupt zip member: "), entry["error"]


def test_zip_member_with_a_damaged_local_name_is_a_clear_error(tmp_path: Path) -> None:
    """A member whose local header name is not the UTF-8 its flag announces (the central
    directory is intact) is an error of that member; the other members are read."""
    data = bytearray(_zip())
    first = zipfile.ZipFile(io.BytesIO(data)).infolist()[0]
    assert (first.filename, first.header_offset) == ("客户.csv", 0)
    assert data[30:33] == "客".encode()  # the local header's name starts at byte 30
    data[31] = 0x41  # break the continuation byte of 客 (e5 ae a2)
    path = tmp_path / "t.zip"
    path.write_bytes(bytes(data))
    entries = check_report(scan_paths([str(path)], OPTIONS), path)
    status = {e["path"].rsplit("!", 1)[1]: (e["status"], e.get("error")) for e in entries}
    assert status["客户.csv"] == ("error", "cannot read zip member: corrupt local header name")
    assert status["more.jsonl"][0] == "ok"


def test_xls_warnings_stay_off_stdout(tmp_path: Path) -> None:
    """xlrd prints warnings about a damaged workbook to sys.stdout; the JSON report on
    standard output must stay parseable."""
    data = seeds()["t.xls"]
    path = tmp_path / "t.xls"
    path.write_bytes(data[: len(data) - 100])  # "file size not 512 + multiple of sector size"
    result = run_cli(path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    check_report(json.loads(result.stdout), path)


def test_arrow_stream_with_a_huge_body_length_is_a_clear_error(tmp_path: Path) -> None:
    """A damaged body length in an Arrow stream makes pyarrow ask for 512 GiB: the failed
    allocation is an error entry of the file, not an ``unexpected error: MemoryError``."""
    import struct

    data = seeds()["t.arrows"]
    messages = ipc.MessageReader.open_stream(pa.BufferReader(data))
    messages.read_next_message()  # the schema
    length = struct.pack("<q", messages.read_next_message().body.size)
    at = data.index(length, data.index(b"\xff\xff\xff\xff", 8))  # in the first batch's header
    path = tmp_path / "t.arrows"
    path.write_bytes(data[:at] + struct.pack("<q", (1 << 39) + len(length)) + data[at + 8 :])
    (entry,) = check_report(scan_paths([str(path)], OPTIONS), path)
    assert entry["status"] == "error"
    assert entry["error"].startswith("truncated or corrupt Arrow file: "), entry["error"]
    assert UNEXPECTED not in entry["error"]


def test_zip_of_an_unknown_version_is_a_clear_error(tmp_path: Path) -> None:
    """A central directory entry asking for zip version 8.4 (zipfile raises
    NotImplementedError) makes the archive an error entry with that reason."""
    data = bytearray(_zip())
    central = data.index(b"PK\x01\x02")
    data[central + 6 : central + 8] = (84).to_bytes(2, "little")  # version needed to extract
    path = tmp_path / "t.zip"
    path.write_bytes(bytes(data))
    entries = check_report(scan_paths([str(path)], OPTIONS), path)
    assert [(e["status"], e["error"]) for e in entries] == [
        ("error", "not a readable zip archive: zip file version 8.4")
    ]


def scan_within(path: Path, seconds: float) -> dict | None:
    """The report of scanning ``path``, or None when it takes longer than ``seconds`` (the
    scan is left running in a daemon thread)."""
    import threading

    out: list[dict] = []
    worker = threading.Thread(
        target=lambda: out.append(scan_paths([str(path)], OPTIONS)), daemon=True
    )
    worker.start()
    worker.join(seconds)
    return out[0] if out else None


@pytest.mark.parametrize(
    ("name", "seed", "broken"),
    [
        (
            "pg.sql",
            b'"\xe6\x94\xb6\xe8\xb4\xa7\xe7\x94\xb5\xe8\xaf\x9d", ip) FROM stdin;',
            b'"\xe6\x94\xb6\xe8\xb4\xa7\xe7\x94\xb5\xe8\xaf\x9d", ip FROM stdin;',
        ),
        (
            "my.sql",
            b"INSERT INTO `customer_info` (`id`, full_name, mobile_phone, home_address) VALUES",
            b"INSERT INTO `customer_info` (`id`, full_name, mobile_phone, home_address VALUES",
        ),
    ],
    ids=["copy", "insert"],
)
def test_sql_column_list_without_its_paren_is_read_quickly(
    tmp_path: Path, name: str, seed: bytes, broken: bytes
) -> None:
    """A COPY or INSERT whose column list lost its ")" used to send the statement regex into
    exponential backtracking (the scan never ended); it must be read in seconds."""
    if name == "pg.sql":
        data = seeds()["pg.sql"]
    else:
        data = (
            b"-- MySQL dump 10.13\n"
            + seed
            + b" (1,'\xe5\xbc\xa0\xe4\xb8\x89','13800138000','x');\n"
        )
    assert seed in data
    path = tmp_path / name
    path.write_bytes(data.replace(seed, broken))
    report = scan_within(path, 30)
    assert report is not None, "the scan did not end within 30 s"
    check_report(report, path)


def run_cli(path: Path) -> subprocess.CompletedProcess:
    """``pii-scan scan PATH --format json -q`` in a child process (which may crash)."""
    env = {k: v for k, v in os.environ.items() if k != "PII_SCAN_DEBUG"}
    return subprocess.run(
        [sys.executable, "-m", "pii_scan", "scan", str(path), "--format", "json", "-q"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "content",
    [b"null", b'{"a": "13800138000"}\nnull', b'null\n{"a": "13800138000"}\n'],
    ids=["alone", "last", "first"],
)
def test_jsonl_ending_in_null_does_not_crash(tmp_path: Path, content: bytes) -> None:
    """A JSON Lines file with a ``null`` line is scanned (pyarrow.json 26 crashes the process
    on a block starting with a top-level null): the process exits 0 with a report that lists
    the file."""
    path = tmp_path / "t.jsonl"
    path.write_bytes(content)
    result = run_cli(path)
    assert result.returncode == 0, (result.returncode, result.stderr[-500:])
    check_report(json.loads(result.stdout), path)


def test_sqlite_schema_with_bytes_that_are_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    """SQLite's error about a damaged schema quotes its bytes, which Python cannot decode
    (UnicodeDecodeError from ``execute``): the database is an error entry that says what
    SQLite said."""
    data = seeds()["t.sqlite"]
    assert b"CREATE TABLE" in data
    path = tmp_path / "t.sqlite"
    path.write_bytes(data.replace(b"CREATE TABLE", b"CREATE\xa0TABLE"))
    (entry,) = check_report(scan_paths([str(path)], OPTIONS), path)
    assert entry["status"] == "error"
    assert entry["error"].startswith("cannot read SQLite database: malformed database schema")
