"""The Spark engine (``pii_scan.spark``) against the local engine, in Spark local mode.

One mixed folder (Parquet with typed and nested columns, CSV with a BOM and split into several
partitions, GB18030 CSV of children's IDs, nested JSON Lines, plain text, a corrupt file) is
scanned by both engines; the reports and the findings must be the same. Skipped when PySpark
or Java is missing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import shutil
from pathlib import Path

import pytest

pyspark = pytest.importorskip("pyspark")
pytestmark = pytest.mark.filterwarnings("ignore:PySpark does not yet fully support")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("Spark needs Java", allow_module_level=True)

import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from stdnum import luhn  # noqa: E402
from stdnum.cn import ric  # noqa: E402

from pii_scan import spark as pii_spark  # noqa: E402
from pii_scan.cli import cli  # noqa: E402
from pii_scan.scan import ScanOptions, scan_paths, scan_table  # noqa: E402

TODAY = dt.date(2025, 6, 1)
AREAS = ["110105", "310104", "440305", "510107", "330106"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"
STREETS = ["朝阳区建国路", "浦东新区世纪大道", "南山区科技园路", "武侯区人民南路", "西湖区文三路"]
CITIES = ["北京市", "上海市", "深圳市", "成都市", "杭州市"]


def resident_id(i: int, first_year: int = 1960, years: int = 40) -> str:
    born = dt.date(first_year + i % years, 1 + i % 12, 1 + i % 28)
    body = f"{AREAS[i % 5]}{born:%Y%m%d}{i % 997:03d}"
    return body + ric.calc_check_digit(body)


def mobile(i: int) -> str:
    return f"1{(38, 39, 50, 86, 77)[i % 5]}{i * 7919 % 10**8:08d}"


def bank_card(i: int) -> str:
    body = f"62220210{i * 104729 % 10**10:010d}"
    return body + luhn.calc_check_digit(body)


def name(i: int) -> str:
    return SURNAMES[i % 20] + GIVEN[i * 7 % 20] + ("" if i % 3 else GIVEN[i * 11 % 20])


def address(i: int) -> str:
    return f"{CITIES[i % 5]}{STREETS[i % 5]}{i % 300 + 1}号{i % 20 + 1}栋{i % 9 + 1}0{i % 4 + 1}室"


def order_number(i: int) -> str:
    body = resident_id(i * 31)[:17]
    good = ric.calc_check_digit(body)
    return body + ("0" if good != "0" else "1")  # the wrong check digit: a hard negative


def write_folder(root: Path) -> Path:
    data = root / "lake"
    data.mkdir()
    n = 600
    contact = pa.array(
        [{"name": name(i + 1), "phone": mobile(i + 1)} if i % 10 else None for i in range(n)],
        pa.struct([("name", pa.string()), ("phone", pa.string())]),
    )
    customers = pa.table(
        {
            "客户编号": pa.array(range(n), pa.int64()),
            "姓名": [name(i) for i in range(n)],
            "身份证号": [resident_id(i) for i in range(n)],
            "手机": pa.array([int(mobile(i)) for i in range(n)], pa.int64()),
            "email": [f"user{i}@example.com" if i % 7 else None for i in range(n)],
            "地址": [address(i) for i in range(n)],
            "银行卡": [bank_card(i) for i in range(n)],
            "余额": pa.array([i * 1.25 for i in range(n)], pa.float64()),
            "联系人": contact,
            "标签": [["vip", mobile(i)] if i % 5 == 0 else ["普通"] for i in range(n)],
            "生日": pa.array([dt.date(1970 + i % 30, 1 + i % 12, 1 + i % 28) for i in range(n)]),
        }
    )
    pq.write_table(customers, data / "customers.parquet", row_group_size=250)

    rows = 3000
    with open(data / "orders.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["订单号", "收货人", "联系电话", "收货地址", "备注", "金额"])
        for i in range(rows):
            phone = mobile(i) if i % 4 else f"+86 {mobile(i)[:3]} {mobile(i)[3:7]} {mobile(i)[7:]}"
            note = [
                "尽快发货",
                f"请联系{mobile(i + 3)}",
                f"证件{resident_id(i + 5)}",
                '备注, "加急"',
            ]
            w.writerow(
                [order_number(i), name(i), phone, address(i), note[i % 4], f"{i % 500}.{i % 100}"]
            )
            if i == 1500:
                w.writerow(["ragged", "13800138000"])  # too few fields: padded by both engines

    with open(data / "children.csv", "w", encoding="gb18030", newline="") as f:
        w = csv.writer(f)
        w.writerow(["学生姓名", "身份证", "家长电话", "班级"])
        for i in range(150):
            grade = f"三年级{i % 4 + 1}班" if i % 50 else "三年级\n(转入)"  # a quoted line break
            w.writerow([name(i), resident_id(i, 2014, 6), mobile(i + 9), grade])

    with open(data / "events.jsonl", "w", encoding="utf-8") as f:
        for i in range(400):
            event = {
                "user": {"phone": int(mobile(i)), "name": name(i)},
                "ip": f"10.{i % 250}.{i % 7}.{i % 200 + 1}",
                "device": {"imei": None, "os": "android" if i % 2 else "ios"},
                "amount": i * 0.5,
                "items": [{"sku": f"SKU{i}", "qty": i % 3 + 1}],
                "note": f"客户{name(i)}来电{mobile(i + 1)}" if i % 3 == 0 else "ok",
            }
            if i >= 350:
                event["late_id"] = resident_id(i)
            f.write(json.dumps(event, ensure_ascii=False) + "\n")

    lines = []
    for i in range(100):
        lines.append(f"第{i}条：客户{name(i)}，身份证{resident_id(i + 7)}，手机{mobile(i + 2)}。")
        if i % 10 == 0:
            lines.append("")
    (data / "notes.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")

    for month in (1, 2):  # a Hive-partitioned dataset: one table, partition keys as columns
        folder = data / "sales" / "year=2024" / f"month={month:02d}"
        folder.mkdir(parents=True)
        sales = {"买家": [name(i) for i in range(80)], "电话": [mobile(i) for i in range(80)]}
        pq.write_table(pa.table(sales), folder / "part-0.parquet")
    profiles = [{"姓名": name(i), "证件号码": resident_id(i + 3)} for i in range(30)]
    (data / "profiles.json").write_text(json.dumps(profiles, ensure_ascii=False), "utf-8")
    (data / "broken.parquet").write_bytes(b"PAR1 this is not parquet at all PAR1")
    return data


@pytest.fixture(scope="module")
def spark():
    session = pii_spark.session(
        "local[2]",
        {
            "spark.sql.shuffle.partitions": "2",
            "spark.default.parallelism": "2",
            # Small splits: the 300 KB CSV is read as several partitions when not sampled.
            "spark.sql.files.maxPartitionBytes": "131072",
            "spark.sql.files.openCostInBytes": "65536",
            # A short-lived JVM: quick JIT, no adaptive planning or code generation to warm up.
            "spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
            "spark.sql.adaptive.enabled": "false",
            "spark.sql.codegen.wholeStage": "false",
        },
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_folder(tmp_path_factory.mktemp("spark"))


def comparable(report: dict) -> dict:
    """The parts of a report that must not depend on the engine (error texts do: Spark's
    reader words them its own way)."""
    out = {k: v for k, v in report.items() if k != "scanned_at"}
    out["errors"] = [e["path"] for e in report["errors"]]
    out["sources"] = [{k: v for k, v in s.items() if k != "error"} for s in report["sources"]]
    return out


def without_examples(table: dict) -> dict:
    columns = [
        {**c, "evidence": {k: v for k, v in c["evidence"].items() if k != "examples"}}
        for c in table["columns"]
    ]
    return {**table, "columns": columns}


def assert_same_reports(local: dict, spark: dict, *, examples: bool = True) -> None:
    """Same sources, tables, columns, verdicts and evidence. ``examples=False``: a file split
    into several partitions gathers its three examples per partition, not per local batch."""
    if not examples:
        for report in (local, spark):
            for s in report["sources"]:
                s["tables"] = [without_examples(t) for t in s["tables"]]
    # Spark pads a short CSV row (PERMISSIVE) as the local engine does, without counting it;
    # the local engine reports how many it evened out. Everything else must agree.
    for s in local["sources"]:
        for t in s["tables"]:
            assert "skipped_rows" not in t
            t.pop("ragged_rows", None)
    assert [(s["path"], s["status"]) for s in spark["sources"]] == [
        (s["path"], s["status"]) for s in local["sources"]
    ]
    for ls, ss in zip(local["sources"], spark["sources"], strict=True):
        assert len(ls["tables"]) == len(ss["tables"]), ls["path"]
        for lt, st in zip(ls["tables"], ss["tables"], strict=True):
            assert st["name"] == lt["name"]
            assert st["rows_scanned"] == lt["rows_scanned"], lt["name"]
            assert [c["name"] for c in st["columns"]] == [c["name"] for c in lt["columns"]]
            for lc, sc in zip(lt["columns"], st["columns"], strict=True):
                where = f"{lt['name']}.{lc['name']}"
                for key in ("entity", "tier", "tiers", "category", "match_ratio", "entities"):
                    assert sc[key] == lc[key], (where, key, lc[key], sc[key])
                assert sc == lc, where  # confidence and evidence too
            assert st == lt, lt["name"]  # table rules, minors, individuals
    assert comparable(spark) == comparable(local)


def test_same_report_and_findings_every_row(spark, folder, tmp_path):
    options = ScanOptions(sample_rows=0, today=TODAY)
    stream = io.StringIO()
    local = scan_paths([str(folder)], options, findings=stream)
    out = tmp_path / "findings"
    remote = pii_spark.scan_paths([str(folder)], options, spark=spark, findings_path=str(out))
    assert_same_reports(local, remote, examples=False)
    tables = {t["name"]: t for s in remote["sources"] for t in s["tables"]}
    assert tables["orders"]["rows_scanned"] == 3001  # the ragged row too
    assert tables["children"].get("minors") is True

    def key(f):
        return (f["path"], f["table"], f["column"], f["row"], f["start"])

    expected = sorted((json.loads(x) for x in stream.getvalue().splitlines()), key=key)
    parts = sorted(out.glob("part-*.json"))
    assert parts
    got = sorted(
        (json.loads(x) for p in parts for x in p.read_text(encoding="utf-8").splitlines()),
        key=key,
    )
    assert len(got) == len(expected) > 500
    assert got == expected


def test_cli_engine_spark_sampled(spark, folder, tmp_path):
    """``pii-scan scan --engine spark``: sampling pushed into Spark, findings as part files."""
    report_file, found = tmp_path / "report.json", tmp_path / "found"
    args = ["scan", str(folder), "--engine", "spark", "--format", "json", "--sample-rows", "1000"]
    budget = ["--source-timeout", "600"]  # said to bound the driver's sources only
    result = CliRunner().invoke(
        cli,
        [
            *args,
            "-o",
            str(report_file),
            "--findings",
            str(found),
            "--fail-on",
            "sensitive",
            *budget,
        ],
    )
    assert result.exit_code == 3, result.output  # the resident IDs trip the gate
    assert "--source-timeout bound only the sources read on the driver" in result.stderr
    remote = json.loads(report_file.read_text(encoding="utf-8"))
    local = scan_paths([str(folder)], ScanOptions(sample_rows=1000))
    assert_same_reports(local, remote)  # one partition per sampled file: examples too
    tables = {t["name"]: t for s in remote["sources"] for t in s["tables"]}
    assert tables["orders"]["rows_scanned"] == 1000
    ids = next(c for c in tables["customers"]["columns"] if c["name"] == "身份证号")
    assert (ids["entity"], ids["tier"]) == ("CN_RESIDENT_ID", "sensitive")
    assert remote["sources"][0]["status"] == "error"  # broken.parquet
    assert {s["path"].rsplit("/", 1)[-1] for s in remote["sources"]} == {
        "broken.parquet",
        "children.csv",
        "customers.parquet",
        "events.jsonl",
        "notes.txt",
        "orders.csv",
        "profiles.json",  # a JSON document: read by the local engine on the driver
        "sales",
    }
    sales = tables["sales"]
    assert [c["name"] for c in sales["columns"]] == ["买家", "电话", "year", "month"]
    assert list(found.glob("part-*.json"))
    again = CliRunner().invoke(cli, [*args, "-o", str(report_file), "--findings", str(found)])
    assert again.exit_code == 2, again.output  # an existing findings folder is never replaced


def test_uris_listed_by_hadoop(spark, folder):
    """``scheme://`` paths are listed with Spark's file systems (here ``file://``)."""
    options = ScanOptions(sample_rows=200, today=TODAY)
    remote = pii_spark.scan_paths([f"file://{folder}"], options, spark=spark)
    local = scan_paths([str(folder)], options)
    text = json.dumps(remote, ensure_ascii=False).replace(f"file://{folder}", str(folder))
    assert_same_reports(local, json.loads(text))


