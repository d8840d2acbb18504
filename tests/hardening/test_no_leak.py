"""No leaks (issue #8): without ``--reveal`` no raw value appears in any output byte.

A folder is seeded with known values (resident IDs, one ending in X, mobiles, bank cards,
e-mails, names, addresses, passports, health terms in remarks) in every format the scanner
reads, plus files whose parse or decoding error would quote a row holding a value. The real
command line runs in a subprocess with a fresh ``TMPDIR`` for every output mode, and every
byte it leaves behind (stdout, stderr, output files, the state file, whatever is left in
``TMPDIR``) is searched for every seeded value: as written, with full-width characters, digits
only, and in UTF-16 and GB18030. The scan must find the values (else the test proves nothing),
and with ``--reveal``/``--masking none`` they must appear (else the search proves nothing).
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

# jieba's dictionary cache (``$TMPDIR/jieba.cache``) holds its dictionary, which contains
# common words such as 糖尿病; it does not depend on the data scanned.
LIBRARY_CACHES = {"jieba.cache"}


# -- seeded values ------------------------------------------------------------------------
def resident_id(prefix17: str) -> str:
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    check = (12 - sum(int(d) * w for d, w in zip(prefix17, weights, strict=True)) % 11) % 11
    return prefix17 + ("X" if check == 10 else str(check))


def id_ending_in(last: str, head: str) -> str:
    for seq in range(100, 1000):
        value = resident_id(f"{head}{seq}")
        if value.endswith(last):
            return value
    raise AssertionError("no sequence number gives that check digit")


def luhn(prefix: str) -> str:
    digits = [int(d) for d in prefix + "0"]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return prefix + str((10 - total % 10) % 10)


IDS = [
    id_ending_in("X", "33010619850612"),
    id_ending_in("0", "44030519791103"),
    id_ending_in("1", "51010719920229"),
]
MOBILES = ["13957163482", "18620571936", "15811904375"]
CARDS = [luhn("622202100512345678"), luhn("621700300098765432"), luhn("622848771234567890")]
EMAILS = ["qian.duoduo@leak-test.example", "zhuge.mingyuan@leak-test.example", "qiu9@corp.example"]
NAMES = ["钱多多", "诸葛明远", "邱秋菊"]
ADDRESSES = [
    "浙江省杭州市西湖区文三路398号5幢1201室",
    "广东省深圳市南山区科苑路15号讯美广场3号楼",
    "四川省成都市武侯区人民南路四段27号",
]
PASSPORTS = ["E83746152", "EA5821734", "G47719283"]
HEALTH = ["2型糖尿病", "二甲双胍", "慢性乙型肝炎"]
REMARKS = [
    f"患者确诊{HEALTH[0]}，长期服用{HEALTH[1]}",
    f"既往史：{HEALTH[2]}，青霉素过敏",
    f"诊断：{HEALTH[0]}，复查血糖",
]
SEEDED = [*IDS, *MOBILES, *CARDS, *EMAILS, *NAMES, *ADDRESSES, *PASSPORTS, *HEALTH]
HEADER = ["姓名", "身份证号", "手机号", "银行卡号", "邮箱", "地址", "护照号", "病历备注"]


def rows() -> list[list[str]]:
    return [
        [NAMES[i], IDS[i], MOBILES[i], CARDS[i], EMAILS[i], ADDRESSES[i], PASSPORTS[i], REMARKS[i]]
        for i in range(3)
    ] * 4  # a few rows per value: enough for column verdicts


def csv_text(records, header=True) -> str:
    out = [",".join(HEADER)] if header else []
    out += [",".join(r) for r in records]
    return "\n".join(out) + "\n"


def build(folder: Path) -> None:
    records = rows()
    folder.mkdir()
    (folder / "people.csv").write_text(csv_text(records), encoding="utf-8")
    (folder / "people_gbk.csv").write_bytes(csv_text(records).encode("gb18030"))
    (folder / "headerless.csv").write_text(csv_text(records, header=False), encoding="utf-8")
    with (folder / "people.jsonl").open("w", encoding="utf-8") as fh:
        for r in records:
            obj = dict(zip(HEADER, r, strict=True))
            obj["联系"] = {"手机号": obj.pop("手机号"), "邮箱": obj.pop("邮箱")}
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
    pq.write_table(
        pa.table({h: [r[i] for r in records] for i, h in enumerate(HEADER)}),
        folder / "people.parquet",
    )
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "客户"
    sheet.append(HEADER)
    for r in records:
        sheet.append(r)
    book.save(folder / "people.xlsx")
    with zipfile.ZipFile(folder / "export.zip", "w") as z:
        z.writestr("inner/members.csv", csv_text(records))
    with gzip.open(folder / "people_gz.csv.gz", "wt", encoding="utf-8") as fh:
        fh.write(csv_text(records))
    with tarfile.open(folder / "bundle.tar.gz", "w:gz") as tar:
        for name in ("people.jsonl", "people.csv"):
            tar.add(folder / name, arcname=f"bundle/{name}")
    cols = ", ".join(f"`{h}` VARCHAR(100)" for h in HEADER)
    sql = [f"CREATE TABLE `客户` ({cols});"]
    for r in records:
        values = ", ".join("'" + v.replace("'", "''") + "'" for v in r)
        sql.append(f"INSERT INTO `客户` VALUES ({values});")
    (folder / "dump.sql").write_text("\n".join(sql) + "\n", encoding="utf-8")
    db = sqlite3.connect(folder / "people.sqlite")
    columns = ", ".join(f'"{h}" TEXT' for h in HEADER)
    db.execute(f"CREATE TABLE 客户 ({columns})")
    db.executemany(f"INSERT INTO 客户 VALUES ({', '.join('?' * len(HEADER))})", records)
    db.commit()
    db.close()
    # Members that are spooled to temporary files to be read (random access formats).
    with zipfile.ZipFile(folder / "spooled.zip", "w") as z:
        for name in ("people.parquet", "people.xlsx", "people.sqlite"):
            z.write(folder / name, f"copy/{name}")
    # Broken files whose parser would quote the row holding a value.
    broken = csv_text(records[:3]) + f"{NAMES[0]},{IDS[0]},{MOBILES[0]},x,y,z,w,v,extra,more\n"
    broken += "\n".join(",".join(r) for r in records) + "\n"
    (folder / "ragged.csv").write_text(broken, encoding="utf-8")
    good = [json.dumps(dict(zip(HEADER, r, strict=True)), ensure_ascii=False) for r in records]
    bad = f'{{"姓名": "{NAMES[1]}", "身份证号": "{IDS[1]}", "手机号": {MOBILES[1]}x, }}'
    (folder / "broken.jsonl").write_text("\n".join([*good[:3], bad, *good]) + "\n", "utf-8")
    (folder / "broken.json").write_text(f'[{{"身份证号": "{IDS[2]}", "邮箱": {EMAILS[2]}', "utf-8")
    # Decoding fails on a line holding values, after the part the encoding is sniffed from.
    filler = csv_text(records).encode() + "甲,乙,丙,丁,戊,己,庚,辛\n".encode() * 3000  # > 64 KiB
    line = f"{NAMES[2]},{IDS[2]},{MOBILES[2]},{CARDS[2]},{EMAILS[2]},".encode()
    line += b"\xff\xfe" + ADDRESSES[2].encode() + b",,\n"
    (folder / "late_bad_utf8.csv").write_bytes(
        filler + line + csv_text(records[:3], False).encode()
    )
    sql = f"INSERT INTO `客户` VALUES ('{NAMES[0]}', '{IDS[0]}', '{MOBILES[0]}'"
    (folder / "broken.sql").write_text(f"CREATE TABLE `客户` ({cols});\n{sql}\n", "utf-8")
    (folder / "bad.sqlite").write_bytes(
        b"SQLite format 3\x00" + b"\x10\x00\x01\x01" + f"{IDS[1]} {NAMES[1]}".encode() * 50
    )
    (folder / "notes.txt").write_bytes(
        f"客户{NAMES[0]}，身份证{IDS[0]}，电话{MOBILES[0]}\n".encode() * 3
        + b"\xff\xfe\xfd "
        + f"{NAMES[1]} {IDS[1]} {EMAILS[1]}\n".encode()
    )
    # Not parseable as what the extension says.
    (folder / "fake.parquet").write_bytes(f"PAR1{IDS[0]},{MOBILES[0]},{NAMES[0]}".encode())
    (folder / "fake.xlsx").write_bytes(f"PK\x03\x04{IDS[1]} {EMAILS[1]}".encode())


# -- searching bytes ----------------------------------------------------------------------
FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in map(chr, range(0x21, 0x7F))}


def forms(value: str) -> set[bytes]:
    """The byte strings that would betray ``value``."""
    texts = {value, "".join(FULL_WIDTH.get(c, c) for c in value)}
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) >= 7:
        texts |= {digits}
    if value in IDS:  # the hidden middle: the birth date
        texts |= {value[6:14]}
    out = set()
    for t in texts:
        for codec in ("utf-8", "utf-16-le", "utf-16-be", "gb18030"):
            with contextlib.suppress(UnicodeEncodeError):
                out.add(t.encode(codec))
    out |= {json.dumps(value).encode("ascii")[1:-1]}  # \\uXXXX escapes
    return {b for b in out if len(b) >= 4}


@cache
def all_forms() -> dict[str, set[bytes]]:
    return {v: forms(v) for v in SEEDED}


def leaks(blobs: dict[str, bytes]) -> list[str]:
    found = []
    for where, data in blobs.items():
        for value, patterns in all_forms().items():
            for p in patterns:
                if p in data:
                    found.append(f"{value!r} in {where} (as {p[:40]!r})")
                    break
    return found


# -- running the CLI ----------------------------------------------------------------------
class Run:
    def __init__(self, base: Path):
        self.base = base
        self.n = 0
        self.left_behind: list[str] = []  # files and folders left in a run's TMPDIR
        self.lock = threading.Lock()

    def many(self, jobs: list[tuple]) -> list[tuple]:
        """Run ``(tag, args, kwargs)`` jobs two at a time; results in order."""
        with ThreadPoolExecutor(2) as pool:
            return list(pool.map(lambda j: self(*j[1], **j[2]), jobs))

    def __call__(self, *args, env=None, check=True, files=()):
        """Run ``pii-scan *args`` with a fresh TMPDIR; returns (proc, blobs of every byte it
        left: stdout, stderr, ``files`` and the TMPDIR's files)."""
        with self.lock:
            self.n += 1
            tmp = self.base / f"tmp{self.n}"
        tmp.mkdir()
        full_env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PII_SCAN")},
            "TMPDIR": str(tmp),
            "TEMP": str(tmp),
            "TMP": str(tmp),
            "PYTHONWARNINGS": "default",  # warnings reach stderr, where they are searched
            **(env or {}),
        }
        proc = subprocess.run(
            [sys.executable, "-m", "pii_scan", *map(str, args)],
            capture_output=True,
            env=full_env,
            cwd=self.base,
            timeout=300,
        )
        if check:
            assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
        blobs = {"stdout": proc.stdout, "stderr": proc.stderr}
        for f in files:
            f = Path(f)
            paths = [f] if f.is_file() else sorted(p for p in f.rglob("*") if p.is_file())
            for p in paths:
                blobs[str(p.relative_to(self.base))] = p.read_bytes()
                if p.suffix == ".parquet":  # compressed pages: search the values too
                    text = json.dumps(pq.read_table(p).to_pylist(), ensure_ascii=False)
                    blobs[f"{p.name} (decoded)"] = text.encode()
            for extra in f.parent.glob(f.name + "-*"):  # SQLite -wal / -shm / -journal
                blobs[extra.name] = extra.read_bytes()
        left = [p for p in tmp.rglob("*") if p.name not in LIBRARY_CACHES]
        for p in left:
            if p.is_file():
                blobs[f"TMPDIR/{p.relative_to(tmp)}"] = p.read_bytes()
        blobs["TMPDIR listing"] = "\n".join(str(p) for p in left).encode()
        self.left_behind += [str(p.relative_to(self.base)) for p in left]
        return proc, blobs


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("noleak")
    build(base / "data")
    return base, Run(base)


