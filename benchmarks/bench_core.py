"""Throughput benchmark of the vectorized matching core (``pii_scan.core.Matcher``).

The benchmark loads the cached mixed table from ``benchmarks/data/``, or generates it with
:mod:`datagen`. It then times ``Matcher.match_array`` over every string column and reports:

- MB/s: 10^6 bytes of UTF-8 string data per wall second.
- rows/s: table rows per wall second for the whole pass over all selected columns.
- Per-column seconds and entity counts.

Each figure is the median of ``--runs`` runs (default 3), with ``gc.collect()`` before each run.
The timing method is the same as in ``perf-measurements.md``, so the numbers are comparable:
``time.perf_counter`` for wall time and ``time.process_time`` for CPU time. Before the first
timed run, one untimed warm-up pass over 1,000 rows per column absorbs one-off initialisation
such as pattern compilation.

Entity counts are compared with the exact counts that the generator planted under the reference
detection rule of ``perf-measurements.md`` (RESIDENT_ID, MOBILE, BANK_CARD, EMAIL). Under that
rule, order numbers that happen to pass Luhn count as BANK_CARD. A core that suppresses them
(context, IIN rules) will report fewer, which is an improvement, not an error.

Usage::

    python benchmarks/bench_core.py                      # 1M rows, all columns, 3 runs
    python benchmarks/bench_core.py --rows 2000000 --columns remarks,order_id --json out.json
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(HERE))  # datagen

import datagen  # noqa: E402

# The catalog's entity names -> the names used by the reference rule in perf-measurements.md
REFERENCE_ENTITY = {
    "CN_RESIDENT_ID": "RESIDENT_ID",
    "CN_MOBILE_PHONE": "MOBILE",
    "BANK_CARD": "BANK_CARD",
    "EMAIL_ADDRESS": "EMAIL",
}


def load_matcher() -> Any:
    """Build ``Matcher(load_catalog())``; the repository root is added to ``sys.path`` if the
    package is not installed."""
    try:
        import pii_scan  # noqa: F401
    except ImportError:
        sys.path.insert(0, str(REPO_ROOT))
    from pii_scan.catalog import load_catalog
    from pii_scan.core import Matcher

    return Matcher(load_catalog())


def machine_info() -> dict[str, Any]:
    """CPU, interpreter and library versions for the record."""
    try:
        affinity = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        affinity = os.cpu_count()
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": affinity,
        "arrow_cpu_count": pa.cpu_count(),
        "python": platform.python_version(),
        "pyarrow": pa.__version__,
        "numpy": np.__version__,
        "arrow_memory_pool": pa.default_memory_pool().backend_name,
        "git": commit,
    }


def entity_counts(matches: pa.Table) -> dict[str, int]:
    """``{entity: count}`` of a match table, sorted by entity name."""
    if matches.num_rows == 0:
        return {}
    vc = pc.value_counts(matches["entity"]).to_pylist()
    return {d["values"]: d["counts"] for d in sorted(vc, key=lambda d: d["values"])}


def run_once(
    matcher: Any, table: pa.Table, columns: Sequence[str]
) -> tuple[float, float, dict[str, float], dict[str, dict[str, int]]]:
    """One timed pass over ``columns``: (wall s, CPU s, per-column wall s, per-column counts)."""
    gc.collect()
    per_col: dict[str, float] = {}
    counts: dict[str, dict[str, int]] = {}
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for col in columns:
        t0 = time.perf_counter()
        matches = matcher.match_array(table[col], column=col)
        per_col[col] = time.perf_counter() - t0
        counts[col] = entity_counts(matches)  # outside the column's timer
        del matches
    return time.perf_counter() - wall0, time.process_time() - cpu0, per_col, counts


def compare_expected(
    counts: dict[str, dict[str, int]], expected: dict[str, dict[str, int]]
) -> list[dict[str, Any]]:
    """Rows of (column, entity, found, expected) for every entity found or expected."""
    rows = []
    for col, found in counts.items():
        exp = expected.get(col, {})
        mapped: dict[str, int] = {}
        for entity, n in found.items():
            key = REFERENCE_ENTITY.get(entity, entity)
            mapped[key] = mapped.get(key, 0) + n
        for key in sorted(set(mapped) | set(exp)):
            rows.append(
                {
                    "column": col,
                    "entity": key,
                    "found": mapped.get(key, 0),
                    "expected": exp.get(key),
                }
            )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark pii_scan.core.Matcher.match_array.")
    parser.add_argument("--rows", type=int, default=1_000_000, help="table rows (default 1M)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--columns", default="", help="comma-separated subset (default: all)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path, help="write machine-readable results here")
    parser.add_argument("--data-dir", type=Path, default=datagen.DATA_DIR)
    parser.add_argument("--regenerate", action="store_true", help="ignore the cached table")
    parser.add_argument("--no-check", action="store_true", help="skip the stdnum data check")
    parser.add_argument("--no-warmup", action="store_true", help="skip the untimed warm-up")
    args = parser.parse_args(argv)

    columns = [c.strip() for c in args.columns.split(",") if c.strip()] or list(datagen.COLUMNS)
    unknown = sorted(set(columns) - set(datagen.COLUMNS))
    if unknown:
        parser.error(f"unknown columns {unknown}; choose from {datagen.COLUMNS}")
    if args.runs < 1:
        parser.error("--runs must be >= 1")

    info = machine_info()
    print("machine: " + ", ".join(f"{k}={v}" for k, v in info.items()))
    if args.rows < 1_000_000:
        print(f"note: {args.rows:,} rows is below the 1M-row reference size")

    table, source = datagen.load_or_make(args.rows, args.seed, args.data_dir, args.regenerate)
    n_rows = table.num_rows
    col_bytes = {c: datagen.string_bytes(table[c]) for c in columns}
    total_bytes = sum(col_bytes.values())
    how = "loaded from cache" if source["source"] == "cache" else "generated"
    print(
        f"data: {n_rows:,} rows x {len(columns)} columns, {total_bytes:,} bytes of string data; "
        f"{how} in {source['seconds']:.2f} s ({source['path']})"
    )

    check: dict[str, dict] = {}
    if not args.no_check:
        check = datagen.check_table(table)
        state = "ok" if datagen.check_ok(check) else "FAILED"
        print(f"datagen self-check ({state}; 1,000-row sample per column):")
        print(datagen.format_check(check))

    try:
        t0 = time.perf_counter()
        matcher = load_matcher()
        init_s = time.perf_counter() - t0
    except ImportError as exc:
        print(f"cannot import the core API (pii_scan.catalog / pii_scan.core): {exc}")
        return 2
    print(f"Matcher(load_catalog()) built in {init_s:.2f} s")

    if not args.no_warmup:
        t0 = time.perf_counter()
        for col in columns:
            matcher.match_array(table[col].slice(0, 1000), column=col)
        print(f"warm-up (1,000 rows per column, untimed): {time.perf_counter() - t0:.2f} s")

    runs = []
    for i in range(args.runs):
        wall, cpu, per_col, counts = run_once(matcher, table, columns)
        runs.append({"wall_s": wall, "cpu_s": cpu, "per_column_s": per_col, "counts": counts})
        print(
            f"run {i + 1}: {wall:.3f} s wall, {cpu:.3f} s CPU, {total_bytes / wall / 1e6:.1f} MB/s"
        )

    wall = statistics.median(r["wall_s"] for r in runs)
    cpu = statistics.median(r["cpu_s"] for r in runs)
    counts = runs[0]["counts"]
    consistent = all(r["counts"] == counts for r in runs)
    per_column = {
        c: {
            "median_s": statistics.median(r["per_column_s"][c] for r in runs),
            "bytes": col_bytes[c],
            "counts": counts[c],
        }
        for c in columns
    }
    for d in per_column.values():
        d["mb_s"] = d["bytes"] / max(d["median_s"], 1e-9) / 1e6

    print()
    print(f"median of {args.runs}: {wall:.3f} s wall, {cpu:.3f} s CPU")
    print(f"  {total_bytes / wall / 1e6:.1f} MB/s   {n_rows / wall:,.0f} rows/s")
    print()
    print(f"{'column':12s} {'MB':>8s} {'median s':>9s} {'MB/s':>8s}  matches by entity")
    for c, d in per_column.items():
        ents = ", ".join(f"{e} {n:,}" for e, n in d["counts"].items()) or "-"
        print(f"{c:12s} {d['bytes'] / 1e6:8.1f} {d['median_s']:9.3f} {d['mb_s']:8.1f}  {ents}")
    if not consistent:
        print("WARNING: entity counts differ between runs")

    comparison = compare_expected(counts, datagen.expected_counts(table))
    print()
    print("found vs planted (reference rule of perf-measurements.md; '-' = not planted):")
    for row in comparison:
        exp = row["expected"]
        mark = "" if exp == row["found"] else "   <-- differs"
        exp_s = f"{exp:,}" if exp is not None else "-"
        print(f"  {row['column']:12s} {row['entity']:22s} {row['found']:>10,} {exp_s:>10s}{mark}")

    if args.json:
        result = {
            "machine": info,
            "data": {
                "rows": n_rows,
                "seed": args.seed,
                "columns": columns,
                "string_bytes": total_bytes,
                **source,
                "datagen": datagen.table_info(table),
            },
            "check": check,
            "matcher_init_s": init_s,
            "runs": runs,
            "median": {
                "wall_s": wall,
                "cpu_s": cpu,
                "mb_per_s": total_bytes / wall / 1e6,
                "rows_per_s": n_rows / wall,
            },
            "per_column": per_column,
            "counts_consistent": consistent,
            "expected": comparison,
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