def test_scan_dataframe_matches_scan_table(spark):
    rows = [(name(i), resident_id(i), mobile(i), f"第{i}号") for i in range(50)]
    names = ["姓名", "身份证号", "phone", "备注"]
    df = spark.createDataFrame(rows, names).repartition(3)
    got = pii_spark.scan_dataframe(df, "people", ScanOptions(sample_rows=0, today=TODAY))
    table = pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})
    want = scan_table(table, "people", ScanOptions(sample_rows=0, today=TODAY))
    for g, w in zip(got["columns"], want["columns"], strict=True):
        for k in ("name", "entity", "tier", "tiers", "match_ratio", "entities"):
            assert g[k] == w[k], (w["name"], k)
    df.createOrReplaceTempView("people_view")
    report = pii_spark.scan_tables(spark, ["people_view"], ScanOptions(sample_rows=0, today=TODAY))
    (source,) = report["sources"]
    assert (source["path"], source["status"]) == ("table:people_view", "ok")
    assert [c["entity"] for c in source["tables"][0]["columns"]] == [
        c["entity"] for c in want["columns"]
    ]


@pytest.mark.parametrize("limit", [10_000, 50])
def test_distinct_counters_merge_like_one_counter(limit):
    """Partitions' distinct counters united by the engine count like one local counter: the
    same exact count while within the limit, the same sketch (and estimate) beyond it."""
    from pii_scan.classify.evidence import DistinctCounter

    parts = [[f"v{i}" for i in range(0, 300)], [f"v{i}" for i in range(200, 420)]]
    local = DistinctCounter(exact_limit=limit)
    rows = []
    for part, values in enumerate(parts):
        local.add(pa.array(values))
        counter = DistinctCounter(exact_limit=limit)
        counter.add(pa.array(values))
        row = pii_spark._counter_row("dist", counter, 12345, pos=0)
        rows.append({**row, "tbl": 0, "part": part})
    batch = pa.RecordBatch.from_pylist(rows, schema=pii_spark.OUT_ARROW)
    limits = {"dist": (limit, 1 << 30)}
    (merged,) = pii_spark._merge_counters(limits, iter([batch])).__next__().to_pylist()
    got = pii_spark._MergedCounter(DistinctCounter(exact_limit=limit), [merged])
    assert got.count() == local.count()
    assert got.count()[1] == ("exact" if limit > 420 else "hyperloglog")
    assert got.sketch_text() == local.sketch_text()
    assert got.seen == local.seen == 520


