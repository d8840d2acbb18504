"""pii-scan against Presidio per cell, a per-cell Python ``re`` loop, and the raw RE2 floor.

One command measures, on the same generated data (``datagen.make_table``: Chinese identifiers,
names, addresses, remarks with embedded PII, hard-negative columns):

(a) pii-scan's core (``Matcher.match_array`` on every column, full catalog) and the whole CLI
    (``pii-scan scan FILE.csv --sample-rows 0``, parse + match + classify + report);
(b) Presidio's ``AnalyzerEngine.analyze`` per cell with the catalog exported as Presidio
    recognizers (what a user would write today; offline ``NoOpNlpEngine``) on a subsample,
    extrapolated and labelled so;
(c) a per-cell Python ``re`` loop with the same patterns, validators and context rule, on a
    subsample, extrapolated;
(d) the floor: parse the same CSV with pyarrow and run one trivial RE2 pass over every column.

Before timing, the methods' findings are compared on the subsample: (c) and the core must find
the same (row, column, entity, span) set apart from the documented Presidio-export difference
(separator-joined numbers such as ``138 0013 8000``, which only the core joins).

Results go to ``benchmarks/results/compare.md`` and ``compare.json`` and a scaling plot
``scaling.png`` (rows 10k → N, and 1 → W workers). Speed is measured here, never in tests.

Usage::

    python benchmarks/bench_compare.py                    # 1M rows
    python benchmarks/bench_compare.py --rows 200000 --curve 10000,100000 --workers 1,2
"""

from __future__ import annotations

import argparse
import gc
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_core  # noqa: E402
import datagen  # noqa: E402

RESULTS = HERE / "results"


