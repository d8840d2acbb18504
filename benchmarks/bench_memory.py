"""Peak memory and throughput of a full scan of a large CSV file.

Generates a CSV of the mixed synthetic table (``datagen.make_table``, about 270 bytes a row)
of at least ``--size-gb`` GB, streamed to disk one million-row block at a time (never built
whole in memory), then runs

    pii-scan scan FILE --sample-rows 0 --format json -o /dev/null -q

in a child process and reports its peak resident set size (``ru_maxrss`` of the child, as
``resource.getrusage(RUSAGE_CHILDREN)`` gives it) and its throughput.  Several sizes show
whether memory depends on the file size (the goal: under 500 MB whatever the size).

    .venv/bin/python benchmarks/bench_memory.py                    # 2 GB
    .venv/bin/python benchmarks/bench_memory.py --size-gb 0.25,2   # two sizes
    .venv/bin/python benchmarks/bench_memory.py --json benchmarks/data/memory.json

The data goes to ``benchmarks/data/`` (git-ignored) and is reused by later runs.  Not run by
the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / "data"
BLOCK_ROWS = 1_000_000


def generate(path: Path, size_bytes: int) -> tuple[int, float]:
    """Append million-row blocks (seeds 0, 1, ...) to ``path`` until it holds
    ``size_bytes``; returns ``(rows, seconds)``.  Runs in a child process (``--generate``):
    a child's peak RSS starts from its parent's at fork, so the measuring parent stays small.
    """
    import pyarrow.csv as pacsv

    sys.path.insert(0, str(HERE))
    from datagen import make_table

    started = time.perf_counter()
    tmp = path.with_suffix(".partial")
    rows = 0
    with open(tmp, "wb") as sink:
        writer = None
        seed = 0
        while sink.tell() < size_bytes:
            table = make_table(BLOCK_ROWS, seed=seed)
            if writer is None:
                writer = pacsv.CSVWriter(sink, table.schema)
            writer.write_table(table)
            rows += table.num_rows
            seed += 1
            del table
            print(f"  generated {rows:,} rows, {sink.tell() / 1e9:.2f} GB", file=sys.stderr)
        if writer is not None:
            writer.close()
    tmp.rename(path)
    path.with_suffix(".rows").write_text(str(rows))
    return rows, time.perf_counter() - started


def data_file(size_gb: float, data_dir: Path, regenerate: bool) -> tuple[Path, int]:
    path = data_dir / f"memory_{size_gb:g}gb.csv"
    rows_file = path.with_suffix(".rows")
    if path.exists() and rows_file.exists() and not regenerate:
        return path, int(rows_file.read_text())
    data_dir.mkdir(parents=True, exist_ok=True)
    print(f"generating {path} ...", file=sys.stderr)
    started = time.perf_counter()
    make = [sys.executable, __file__, "--generate", str(path), str(int(size_gb * 1e9))]
    subprocess.run(make, check=True)
    print(f"  done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return path, int(rows_file.read_text())


def command(path: Path, extra: list[str]) -> list[str]:
    script = Path(sys.executable).with_name("pii-scan")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "pii_scan"]
    args = ["scan", str(path), "--sample-rows", "0", "--format", "json", "-o", os.devnull, "-q"]
    return head + args + extra


def measure(path: Path, rows: int, extra: list[str]) -> dict:
    """Run the scan in a child process; its own peak RSS comes from wait4."""
    cmd = command(path, extra)
    started = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    errors = child.stderr.read().decode(errors="replace").strip()
    size = path.stat().st_size
    return {
        "file": str(path),
        "bytes": size,
        "rows": rows,
        "command": " ".join(cmd),
        "exit_code": child.returncode,
        "stderr": errors[-2000:],
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
        "mb_per_s": round(size / 1e6 / wall, 2),
        "rows_per_s": round(rows / wall),
    }


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--generate":
        generate(Path(sys.argv[2]), int(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-gb", default="2", help="GB of CSV; a comma list runs each")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("extra", nargs="*", help="more pii-scan options (after --)")
    args = parser.parse_args()
    sizes = [float(s) for s in args.size_gb.split(",")]
    free = shutil.disk_usage(args.data_dir.parent if not args.data_dir.exists() else args.data_dir)
    if free.free < max(sizes) * 1.2e9:
        print("not enough free disk space", file=sys.stderr)
        return 1
    results = []
    for size_gb in sizes:
        path, rows = data_file(size_gb, args.data_dir, args.regenerate)
        print(f"scanning {path.name} ({path.stat().st_size / 1e9:.2f} GB) ...", file=sys.stderr)
        result = measure(path, rows, args.extra)
        results.append(result)
        print(
            f"{path.name}: {result['bytes'] / 1e9:.2f} GB, {rows:,} rows | "
            f"peak RSS {result['peak_rss_mb']:.0f} MB | {result['wall_s']:.0f} s wall, "
            f"{result['cpu_s']:.0f} s CPU | {result['mb_per_s']:.1f} MB/s, "
            f"{result['rows_per_s']:,} rows/s | exit {result['exit_code']}"
        )
        if result["exit_code"] != 0:
            print(result["stderr"], file=sys.stderr)
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"largest child peak RSS (RUSAGE_CHILDREN, data generation included): {children:.0f} MB")
    if args.json:
        meta = {"machine": platform.platform(), "cpus": os.cpu_count(), "python": sys.version}
        args.json.write_text(json.dumps({"meta": meta, "runs": results}, indent=2))
    return 0 if all(r["exit_code"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