@cache
def has_state_option() -> bool:
    out = subprocess.run(
        [sys.executable, "-m", "pii_scan", "scan", "--help"], capture_output=True, text=True
    ).stdout
    return "--state" in out


def test_seeded_values_are_found_and_masked_everywhere(world):
    base, run = world
    data, tagged = base / "data", base / "tagged"
    report_path, findings_path = base / "r.json", base / "f.jsonl"

    def job(tag, *args, files=(), env=None):
        return tag, args, {"files": files, "env": env}

    def out(name):
        return base / name

    names = ("people_gbk.csv", "people.jsonl", "late_bad_utf8.csv", "notes.txt", "ragged.csv")
    undecodable = ["scan", *(data / n for n in names), "--encoding", "ascii"]
    undecodable += ["--format", "json", "-o", out("ascii.json")]
    scans = [
        job("table", "scan", data),  # the terminal table
        job(
            "json",
            "scan",
            data,
            "--format",
            "json",
            "-o",
            report_path,
            "--findings",
            findings_path,
            files=[report_path, findings_path],
        ),
        *[
            job(fmt, "scan", data, "--format", fmt, "-o", out(f"i.{fmt}"), files=[out(f"i.{fmt}")])
            for fmt in ("md", "html", "csv")
        ],
        job("jsonl", "scan", data, "--format", "jsonl"),
        job(
            "workers",
            "scan",
            data,
            "--workers",
            "2",
            "--format",
            "json",
            "-o",
            out("r2.json"),
            "--findings",
            out("f2.jsonl"),
            "--sample-rows",
            "0",
            files=[out("r2.json"), out("f2.jsonl")],
        ),
        job(
            "redact",
            "scan",
            data,
            "--masking",
            "redact",
            "--format",
            "json",
            "-o",
            out("rr.json"),
            "--findings",
            out("fr.jsonl"),
            files=[out("rr.json"), out("fr.jsonl")],
        ),
        job("encoding", *undecodable, files=[out("ascii.json")]),  # decoding fails
    ]
    if has_state_option():
        scans.append(
            job(
                "state",
                "scan",
                data,
                "--state",
                out("state.db"),
                "--findings",
                out("f3.jsonl"),
                "--format",
                "json",
                "-o",
                out("r3.json"),
                files=[out("state.db"), out("f3.jsonl"), out("r3.json")],
            )
        )
    renders = [
        job("explain", "explain", report_path),
        *[
            job(f"report {ext}", "report", report_path, "-o", out(f"rendered.{ext}"),
                files=[out(f"rendered.{ext}")])
            for ext in ("html", "md", "csv")
        ],
        job(
            "tag csv", "tag", data / "people.csv", "-o", tagged / "people.csv",
            "--report", report_path, "--mask", "general", files=[tagged / "people.csv"],
        ),
        job(
            "tag jsonl", "tag", data / "people.jsonl", "-o", tagged / "people.jsonl",
            "--report", report_path, "--mask", "general", "--mask-with", "redact",
            files=[tagged / "people.jsonl"],
        ),
        job(
            "tag parquet", "tag", data / "people.parquet", "-o", tagged / "people.parquet",
            "--mask", "general", "--mask-with", "hash", env={"PII_SCAN_TAG_KEY": "k1"},
            files=[tagged / "people.parquet"],
        ),
    ]  # fmt: skip
    all_blobs: dict[str, bytes] = {}
    for batch in (scans, renders):  # the renders read the report the scans wrote
        for tag, (_, blobs) in zip([j[0] for j in batch], run.many(batch), strict=True):
            all_blobs.update({f"[{tag}] {k}": v for k, v in blobs.items()})
    sidecars = list(tagged.glob("*.pii.json"))
    assert len(sidecars) == 2
    all_blobs.update({f"[tag] {p.name}": p.read_bytes() for p in sidecars})

    # The scan found the values: every seeded kind is a column verdict, findings exist.
    report = json.loads(report_path.read_text("utf-8"))
    entities = {c["entity"] for s in report["sources"] for t in s["tables"] for c in t["columns"]}
    for kind in ("CN_RESIDENT_ID", "CN_MOBILE_PHONE", "BANK_CARD", "EMAIL_ADDRESS", "PERSON"):
        assert kind in entities
    assert {"CN_ADDRESS", "CN_PASSPORT", "HEALTH"} <= entities
    assert report["masking"] == "mask"
    findings = [json.loads(x) for x in findings_path.read_text("utf-8").splitlines()]
    assert len({f["path"] for f in findings}) >= 8
    errors = {Path(e["path"]).name for e in report["errors"]}
    assert {"fake.parquet", "fake.xlsx", "broken.json"} <= errors, report["errors"]
    assert len(json.loads(out("ascii.json").read_text("utf-8"))["errors"]) >= 3

    found = leaks(all_blobs)
    assert not found, "\n".join(found[:40])
    assert not run.left_behind, run.left_behind  # temporary files are removed


