"""Acceptance: a folder holding a file of every format scans with the right table and column
names and verdicts; nothing is silently skipped; --workers keeps the report order; --strict,
--exclude counts and the progress bar."""

from __future__ import annotations

import io
import json
import os

import pytest
from click.testing import CliRunner
from conftest import PEOPLE_COLUMNS, PEOPLE_ENTITIES

from pii_scan.cli import cli
from pii_scan.progress import Progress
from pii_scan.scan import ScanOptions, scan_paths

VOLATILE = ("scanned_at",)


def _tables(report: dict, root) -> dict[str, dict[str, list[str]]]:
    prefix = f"{root}/"
    out: dict[str, dict[str, list[str]]] = {}
    for source in report["sources"]:
        assert source["status"] == "ok", (source["path"], source.get("error"))
        tables = {t["name"]: [c["name"] for c in t["columns"]] for t in source["tables"]}
        out[source["path"].removeprefix(prefix)] = tables
    return out


@pytest.fixture(scope="module")
def lake_report(lake):
    root, _ = lake
    options = ScanOptions(exclude=["skip_me.csv"], sample_rows=0)
    return scan_paths([str(root)], options)


def test_every_format_gives_its_tables_and_columns(lake, lake_report):
    root, expected = lake
    assert lake_report["errors"] == []
    assert _tables(lake_report, root) == expected


def test_verdicts_of_the_people_columns(lake, lake_report):
    root, _ = lake
    checked = 0
    for source in lake_report["sources"]:
        for table in source["tables"]:
            for column in table["columns"]:
                name = column["name"].removeprefix("data.")
                if name in PEOPLE_ENTITIES and source["format"] != "sql":
                    where = f"{source['path']} :: {table['name']}.{column['name']}"
                    assert column["entity"] == PEOPLE_ENTITIES[name], where
                    checked += 1
    assert checked >= 100
    by_path = {s["path"].removeprefix(f"{root}/"): s for s in lake_report["sources"]}
    shop = {t["name"]: t for t in by_path["shop.sql"]["tables"]}
    verdicts = {c["name"]: c["entity"] for c in shop["shop.客户"]["columns"]}
    assert verdicts["身份证号"] == "CN_RESIDENT_ID" and verdicts["手机号"] == "CN_MOBILE_PHONE"
    orders = {c["name"]: c["entity"] for c in shop["shop.orders"]["columns"]}
    assert orders["收货电话"] == "CN_MOBILE_PHONE" and orders["ip"] == "IP_ADDRESS"
    xlsx = {t["name"]: t for t in by_path["people.xlsx"]["tables"]}
    phones = {c["name"]: c["entity"] for c in xlsx["订单"]["columns"]}
    assert phones["收货电话"] == "CN_MOBILE_PHONE"  # numbers typed into Excel
    assert {t["name"]: t["rows_scanned"] for t in by_path["sales"]["tables"]} == {"sales": 30}


def test_nothing_is_silently_skipped(lake, lake_report):
    root, _ = lake
    summary = lake_report["summary"]
    assert summary["excluded_files"] == 1  # skip_me.csv
    assert sorted(summary["unsupported_files"]) == [
        f"{root}/bundle.zip!inner/readme.docx",
        f"{root}/report.docx",
    ]
    # every column of every table is listed, personal or not
    shop = next(s for s in lake_report["sources"] if s["path"].endswith("shop.sql"))
    assert [t["name"] for t in shop["tables"]] == ["shop.orders", "shop.客户", "shop.empty_table"]
    assert len(shop["tables"][1]["columns"]) == 9


def _stable(report: dict) -> dict:
    return {k: v for k, v in report.items() if k not in VOLATILE}


def test_workers_give_the_same_report(lake, lake_report):
    root, _ = lake
    options = ScanOptions(exclude=["skip_me.csv"], sample_rows=0, workers=2)
    parallel = scan_paths([str(root)], options)
    assert [s["path"] for s in parallel["sources"]] == [s["path"] for s in lake_report["sources"]]
    assert _stable(parallel) == _stable(lake_report)


def test_cli_strict_and_exit_codes(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("姓名,手机号\n张三,13800138000\n", encoding="utf-8")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 this is not parquet")
    runner = CliRunner()
    plain = runner.invoke(cli, ["scan", str(tmp_path), "--format", "json"])
    assert plain.exit_code == 0, plain.output
    report = json.loads(plain.stdout)
    assert [e["path"] for e in report["errors"]] == [str(bad)]
    strict = runner.invoke(cli, ["scan", str(tmp_path), "--format", "json", "--strict", "-q"])
    assert strict.exit_code == 1
    assert "--strict: 1 source(s) could not be read" in strict.stderr
    fine = runner.invoke(cli, ["scan", str(good), "--strict", "--format", "json"])
    assert fine.exit_code == 0
    bad_size = runner.invoke(cli, ["scan", str(good), "--max-expand-size", "lots"])
    assert bad_size.exit_code == 2


def test_cli_expand_limits_reach_the_readers(tmp_path):
    import gzip

    path = tmp_path / "big.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n" + b"1,2\n" * 500_000))  # 2 MB out of a few KB
    runner = CliRunner()
    args = ["scan", str(path), "--format", "json", "--sample-rows", "0"]
    refused = runner.invoke(cli, [*args, "--max-expand-size", "1M"])
    report = json.loads(refused.stdout)
    assert "refused" in report["errors"][0]["error"]
    assert "--max-expand-size" in report["errors"][0]["error"]
    allowed = runner.invoke(cli, [*args, "--max-expand-size", "0"])
    assert json.loads(allowed.stdout)["errors"] == []


def test_progress_bar_draws_only_on_a_terminal(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("姓名,手机号\n" + "张三,13800138000\n" * 100, encoding="utf-8")

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    scan_paths([str(path)], ScanOptions(), progress=Progress(tty, interval=0))
    drawn = tty.getvalue()
    assert "1/1 sources" in drawn and "100 rows" in drawn
    assert drawn.endswith("\r")  # the line is cleared at the end
    piped = io.StringIO()
    scan_paths([str(path)], ScanOptions(), progress=Progress(piped))
    assert piped.getvalue() == ""
    quiet = io.StringIO()
    scan_paths([str(path)], ScanOptions(), progress=Progress(Tty(), enabled=False))
    assert quiet.getvalue() == ""


def test_progress_counts_worker_results(tmp_path):
    for i in range(3):
        (tmp_path / f"p{i}.csv").write_text("手机号\n" + "13800138000\n" * 10, encoding="utf-8")
    progress = Progress(io.StringIO(), enabled=True, interval=0)
    scan_paths([str(tmp_path)], ScanOptions(workers=2), progress=progress)
    assert progress.files == 3 and progress.row_count == 30
    assert progress.bytes == sum(os.path.getsize(tmp_path / f"p{i}.csv") for i in range(3))


def test_people_columns_constant():
    assert list(PEOPLE_ENTITIES) == PEOPLE_COLUMNS
