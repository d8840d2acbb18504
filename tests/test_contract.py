"""The outside contract (../shared/spec/contract.md): report JSON, findings JSONL, exit codes."""

import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from stdnum.iso7064 import mod_11_2

from pii_scan.classify.policy import builtin_policies

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
TIERS = {"sensitive", "general", None}


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "pii_scan", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    out = tmp_path_factory.mktemp("scan")
    report, findings = out / "report.json", out / "findings.jsonl"
    proc = run(
        "scan",
        str(SAMPLES),
        "--format",
        "json",
        "-o",
        str(report),
        "--findings",
        str(findings),
        "--sample-rows",
        "0",
    )
    assert proc.returncode == 0, proc.stderr
    lines = findings.read_text(encoding="utf-8").splitlines()
    return json.loads(report.read_text(encoding="utf-8")), [json.loads(x) for x in lines]


def check_column(col):
    assert isinstance(col["name"], str)
    assert col["entity"] is None or isinstance(col["entity"], str)
    assert col["tier"] in TIERS
    assert set(col["tiers"]) == set(builtin_policies())
    assert all(t in TIERS for t in col["tiers"].values())
    assert isinstance(col["confidence"], float) and 0 <= col["confidence"] <= 1
    assert 0 <= col["match_ratio"] <= 1
    assert all(isinstance(k, str) and isinstance(v, int) for k, v in col["entities"].items())
    if col["entity"] is None:
        assert col["tier"] is None
    else:
        assert col["entity"] in col["entities"]
        assert col["category"]


def test_report_follows_the_contract(scanned):
    report, _ = scanned
    assert report["schema"] == "pii-scan/report/v1"
    assert report["policy"] == "gbt35273"
    assert isinstance(report["errors"], list)
    assert report["sources"], "samples/ has sources"
    for src in report["sources"]:
        assert src["status"] in ("ok", "error")
        assert src["path"].startswith(str(SAMPLES))
        assert src["format"] in ("csv", "tsv", "jsonl", "parquet", "text")
        for table in src["tables"]:
            assert isinstance(table["name"], str) and table["rows_scanned"] >= 0
            for col in table["columns"]:
                check_column(col)
        if src["format"] == "text":
            assert [c["name"] for t in src["tables"] for c in t["columns"]] == ["text"]


def test_every_sample_column_is_listed(scanned):
    report, _ = scanned
    customers = next(s for s in report["sources"] if s["path"].endswith("customers.csv"))
    header = (SAMPLES / "customers.csv").read_text(encoding="utf-8").splitlines()[0]
    assert [c["name"] for c in customers["tables"][0]["columns"]] == header.split(",")


def test_findings_follow_the_contract_and_are_masked(scanned):
    _, findings = scanned
    assert findings
    keys = {"path", "table", "column", "row", "start", "end", "entity", "tier", "score", "value"}
    for f in findings:
        assert set(f) == keys
        assert 0 <= f["start"] < f["end"]
        assert f["tier"] in TIERS and 0 < f["score"] <= 1
        assert "*" in f["value"]


def test_the_report_records_how_values_are_shown(scanned):
    report, _ = scanned
    assert report["masking"] == "mask"  # or "hash:<key id>", "redact", "none" (--reveal)


def test_revealed_findings_slice_back_to_the_text_line(tmp_path):
    findings = tmp_path / "f.jsonl"
    text = SAMPLES / "support_chat.txt"
    proc = run("scan", str(text), "--format", "jsonl", "-o", str(findings), "--reveal")
    assert proc.returncode == 0, proc.stderr
    lines = text.read_text(encoding="utf-8").splitlines()
    got = [json.loads(x) for x in findings.read_text(encoding="utf-8").splitlines()]
    assert got
    for f in got:
        assert lines[f["row"] - 1][f["start"] : f["end"]] == f["value"]


def test_fail_on_gate_exit_codes(tmp_path):
    data = tmp_path / "ids.csv"
    data.write_text("身份证号,备注\n110105199003071239,无\n", encoding="utf-8")
    tripped = run("scan", str(data), "--fail-on", "sensitive")
    assert tripped.returncode == 3
    assert "身份证号" in tripped.stderr and "CN_RESIDENT_ID" in tripped.stderr
    assert run("scan", str(data), "--fail-on", "sensitive", "--policy", "gbt45574").returncode == 0
    assert run("scan", str(data), "--fail-on", "general", "--policy", "gbt45574").returncode == 3
    assert run("scan", str(data)).returncode == 0


def test_usage_errors_exit_2(tmp_path):
    assert run("scan", str(tmp_path), "--policy", "no-such-policy").returncode == 2
    assert run("scan", str(tmp_path), "--format", "xml").returncode == 2
    assert run("scan").returncode == 2


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["recognizers", "--policy", "no-such-policy"], "gbt45574"),  # the valid names shown
        (["scan", "{d}", "--encoding", "bogus"], "unknown encoding 'bogus'"),
        (["scan", "{d}", "-o", "{d}/no/dir/r.json"], "cannot write"),
        (["scan", "{d}", "--findings", "{d}/no/dir/f.jsonl"], "cannot write"),
        (["report", "{d}/r.json", "-o", "{d}/no/dir/x.html"], "cannot write"),
    ],
)
def test_more_usage_errors_exit_2_before_any_work(tmp_path, args, said):
    (tmp_path / "a.csv").write_text("手机\n13800138000\n", encoding="utf-8")
    assert (
        run("scan", str(tmp_path), "--format", "json", "-o", str(tmp_path / "r.json")).returncode
        == 0
    )
    proc = run(*(a.format(d=tmp_path) for a in args))
    assert proc.returncode == 2, proc.stderr
    assert said in proc.stderr and "internal error" not in proc.stderr


