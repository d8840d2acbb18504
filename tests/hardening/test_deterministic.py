"""The same input gives byte-identical reports, apart from the time the report was made.

Two scans of the same generated folder run in separate processes with different hash seeds
(so that no output depends on the order of a set or dict of strings), one in one process and
one with two worker processes and threads per batch; every format (JSON, Markdown, HTML, CSV,
the terminal table) and the findings stream must be the same bytes once the report's one
timestamp, ``scanned_at``, is blanked out wherever a format shows it.  The scan date is fixed:
it is a date, which the minors rule depends on, not a timestamp.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scan_folder import build

HERE = Path(__file__).resolve().parent

SCRIPT = """
import datetime as dt, json, sys
from pathlib import Path
from pii_scan.report.writers import WRITERS
from pii_scan.scan import ScanOptions, scan_paths

folder, out = Path(sys.argv[1]), Path(sys.argv[2])
workers, threads = int(sys.argv[3]), int(sys.argv[4])
out.mkdir()
options = ScanOptions(workers=workers, threads=threads, today=dt.date(2026, 1, 15))
with open(out / "findings.jsonl", "w", encoding="utf-8") as fh:
    report = scan_paths([str(folder)], options, findings=fh)
for fmt, writer in WRITERS.items():
    (out / f"report.{fmt}").write_text(writer(report), encoding="utf-8")
(out / "scanned_at").write_text(report["scanned_at"], encoding="utf-8")
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> list[Path]:
    root = tmp_path_factory.mktemp("det")
    build(root / "data", files=10, rows=120)
    outs = []
    for n, (workers, threads, seed) in enumerate(((1, 1, "1"), (2, 2, "2"))):
        out = root / f"run{n}"
        env = {k: v for k, v in os.environ.items() if k != "PII_SCAN_DEBUG"}
        env["PYTHONHASHSEED"] = seed
        cmd = [sys.executable, "-c", SCRIPT, str(root / "data"), str(out), str(workers)]
        subprocess.run([*cmd, str(threads)], check=True, env=env, timeout=120, cwd=root)
        outs.append(out)
    return outs


def _without_timestamp(out: Path, name: str) -> bytes:
    stamp = (out / "scanned_at").read_text("utf-8")
    text = (out / name).read_text("utf-8")
    if name != "findings.jsonl":
        assert text.count(stamp) == (0 if name == "report.table" else 1), name
    return text.replace(stamp, "<scanned_at>").encode("utf-8")


@pytest.mark.parametrize(
    "name",
    ["report.json", "report.md", "report.html", "report.csv", "report.table", "findings.jsonl"],
)
def test_same_input_same_bytes(runs, name):
    one, two = (_without_timestamp(out, name) for out in runs)
    assert one == two


def test_the_report_is_not_trivially_small(runs):
    report = json.loads((runs[0] / "report.json").read_text("utf-8"))
    assert report["summary"]["sources"] == 13  # 10 files, 2 archive members, a broken file
    assert report["individuals"]["method"] == "hyperloglog"  # sketches merged over tables
    assert (runs[0] / "findings.jsonl").stat().st_size > 100_000
