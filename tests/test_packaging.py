"""The built wheel carries recognizers/ and models/ and scans a file outside the checkout."""

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_installs_into_a_fresh_venv_and_scans(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(dist.glob("pii_scan-*.whl"))

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    # The new venv borrows the third-party packages already installed here (pyarrow, numpy...)
    # through a .pth line; .pth files of that folder (our editable install) are not processed,
    # so `pii_scan` can only come from the wheel.
    site = subprocess.run(
        [py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    Path(site, "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--target",
            site,
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )

    data = tmp_path / "work" / "people.csv"
    data.parent.mkdir()
    data.write_text("姓名,身份证号\n张三,110105199003071239\n", encoding="utf-8")
    where = subprocess.run(
        [
            py,
            "-c",
            "import pii_scan, pii_scan.catalog as c; print(pii_scan.__file__);"
            "print(c.data_dir('recognizers'))",
        ],
        cwd=data.parent,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(p.startswith(site) for p in where), where
    proc = subprocess.run(
        [py, "-m", "pii_scan", "scan", "people.csv", "--format", "json"],
        cwd=data.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    cols = json.loads(proc.stdout)["sources"][0]["tables"][0]["columns"]
    assert cols[1]["entity"] == "CN_RESIDENT_ID"