def test_reveal_shows_the_values_so_the_search_works(world):
    base, run = world
    data = base / "data"
    for flag in (["--reveal"], ["--masking", "none"]):
        out, findings = base / "rev.json", base / "rev.jsonl"
        _, blobs = run(
            "scan", data, *flag, "--format", "json", "-o", out, "--findings", findings,
            files=[out, findings],
        )  # fmt: skip
        found = leaks({"findings": blobs[findings.name]})
        for value in SEEDED:
            assert any(x.startswith(repr(value) + " ") for x in found), value
        assert json.loads(blobs[out.name])["masking"] == "none"
    # A revealed report is masked again when rendered, unless --reveal.
    _, blobs = run("explain", base / "rev.json")
    assert not leaks(blobs)
    _, blobs = run("explain", base / "rev.json", "--reveal")
    assert leaks(blobs)


def test_hash_masking_is_keyed_joinable_and_opaque(world):
    base, run = world
    data = base / "data"

    def hashed(key: str, name: str) -> tuple[dict, list[dict], dict]:
        out, findings = base / f"{name}.json", base / f"{name}.jsonl"
        state = ["--state", base / f"{name}.state"] if has_state_option() else []
        _, blobs = run(
            "scan", data / "people.csv", data / "people.jsonl", "--masking", "hash",
            "--format", "json", "-o", out, "--findings", findings, *state,
            env={"PII_SCAN_KEY": key}, files=[out, findings, *state[1:]],
        )  # fmt: skip
        assert not leaks(blobs), leaks(blobs)[:5]
        assert not [w for w, b in blobs.items() if key.encode() in b]  # nor the key
        lines = blobs[findings.name].decode("utf-8").splitlines()
        return json.loads(blobs[out.name]), [json.loads(x) for x in lines], blobs

    a, fa, _ = hashed("key-one", "ha")
    b, fb, _ = hashed("key-one", "hb")
    c, fc, _ = hashed("key-two", "hc")
    assert a["masking"] == b["masking"] != c["masking"]
    assert a["masking"].startswith("hash:") and "key-one" not in a["masking"]

    def by_cell(findings):
        return {(f["path"], f["row"], f["column"], f["start"]): f["value"] for f in findings}

    va, vb, vc = by_cell(fa), by_cell(fb), by_cell(fc)
    assert va and va == vb  # same key: same hashes, report after report
    assert all(v.startswith("h:") and len(v) == 18 for v in va.values())
    assert not set(va.values()) & set(vc.values())  # another key: other hashes
    # Equal values give equal hashes across files and formats (CSV cell, JSON Lines field).
    ids = {v for (path, _, col, _), v in va.items() if col == "身份证号"}
    assert len(ids) == 3
    nested = {v for (path, _, col, _), v in va.items() if col == "联系.手机号"}
    flat = {v for (path, _, col, _), v in va.items() if col == "手机号"}
    assert nested == flat and len(flat) == 3
    # A tag export hashed with the same key joins with the reports.
    export = base / "hashed" / "people.csv"
    _, blobs = run(
        "tag", data / "people.csv", "-o", export, "--mask", "general", "--mask-with", "hash",
        "--report", base / "ha.json", env={"PII_SCAN_TAG_KEY": "key-one"}, files=[export.parent],
    )  # fmt: skip
    assert not leaks(blobs)
    exported = [r.split(",")[1] for r in export.read_text("utf-8").splitlines()[1:]]
    assert set(exported) == ids
    # A missing key is a usage error, and the key never reaches any output.
    proc, _ = run("scan", data / "people.csv", "--masking", "hash", check=False)
    assert proc.returncode == 2 and b"PII_SCAN_KEY" in proc.stderr


