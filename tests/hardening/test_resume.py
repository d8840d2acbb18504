"""``scan --state FILE``: a killed or interrupted scan resumes and ends with the report of an
uninterrupted run, without reading the sources it had finished again.

The scans run as real ``pii-scan`` processes on a generated folder of 30 files (plus an archive
and a broken file), killed with SIGKILL, or stopped with SIGINT (Ctrl-C: the whole process group,
workers included), once the state file shows that some sources are finished.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from scan_folder import build, without_timestamps

from pii_scan.report.writers import WRITERS
from pii_scan.scan import ScanOptions, scan_paths
from pii_scan.state import StateError

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

ENV = {k: v for k, v in os.environ.items() if k != "PII_SCAN_DEBUG"}


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "pii_scan", "scan", *args, "-q"]


def _ctrl_c_as_in_a_terminal() -> None:
    """In the child, before it runs: Ctrl-C (SIGINT) at its default, as a terminal leaves it.
    A test run started in the background by a script inherits it ignored, and Python keeps an
    ignored SIGINT ignored: the scan would never see the Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _finished(state: Path) -> dict[str, str]:
    """Display path -> fingerprint of the sources the state holds as finished."""
    if not state.exists():
        return {}
    try:
        db = sqlite3.connect(state, timeout=5)
        try:
            rows = db.execute("SELECT path, fingerprint FROM sources WHERE ok = 1").fetchall()
        finally:
            db.close()
    except sqlite3.Error:  # not created yet
        return {}
    return dict(rows)


def _stop_after(proc: subprocess.Popen, state: Path, n: int, sig: int, group=False) -> dict:
    """Send ``sig`` to ``proc`` once ``n`` sources are in ``state``; the finished ones then."""
    deadline = time.monotonic() + 60
    while len(_finished(state)) < n:
        if proc.poll() is not None:
            pytest.fail(f"the scan ended (code {proc.returncode}) before it could be stopped")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("no source was checkpointed within 60 s")
        time.sleep(0.02)
    if group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    return _finished(state)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("resume")
    build(root / "data", files=30, rows=100)
    return root


@pytest.fixture(scope="module")
def baseline(folder) -> tuple[dict, bytes]:
    """The uninterrupted run: report (without timestamps) and findings."""
    out, found = folder / "base.json", folder / "base.jsonl"
    cmd = _cli(str(folder / "data"), "--format", "json", "-o", str(out), "--findings", str(found))
    subprocess.run(cmd, check=True, env=ENV, timeout=120)
    return without_timestamps(json.loads(out.read_text("utf-8"))), found.read_bytes()


