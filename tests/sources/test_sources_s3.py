"""Object stores: the lake folder uploaded to a real S3-compatible server (moto's standalone
server, started once for the session on 127.0.0.1) and scanned through ``s3://`` URIs."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import PEOPLE_ENTITIES

from pii_scan.scan import ScanOptions, scan_paths
from pii_scan.sources import discover, open_source

pytest.importorskip("moto.server", reason="needs moto[server] (test extra)")
pafs = pytest.importorskip("pyarrow.fs")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server():
    """``(endpoint URL)`` of a moto S3 server on loopback, with the AWS_* variables set."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint, timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("the moto server did not start")
            time.sleep(0.2)
    saved = {k: os.environ.get(k) for k in _ENV}
    os.environ.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
    )
    try:
        yield endpoint
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        server.terminate()
        server.wait(timeout=30)


_ENV = (
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
    "AWS_EC2_METADATA_DISABLED",
)


@pytest.fixture(scope="session")
def bucket(s3_server, lake):
    """The lake folder uploaded to ``s3://lake/raw/``."""
    root, expected = lake
    fs = pafs.S3FileSystem(
        endpoint_override=s3_server,
        access_key="testing",
        secret_key="testing",
        region="us-east-1",
        allow_bucket_creation=True,
    )
    fs.create_dir("lake")
    for path in sorted(root.rglob("*")):
        if path.is_file():
            key = f"lake/raw/{path.relative_to(root).as_posix()}"
            with fs.open_output_stream(key, compression=None) as out:
                out.write(path.read_bytes())
    return "s3://lake/raw/", expected


def test_s3_bucket_of_mixed_files(bucket):
    """Acceptance: every table and column of the bucket is reported, as for the folder."""
    prefix, expected = bucket
    report = scan_paths([prefix], ScanOptions(exclude=["skip_me.csv"], sample_rows=0))
    assert report["errors"] == []
    got = {}
    for source in report["sources"]:
        assert source["status"] == "ok", (source["path"], source.get("error"))
        got[source["path"].removeprefix(prefix)] = {
            t["name"]: [c["name"] for c in t["columns"]] for t in source["tables"]
        }
    assert got == expected
    assert report["summary"]["excluded_files"] == 1
    assert sorted(report["summary"]["unsupported_files"]) == [
        f"{prefix}bundle.zip!inner/readme.docx",
        f"{prefix}report.docx",
    ]
    csv = next(s for s in report["sources"] if s["path"] == f"{prefix}people.csv")
    verdicts = {c["name"]: c["entity"] for c in csv["tables"][0]["columns"]}
    assert verdicts == PEOPLE_ENTITIES


def test_s3_keys_globs_and_missing_paths(bucket):
    prefix, _ = bucket
    found = discover([f"{prefix}people.parquet", f"{prefix}*.psv", f"{prefix}nothing.csv"])
    assert [r.path for r in found.sources] == [f"{prefix}people.parquet", f"{prefix}people.psv"]
    assert found.sources[0].size and found.sources[0].size > 0
    assert found.errors == [{"path": f"{prefix}nothing.csv", "error": "no such file or directory"}]
    (table,) = open_source(found.sources[0], max_rows=5)
    assert sum(b.num_rows for b in table.batches) == 5
    missing = discover(["s3://no-such-bucket-here/x/"])
    assert missing.sources == [] and len(missing.errors) == 1


def test_s3_hive_dataset_and_workers(bucket):
    prefix, _ = bucket
    found = discover([f"{prefix}sales/"])
    (dataset,) = found.sources
    assert dataset.path == f"{prefix}sales" and len(dataset.members) == 2
    report = scan_paths([f"{prefix}sales/", f"{prefix}people.csv.gz"], ScanOptions(workers=2))
    assert [s["path"] for s in report["sources"]] == [
        f"{prefix}people.csv.gz",
        f"{prefix}sales",
    ]
    assert [t["rows_scanned"] for s in report["sources"] for t in s["tables"]] == [30, 30]
