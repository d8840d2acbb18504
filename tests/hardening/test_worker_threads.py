"""With ``--workers``, each source is scanned on one thread, the worker processes using the
cores; a source larger than a worker's fair share of the bytes would end the run on one core
while the other workers wait, so it is matched on all cores, as without workers."""

from __future__ import annotations

import pytest

from pii_scan.scan import ScanOptions, _Run, _Scanner
from pii_scan.sources.base import SourceRef
from pii_scan.sources.discovery import Discovery


@pytest.fixture(scope="module")
def scanner():
    return _Scanner(ScanOptions(workers=2, threads=0))


@pytest.mark.parametrize(
    ("sizes", "threads"),
    [
        ([600, 10, 10, 10], [0, 1, 1, 1]),  # the big one: every core
        ([100, 100, 100, 100], [1, 1, 1, 1]),  # balanced: one thread each
        ([301, 100, 100, 100], [0, 1, 1, 1]),  # just over a half of 601 bytes
        ([300, 100, 100, 100], [1, 1, 1, 1]),  # a half exactly: its worker is busy as long
        ([None, 900, 10], [1, 1, 1]),  # a size unknown: no share to judge, one thread each
    ],
)
def test_only_a_source_over_a_workers_share_gets_every_core(scanner, sizes, threads):
    refs = [SourceRef(f"s{i}.csv", f"s{i}.csv", "csv", size=n) for i, n in enumerate(sizes)]
    run = _Run(scanner, Discovery(sources=refs), None, None, None)
    run._plan_threads(refs)
    assert [run._options_for(ref).threads for ref in refs] == threads
    assert all(run._options_for(ref).workers == 2 for ref in refs)
