"""Rebatching: the matching core pays a fixed cost per call (RE2 compiles every pattern it is
given, about 30 ms for the whole catalog), so small record batches are joined before matching.

Readers yield what their parser produces: pyarrow's CSV reader about 1 MB per batch (4,000 rows
of a typical table), at which size the per-call cost is most of the time. :func:`coalesce`
joins consecutive batches of one schema until ``rows`` rows or ``max_bytes`` bytes, so memory
stays bounded by ``max_bytes`` plus one reader batch.

>>> import pyarrow as pa
>>> small = [pa.record_batch({"a": ["x"] * 3}) for _ in range(5)]
>>> [b.num_rows for b in coalesce(small, rows=7)]
[9, 6]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyarrow as pa

#: Join batches up to this many bytes of buffers: the core holds ~8 bytes of temporaries per
#: byte of the column it matches (a 5 MB column of remarks peaks at ~36 MB of NumPy arrays)
#: and the scanner has one batch in matching while it reads the next, so this bounds memory
#: (a 30 MB line still passes alone).
MAX_BYTES = 16 * 1024 * 1024


def coalesce(
    batches: Iterable[pa.RecordBatch], rows: int, max_bytes: int = MAX_BYTES
) -> Iterator[pa.RecordBatch]:
    """Consecutive ``batches`` joined until they hold at least ``rows`` rows or
    ``max_bytes`` bytes; order and content are unchanged, a change of schema starts a new
    batch."""
    pending: list[pa.RecordBatch] = []
    n = size = 0
    for batch in batches:
        if pending and not batch.schema.equals(pending[0].schema):
            yield _joined(pending)
            pending, n, size = [], 0, 0
        pending.append(batch)
        n += batch.num_rows
        size += batch.nbytes
        if n >= rows or size >= max_bytes:
            yield _joined(pending)
            pending, n, size = [], 0, 0
    if pending:
        yield _joined(pending)


def _joined(batches: list[pa.RecordBatch]) -> pa.RecordBatch:
    joined = pa.Table.from_batches(batches).combine_chunks().to_batches()
    return joined[0] if len(joined) == 1 else batches[0]  # several, or none: all empty