def test_killed_scan_resumes_without_reading_finished_sources(folder, baseline):
    data, state = folder / "data", folder / "kill.state"
    out, found = folder / "kill.json", folder / "kill.jsonl"
    args = [str(data), "--format", "json", "-o", str(out), "--findings", str(found)]
    proc = subprocess.Popen(_cli(*args, "--state", str(state)), env=ENV)
    # Early, so that most sources are left even when this process is slow to notice (a
    # loaded machine): a scan that ended first would prove nothing.
    finished = _stop_after(proc, state, 4, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
    assert 4 <= len(finished) < 31  # of 30 files, an archive and a broken file

    # Swap the content of a finished file for other bytes of the same size and time: the
    # resumed scan must keep what the state says of it (reading it would find no ID number).
    swapped = data / next(p for p in sorted(finished) if p.endswith(".csv"))[len(str(data)) + 1 :]
    st = swapped.stat()
    text = swapped.read_text("utf-8")
    swapped.write_text("".join("0" if c.isdigit() else c for c in text), "utf-8")
    os.utime(swapped, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert swapped.stat().st_size == st.st_size
    try:
        run = subprocess.run(
            _cli(*args, "--state", str(state)),
            env=ENV,
            timeout=120,
            capture_output=True,
            text=True,
        )
    finally:
        swapped.write_text(text, "utf-8")
        os.utime(swapped, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert run.returncode == 0, run.stderr
    assert f"{len(finished)} source(s) already scanned" in run.stderr
    report, findings = baseline
    assert without_timestamps(json.loads(out.read_text("utf-8"))) == report
    assert found.read_bytes() == findings  # complete, in order, no duplicates
    assert len(_finished(state)) == 31  # the 30 files and the archive; not the broken file


def test_ctrl_c_with_workers_stops_cleanly_and_resumes(folder, baseline):
    data, state = folder / "data", folder / "int.state"
    out, found = folder / "int.json", folder / "int.jsonl"
    args = [str(data), "--workers", "2", "--format", "json", "-o", str(out)]
    args += ["--findings", str(found)]
    proc = subprocess.Popen(
        _cli(*args, "--state", str(state)),
        env=ENV,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches it
        preexec_fn=_ctrl_c_as_in_a_terminal,
    )
    _stop_after(proc, state, 4, signal.SIGINT, group=True)  # early, as above
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert "interrupted after" in err
    assert f"resume with: pii-scan scan {data}" in err and f"--state {state}" in err
    deadline = time.monotonic() + 10  # the worker processes are gone with the scan
    with pytest.raises(ProcessLookupError):
        while time.monotonic() < deadline:
            os.killpg(proc.pid, 0)
            time.sleep(0.1)
    for line in found.read_text("utf-8").splitlines():  # whole lines of whole sources
        json.loads(line)

    run = subprocess.run(
        _cli(*args, "--state", str(state)), env=ENV, timeout=120, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    report, findings = baseline
    assert without_timestamps(json.loads(out.read_text("utf-8"))) == report
    assert found.read_bytes() == findings


def test_sigterm_without_state_says_how_to_make_a_scan_resumable(folder):
    found = folder / "term.jsonl"
    args = [str(folder / "data"), "-o", str(folder / "term.json"), "--findings", str(found)]
    proc = subprocess.Popen(
        _cli(*args),
        env=ENV,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (found.exists() and found.stat().st_size):  # scanning
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "Traceback" not in err
    assert "interrupted after" in err and "--state FILE" in err


def test_state_of_another_configuration_is_refused(folder, baseline):
    state = folder / "kill.state"  # complete after the first test, or created here
    if not state.exists():
        subprocess.run(_cli(str(folder / "data"), "--state", str(state)), env=ENV, check=True)
    run = subprocess.run(
        _cli(str(folder / "data"), "--policy", "gdpr", "--state", str(state)),
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2
    assert "other settings" in run.stderr and "policy: 'gbt35273' there, 'gdpr' now" in run.stderr
    assert "Traceback" not in run.stderr


# -- in process: what is read again, what the state holds ---------------------------------
def _counting(monkeypatch) -> list[str]:
    import pii_scan.scan as scan_module

    opened: list[str] = []
    real = scan_module.open_source

    def counted(ref, **kwargs):
        opened.append(ref.path)
        return real(ref, **kwargs)

    monkeypatch.setattr(scan_module, "open_source", counted)
    return opened


def test_only_changed_sources_are_read_again(tmp_path, monkeypatch):
    data = tmp_path / "data"
    files = build(data, files=4, rows=40)
    state = tmp_path / "scan.state"
    options = ScanOptions()
    opened = _counting(monkeypatch)
    first = scan_paths([str(data)], options, state=state)
    assert len(opened) == 7  # 4 files, 2 archive members, the broken file

    opened.clear()
    again = scan_paths([str(data)], options, state=state)
    assert opened == [str(data / "broken.parquet")]  # a source that failed is tried again
    assert without_timestamps(again) == without_timestamps(first)

    changed = files[0]  # a CSV: now without the ID numbers, and newer
    changed.write_text(changed.read_text("utf-8").replace("身份证号", "code"), "utf-8")
    opened.clear()
    third = scan_paths([str(data)], options, state=state)
    assert sorted(opened) == sorted([str(changed), str(data / "broken.parquet")])
    names = [c["name"] for s in third["sources"] if s["path"] == str(changed)
             for t in s["tables"] for c in t["columns"]]  # fmt: skip
    assert "code" in names and "身份证号" not in names


def test_resumed_report_renders_identically_and_holds_no_raw_value(tmp_path):
    data = tmp_path / "data"
    build(data, files=6, rows=60)
    state = tmp_path / "scan.state"
    first, again = io.StringIO(), io.StringIO()
    fresh = scan_paths([str(data)], ScanOptions(), findings=first, state=state)
    resumed = scan_paths([str(data)], ScanOptions(), findings=again, state=state)  # all stored
    assert again.getvalue() == first.getvalue()
    resumed["scanned_at"] = fresh["scanned_at"]
    for fmt, writer in WRITERS.items():
        assert writer(resumed) == writer(fresh), fmt
    # Findings and examples are in the state, masked: no raw value of the data is.
    db = sqlite3.connect(state)
    assert db.execute("SELECT count(*) FROM findings").fetchone()[0] == len(
        first.getvalue().splitlines()
    )
    db.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("scan.state*"))
    row = (data / "part0" / "t00.csv").read_text("utf-8").splitlines()[1].split(",")
    for value in (*row[1:3], "110105199003071239", "13800138000"):  # ID, mobile; the archive's
        assert value.encode() not in raw, value

    with pytest.raises(StateError, match="other settings"):
        scan_paths([str(data)], ScanOptions(reveal=True), state=state)


class _LostInterrupt:
    """A progress object that asks for a stop the way the CLI's signal handler does, but
    whose KeyboardInterrupt never arrives: raised while a module is imported, Python turns it
    into a TypeError that a reader reports as a broken source."""

    def __init__(self, stop):
        self.stop = stop

    def start(self, files, total_bytes):
        pass

    def rows(self, n):
        self.stop.set()

    def source_done(self, nbytes, rows):
        self.stop.set()

    def close(self):
        pass


@pytest.mark.parametrize("workers", [1, 2])
def test_a_stop_whose_interrupt_was_lost_ends_the_scan_after_the_source(folder, tmp_path, workers):
    import threading

    from pii_scan.scan import ScanInterrupted

    stop, state = threading.Event(), tmp_path / "lost.state"
    found = io.StringIO()
    options = ScanOptions(workers=workers)
    progress = _LostInterrupt(stop)
    with pytest.raises(ScanInterrupted) as info:
        scan_paths([str(folder / "data")], options, found, progress, state=str(state), stop=stop)
    assert info.value.done < 32  # of 30 files, an archive and a broken file
    assert len(_finished(state)) <= info.value.done  # what finished, errors not recorded ok
    if workers == 1:
        # Asked for during the first source: nothing of it is kept, not its findings (the
        # stream is cut back), not in the state.
        assert info.value.done == 0
        assert _finished(state) == {}
        assert found.getvalue() == ""


# Run with ``python -m``: the scan is stopped after a KeyboardInterrupt went through code run
# by PyRun_String (as an extension module's import may do), and was handled. CPython then ends
# the process by SIGINT at exit, unless the CLI exits directly with the scan's code.
STOPPED_CHILD = """
import ctypes
from pii_scan import cli

def interrupted(*args, **kwargs):
    run = ctypes.pythonapi.PyRun_String
    run.restype = ctypes.py_object
    run.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.py_object, ctypes.py_object]
    try:
        run(b"raise KeyboardInterrupt", 257, {}, {})  # 257: Py_file_input
    except KeyboardInterrupt:
        pass
    raise cli.ScanStopped(143)

cli._scan_local = interrupted
cli.main()
"""


def test_an_interrupted_scan_exits_with_its_code_even_after_a_caught_interrupt(tmp_path, folder):
    (tmp_path / "stopped_child.py").write_text(STOPPED_CHILD, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "stopped_child", "scan", str(folder / "data"), "-q"],
        cwd=tmp_path,
        env={**ENV, "PYTHONPATH": os.pathsep.join(sys.path)},
        timeout=60,
    )
    assert run.returncode == 128 + signal.SIGTERM
