"""Hostile inputs (issue #8): every input of a folder of broken, huge, looping, special and
racing files is scanned or listed with a reason, the scan exits 0 without a traceback within
its time budget, and the personal information in the sane files is still found.

The folder is generated at test time (:mod:`hostile`, ~100 MB in ``tmp_path``).  The whole
folder is scanned once through the command line; each item is also scanned on its own
(parametrized) so that a failure names the input.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from hostile import ITEM_BUILDERS, MOBILE, RESIDENT_ID, Item, build, unlock

import pii_scan.scan as scan_module
from pii_scan.scan import ScanOptions, scan_paths
from pii_scan.sources import SourceError, SourceRef, open_source
from pii_scan.sources.base import time_budget

#: Wall-clock budget of the whole hostile-folder scan (it takes ~12 s on the 2-core dev VM).
FOLDER_BUDGET_S = 180
#: Peak RSS allowed for it (measured ~350 MB: the default --source-memory of 1G refuses the
#: 30 MB lines, which would take ~1.4 GB to match).
FOLDER_RSS_MB = 1024

CLI = [sys.executable, "-m", "pii_scan", "scan"]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

# Runs the real command line; the file named by $HOSTILE_VANISH is removed right after
# discovery (a file that vanishes before it is read), and the peak RSS is written to
# $HOSTILE_RSS (KiB) at exit.
RUNNER = r"""
import atexit, os, resource
import pii_scan.scan as scan

vanish = os.environ.get("HOSTILE_VANISH")
if vanish:
    found_by = scan.discover

    def discover(*args, **kwargs):
        found = found_by(*args, **kwargs)
        os.unlink(vanish)
        return found

    scan.discover = discover


def peak():
    # VmHWM is this process's own high-water mark; ru_maxrss can carry the parent's over fork.
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    try:
        with open("/proc/self/status") as status:
            kb = next(int(ln.split()[1]) for ln in status if ln.startswith("VmHWM:"))
    except (OSError, StopIteration):
        pass
    with open(os.environ["HOSTILE_RSS"], "w") as fh:
        fh.write(str(kb))


atexit.register(peak)
from pii_scan.cli import cli

