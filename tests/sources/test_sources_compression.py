"""Compressed sources, archives and the decompression-bomb limits."""

from __future__ import annotations

import gzip
import io
import tarfile
import zipfile

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import PEOPLE_COLUMNS, compress, csv_text, jsonl_text, people

from pii_scan.scan import ScanOptions, scan_paths
from pii_scan.sources import Archive, Limits, SourceError, SourceRef, discover, open_source
from pii_scan.sources.inputs import RATIO_GRACE_BYTES, Input, human_size, parse_size


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz", "zst"])
@pytest.mark.parametrize("fmt", ["csv", "jsonl", "txt", "sql"])
def test_compressed_files_read_like_the_plain_ones(tmp_path, read_all, kind, fmt):
    rows = people(10)
    plain = {
        "csv": csv_text(rows),
        "jsonl": jsonl_text(rows),
        "txt": "".join(r["手机号"] + "\n" for r in rows),
        "sql": "CREATE TABLE t (phone varchar(20));\n"
        + "".join(f"INSERT INTO t VALUES ('{r['手机号']}');\n" for r in rows),
    }[fmt]
    path = tmp_path / f"people.{fmt}.{kind}"
    path.write_bytes(compress(plain.encode("utf-8"), kind))
    (found,) = discover([str(path)]).sources
    assert found.compression == kind
    tables = read_all(path, found.format, batch_rows=3)
    table = next(iter(tables.values()))
    assert table.table.name == ("t" if fmt == "sql" else "people")
    values = [v for row in table.rows for v in row.values() if v]
    assert all(r["手机号"] in values for r in rows)


def test_multi_member_gzip_is_read_whole(tmp_path, read):
    path = tmp_path / "two.csv.gz"
    path.write_bytes(gzip.compress(b"a\n1\n") + gzip.compress(b"2\n"))
    assert read(path).column("a") == ["1", "2"]


def test_compressed_parquet_is_spooled(tmp_path, read):
    buffer = io.BytesIO()
    pq.write_table(pa.table({"手机号": ["13800138000", "13912345678"]}), buffer)
    path = tmp_path / "p.parquet.gz"
    path.write_bytes(gzip.compress(buffer.getvalue()))
    result = read(path)
    assert result.table.name == "p"
    assert result.column("手机号") == ["13800138000", "13912345678"]


