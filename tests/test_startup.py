"""A scan's start-up: pyarrow must not pull pandas into a scan (0.2-0.4 s of every run)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

PROBE = """
import sys
from pii_scan.cli import main
sys.argv = ["pii-scan", "scan", {path!r}, "--format", "json", "-o", {out!r}]
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
print("pandas imported by the scan:", "pandas" in sys.modules)
import pandas  # still importable afterwards
print("pandas importable:", bool(pandas.__version__))
"""


def test_a_cli_scan_does_not_import_pandas(tmp_path):
    out = tmp_path / "report.json"
    code = PROBE.format(path=str(SAMPLES), out=str(out))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pandas imported by the scan: False" in done.stdout, done.stdout + done.stderr
    assert "pandas importable: True" in done.stdout
    assert out.stat().st_size > 0
