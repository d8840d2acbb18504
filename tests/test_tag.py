"""``pii-scan tag``: verdicts written into the data, the data unchanged, safe export copies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest
from clirun import run

from pii_scan.scan import ScanOptions, scan_paths

ROOT = Path(__file__).resolve().parents[1]
TRAVELLERS = ROOT / "samples" / "travellers.parquet"


def tiers_of(path) -> dict[str, str | None]:
    report = scan_paths([str(path)], ScanOptions(sample_rows=0))
    return {c["name"]: c["tier"] for t in report["sources"][0]["tables"] for c in t["columns"]}


@pytest.fixture(scope="module")
def expected():
    """The verdicts the scanner gives the sample (what tag must write)."""
    report = scan_paths([str(TRAVELLERS)], ScanOptions(sample_rows=0))
    return {c["name"]: c for t in report["sources"][0]["tables"] for c in t["columns"]}


def test_parquet_round_trip_same_data_and_metadata(tmp_path, expected):
    out = tmp_path / "tagged.parquet"
    proc = run("tag", str(TRAVELLERS), "-o", str(out), "--sample-rows", "0")
    assert proc.returncode == 0, proc.stderr
    before, after = pq.read_table(TRAVELLERS), pq.read_table(out)
    assert after.equals(before)  # same columns, types and values (metadata aside)
    assert after.schema.field("passport_no").metadata is not None
    for f in after.schema:
        meta = {k.decode(): v.decode() for k, v in (f.metadata or {}).items()}
        want = expected[f.name]
        assert meta["pii.entity"] == (want["entity"] or "")
        assert meta["pii.tier"] == (want["tier"] or "none")
        assert meta["pii.category"] == ((want["category"] or "") if want["entity"] else "")
        assert float(meta["pii.confidence"]) == pytest.approx(want["confidence"], abs=0.01)
    scan_meta = json.loads(after.schema.metadata[b"pii.scan"])
    assert scan_meta["policy"] == "gbt35273" and scan_meta["dropped"] == []


def test_drop_sensitive_leaves_no_sensitive_column(tmp_path, expected):
    out = tmp_path / "export.parquet"
    proc = run("tag", str(TRAVELLERS), "-o", str(out), "--drop", "sensitive", "--sample-rows", "0")
    assert proc.returncode == 0, proc.stderr
    sensitive = {n for n, c in expected.items() if c["tier"] == "sensitive"}
    assert sensitive, "the sample has sensitive columns"
    after = pq.read_table(out)
    assert not sensitive & set(after.column_names)
    assert all(f.metadata[b"pii.tier"] != b"sensitive" for f in after.schema)
    assert "sensitive" not in tiers_of(out).values()  # a rescan agrees
    kept = [n for n in pq.read_table(TRAVELLERS).column_names if n not in sensitive]
    assert after.column_names == kept
    assert after.equals(pq.read_table(TRAVELLERS).select(kept))


def test_mask_general_and_keyed_hash(tmp_path, expected):
    out = tmp_path / "masked.parquet"
    proc = run("tag", str(TRAVELLERS), "-o", str(out), "--mask", "general", "--sample-rows", "0")
    assert proc.returncode == 0, proc.stderr
    after, before = pq.read_table(out), pq.read_table(TRAVELLERS)
    pi = [n for n, c in expected.items() if c["tier"] in ("general", "sensitive")]
    for name in pi:
        values = [v for v in after[name].to_pylist() if v]
        assert values and all("*" in v for v in values)
        assert after.schema.field(name).metadata[b"pii.masked"] == b"mask"
        assert after[name].null_count == before[name].null_count
    hashed = tmp_path / "hashed.parquet"
    args = ["tag", str(TRAVELLERS), "-o", str(hashed), "--mask", "sensitive", "--mask-with", "hash"]
    assert run(*args).returncode == 2  # no key
    proc = run(*args, env={"PII_SCAN_TAG_KEY": "s3cret"})
    assert proc.returncode == 0, proc.stderr
    sensitive = next(n for n, c in expected.items() if c["tier"] == "sensitive")
    col = pq.read_table(hashed)[sensitive].to_pylist()
    # The shared keyed hash of scan --masking hash: h: and 16 hex digits, the key's id recorded.
    assert any(col) and all(v is None or (v[:2] == "h:" and len(v) == 18) for v in col)
    label = pq.read_table(hashed).schema.field(sensitive).metadata[b"pii.masked"]
    assert label.startswith(b"hash:") and b"s3cret" not in label
    again = tmp_path / "again.parquet"
    assert run(*args[:3], str(again), *args[4:], env={"PII_SCAN_TAG_KEY": "s3cret"}).returncode == 0
    assert pq.read_table(again)[sensitive].to_pylist() == col  # keyed: stable, joinable


def test_feather_round_trip(tmp_path):
    src = tmp_path / "t.feather"
    feather.write_feather(pa.table({"手机号": ["13800138000", "13912345678"], "n": [1, 2]}), src)
    out = tmp_path / "t.tagged.feather"
    assert run("tag", str(src), "-o", str(out)).returncode == 0
    after = feather.read_table(out)
    assert after.equals(feather.read_table(src))
    assert after.schema.field("手机号").metadata[b"pii.entity"] == b"CN_MOBILE_PHONE"
    assert after.schema.field("n").metadata[b"pii.tier"] == b"none"


def test_csv_gets_a_sidecar_and_stays_byte_identical(tmp_path):
    src = tmp_path / "customers.csv"
    shutil.copyfile(ROOT / "samples" / "customers.csv", src)
    out = tmp_path / "out" / "customers.csv"
    proc = run("tag", str(src), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == src.read_bytes()
    sidecar = json.loads((tmp_path / "out" / "customers.csv.pii.json").read_text("utf-8"))
    cols = {c["name"]: c for c in sidecar["columns"]}
    assert cols["身份证号"]["pii.entity"] == "CN_RESIDENT_ID"
    assert cols["身份证号"]["pii.tier"] == "sensitive"
    assert cols["注册时间"]["pii.tier"] == "none"
    assert sidecar["schema"] == "pii-scan/tags/v1" and sidecar["dropped"] == []


def test_csv_drop_and_mask_with_a_saved_report(tmp_path):
    src = tmp_path / "orders_gbk.csv"
    shutil.copyfile(ROOT / "samples" / "orders_gbk.csv", src)
    report = tmp_path / "report.json"
    assert run("scan", str(src), "--format", "json", "-o", str(report)).returncode == 0
    out = tmp_path / "export.csv"
    proc = run("tag", str(src), "-o", str(out), "--report", str(report), "--mask", "general")
    assert proc.returncode == 0, proc.stderr
    text = out.read_text(encoding="utf-8")  # re-encoded as UTF-8
    header, first = text.splitlines()[:2]
    assert header.split(",")[0] == "订单号"
    phone = header.split(",").index("联系电话")
    assert "*" in first.split(",")[phone]
    sidecar = json.loads(Path(str(out) + ".pii.json").read_text("utf-8"))
    assert "联系电话" in sidecar["masked"]


def test_csv_ragged_rows_are_copied_as_the_scanner_reads_them(tmp_path):
    src = tmp_path / "ragged.csv"
    rows = [f"客户{i},11010119900307{i % 10}{i % 7}{i % 3}X,正常" for i in range(20)]
    rows[5] = "客户5"  # short: empty fields
    rows[7] = "客户7,110101199003074477,加急,当天送达"  # long: the last column holds the rest
    src.write_text("名称,证件号,备注\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "export.csv"
    proc = run("tag", str(src), "-o", str(out), "--drop", "sensitive", "--sample-rows", "0")
    assert proc.returncode == 0, proc.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "名称,备注" and len(lines) == 21
    assert lines[6] == "客户5," and lines[8] == '客户7,"加急,当天送达"'


def test_jsonl_nested_fields_drop_and_mask(tmp_path):
    src = tmp_path / "dev.jsonl"
    rows = [{"user": {"phone": "13800138000", "id": "u1"}, "os": "Android"}] * 3
    src.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "dev.out.jsonl"
    proc = run("tag", str(src), "-o", str(out), "--drop", "general")
    assert proc.returncode == 0, proc.stderr
    got = [json.loads(x) for x in out.read_text("utf-8").splitlines()]
    assert got[0] == {"user": {"id": "u1"}, "os": "Android"}
    assert "user.phone" in json.loads(Path(str(out) + ".pii.json").read_text("utf-8"))["dropped"]


def test_unsupported_format_and_same_file_are_usage_errors(tmp_path):
    odd = tmp_path / "x.txt"
    odd.write_text("13800138000\n", encoding="utf-8")
    assert run("tag", str(odd), "-o", str(tmp_path / "y.txt")).returncode == 2
    assert run("tag", str(TRAVELLERS), "-o", str(TRAVELLERS)).returncode == 2


# -- what the scanner read is what tag edits ----------------------------------------------
ROWS = [
    ("13800138000", "110105199003071239", "张伟"),
    ("13912345678", "11010519800307123X", "李娜"),
]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("headless.csv", "".join(",".join(r) + "\n" for r in ROWS)),  # no header row
        ("semi.csv", "手机;身份证号;姓名\n" + "".join(";".join(r) + "\n" for r in ROWS)),
        ("pipes.psv", "手机|身份证号|姓名\n" + "".join("|".join(r) + "\n" for r in ROWS)),
        (  # a title above the header, and rows ending with a delimiter
            "title.csv",
            "客户名单 2024-05-01\n手机,身份证号,姓名\n"
            + "".join(",".join(r) + ",\n" for r in ROWS),
        ),
    ],
)
def test_delimited_columns_are_taken_as_the_scanner_read_them(tmp_path, name, text):
    src, out = tmp_path / name, tmp_path / "out" / name
    src.write_text(text, encoding="utf-8")
    proc = run("tag", str(src), "-o", str(out), "--drop", "sensitive", "--mask", "general")
    assert proc.returncode == 0, proc.stderr
    written = out.read_text(encoding="utf-8")
    for phone, rid, person in ROWS:
        assert rid not in written and rid[:14] not in written  # dropped
        assert phone not in written and person not in written  # masked
    assert written.count("\n") == text.count("\n")


def test_a_column_tag_cannot_find_is_an_error_and_leaves_no_copy(tmp_path):
    # JSON keys that look like phone numbers are masked in the report: tag cannot find them
    src = tmp_path / "keys.jsonl"
    src.write_text(
        '{"13800138000": {"email": "lina@example.com"}}\n'
        '{"13912345678": {"email": "wf@example.com"}}\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.jsonl"
    proc = run("tag", str(src), "-o", str(out), "--drop", "general")
    assert proc.returncode == 2
    assert "are not in the file as named" in proc.stderr and "--reveal" in proc.stderr
    assert not out.exists() and "lina@example.com" not in proc.stdout + proc.stderr


def test_an_unreadable_input_says_why(tmp_path):
    src = tmp_path / "corrupt.parquet"
    src.write_bytes(b"PAR1 not really parquet")
    proc = run("tag", str(src), "-o", str(tmp_path / "o.parquet"))
    assert proc.returncode == 2
    assert "cannot tag corrupt.parquet" in proc.stderr and "Parquet" in proc.stderr