def mb(table: pa.Table) -> float:
    return sum(datagen.string_bytes(table[c]) for c in table.column_names) / 1e6


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def peak_rss_of(cmd: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (bytes) and stderr of ``cmd`` run in a fresh child process."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t0 = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "wall = time.perf_counter() - t0\n"
        "rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
        "print(wall, rss, p.returncode)\n"
        "sys.stderr.write(p.stderr[-2000:])\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True)
    wall, rss, code = proc.stdout.split()
    if code != "0":
        raise RuntimeError(f"{cmd[:3]} failed: {proc.stderr}")
    return float(wall), int(rss), proc.stderr


# -- methods ---------------------------------------------------------------------------------
def core_findings(matcher, table: pa.Table) -> set[tuple]:
    found = set()
    for col in table.column_names:
        m = matcher.match_array(table[col], column=col, min_score=0.5)
        for r in m.select(["row", "start", "end", "entity"]).to_pylist():
            found.add((r["row"], col, r["entity"], r["start"], r["end"]))
    return found


class PythonLoop:
    """(c): the same recognizers as a user would loop them in Python, cell by cell."""

    def __init__(self, catalog):
        from pii_scan import validators
        from pii_scan.classify.names import column_matches
        from pii_scan.classify.policy import thresholds

        self.column_matches = column_matches
        self.min_score = float(thresholds()["min_finding_score"])
        self.recs = []
        for r in catalog:
            if not r.personal or r.kind in ("cell", "function"):
                continue
            check = validators.get(r.validator).is_valid if r.validator else None
            ctx = re.compile("|".join(map(re.escape, r.context)), re.I) if r.context else None
            pattern = re.compile(r.presidio_pattern, re.I if r.ignore_case else 0)
            self.recs.append((r, pattern, check, ctx))

    def findings(self, table: pa.Table) -> set[tuple]:
        found: set[tuple] = set()
        for col in table.column_names:
            named = {r.id for r, *_ in self.recs if self.column_matches(col, r.column_names)}
            for row, cell in enumerate(table[col].to_pylist()):
                if not cell:
                    continue
                spans = []
                for r, pattern, check, ctx in self.recs:
                    for m in pattern.finditer(cell):
                        if check and not check(m.group()):
                            continue
                        has_ctx = r.id in named or bool(ctx and ctx.search(cell))
                        score = r.context_score if has_ctx else r.score
                        if r.requires_context and not has_ctx:
                            continue
                        if score >= self.min_score:
                            spans.append((m.start(), m.end(), r.priority, r.entity))
                spans.sort(key=lambda s: (-(s[1] - s[0]), -s[2]))
                taken: list[tuple[int, int]] = []
                for s, e, _, entity in spans:
                    if all(e <= ts or s >= te for ts, te in taken):
                        taken.append((s, e))
                        found.add((row, col, entity, s, e))
        return found


def presidio_findings(engine, table: pa.Table) -> set[tuple]:
    found = set()
    for col in table.column_names:
        for row, cell in enumerate(table[col].to_pylist()):
            if cell:
                for r in engine.analyze(cell, language="zh", context=[col]):
                    found.add((row, col, r.entity_type, r.start, r.end))
    return found


def floor_seconds(csv_path: Path, runs: int) -> float:
    def run():
        names = pacsv.open_csv(csv_path).schema.names  # the header only
        types = {n: pa.string() for n in names}
        t = pacsv.read_csv(csv_path, convert_options=pacsv.ConvertOptions(column_types=types))
        for col in t.column_names:
            pc.match_substring_regex(t[col], "@")

    return median_time(run, runs)


def agreement(a: set, b: set) -> dict:
    both = len(a & b)
    return {
        "both": both,
        "only_first": len(a - b),
        "only_second": len(b - a),
        "jaccard": round(both / max(len(a | b), 1), 4),
    }


def separated(table: pa.Table, f: tuple) -> bool:
    """A core finding whose value holds a separator: the Presidio export cannot join it."""
    row, col, _, s, e = f
    return bool(re.search(r"[\s\-)]", table[col][row].as_py()[s:e]))


# -- main ------------------------------------------------------------------------------------
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--presidio-rows", type=int, default=2_000)
    ap.add_argument("--python-rows", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--curve", default="10000,100000,1000000")
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)

    from pii_scan.catalog import load_catalog
    from pii_scan.presidio import analyzer

    info = bench_core.machine_info()
    table, _ = datagen.load_or_make(args.rows)
    csv_path = datagen.data_path(args.rows, 0, "csv")
    if not csv_path.exists():
        datagen.write_table(table, csv_path)
    size_mb = mb(table)
    print(f"data: {args.rows:,} rows, {size_mb:.1f} MB of strings, CSV {csv_path}")

    matcher = bench_core.load_matcher()
    loop = PythonLoop(load_catalog())
    engine = analyzer(segmenter="none")

    # 1. Same findings before timing.
    sub = table.slice(0, args.presidio_rows)
    core_set, loop_set = core_findings(matcher, sub), loop.findings(sub)
    pres_set = presidio_findings(engine, sub)
    core_joinable = {f for f in core_set if not separated(sub, f)}
    checks = {
        "core_vs_python_loop": agreement(core_joinable, loop_set),
        "core_vs_presidio": agreement(core_joinable, pres_set),
        "separator_joined_only_in_core": len(core_set) - len(core_joinable),
    }
    print("agreement on", args.presidio_rows, "rows:", json.dumps(checks))

    # 2. Timings.
    results: dict[str, dict] = {}
    t_core = median_time(
        lambda: [matcher.match_array(table[c], column=c) for c in table.column_names], args.runs
    )
    results["a_core"] = {"seconds": t_core}
    cli = [
        sys.executable,
        "-m",
        "pii_scan",
        "scan",
        str(csv_path),
        "--sample-rows",
        "0",
        "--format",
        "json",
        "-o",
        "/dev/null",
    ]
    walls, rss = [], 0
    for _ in range(args.runs):
        wall, peak, _err = peak_rss_of(cli)
        walls.append(wall)
        rss = max(rss, peak)
    results["a_cli"] = {"seconds": statistics.median(walls), "peak_rss_mb": rss / 1e6}

    psub = table.slice(0, args.presidio_rows)
    t = median_time(lambda: presidio_findings(engine, psub), 1)
    results["b_presidio_per_cell"] = {
        "seconds": t * args.rows / psub.num_rows,
        "extrapolated_from_rows": psub.num_rows,
    }
    lsub = table.slice(0, args.python_rows)
    t = median_time(lambda: loop.findings(lsub), 1)
    results["c_python_re_per_cell"] = {
        "seconds": t * args.rows / lsub.num_rows,
        "extrapolated_from_rows": lsub.num_rows,
    }
    results["d_floor_pyarrow_re2"] = {"seconds": floor_seconds(csv_path, args.runs)}
    for r in results.values():
        r["mb_s"] = round(size_mb / r["seconds"], 2)
        r["rows_s"] = round(args.rows / r["seconds"])
    ratios = {
        "cli_over_floor": results["a_cli"]["seconds"] / results["d_floor_pyarrow_re2"]["seconds"],
        "presidio_over_core": results["b_presidio_per_cell"]["seconds"] / t_core,
        "python_loop_over_core": results["c_python_re_per_cell"]["seconds"] / t_core,
        "presidio_over_cli": results["b_presidio_per_cell"]["seconds"]
        / results["a_cli"]["seconds"],
    }

    # 3. Scaling: rows, then workers.
    curve = []
    for n in [int(x) for x in args.curve.split(",") if x]:
        t_n = table.slice(0, n) if n <= table.num_rows else datagen.make_table(n)
        secs = median_time(
            lambda t_n=t_n: [matcher.match_array(t_n[c], column=c) for c in t_n.column_names], 1
        )
        curve.append({"rows": n, "seconds": secs, "mb_s": mb(t_n) / secs})
    workers = []
    parts_dir = datagen.DATA_DIR / f"parts_{args.rows}"
    max_w = max(int(w) for w in args.workers.split(","))
    if not parts_dir.exists():
        parts_dir.mkdir(parents=True)
        step = -(-table.num_rows // (4 * max_w))
        for i in range(0, table.num_rows, step):
            datagen.write_table(table.slice(i, step), parts_dir / f"part_{i // step:03d}.csv")
    for w in [int(x) for x in args.workers.split(",") if x]:
        cmd = [
            sys.executable,
            "-m",
            "pii_scan",
            "scan",
            str(parts_dir),
            "--sample-rows",
            "0",
            "--workers",
            str(w),
            "--format",
            "json",
            "-o",
            "/dev/null",
        ]
        wall, peak, _ = peak_rss_of(cmd)
        workers.append(
            {"workers": w, "seconds": wall, "mb_s": size_mb / wall, "peak_rss_mb": peak / 1e6}
        )

    report = {
        "machine": info,
        "rows": args.rows,
        "string_mb": size_mb,
        "agreement": checks,
        "results": results,
        "ratios": ratios,
        "rows_curve": curve,
        "workers": workers,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compare.json").write_text(json.dumps(report, indent=2))
    md = render_markdown(report)
    (args.out / "compare.md").write_text(md)
    plot(report, args.out / "scaling.png")
    print(md)
    return 0


def render_markdown(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"# pii-scan benchmark: {r['rows']:,} rows, {r['string_mb']:.0f} MB of strings",
        "",
        f"Machine: {m['platform']}, {m['cpu_count']} CPUs, Python {m['python']}, "
        f"pyarrow {m['pyarrow']}, numpy {m['numpy']}, commit {m['git']}.",
        "",
        "| method | MB/s | rows/s | seconds (extrapolated where marked) | peak RSS |",
        "|---|---:|---:|---:|---:|",
    ]
    labels = {
        "a_core": "(a) pii-scan core, full catalog",
        "a_cli": "(a) pii-scan CLI, CSV → report",
        "b_presidio_per_cell": "(b) Presidio per cell (NoOp NLP)",
        "c_python_re_per_cell": "(c) per-cell Python re + validators",
        "d_floor_pyarrow_re2": "(d) floor: pyarrow CSV + one RE2 pass",
    }
    for key, label in labels.items():
        v = r["results"][key]
        extra = (
            f" (from {v['extrapolated_from_rows']:,} rows)" if "extrapolated_from_rows" in v else ""
        )
        rss = f"{v['peak_rss_mb']:.0f} MB" if "peak_rss_mb" in v else ""
        lines.append(
            f"| {label} | {v['mb_s']:.1f} | {v['rows_s']:,} | {v['seconds']:.1f}{extra} | {rss} |"
        )
    lines += ["", "| ratio | value |", "|---|---:|"]
    lines += [f"| {k} | {v:.1f}× |" for k, v in r["ratios"].items()]
    lines += ["", "Rows curve (core):", "", "| rows | seconds | MB/s |", "|---:|---:|---:|"]
    lines += [f"| {c['rows']:,} | {c['seconds']:.2f} | {c['mb_s']:.1f} |" for c in r["rows_curve"]]
    lines += [
        "",
        "Workers (CLI over a folder of CSV parts):",
        "",
        "| workers | seconds | MB/s | peak RSS |",
        "|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {w['workers']} | {w['seconds']:.1f} | {w['mb_s']:.1f} | {w['peak_rss_mb']:.0f} MB |"
        for w in r["workers"]
    ]
    lines += ["", f"Agreement before timing: `{json.dumps(r['agreement'])}`", ""]
    return "\n".join(lines)


def plot(r: dict, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)")
        return
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    rows = [c["rows"] for c in r["rows_curve"]]
    ax1.loglog(rows, [c["seconds"] for c in r["rows_curve"]], "o-")
    ax1.set_xlabel("rows")
    ax1.set_ylabel("seconds (core, full catalog)")
    ax1.set_title("time vs rows")
    ax1.grid(True, which="both", alpha=0.3)
    ax2.plot([w["workers"] for w in r["workers"]], [w["mb_s"] for w in r["workers"]], "o-")
    ax2.set_xlabel("workers")
    ax2.set_ylabel("MB/s (CLI)")
    ax2.set_title("throughput vs workers")
    ax2.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    raise SystemExit(main())