def test_masking_modes_and_reveal_conflict(world):
    base, run = world
    args = ["scan", base / "data" / "people.csv", "--reveal", "--masking", "hash"]
    proc, _ = run(*args, check=False)
    assert proc.returncode == 2


def test_values_read_as_column_names_are_not_shown(world):
    base, run = world
    odd = base / "odd"
    odd.mkdir(exist_ok=True)
    (odd / "one_row.csv").write_text(f"{IDS[0]},{MOBILES[0]},{CARDS[0]}\n", "utf-8")
    (odd / "keyed.jsonl").write_text(json.dumps({MOBILES[1]: {"n": 1}, "x": 2}) + "\n", "utf-8")
    # keyed by e-mail addresses: a dotted key path must not hide the address from the mask
    (odd / "mail_keyed.jsonl").write_text(
        json.dumps({EMAILS[0]: {"addr": "x"}, EMAILS[2]: 1}) + "\n", "utf-8"
    )
    out = base / "odd.json"
    _, blobs = run("scan", odd, "--format", "json", "-o", out, files=[out])
    values = (*IDS, *MOBILES, *CARDS, EMAILS[0], EMAILS[2])
    found = [x for x in leaks(blobs) if any(repr(v) in x for v in values)]
    assert not found, found


# -- in-process checks of the pieces ------------------------------------------------------
MASK_CASES = [
    (IDS[0], "CN_RESIDENT_ID"),
    (IDS[1], None),
    ("110105850307123", "CN_RESIDENT_ID"),  # legacy 15-digit
    (CARDS[0], "BANK_CARD"),
    ("6222 0210 0512 3456 780", "BANK_CARD"),
    (EMAILS[0], "EMAIL_ADDRESS"),
    ("a@b.cn", "EMAIL_ADDRESS"),
    (PASSPORTS[0], "CN_PASSPORT"),
    ("A123456(7)", "HK_ID"),
    ("010-62345678", "CN_LANDLINE"),
    ("京AD12345", "CN_LICENSE_PLATE"),
    ("LSVAU2180N2183294", "VIN"),
    ("868912345678901", "IMEI"),
    ("192.168.100.23", "IP_ADDRESS"),
    ("2001:db8::8a2e:370:7334", "IP_ADDRESS"),
    ("5c:f3:70:8a:2e:01", "MAC_ADDRESS"),
    ("1990-03-07", "DATE_OF_BIRTH"),
    ("张三", "PERSON"),
    (NAMES[1], "PERSON"),
    ("Zhang San", "PERSON"),
    (ADDRESSES[0], "CN_ADDRESS"),
    ("39.904211,116.407395", "GEO_COORDINATE"),
    ("123456789", "QQ_ID"),
    ("x", None),
    ("ab", None),
]


