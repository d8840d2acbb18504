"""A scan's start-up loads nothing it does not need: pandas, readers of other formats."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"

SCAN = """
import sys
from pii_scan.cli import main
sys.argv = ["pii-scan", "scan", {path!r}, "--format", "json", "-o", {out!r}]
try:
    main()
except SystemExit as exc:
    assert not exc.code, exc.code
"""
PROBE = (
    SCAN
    + """
print("pandas imported by the scan:", "pandas" in sys.modules)
import pandas  # still importable afterwards
print("pandas importable:", bool(pandas.__version__))
"""
)


def test_a_cli_scan_does_not_import_pandas(tmp_path):
    out = tmp_path / "report.json"
    code = PROBE.format(path=str(SAMPLES), out=str(out))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "pandas imported by the scan: False" in done.stdout, done.stdout + done.stderr
    assert "pandas importable: True" in done.stdout
    assert out.stat().st_size > 0


READERS_PROBE = (
    SCAN
    + """
print("loaded:", sorted(m for m in sys.modules if m.startswith(("pii_scan.sources.", "pyarrow."))))
"""
)


def test_a_csv_scan_loads_no_reader_of_another_format(tmp_path):
    """Readers are imported when a source needs them: pyarrow.parquet and the SQL dump grammar
    cost a CSV scan ~50 ms of start-up otherwise."""
    out = tmp_path / "report.json"
    code = READERS_PROBE.format(path=str(SAMPLES / "customers.csv"), out=str(out))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = done.stdout.split("loaded:", 1)[1]
    assert "pii_scan.sources.delimited" in loaded  # the probe saw the scan's modules
    for module in ("pyarrow.parquet", "pii_scan.sources.sqldump", "pii_scan.sources.parquet"):
        assert f"'{module}'" not in loaded, loaded
    assert out.stat().st_size > 0
