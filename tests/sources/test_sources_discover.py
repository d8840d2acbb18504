"""discover(): folders, globs, filters, links, errors."""

from __future__ import annotations

import os
import threading

import pyarrow as pa
import pytest

from pii_scan.sources import SourceRef, detect_format, discover


def _touch(root, *names, content="a\n"):
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "data"
    _touch(
        root,
        "b.csv",
        "a.csv",
        "notes.TXT",
        "events.jsonl",
        "sub/deep/c.tsv",
        "sub/x.parquet",
        "sub/tmp_1.csv",
        "report.docx",
        "sub/image.png",
        ".hidden.csv",
        ".git/config.txt",
        "node_modules/pkg/readme.md",
    )
    return root


def _paths(found):
    return [ref.path for ref in found.sources]


def test_folder_is_walked_sorted_without_hidden_entries(tree):
    found = discover([str(tree)])
    d = str(tree)
    assert _paths(found) == [
        f"{d}/a.csv",
        f"{d}/b.csv",
        f"{d}/events.jsonl",
        f"{d}/node_modules/pkg/readme.md",
        f"{d}/notes.TXT",
        f"{d}/sub/deep/c.tsv",
        f"{d}/sub/tmp_1.csv",
        f"{d}/sub/x.parquet",
    ]
    assert [ref.format for ref in found.sources] == [
        "csv",
        "csv",
        "jsonl",
        "text",
        "text",
        "tsv",
        "csv",
        "parquet",
    ]
    assert found.unsupported == [f"{d}/report.docx", f"{d}/sub/image.png"]
    assert found.errors == [] and found.excluded == 0
    assert all(ref.location == ref.path for ref in found.sources)


def test_include_and_exclude(tree):
    d = str(tree)
    found = discover([d], include=["*.csv", "*.tsv"], exclude=["tmp_*", "node_modules"])
    assert _paths(found) == [f"{d}/a.csv", f"{d}/b.csv", f"{d}/sub/deep/c.tsv"]
    # not included: events.jsonl notes.TXT sub/x.parquet report.docx sub/image.png;
    # excluded: sub/tmp_1.csv.  node_modules is pruned without being counted.
    assert found.excluded == 6
    assert found.unsupported == []


def test_exclude_matches_relative_paths(tree):
    found = discover([str(tree)], exclude=["sub/*", "**/*.jsonl"])
    assert [os.path.relpath(p, tree) for p in _paths(found)] == [
        "a.csv",
        "b.csv",
        "node_modules/pkg/readme.md",
        "notes.TXT",
    ]
    # events.jsonl and sub's three files; the folder sub/deep matches "sub/*" and is not entered
    assert found.excluded == 4


def test_current_folder_gives_relative_paths(tree, monkeypatch):
    monkeypatch.chdir(tree)
    found = discover(["."], include=["*.csv"])
    assert _paths(found) == ["a.csv", "b.csv", "sub/tmp_1.csv"]
    found = discover(["sub/"])
    assert _paths(found) == ["sub/deep/c.tsv", "sub/tmp_1.csv", "sub/x.parquet"]


def test_globs(tree, monkeypatch):
    monkeypatch.chdir(tree.parent)
    assert _paths(discover(["data/*.csv"])) == ["data/a.csv", "data/b.csv"]
    assert _paths(discover(["data/**/*.csv"])) == ["data/a.csv", "data/b.csv", "data/sub/tmp_1.csv"]
    assert _paths(discover(["data/s?b"])) == [
        "data/sub/deep/c.tsv",
        "data/sub/tmp_1.csv",
        "data/sub/x.parquet",
    ]
    found = discover(["data/*"], exclude=["*.csv"])  # folders matched by a glob are walked
    assert "data/sub/deep/c.tsv" in _paths(found)
    assert "data/report.docx" in found.unsupported
    assert not any(p.endswith(".csv") for p in _paths(found))
    found = discover(["data/*.xlsb", "nowhere/*.csv"])
    assert found.sources == []
    assert found.errors == [
        {"path": "data/*.xlsb", "error": "no files match"},
        {"path": "nowhere/*.csv", "error": "no files match"},
    ]


def test_explicit_files_missing_paths_and_duplicates(tree, monkeypatch):
    monkeypatch.chdir(tree)
    found = discover(["./b.csv", "missing.csv", "report.docx", "b.csv", "SUB/../a.csv", "sub"])
    assert _paths(found) == ["./b.csv", "sub/deep/c.tsv", "sub/tmp_1.csv", "sub/x.parquet"]
    assert found.errors == [
        {"path": "missing.csv", "error": "no such file or directory"},
        {"path": "report.docx", "error": "unsupported file format (.docx)"},
        {"path": "SUB/../a.csv", "error": "no such file or directory"},
    ]