def _bomb(path, target_mb: int = 20) -> None:
    """A gzip of about ``target_mb`` MB made of CSV rows that expands about 1000 times."""
    row = "张三,110101199003077777,13800138000\n".encode()
    member = gzip.compress(b"".join([row] * ((8 << 20) // len(row))), compresslevel=9)
    with open(path, "wb") as f:
        f.write(gzip.compress("姓名,身份证号,手机号\n".encode()))
        for _ in range((target_mb << 20) // len(member) + 1):
            f.write(member)


def test_a_20mb_gzip_that_expands_past_the_limit_is_refused(tmp_path):
    """Acceptance: the bomb is an error with a clear reason; truncated Parquet and gzip files
    are errors too; the other files are scanned."""
    _bomb(tmp_path / "bomb.csv.gz")
    assert (tmp_path / "bomb.csv.gz").stat().st_size >= 20 << 20
    whole = tmp_path / "whole.parquet"
    pq.write_table(pa.table({"手机号": [f"1380013{i:04d}" for i in range(5000)]}), whole)
    data = whole.read_bytes()
    (tmp_path / "truncated.parquet").write_bytes(data[: len(data) // 2])
    whole.unlink()
    gz = gzip.compress(csv_text(people(30)).encode() * 50)
    (tmp_path / "truncated.csv.gz").write_bytes(gz[: len(gz) // 2])
    (tmp_path / "good.csv").write_text(csv_text(people(30)), encoding="utf-8")
    report = scan_paths([str(tmp_path)], ScanOptions(sample_rows=0))
    errors = {e["path"].rsplit("/", 1)[-1]: e["error"] for e in report["errors"]}
    assert set(errors) == {"bomb.csv.gz", "truncated.parquet", "truncated.csv.gz"}
    assert errors["bomb.csv.gz"] == (
        "refused: decompresses to more than 100 times its compressed size"
        " (--max-expand-ratio); possible decompression bomb"
    )
    assert errors["truncated.parquet"].startswith("truncated or corrupt Parquet file")
    assert errors["truncated.csv.gz"].startswith("truncated or corrupt gzip data")
    good = next(s for s in report["sources"] if s["path"].endswith("good.csv"))
    assert good["status"] == "ok"
    assert {c["name"]: c["entity"] for c in good["tables"][0]["columns"]}["手机号"] == (
        "CN_MOBILE_PHONE"
    )


def test_absolute_size_limit(tmp_path, ref):
    path = tmp_path / "big.txt.gz"
    path.write_bytes(gzip.compress(b"x" * 100 + b"\n" * (3 << 20)))
    with pytest.raises(SourceError, match=r"more than 1 MiB \(--max-expand-size\)"):
        for table in open_source(ref(path), limits=Limits(max_ratio=0, max_bytes=1 << 20)):
            list(table.batches)
    tables = open_source(ref(path), limits=Limits(max_ratio=0, max_bytes=0))
    assert sum(b.num_rows for t in tables for b in t.batches) == 3 << 20


def test_ratio_needs_the_grace_bytes_first(tmp_path, ref):
    path = tmp_path / "small.txt.gz"
    path.write_bytes(gzip.compress(b"a\n" * (RATIO_GRACE_BYTES // 4)))  # 1000x, but small
    tables = open_source(ref(path), limits=Limits(max_ratio=2))
    assert sum(b.num_rows for t in tables for b in t.batches) == RATIO_GRACE_BYTES // 4


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz", "zst"])
def test_truncated_and_corrupt_streams(tmp_path, ref, one_line, kind):
    data = compress(csv_text(people(30)).encode() * 40, kind)
    for name, payload in (("cut", data[: len(data) // 2]), ("junk", data[:10] + b"\x00" * 500)):
        path = tmp_path / f"{name}.csv.{kind}"
        path.write_bytes(payload)
        with pytest.raises(SourceError) as info:
            for table in open_source(ref(path, "csv")):
                list(table.batches)
        one_line(str(info.value))
        assert "corrupt" in str(info.value) or "binary" in str(info.value), str(info.value)


def test_sizes_parse_and_print():
    assert parse_size("16G") == 16 << 30 and parse_size("1.5k") == 1536
    with pytest.raises(ValueError):
        parse_size("lots")
    assert human_size(1536) == "1.5 KiB" and human_size(16 << 30) == "16 GiB"


# --------------------------------------------------------------------------- archives


def _zip(path, members: dict[str, bytes], **kwargs) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, **kwargs) as z:
        for name, data in members.items():
            z.writestr(name, data)


def _scan_sources(path, **options):
    report = scan_paths([str(path)], ScanOptions(**options))
    return {s["path"]: s for s in report["sources"]}, report


def test_zip_members_are_sources(tmp_path):
    path = tmp_path / "bundle.zip"
    _zip(
        path,
        {
            "a/people.csv": csv_text(people(20)).encode(),
            "a/people.jsonl.gz": gzip.compress(jsonl_text(people(20)).encode()),
            "b/notes.log": "联系电话 13800138000\n".encode(),
            ".hidden/x.csv": b"a\n1\n",
            "skip.tmp.csv": b"a\n1\n",
            "image.png": b"\x89PNG",
        },
    )
    sources, report = _scan_sources(path, exclude=["*.tmp.csv"])
    assert list(sources) == [
        f"{path}!a/people.csv",
        f"{path}!a/people.jsonl.gz",
        f"{path}!b/notes.log",
    ]
    assert [t["name"] for s in sources.values() for t in s["tables"]] == [
        "people",
        "people",
        "notes",
    ]
    assert report["summary"]["excluded_files"] == 1
    assert report["summary"]["unsupported_files"] == [f"{path}!image.png"]
    columns = sources[f"{path}!a/people.csv"]["tables"][0]["columns"]
    assert [c["name"] for c in columns] == PEOPLE_COLUMNS


def test_zip_members_named_with_a_leading_dot_slash_are_read(tmp_path):
    path = tmp_path / "dotslash.zip"
    _zip(path, {"./customers.csv": csv_text(people(5)).encode(), "./.hidden.csv": b"a\n1\n"})
    sources, _ = _scan_sources(path)
    assert list(sources) == [f"{path}!./customers.csv"]
    assert sources[f"{path}!./customers.csv"]["tables"][0]["rows_scanned"] == 5


def test_include_applies_to_members_not_to_the_archive(tmp_path):
    path = tmp_path / "bundle.zip"
    _zip(path, {"p.csv": b"a\n1\n", "p.jsonl": b'{"a": 1}\n'})
    (tmp_path / "other.jsonl").write_text('{"a": 1}\n', encoding="utf-8")
    sources, report = _scan_sources(tmp_path, include=["*.csv"])
    assert list(sources) == [f"{path}!p.csv"]
    assert report["summary"]["excluded_files"] == 2  # other.jsonl and the member p.jsonl
    sources, report = _scan_sources(tmp_path, exclude=["*.zip"])
    assert list(sources) == [str(tmp_path / "other.jsonl")]


def test_gbk_member_names_are_decoded(tmp_path):
    path = tmp_path / "gbk.zip"
    gbk = "客户.csv".encode("gbk")  # stored as GBK bytes without the UTF-8 flag, as Windows does
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x" * (len(gbk) - 4) + ".csv", b"a\n1\n")
    path.write_bytes(path.read_bytes().replace(b"x" * (len(gbk) - 4) + b".csv", gbk))
    (member,) = list(Archive(SourceRef(str(path), str(path), "zip")))
    assert member.path == f"{path}!客户.csv"


def test_zip_bomb_member_is_refused_from_its_declared_size(tmp_path):
    path = tmp_path / "bomb.zip"
    _zip(path, {"zeros.csv": b"a\n" + b"0\n" * (30 << 20), "ok.csv": b"a\n1\n"})
    sources, _report = _scan_sources(path)
    assert sources[f"{path}!ok.csv"]["status"] == "ok"
    bomb = sources[f"{path}!zeros.csv"]
    assert bomb["status"] == "error" and bomb["error"].startswith("refused: decompresses to more")


def test_encrypted_zip_member(tmp_path):
    path = tmp_path / "secret.zip"
    _zip(path, {"x.csv": b"a\n1\n"})
    data = bytearray(path.read_bytes())
    data[6] |= 0x1  # set the encryption flag in the local header
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 8] |= 0x1  # and in the central directory
    path.write_bytes(bytes(data))
    sources, _ = _scan_sources(path)
    assert sources[f"{path}!x.csv"]["error"] == "encrypted zip member"


@pytest.mark.parametrize("mode", ["w", "w:gz", "w:bz2", "w:xz"])
def test_tar_members_are_sources(tmp_path, mode):
    suffix = {"w": ".tar", "w:gz": ".tar.gz", "w:bz2": ".tbz2", "w:xz": ".tar.xz"}[mode]
    path = tmp_path / f"bundle{suffix}"
    with tarfile.open(path, mode) as tar:
        for name, data in (
            ("./d/people.tsv", csv_text(people(10), "\t").encode()),
            ("d/empty.csv", b""),
            ("d/readme.docx", b"x"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    sources, report = _scan_sources(path)
    assert list(sources) == [f"{path}!d/people.tsv", f"{path}!d/empty.csv"]
    assert sources[f"{path}!d/empty.csv"]["error"] == "empty file"
    assert report["summary"]["unsupported_files"] == [f"{path}!d/readme.docx"]


def test_truncated_tar_gz_keeps_the_members_read_before(tmp_path):
    path = tmp_path / "cut.tar.gz"
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for i in range(3):
            data = csv_text(people(30)).encode()
            data += b"".join(f"x{i}{j},1,2,3,4\n".encode() for j in range(20000))
            info = tarfile.TarInfo(f"p{i}.csv")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    data = buffer.getvalue()
    path.write_bytes(data[: int(len(data) * 0.7)])
    sources, _report = _scan_sources(path)
    assert sources[f"{path}!p0.csv"]["status"] == "ok"
    assert list(sources)[-1] == str(path)
    assert sources[str(path)]["status"] == "error"
    assert "truncated or corrupt" in sources[str(path)]["error"]


def test_nested_archives(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("deep/p.csv", csv_text(people(5)))
    outer = tmp_path / "outer.tar.gz"
    with tarfile.open(outer, "w:gz") as tar:
        info = tarfile.TarInfo("inner.zip")
        info.size = len(inner.getvalue())
        tar.addfile(info, io.BytesIO(inner.getvalue()))
    sources, _ = _scan_sources(outer)
    assert list(sources) == [f"{outer}!inner.zip!deep/p.csv"]
    assert sources[f"{outer}!inner.zip!deep/p.csv"]["status"] == "ok"


def test_not_an_archive(tmp_path):
    path = tmp_path / "fake.zip"
    path.write_bytes(b"this is not a zip file at all")
    sources, report = _scan_sources(path)
    assert sources[str(path)]["error"].startswith("not a readable zip archive")
    assert [e["path"] for e in report["errors"]] == [str(path)]


def test_input_names():
    def name(path, **kw):
        return Input(SourceRef(path=path, location=path, format="csv", **kw)).name

    assert name("a/b/orders.csv.gz", compression="gz") == "orders"
    assert name("a.zip!inner/客户.csv") == "客户"
    assert name("s3://bucket/x/people.tsv") == "people"
    assert name("lake/sales", members=("lake/sales/year=1/p.parquet",)) == "sales"