@pytest.mark.parametrize(("value", "entity"), MASK_CASES)
def test_mask_keeps_at_most_half_of_a_value(value, entity):
    from pii_scan.report.mask import mask

    shown = mask(value, entity)
    kept = sum(1 for a, b in zip(value, shown, strict=False) if a == b and a.isalnum())
    assert "*" in shown and value not in shown
    assert kept <= len([c for c in value if c.isalnum()]) / 2, shown


@pytest.mark.parametrize("value", [*HEALTH, "男", "汉族", "佛教", "$2b$12$abcdefghijklmnopqrstuv"])
def test_values_that_are_the_sensitive_fact_are_hidden_entirely(value):
    from pii_scan.report.mask import mask

    for entity in ("HEALTH", "GENDER", "ETHNICITY", "RELIGION", "CREDENTIAL"):
        assert set(mask(value, entity)) == {"*"}


def test_the_issues_examples():
    from pii_scan.report.mask import mask

    assert mask("110105199003071234", "CN_RESIDENT_ID") == "110***********1234"
    assert mask("13800138000", "CN_MOBILE_PHONE") == "138****8000"
    assert mask("张三", "PERSON") == "张*"


def test_reason_drops_values_that_library_messages_quote():
    import datetime as dt
    import io
    import sqlite3

    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    from pii_scan.sources.base import reason

    value = IDS[0]
    calls = [
        lambda: int(value),
        lambda: float(NAMES[0] + value),
        lambda: dt.datetime.strptime(value, "%Y-%m-%d"),
        lambda: dt.date.fromisoformat(value),
        lambda: {}[NAMES[0]],
        lambda: sqlite3.connect(":memory:").execute(f"select {value}"),
        lambda: pcsv.read_csv(io.BytesIO(f"a,b\n1,2\n{value},{EMAILS[0]},3\n".encode())),
        lambda: pcsv.read_csv(
            io.BytesIO(f"a\n{value}\n".encode()),
            convert_options=pcsv.ConvertOptions(column_types={"a": pa.int32()}),
        ),
        lambda: pc.cast(pa.array([value]), pa.int32()),
        lambda: ADDRESSES[0].encode("ascii"),
        lambda: (b"\xff" + value.encode()).decode("utf-8"),
        lambda: Path(f"/nonexistent/{value}").read_bytes(),
    ]
    for call in calls:
        try:
            call()
        except Exception as exc:  # any library error
            text = reason(exc)
            assert not leaks({"reason": text.encode()}), (str(exc), text)
            assert text and "\n" not in text
        else:
            raise AssertionError("expected an error")


def test_the_secret_key_is_never_printed():
    import dataclasses
    import pickle

    from pii_scan.report.mask import SecretKey, make_masker, masker_for
    from pii_scan.scan import ScanOptions

    secret = "correct horse battery staple"
    options = ScanOptions(masking="hash", mask_key=SecretKey(secret))
    shown = [
        repr(options),
        str(options.mask_key),
        json.dumps(dataclasses.asdict(options), default=str),
        repr(masker_for(options)),
        masker_for(options).label,
    ]
    assert all(secret not in s for s in shown)
    assert pickle.loads(pickle.dumps(options)) == options  # reaches worker processes
    assert masker_for(options).label == make_masker("hash", secret.encode()).label