def test_a_file_failing_inside_a_job_is_isolated(spark, tmp_path):
    """A file Spark can plan but not read fails the job: the engine bisects the job, reports
    that file in ``errors`` and scans the others."""
    for i in range(3):
        rows = {
            "手机号": [mobile(j) for j in range(2000)],
            "n": [f"x{j}" * 20 for j in range(2000)],
        }
        pq.write_table(pa.table(rows), tmp_path / f"t{i}.parquet", compression="snappy")
    bad = tmp_path / "t1.parquet"
    data = bytearray(bad.read_bytes())
    data[200:20000] = bytes(19800)  # data pages zeroed, footer intact
    bad.write_bytes(bytes(data))
    options = ScanOptions(sample_rows=0)
    local = scan_paths([str(tmp_path)], options)
    remote = pii_spark.scan_paths([str(tmp_path)], options, spark=spark)
    assert [(s["path"], s["status"]) for s in remote["sources"]] == [
        (s["path"], s["status"]) for s in local["sources"]
    ]
    assert [s["status"] for s in remote["sources"]] == ["ok", "error", "ok"]
    assert [e["path"] for e in remote["errors"]] == [str(bad)]


def test_a_dataset_with_a_broken_file_scans_the_others(spark, tmp_path):
    """Spark fails a whole dataset on one broken file; the engine reads that dataset with
    the local reader instead, which scans the other files and names the broken one."""
    root = tmp_path / "sales"
    for month in (1, 2, 3):
        folder = root / f"month={month:02d}"
        folder.mkdir(parents=True)
        pq.write_table(
            pa.table({"电话": [mobile(i + month) for i in range(50)]}), folder / "p.parquet"
        )
    bad = root / "month=02" / "p.parquet"
    bad.write_bytes(bad.read_bytes()[:-30])  # a half-written file: no footer
    options = ScanOptions(sample_rows=0)
    local = scan_paths([str(root)], options)
    remote = pii_spark.scan_paths([str(root)], options, spark=spark)
    for report in (local, remote):
        (source,) = report["sources"]
        assert source["status"] == "error" and "month=02/p.parquet" in source["error"]
        (table,) = source["tables"]
        assert table["rows_scanned"] == 100
        assert [c["entity"] for c in table["columns"]] == ["CN_MOBILE_PHONE", None]
    assert remote["sources"] == local["sources"]