def test_the_report_replaces_only_a_regular_file(tmp_path):
    # -o /dev/null writes to the device; -o through a link replaces the file, not the link.
    (tmp_path / "a.csv").write_text("手机\n13800138000\n", encoding="utf-8")
    assert run("scan", str(tmp_path / "a.csv"), "-o", os.devnull).returncode == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "r.json").write_text("old", encoding="utf-8")
    (tmp_path / "latest.json").symlink_to(tmp_path / "reports" / "r.json")
    args = [
        "scan",
        str(tmp_path / "a.csv"),
        "--format",
        "json",
        "-o",
        str(tmp_path / "latest.json"),
    ]
    assert run(*args).returncode == 0
    assert (tmp_path / "latest.json").is_symlink()
    assert "CN_MOBILE_PHONE" in (tmp_path / "reports" / "r.json").read_text(encoding="utf-8")


def test_a_failed_or_interrupted_scan_leaves_the_previous_report(tmp_path):
    data = tmp_path / "a.csv"
    data.write_text("手机,备注\n" + "13800138000,无\n" * 6_000_000, encoding="utf-8")
    report = tmp_path / "nightly.json"
    assert run("scan", str(data), "--format", "json", "-o", str(report)).returncode == 0
    before = report.read_bytes()
    assert b"CN_MOBILE_PHONE" in before and report.stat().st_mode & 0o044  # readable as usual
    bad = run("scan", str(data), "--policy", "/no/such.toml", "-o", str(report))
    assert bad.returncode == 2
    assert report.read_bytes() == before
    cmd = [sys.executable, "-m", "pii_scan", "scan", str(data), "--sample-rows", "0"]
    proc = subprocess.Popen([*cmd, "--format", "json", "-o", str(report)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not any(p.suffix == ".part" for p in tmp_path.iterdir()):  # writing a new report
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.3)  # scanning
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert report.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "nightly.json"]  # no .part


@pytest.mark.parametrize(
    ("budget", "said"),
    [
        ([], None),
        (["--source-memory", "2G"], "--source-memory"),
        (["--max-expand-ratio", "5"], "--max-expand-ratio"),
    ],
)
def test_spark_says_which_budgets_it_leaves_to_spark(tmp_path, budget, said):
    """Given with --engine spark, a local reader's budget is said to bound only the driver's
    sources (the --state refusal that follows ends the run before Spark starts)."""
    proc = run("scan", str(tmp_path), "--engine", "spark", "--state", str(tmp_path / "s"), *budget)
    assert proc.returncode == 2 and "--state works with --engine local only" in proc.stderr
    if said is None:
        assert "bound only" not in proc.stderr
    else:
        assert f"{said} bound only the sources read on the driver" in proc.stderr


def test_a_bad_source_is_an_error_entry_and_the_rest_is_scanned(tmp_path):
    (tmp_path / "good.csv").write_text("手机号\n13800138000\n", encoding="utf-8")
    (tmp_path / "broken.parquet").write_bytes(b"PAR1" + b"\x00" * 50)
    (tmp_path / "empty.txt").write_bytes(b"")
    proc = run("scan", str(tmp_path), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    errors = {Path(e["path"]).name: e["error"] for e in report["errors"]}
    assert set(errors) == {"broken.parquet", "empty.txt"}
    assert all("\n" not in e and "Traceback" not in e for e in errors.values())
    good = next(s for s in report["sources"] if s["path"].endswith("good.csv"))
    assert good["tables"][0]["columns"][0]["entity"] == "CN_MOBILE_PHONE"
    assert "Traceback" not in proc.stderr


def test_minors_make_every_personal_column_sensitive(tmp_path):
    data = tmp_path / "kids.csv"
    # Born 2020-01-01: under 14 on any scan date before 2034. Check digit from the oracle.
    child = "11010520200101001" + mod_11_2.calc_check_digit("11010520200101001")
    data.write_text(
        f"身份证号,手机号,备注\n{child},13800138000,x\n110105199003071239,13912345678,y\n",
        encoding="utf-8",
    )
    report = json.loads(run("scan", str(data), "--format", "json").stdout)
    table = report["sources"][0]["tables"][0]
    assert table["minors"] is True
    cols = {c["name"]: c for c in table["columns"]}
    assert cols["手机号"]["tier"] == "sensitive"  # general by default, sensitive for minors
    assert cols["手机号"]["tiers"]["gdpr"] == "general"  # GDPR has no minors rule
    assert cols["备注"]["tier"] is None


def test_recognizers_command_lists_the_catalog():
    proc = run("recognizers", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    listing = json.loads(proc.stdout)
    ids = {r["id"] for r in listing["recognizers"]}
    assert {"cn_resident_id", "cn_mobile_phone", "bank_card", "cn_uscc"} <= ids
    rid = next(r for r in listing["recognizers"] if r["id"] == "cn_resident_id")
    assert rid["tier"] == "sensitive" and rid["name_zh"] and "*" in rid["example"]


@pytest.mark.parametrize("command", ["scan", "recognizers"])
def test_every_command_has_help_with_an_example(command):
    proc = run(command, "-h")
    assert proc.returncode == 0 and "Example" in proc.stdout
