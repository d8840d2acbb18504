"""``scan --workers N``: a worker process that dies (a native crash in a reader, the OOM
killer's SIGKILL) costs the scan the source it was scanning and nothing else.

The crashes are the test's doing, not the product's: a ``sitecustomize.py`` put first on the
scan's ``PYTHONPATH`` wraps ``_Scanner.scan_source`` so that in a worker process (never in
the main one) a source whose path contains ``crash-me`` kills its process for real once it
has been read (so part of its findings is already in the worker's findings file): a SIGSEGV
(reading address 0) or a SIGKILL.  The wrapper also logs every source it is called
for (``CRASH_TEST_LOG``), which tells how often each source was started.

Each run is the real command line in a subprocess, over a folder of small CSV files, checked
against a ``--workers 1`` run over the same files without the wrapper: the sources that did
not crash must come out exactly as there (entries, order, findings lines), and the crashers
as error entries that name the signal.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

SITECUSTOMIZE = r'''
"""Test hook (tests/hardening/test_worker_crash.py): crash the worker scanning "crash-me"."""
import os


def _die(how):
    import resource
    import signal

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # no core file
    if how == "segv":
        import ctypes

        ctypes.string_at(0)  # a real segmentation fault
    os.kill(os.getpid(), signal.SIGKILL)


def _install():
    import multiprocessing

    import pii_scan.scan as scan

    scan_source = scan._Scanner.scan_source

    def wrapped(self, ref, *args, **kwargs):
        log = os.environ.get("CRASH_TEST_LOG")
        if log:
            with open(log, "a", encoding="utf-8") as fh:
                fh.write(ref.path + "\n")
        entries = scan_source(self, ref, *args, **kwargs)
        how = os.environ.get("CRASH_TEST_HOW")
        if how and "crash-me" in ref.path and multiprocessing.parent_process() is not None:
            _die(how)
        return entries

    scan._Scanner.scan_source = wrapped


if os.environ.get("CRASH_TEST_HOW") or os.environ.get("CRASH_TEST_LOG"):
    _install()
'''

SIGNALS = {"segv": "signal 11, SIGSEGV", "kill": "signal 9, SIGKILL"}

#: The folders and the stems of their CSV files, in discovery order: crashers between others.
FOLDERS = {
    "one": ["a-customers", "b-crash-me", "c-orders", "d-staff", "e-members"],
    "two": ["a-customers", "b-crash-me", "c-orders", "d-staff", "e-crash-me", "f-members"],
}


def _resident_id(n: int) -> str:
    """A valid 18-digit resident ID (GB 11643) of someone born in the 1980s, Beijing."""
    body = f"110105198{n % 10}{1 + n % 12:02d}{1 + n % 28:02d}{100 + n % 900:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def _write_csv(path: Path, seed: int) -> None:
    """Personal data, a different number of rows per file; a crasher has many (its findings
    fill more than a file buffer before it crashes)."""
    rows = ["姓名,手机号,身份证号,备注"]
    for k in range(300 + seed if "crash-me" in path.name else 4 + seed):
        n = seed * 37 + k
        rows.append(f"张{'伟芳娜敏静'[n % 5]},138{n:08d},{_resident_id(n)},第{k}行")
    rows.append("王五,13812345678,11010519491231002X,已回访")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def _env(site: Path, how: str = "", log: Path | None = None, tmp: Path | None = None) -> dict:
    """The scan's environment: the wrapper installed from ``site``, killing a worker that
    scans a crasher as ``how`` says (no crash when empty), logging to ``log``."""
    env = {k: v for k, v in os.environ.items() if k != "PII_SCAN_DEBUG"}
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    env["CRASH_TEST_HOW"] = how
    env["CRASH_TEST_LOG"] = str(log or "")
    if tmp is not None:  # where the run's scratch files go (and must not stay)
        tmp.mkdir(exist_ok=True)
        env["TMPDIR"] = str(tmp)
    return env


def _scan(site, folder: Path, out: Path, *args: str, how: str = "", log: Path | None = None):
    """The real ``pii-scan scan`` over ``folder`` (report to ``out``.json, findings to
    ``out``.jsonl): exit code and stderr, report, findings lines."""
    env = _env(site, how, log, tmp=out.parent / "tmp")
    cmd = [sys.executable, "-m", "pii_scan", "scan", str(folder), "-q", "--format", "json"]
    cmd += ["-o", f"{out}.json", "--findings", f"{out}.jsonl", *args]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert not list((out.parent / "tmp").iterdir()), "scratch files left behind"
    report = json.loads(Path(f"{out}.json").read_text("utf-8"))
    return proc, report, Path(f"{out}.jsonl").read_text("utf-8").splitlines()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The folder of the test's ``sitecustomize.py``."""
    site = tmp_path_factory.mktemp("site")
    (site / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    return site


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("crash")
    for name, files in FOLDERS.items():
        (root / name).mkdir()
        for seed, stem in enumerate(files):
            _write_csv(root / name / f"{stem}.csv", seed)
    return root


@pytest.fixture(scope="module")
def baseline(site, root, tmp_path_factory):
    """Folder name -> (report, findings lines) of its sources in one ``--workers 1`` run over
    both folders without crashes."""
    proc, report, lines = _scan(site, root, tmp_path_factory.mktemp("base") / "base")
    assert proc.returncode == 0, proc.stderr
    runs = {}
    for name in FOLDERS:
        inside = f"{root / name}{os.sep}"
        sources = [s for s in report["sources"] if s["path"].startswith(inside)]
        assert [Path(s["path"]).stem for s in sources] == FOLDERS[name]
        for source in sources:
            entities = {c["entity"] for t in source["tables"] for c in t["columns"]}
            assert {"CN_MOBILE_PHONE", "CN_RESIDENT_ID"} <= entities, source["path"]
        mine = [x for x in lines if json.loads(x)["path"].startswith(inside)]
        runs[name] = {"sources": sources}, mine
    return runs


def _crashers(report: dict) -> list[str]:
    return [s["path"] for s in report["sources"] if "crash-me" in s["path"]]


@pytest.mark.parametrize(
    ("how", "folder", "strict"),
    [("segv", "one", False), ("kill", "one", True), ("segv", "two", True), ("kill", "two", False)],
)
def test_a_crashing_source_is_an_error_entry_and_the_rest_is_scanned(
    site, root, baseline, tmp_path, how, folder, strict
):
    log = tmp_path / "scanned.log"
    flags = ["--workers", "2", *(["--strict"] if strict else [])]
    proc, report, lines = _scan(site, root / folder, tmp_path / "run", *flags, how=how, log=log)
    base, base_lines = baseline[folder]
    crashers = _crashers(base)
    assert len(crashers) == (2 if folder == "two" else 1)

    assert proc.returncode == (1 if strict else 0), proc.stderr
    if strict:
        assert f"--strict: {len(crashers)} source(s) could not be read" in proc.stderr
    # Every source, in discovery order, whatever order they finished in.
    assert [s["path"] for s in report["sources"]] == [s["path"] for s in base["sources"]]
    for got, want in zip(report["sources"], base["sources"], strict=True):
        if got["path"] in crashers:
            assert got["status"] == "error"
            assert got["tables"] == []
            assert got["error"].startswith("the worker process scanning this source died")
            assert SIGNALS[how] in got["error"]
        else:
            assert got == want  # same verdicts, counts, examples and evidence
    assert report["errors"] == [
        {"path": s["path"], "error": s["error"]}
        for s in report["sources"]
        if s["status"] == "error"
    ]
    assert report["summary"]["sources_with_errors"] == len(crashers)

    # The findings of every other source, once each, in order; none of a crasher.
    assert len(lines) == len(set(lines))
    assert lines == [x for x in base_lines if json.loads(x)["path"] not in crashers]
    assert lines and not any("crash-me" in x for x in lines)

    # A crasher is started twice: in a shared pool, where it kills its worker, then alone,
    # where the crash is final. Another source is started again at most once per crash
    # (alone if it was being scanned then, or in a fresh pool).
    started = log.read_text("utf-8").splitlines()
    for path in crashers:
        assert started.count(path) == 2
    for s in base["sources"]:
        assert 1 <= started.count(s["path"]) <= 1 + len(crashers)


def test_a_crashed_source_is_scanned_again_on_resume(site, root, baseline, tmp_path):
    """The state records a crashed source with its error entry, not as finished: a rerun
    with the same ``--state`` takes the other sources from the state and scans the crashers
    again (here they no longer crash, as a source killed for lack of memory may not), and
    ends with the report and findings of a run that never crashed."""
    state = tmp_path / "scan.state"
    flags = ["--workers", "2", "--state", str(state)]
    proc, report, _ = _scan(site, root / "two", tmp_path / "first", *flags, how="kill")
    assert proc.returncode == 0, proc.stderr
    base, base_lines = baseline["two"]
    crashers = _crashers(base)

    db = sqlite3.connect(state)
    try:
        rows = {
            p: (ok, json.loads(e))
            for p, ok, e in db.execute("SELECT path, ok, entries FROM sources")
        }
    finally:
        db.close()
    assert set(rows) == {s["path"] for s in base["sources"]}
    for path in crashers:
        ok, entries = rows[path]
        assert ok == 0
        assert [e["status"] for e in entries] == ["error"]
        assert SIGNALS["kill"] in entries[0]["error"]
    assert all(rows[p][0] == 1 for p in rows if p not in crashers)

    log = tmp_path / "resumed.log"
    proc, report, lines = _scan(site, root / "two", tmp_path / "again", *flags, log=log)
    assert proc.returncode == 0, proc.stderr
    assert f"{len(base['sources']) - len(crashers)} source(s) already scanned" in proc.stderr
    assert sorted(log.read_text("utf-8").splitlines()) == sorted(crashers)
    assert report["sources"] == base["sources"]
    assert lines == base_lines


def test_a_folder_of_crashers_ends(site, tmp_path):
    """Nothing but crashers, fewer than the workers: the run still ends, with their errors."""
    how = "kill"
    folder = tmp_path / "only"
    folder.mkdir()
    for seed, stem in enumerate(["a-crash-me", "b-crash-me"]):
        _write_csv(folder / f"{stem}.csv", seed)
    proc, report, lines = _scan(site, folder, tmp_path / "run", "--workers", "3", how=how)
    assert proc.returncode == 0, proc.stderr
    assert [s["status"] for s in report["sources"]] == ["error", "error"]
    assert all(SIGNALS[how] in s["error"] for s in report["sources"])
    assert lines == []


PROGRESS = r"""
import json, sys
from pii_scan.scan import ScanOptions, scan_paths


class Progress:
    calls = []

    def start(self, files, total_bytes):
        self.calls.append(["start", files])

    def source_done(self, nbytes, rows=0):
        self.calls.append(["source_done", nbytes, rows])

    def rows(self, n):
        pass

    def close(self):
        self.calls.append(["close"])


scan_paths([sys.argv[1]], ScanOptions(workers=2), progress=Progress())
print(json.dumps(Progress.calls))
"""


def test_progress_hears_of_every_source_once(site, root, baseline, tmp_path):
    """Progress is told of each source once: of a finished one, a suspect that finished
    alone and a crasher alike (the files differ in size, so each is known by its size)."""
    folder = root / "two"
    env = _env(site, "segv", tmp=tmp_path / "tmp")
    cmd = [sys.executable, "-c", PROGRESS, str(folder)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    calls = json.loads(proc.stdout)
    assert calls[0] == ["start", len(FOLDERS["two"])]
    assert calls[-1] == ["close"]
    done = calls[1:-1]
    assert all(c[0] == "source_done" for c in done)
    expected = []  # (bytes, rows) of each source: a crasher has no rows
    for source in baseline["two"][0]["sources"]:
        rows = sum(t["rows_scanned"] for t in source["tables"])
        size = (folder / Path(source["path"]).name).stat().st_size
        expected.append([size, 0 if "crash-me" in source["path"] else rows])
    assert len({size for size, _ in expected}) == len(expected)
    assert sorted(c[1:] for c in done) == sorted(expected)
