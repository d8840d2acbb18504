"""A folder of generated files with personal information, for the resume and determinism tests.

:func:`build` writes ``files`` CSV, JSON Lines and Parquet files (in sub-folders, some people
in several files so that the scan-wide count of individuals merges sketches), a zip archive
with a member of unknown format, and a file that cannot be read.  Values come from
``samples/generate.py`` (valid check digits, synthetic people) with fixed seeds: the same
arguments give the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import io
import json
import random
import zipfile
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[2]


@cache
def _gen():
    spec = importlib.util.spec_from_file_location("samples_generate", ROOT / "samples/generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _people(seed: int, n: int) -> list[dict]:
    g, rng = _gen(), random.Random(seed)
    people = []
    for i in range(n):
        name, sur_py, given_py = g.make_name(rng)
        child = i % 97 == 0  # a few children under 14: the minors rule
        born_from = dt.date(2015, 1, 1) if child else None
        born_to = dt.date(2019, 12, 31) if child else dt.date(2005, 12, 31)
        people.append(
            {
                "姓名": name,
                "身份证号": g.make_resident_id(rng, born_from=born_from, born_to=born_to),
                "手机号": g.make_mobile(rng),
                "email": g.make_email(rng, sur_py, given_py),
                "地址": g.make_address(rng),
                "备注": rng.choice(("", "VIP", "已回访", "需要发票")),
                "amount": f"{rng.randint(1, 99999) / 100:.2f}",
            }
        )
    return people


def build(folder: Path, files: int = 30, rows: int = 1500) -> list[Path]:
    """Write the folder; returns the data files (not the archive or the broken file)."""
    folder.mkdir(parents=True, exist_ok=True)
    pool = _people(1, rows * 3)  # people appear in several files
    written = []
    for i in range(files):
        rng = random.Random(100 + i)
        batch = rng.sample(pool, rows)
        kind = ("csv", "jsonl", "parquet")[i % 3]
        path = folder / f"part{i % 4}" / f"t{i:02d}.{kind}"
        path.parent.mkdir(exist_ok=True)
        columns = list(batch[0])
        if kind == "csv":
            out = io.StringIO()
            w = csv.DictWriter(out, columns, lineterminator="\n")
            w.writeheader()
            w.writerows(batch)
            path.write_text(out.getvalue(), encoding="utf-8")
        elif kind == "jsonl":
            lines = (
                json.dumps({"user": {k: p[k] for k in columns[:3]}, **p}, ensure_ascii=False)
                for p in batch
            )
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            table = pa.table({k: [p[k] for p in batch] for k in columns})
            pq.write_table(table, path)
        written.append(path)
    with zipfile.ZipFile(folder / "archive.zip", "w") as zf:
        zf.writestr("inner/contacts.csv", "name,phone\n张伟,13800138000\n李娜,13912345678\n")
        zf.writestr("inner/blob.bin", b"\x00\x01")
        zf.writestr("notes.txt", "客户身份证110105199003071239，电话13800138000\n")
    (folder / "broken.parquet").write_bytes(b"PAR1 this is not parquet")
    (folder / "readme.unknown").write_text("not a data file\n", encoding="utf-8")
    return written


def without_timestamps(report: dict) -> dict:
    """The report without the fields that say when it was made (``scanned_at``)."""
    report = dict(report)
    report.pop("scanned_at", None)
    return report
