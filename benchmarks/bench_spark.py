"""Throughput per core of the Spark engine (local mode) against the local engine.

Both engines scan the same cached Parquet file of :mod:`datagen` (1M rows, 9 string columns,
~228 MB of string data) end to end, every row (``--sample-rows 0``): reading, the matching
core, column statistics, evidence, verdicts and the report; no findings are written. Runs:

* ``local, 1 thread``  the local engine with ``threads=1`` (one core);
* ``local, N threads`` the local engine with its default (a thread per CPU, columns matched
  in parallel);
* ``spark local[k]``   :func:`pii_scan.spark.scan_paths` on a ``local[k]`` session, for each
  ``k`` of ``--spark-cores`` (default 1 and the CPU count). The file is cut into splits of
  ``--split-mb`` MB so that k tasks run at once.

Reported per run: wall seconds (median of ``--runs``), rows/s, MB/s (10^6 bytes of string
data per wall second), rows/s per core (rows/s divided by the cores the run may use) and
rows per CPU-second: the CPU time of every process of the run (this interpreter; for Spark
also the JVM and its Python workers, read from ``/proc``), which stays meaningful when other
work shares the machine.
Spark's session start (JVM, ~15-30 s on a small VM) is not timed; its first scan is an
untimed warm-up (Python workers, code generation). The column verdicts of every run are
compared with the first local run and must be identical.

Usage::

    python benchmarks/bench_spark.py                      # 1M rows, local[1] and local[N]
    python benchmarks/bench_spark.py --rows 200000 --runs 1 --json benchmarks/data/spark.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # datagen, bench_core

import bench_core  # noqa: E402
import datagen  # noqa: E402


def verdicts(report: dict) -> list[tuple]:
    return [
        (t["name"], c["name"], c["entity"], c["tier"], c["match_ratio"], tuple(c["entities"]))
        for s in report["sources"]
        for t in s["tables"]
        for c in t["columns"]
    ]


def process_tree_cpu(root: int | None) -> float:
    """CPU seconds (user + system) of ``root`` and all its descendants, from ``/proc``."""
    if root is None or not os.path.isdir("/proc"):
        return 0.0
    parent: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parent[int(entry)] = int(fields[1])
        ticks[int(entry)] = int(fields[11]) + int(fields[12])
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        children = [c for c, p in parent.items() if p == pid and c not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(ticks.get(pid, 0) for pid in tree) / os.sysconf("SC_CLK_TCK")


def timed(fn, runs: int, jvm: int | None = None) -> tuple[list[float], list[float], dict]:
    walls, cpus, report = [], [], {}
    for _ in range(runs):
        t0, c0, j0 = time.perf_counter(), time.process_time(), process_tree_cpu(jvm)
        report = fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0 + process_tree_cpu(jvm) - j0)
    return walls, cpus, report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per engine (median)")
    parser.add_argument(
        "--spark-cores", default=None, help="comma-separated k of local[k] (default: 1,CPUs)"
    )
    parser.add_argument("--split-mb", type=int, default=16, help="Spark split size in MB")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)

    from pii_scan import spark as pii_spark
    from pii_scan.scan import ScanOptions, scan_paths

    cpus = os.cpu_count() or 1
    cores = [int(k) for k in (args.spark_cores or f"1,{cpus}").split(",")]
    cores = sorted(set(cores))
    table, info = datagen.load_or_make(args.rows, args.seed)
    path = info["path"]
    data_mb = sum(datagen.string_bytes(table[c]) for c in datagen.COLUMNS) / 1e6
    del table
    print(f"data: {path} ({args.rows:,} rows, {data_mb:.0f} MB of strings, {info['source']})")
    machine = bench_core.machine_info()
    print(f"machine: {machine['cpu_count']} CPUs, Python {machine['python']}, git {machine['git']}")

    results: list[dict] = []
    reference: list[tuple] | None = None

    def record(label: str, used_cores: int, walls: list[float], cpus, report: dict) -> None:
        nonlocal reference
        wall = statistics.median(walls)
        cpu = statistics.median(cpus)
        same = reference is None or verdicts(report) == reference
        if reference is None:
            reference = verdicts(report)
        row = {
            "engine": label,
            "cores": used_cores,
            "wall_s": round(wall, 2),
            "runs": [round(w, 2) for w in walls],
            "rows_per_s": round(args.rows / wall),
            "mb_per_s": round(data_mb / wall, 1),
            "rows_per_s_per_core": round(args.rows / wall / used_cores),
            "mb_per_s_per_core": round(data_mb / wall / used_cores, 1),
            "cpu_s": round(cpu, 1),
            "rows_per_cpu_s": round(args.rows / cpu),
            "same_verdicts": same,
        }
        results.append(row)
        print(
            f"{label:<18} cores {used_cores}  wall {wall:7.2f} s  {row['rows_per_s']:>9,} rows/s"
            f"  {row['mb_per_s']:6.1f} MB/s  per core {row['rows_per_s_per_core']:>9,} rows/s"
            f"  {row['mb_per_s_per_core']:6.1f} MB/s  CPU {cpu:6.1f} s"
            f"  {row['rows_per_cpu_s']:>7,} rows/CPU-s  verdicts {'same' if same else 'DIFFER'}"
        )

    for threads in (1, cpus):
        options = ScanOptions(sample_rows=0, threads=threads)
        scan_paths([path], options)  # warm-up (catalog, jieba, caches)
        walls, cpus, report = timed(lambda options=options: scan_paths([path], options), args.runs)
        label = f"local, {threads} thread{'s' if threads > 1 else ''}"
        record(label, threads, walls, cpus, report)

    for k in cores:
        conf = {
            "spark.sql.files.maxPartitionBytes": str(args.split_mb << 20),
            "spark.sql.shuffle.partitions": str(k),
            "spark.driver.memory": "2g",
        }
        t0 = time.perf_counter()
        spark = pii_spark.session(f"local[{k}]", conf)
        started = time.perf_counter() - t0
        options = ScanOptions(sample_rows=0)
        pii_spark.scan_paths([path], options, spark=spark)  # warm-up
        jvm = getattr(getattr(spark.sparkContext._gateway, "proc", None), "pid", None)
        walls, cpus, report = timed(
            lambda spark=spark, options=options: pii_spark.scan_paths([path], options, spark=spark),
            args.runs,
            jvm,
        )
        record(f"spark local[{k}]", k, walls, cpus, report)
        results[-1]["session_start_s"] = round(started, 1)
        spark.stop()  # the next local[k] starts a new context in the same JVM

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {"rows": args.rows, "data_mb": data_mb, "machine": machine, "results": results},
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0 if all(r["same_verdicts"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