def test_explicit_files_obey_filters(tree, monkeypatch):
    monkeypatch.chdir(tree)
    found = discover(["a.csv", "b.csv", "notes.TXT"], exclude=["b.*"], include=["*.csv"])
    assert _paths(found) == ["a.csv"]
    assert found.excluded == 2


def _discover_with_timeout(*args, **kwargs):
    box = {}
    worker = threading.Thread(target=lambda: box.setdefault("found", discover(*args, **kwargs)))
    worker.daemon = True
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive(), "discover() hung"
    return box["found"]


def test_symlink_loops_do_not_hang(tmp_path):
    root = tmp_path / "loop"
    _touch(root, "a/x.csv", "b/y.csv")
    os.symlink(root, root / "a" / "back")  # a/back -> loop (a cycle)
    os.symlink(root / "b", root / "a" / "to_b")
    os.symlink(root / "b" / "y.csv", root / "link.csv")  # links to files are followed
    os.symlink(root / "gone.csv", root / "dangling.csv")
    found = _discover_with_timeout([str(root)])
    r = str(root)
    assert _paths(found) == [f"{r}/a/x.csv", f"{r}/b/y.csv"] or _paths(found) == [
        f"{r}/a/x.csv",
        f"{r}/link.csv",
    ]
    assert sorted(found.errors, key=lambda e: e["path"]) == [
        {"path": f"{r}/a/back", "error": "symbolic link loop (a link to a folder above it)"},
        {"path": f"{r}/dangling.csv", "error": "broken symbolic link"},
    ]
    found = _discover_with_timeout([f"{r}/**/*.csv"])
    assert f"{r}/a/x.csv" in _paths(found)
    assert not any("back" in p for p in _paths(found))


def test_detect_format():
    assert detect_format("a/B.CSV") == "csv"
    assert detect_format("x.ndjson") == "jsonl"
    assert detect_format("x.pq") == "parquet"
    assert detect_format("x.log") == "text"
    assert detect_format("x.xlsx") == "xlsx"
    assert detect_format("x.docx") is None
    assert detect_format("Makefile") is None
    assert detect_format("dump.sql.gz") == "sql"
    assert detect_format("notes.gz") is None


def test_source_ref_is_frozen():
    ref = SourceRef(path="a.csv", location="a.csv", format="csv")
    with pytest.raises(AttributeError):
        ref.path = "b.csv"  # type: ignore[misc]


def test_file_names_that_are_no_utf8_are_scanned_and_shown_as_gb18030(tmp_path):
    """GBK file names (a Windows archive unpacked, a share): read like any other, shown as
    GB18030 text in every output, and one name that is neither never stops the scan."""
    import json
    import subprocess
    import sys

    import pyarrow.parquet as pq

    def gbk(name: str) -> str:  # the name as Python sees it: its bytes kept as surrogates
        return os.fsdecode(name.encode("gbk"))

    csv = "姓名,手机号,身份证号\n张伟,13800138000,11010519491231002X\n"
    (tmp_path / gbk("客户名单.csv")).write_text(csv, encoding="utf-8")
    (tmp_path / os.fsdecode(b"\xff\xfe.csv")).write_text(csv, encoding="utf-8")
    pq.write_table(pa.table({"手机号": ["13800138000"]}), tmp_path / "t.parquet")
    (tmp_path / "t.parquet").rename(tmp_path / gbk("订单.parquet"))
    out, findings = tmp_path.parent / "r.json", tmp_path.parent / "f.jsonl"
    args = [sys.executable, "-m", "pii_scan", "scan", str(tmp_path)]
    done = subprocess.run([*args, "--format", "json", "-o", out, "--findings", findings])
    assert done.returncode == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    shown = {s["path"]: s["status"] for s in report["sources"]}
    assert shown == {
        str(tmp_path / "%FF%FE.csv"): "ok",
        str(tmp_path / "客户名单.csv"): "ok",
        str(tmp_path / "订单.parquet"): "ok",
    }
    paths = {
        json.loads(line)["path"]
        for line in findings.read_text(encoding="utf-8").split("\n")
        if line
    }
    assert str(tmp_path / "客户名单.csv") in paths
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    table = subprocess.run([*args[:-1], "."], capture_output=True, cwd=tmp_path, env=env)
    assert table.returncode == 0
    shown = table.stdout.decode("utf-8")
    assert "客户名单.csv" in shown and "%FF%FE.csv" in shown