cli(prog_name="pii-scan")
"""


# --------------------------------------------------------------------------- helpers


def _entries(report: dict, root: Path, rel: str) -> tuple[list[dict], list[dict]]:
    """The source entries and error entries of the input ``rel`` (an archive: its members)."""
    path = str(root / rel)

    def mine(p: str) -> bool:
        return p == path or p.startswith(path + "!")

    sources = [s for s in report["sources"] if mine(s["path"])]
    errors = [e for e in report["errors"] if mine(e["path"])]
    return sources, errors


def _entities(source: dict) -> set[str]:
    return {
        e
        for t in source["tables"]
        for c in t["columns"]
        for e in [c["entity"], *c.get("entities", {})]
        if e
    }


def check_item(report: dict, root: Path, item: Item) -> None:
    """The item is listed (in ``sources`` or ``errors``, with a reason) as it should be."""
    for rel in item.paths:
        sources, errors = _entries(report, root, rel)
        assert sources or errors, f"{item.name}: {rel} is neither in sources nor in errors"
        for e in errors:
            reason = e["error"]
            assert reason and reason.strip(), f"{item.name}: {rel}: empty reason"
            assert "unexpected error" not in reason, f"{item.name}: {rel}: {reason}"
            assert "Traceback" not in reason and "\n" not in reason
        for s in sources:
            assert s["status"] in ("ok", "error")
            if s["status"] == "error":
                assert {"path": s["path"], "error": s["error"]} in report["errors"]
        failed = [e["error"] for e in errors]
        if item.expect == "found":
            assert not failed, f"{item.name}: {rel} should be scanned, got {failed}"
        elif failed and item.reasons:
            assert any(r in msg for msg in failed for r in item.reasons), (
                f"{item.name}: {rel}: {failed} gives none of {item.reasons}"
            )
        ok = [s for s in sources if s["status"] == "ok"]
        if item.entity and ok and not (item.expect == "listed" and failed):
            found = set().union(*(_entities(s) for s in ok))
            assert item.entity in found, f"{item.name}: {rel}: {item.entity} not in {found}"


@pytest.fixture
def hostile_root(tmp_path):
    root = tmp_path / "hostile"
    yield root
    unlock(root)


# --------------------------------------------------------------------------- the whole folder


def test_hostile_folder_through_the_command_line(hostile_root, tmp_path):
    items = build(hostile_root)
    report_path = tmp_path / "report.json"
    rss_path = tmp_path / "rss"
    grow = hostile_root / "race/grow.txt"
    stop = threading.Event()

    def grower() -> None:  # a file that grows while it is scanned
        with open(grow, "a", encoding="utf-8") as fh:
            while not stop.is_set():
                fh.write(f"追加 身份证号{RESIDENT_ID} 电话{MOBILE}\n")
                fh.flush()
                time.sleep(0.005)

    env = dict(os.environ, HOSTILE_VANISH=str(hostile_root / "race/vanish.csv"))
    env["HOSTILE_RSS"] = str(rss_path)
    env.pop("PII_SCAN_DEBUG", None)
    thread = threading.Thread(target=grower, daemon=True)
    thread.start()
    started = time.monotonic()
    try:
        run = subprocess.run(
            [
                sys.executable,
                "-c",
                RUNNER,
                "scan",
                str(hostile_root),
                "--format",
                "json",
                "-o",
                str(report_path),
                "-q",
                "--source-timeout",
                "60",
            ],
            capture_output=True,
            text=True,
            timeout=FOLDER_BUDGET_S,
            env=env,
        )
    finally:
        stop.set()
        thread.join()
    wall = time.monotonic() - started
    assert "Traceback" not in run.stderr, run.stderr
    assert run.returncode == 0, run.stderr
    assert wall < FOLDER_BUDGET_S
    peak_mb = int(rss_path.read_text()) / 1024
    print(f"\nhostile folder: {wall:.1f} s wall, peak RSS {peak_mb:.0f} MB")
    assert peak_mb < FOLDER_RSS_MB

    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["summary"]["sources_with_errors"] == len(report["errors"])
    for item in items:
        check_item(report, hostile_root, item)
    # the race happened: the vanished file is an error, not a crash
    _, errors = _entries(report, hostile_root, "race/vanish.csv")
    assert errors and "No such file or directory" in errors[0]["error"]
    # every file of the folder is accounted for, not only the ones the items name
    listed = {s["path"] for s in report["sources"]} | {e["path"] for e in report["errors"]}
    listed = {p.split("!", 1)[0] for p in listed}
    for dirpath, dirnames, filenames in os.walk(hostile_root):
        for name in filenames + [d for d in dirnames if os.path.islink(Path(dirpath) / d)]:
            path = str(Path(dirpath) / name)
            if path != str(hostile_root / "race/vanish.csv"):
                assert path in listed, f"{path} is not in the report"


# --------------------------------------------------------------------------- one item at a time


def _scan(root: Path, **options) -> dict:
    options.setdefault("threads", 1)
    return scan_paths([str(root)], ScanOptions(**options))


@pytest.mark.parametrize("name", sorted(ITEM_BUILDERS))
def test_hostile_item(name, hostile_root, monkeypatch):
    builder = ITEM_BUILDERS[name]
    items = {i.name: i for i in build(hostile_root, only=builder)}
    assert {n for n, b in ITEM_BUILDERS.items() if b == builder} == set(items)
    item = items[name]
    if name == "vanishes":
        found_by = scan_module.discover

        def discover(*args, **kwargs):
            found = found_by(*args, **kwargs)
            os.unlink(hostile_root / "race/vanish.csv")
            return found

        monkeypatch.setattr(scan_module, "discover", discover)
    # Bombs are read to the end (the first 10,000 rows of a bomb are harmless), and a growing
    # file is read while it grows.
    sample = 0 if builder in ("bombs", "vanishing") else None
    report = _scan(hostile_root, sample_rows=sample, source_timeout=60)
    check_item(report, hostile_root, item)
    sources, errors = _entries(report, hostile_root, item.paths[0])
    if name in ("gzip_bomb", "tgz_bomb"):
        assert errors and "possible decompression bomb" in errors[0]["error"]
    if name == "zip_bomb":
        member = {s["path"].rsplit("!", 1)[1]: s for s in sources}
        assert "decompression bomb" in member["huge.csv"]["error"]
        assert "CN_RESIDENT_ID" in _entities(member["ok.csv"])
    if name == "unreadable":
        if IS_ROOT:  # chmod 000 does not stop root: then the file is scanned
            assert sources and sources[0]["status"] == "ok"
        else:
            assert errors and errors[0]["error"] == "cannot open file: Permission denied"
    if name == "vanishes":
        assert errors == [
            {"path": str(hostile_root / "race/vanish.csv"), "error": errors[0]["error"]}
        ]
        assert errors[0]["error"] == "cannot open file: No such file or directory"
    if name == "deep_jsonl_line":  # the line before the deep one is still reported
        (source,) = sources
        assert source["error"] == "JSON on line 2 is nested deeper than 500 levels"
        assert "CN_RESIDENT_ID" in _entities(source)
    if name.startswith("empty_"):
        assert errors and errors[0]["error"] == "empty file"
    if name in ("symlink_loop", "folder_link_to_parent", "fifo", "dev_zero", "dev_null"):
        assert not sources  # never opened
        assert errors


def test_a_file_growing_while_it_is_read(hostile_root):
    build(hostile_root, only="vanishing")
    grow = hostile_root / "race/grow.txt"
    stop = threading.Event()
    appended = [0]

    def grower() -> None:
        with open(grow, "a", encoding="utf-8") as fh:
            while not stop.is_set():
                fh.write(f"{appended[0]} 电话{MOBILE}\n" * 1000)
                appended[0] += 1000

    thread = threading.Thread(target=grower, daemon=True)
    thread.start()
    try:
        report = _scan(grow, sample_rows=0, source_timeout=3)
    finally:
        stop.set()
        thread.join()
    (source,) = report["sources"]
    # Read to where the end was when the reader got there, or stopped by the time budget.
    if source["status"] == "error":
        assert source["error"].startswith("stopped: took longer than 3 s (time budget")
    else:
        assert "CN_RESIDENT_ID" in _entities(source)


# --------------------------------------------------------------------------- budgets


def test_time_budget_stops_one_source_and_the_rest_is_scanned(tmp_path):
    folder = tmp_path / "slow"
    folder.mkdir()
    line = f"第{{}}行 客户电话{MOBILE} 身份证{RESIDENT_ID} 备注 abcdefghij\n"
    # ~3.5 s of scanning: 300,000 lines (1.3 s) came too close to the budget once the core
    # got faster, and a loaded CI run finished them in time.
    (folder / "a_slow.txt").write_text("".join(line.format(i) for i in range(1_000_000)))
    (folder / "b_sane.csv").write_text(f"身份证号\n{RESIDENT_ID}\n", encoding="utf-8")
    started = time.monotonic()
    run = subprocess.run(
        [
            *CLI,
            str(folder),
            "--format",
            "json",
            "-q",
            "--sample-rows",
            "0",
            "--source-timeout",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    report = json.loads(run.stdout)
    slow, sane = report["sources"]
    assert slow["status"] == "error"
    assert slow["error"] == "stopped: took longer than 1 s (time budget, --source-timeout)"
    assert slow["tables"][0]["rows_scanned"] > 0  # what was read in time is reported
    assert "CN_RESIDENT_ID" in _entities(slow)
    assert sane["status"] == "ok" and "CN_RESIDENT_ID" in _entities(sane)
    assert time.monotonic() - started < 60


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("t.txt", b"x" * 100),
        ("t.csv", b"a,b\n1,2\n"),
        ("t.jsonl", b'{"a": 1}\n'),
        ("t.json", b'[{"a": 1}]'),
    ],
)
def test_readers_check_the_time_budget_while_reading(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    fmt = {"txt": "text"}.get(name.rsplit(".", 1)[1], name.rsplit(".", 1)[1])
    ref = SourceRef(path=str(path), location=str(path), format=fmt)
    with time_budget(0.001), pytest.raises(SourceError, match="time budget"):
        time.sleep(0.01)
        for table in open_source(ref):
            for _ in table.batches:
                pass


def test_a_long_line_within_the_memory_budget_is_scanned(tmp_path):
    folder = tmp_path / "long"
    folder.mkdir()
    pad = "x" * (6 << 20)
    (folder / "line.txt").write_text(f"{pad} 身份证号{RESIDENT_ID} {pad}")
    report = _scan(folder, source_memory=1 << 30)  # records up to 16 MiB
    (source,) = report["sources"]
    assert source["status"] == "ok" and "CN_RESIDENT_ID" in _entities(source)
    report = _scan(folder, source_memory=256 << 20)  # records up to 4 MiB
    (source,) = report["sources"]
    assert source["error"] == "a line is longer than 4 MiB (--source-memory)"


def test_the_memory_budget_applies_to_every_reader(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "cells"
    folder.mkdir()
    # Short values keep the average under the cap, so the footer check passes (see
    # test_parquet_page_bomb_is_refused_before_it_is_decompressed) and the batch check acts.
    notes = ["short"] * 10 + ["y" * (2 << 20)]
    pq.write_table(pa.table({"note": notes}), folder / "t.parquet")
    report = _scan(folder, source_memory=64 << 20)  # values up to 1 MiB
    (source,) = report["sources"]
    assert source["error"] == "a value of column note is longer than 1 MiB (--source-memory)"


def test_cli_options_reach_the_scan(tmp_path):
    (tmp_path / "a.txt").write_text("x" * 5000 + "\n")
    run = subprocess.run(
        [*CLI, str(tmp_path), "--format", "json", "-q", "--source-memory", "64K"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    (source,) = json.loads(run.stdout)["sources"]
    assert source["error"] == "a line is longer than 1 KiB (--source-memory)"
    bad = subprocess.run(
        [*CLI, str(tmp_path), "--source-memory", "lots"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "--source-memory" in bad.stderr


@pytest.mark.parametrize("kind", ["fifo", "dev_zero"])
@pytest.mark.parametrize(
    "fmt", ["text", "csv", "jsonl", "json", "parquet", "xlsx", "sql", "sqlite"]
)
def test_a_special_file_put_in_a_files_place_is_never_read(tmp_path, kind, fmt):
    # Discovery lists FIFOs and devices as errors; one that replaces a file after discovery
    # must not block the reader (a FIFO without a writer) or feed it forever (/dev/zero).
    path = tmp_path / "x.data"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        os.symlink("/dev/zero", path)
    ref = SourceRef(path=str(path), location=str(path), format=fmt)
    box: dict[str, str] = {}

    def read() -> None:
        try:
            for table in open_source(ref):
                for _ in table.batches:
                    pass
        except SourceError as exc:
            box["error"] = str(exc)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=20)
    assert not reader.is_alive(), "the reader blocked"
    what = "a FIFO" if kind == "fifo" else "a character device"
    assert box["error"] == f"cannot open file: not a regular file ({what})"


# --------------------------------------------------------------------------- readers of others


def _cli_with_peak(folder: Path, tmp_path: Path) -> tuple[dict, float]:
    """Scan ``folder`` through the command line: (report, peak RSS in MB)."""
    rss_path = tmp_path / "rss"
    env = dict(os.environ, HOSTILE_RSS=str(rss_path))
    env.pop("HOSTILE_VANISH", None)
    run = subprocess.run(
        [sys.executable, "-c", RUNNER, "scan", str(folder), "--format", "json", "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    return json.loads(run.stdout), int(rss_path.read_text()) / 1024


def test_parquet_page_bomb_is_refused_before_it_is_decompressed(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = tmp_path / "pq"
    folder.mkdir()
    pq.write_table(
        pa.table({"note": ["a" * (100 << 20)]}), folder / "bomb.parquet", compression="zstd"
    )
    assert (folder / "bomb.parquet").stat().st_size < 100_000
    report, peak_mb = _cli_with_peak(folder, tmp_path)
    (source,) = report["sources"]
    assert source["status"] == "error"
    assert peak_mb < 300, f"peak RSS {peak_mb:.0f} MB for {source['path']}"


def test_xlsx_cell_bomb_is_an_error(tmp_path):
    import openpyxl

    folder = tmp_path / "xlsx"
    folder.mkdir()
    book = openpyxl.Workbook()
    book.active.append(["身份证号"])
    book.active.append([RESIDENT_ID])
    book.save(tmp_path / "base.xlsx")
    with (
        zipfile.ZipFile(tmp_path / "base.xlsx") as src,
        zipfile.ZipFile(folder / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for name in src.namelist():
            if name != "xl/worksheets/sheet1.xml":
                out.writestr(name, src.read(name))
                continue
            head, _, tail = src.read(name).partition(b"</sheetData>")
            with out.open(name, "w", force_zip64=True) as part:
                part.write(head + b'<row r="3"><c r="A3" t="inlineStr"><is><t>')
                for _ in range(100):
                    part.write(b"A" * (1 << 20))
                part.write(b"</t></is></c></row></sheetData>" + tail)
    report, peak_mb = _cli_with_peak(folder, tmp_path)
    (source,) = report["sources"]
    assert source["status"] == "error", f"ok with {source['tables'][0]['rows_scanned']} row(s)"
    assert peak_mb < 400


def test_mixed_encodings_are_decoded_line_by_line(hostile_root):
    build(hostile_root, only="mixed_encodings")
    path = hostile_root / "enc/mixed_utf8_then_gb18030.csv"
    ref = SourceRef(path=str(path), location=str(path), format="csv")
    (table,) = open_source(ref)
    names = [n for batch in table.batches for n in batch.column("姓名").to_pylist()]
    assert names[0] == "赵六0" and "钱七499" in names and names[-1].startswith("赵六")
    assert not any("\ufffd" in n for n in names[:-1])  # only the cut last row may be broken
    text = hostile_root / "mixed.txt"
    text.write_bytes(("a" * 70_000 + "\n张三\n").encode() + "李四\n".encode("gb18030") + b"\xff\n")
    ref = SourceRef(path=str(text), location=str(text), format="text")
    (table,) = open_source(ref)
    lines = [n for batch in table.batches for n in batch.column("text").to_pylist()]
    assert lines[1:] == ["张三", "李四", "\ufffd"]


def test_default_budgets():
    assert ScanOptions().source_seconds() == 600  # 10,000 rows a table: minutes is a stall
    assert ScanOptions(sample_rows=0).source_seconds() == 0  # every row of big files: no cap
    assert ScanOptions(sample_rows=0, source_timeout=30).source_seconds() == 30
    assert ScanOptions().limits().max_record_bytes == 16 << 20  # 1 GiB / 64
    assert ScanOptions(source_memory=0).limits().max_record_bytes == 0  # the readers' own caps
