"""pii-scan against Presidio per cell, a per-cell Python ``re`` loop, and the raw RE2 floor.

One command measures, on the same generated data (``datagen.make_table``: Chinese identifiers,
names, addresses, remarks with embedded PII, hard-negative columns) and on a generated prose
corpus (``corpus.build``):

(a) pii-scan's core (``Matcher.match_array``, full catalog, every column, in batches of the
    CLI's ``batch_rows`` = 65,536 rows, in a child process so that its peak RSS is measured)
    and the whole CLI (``pii-scan scan FILE.csv --sample-rows 0``: parse + match + classify +
    report);
(b) Presidio ``AnalyzerEngine.analyze`` per cell, offline (``NoOpNlpEngine``), with
    ``PatternRecognizer`` subclasses written the way a user writes them today: the catalog's
    regex-type entries (kinds digits/token/word/regex/cell), each one regex + context words +
    ``validate_result`` calling the same validator. Second line: Presidio with pii-scan's full
    exported catalog (``pii_scan.presidio.analyzer``, function recognizers included). Both on a
    subsample, extrapolated and labelled so;
(c) a per-cell Python ``re`` loop with the same patterns, validators and context rule as (b),
    on a subsample, extrapolated;
(d) the floor: parse the same CSV with pyarrow and run one trivial RE2 pass over every column.

Before timing, the findings are compared on the subsample:

* like with like: a core built from only the recognizers (b) and (c) have, against (b) and
  (c), as (row, column, entity, span) sets. Separator-joined numbers (``+86 138 0013 8000``)
  are only joined by the core; they are counted and left out.
* against the planted truth (``datagen.planted_spans``): per method, how many planted
  identifiers it found and how many extra findings it made, on hard negatives (``order_id``,
  ``ts_ms``, order numbers and timestamps in remarks) and elsewhere.

Results: ``compare.md``, ``compare.json`` and ``scaling.png`` in ``--out``
(default ``benchmarks/results/``). Speed is measured here, never in tests.

Usage::

    python benchmarks/bench_compare.py            # the full run: 1M rows, CLI curve to 10M
    python benchmarks/bench_compare.py --quick --out /tmp/bench   # ~2 minutes, smoke test
"""

from __future__ import annotations

import argparse
import compileall
import gc
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_core  # noqa: E402
import datagen  # noqa: E402

RESULTS = HERE / "results"
PATTERN_KINDS = ("digits", "token", "word", "regex", "cell")
GOALS = {  # ratio: (goal, "max" = at most / "min" = at least)
    "cli_over_floor": (3.0, "max"),
    "presidio_patterns_over_core": (500.0, "min"),
    "python_loop_over_core": (10.0, "min"),
    "presidio_patterns_over_core_same": (500.0, "min"),
    "python_loop_over_core_same": (10.0, "min"),
}
QUICK = {
    "rows": 20_000,
    "presidio_rows": 500,
    "presidio_full_rows": 30,
    "python_rows": 2_000,
    "runs": 1,
    "curve": "10000,20000",
    "cli_curve": "10000,20000,40000",
    "workers": "1,2",
    "corpus_docs": 300,
}
T0 = time.perf_counter()


def progress(msg: str) -> None:
    print(f"[{time.perf_counter() - T0:7.1f} s] {msg}", flush=True)


def mb(table: pa.Table) -> float:
    return sum(datagen.string_bytes(table[c]) for c in table.column_names) / 1e6


def timed(fn) -> tuple[float, object]:
    gc.collect()
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


# -- machine ---------------------------------------------------------------------------------
def machine() -> dict:
    info = bench_core.machine_info()
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        info["cpu_model"] = re.search(r"model name\s*:\s*(.*)", cpuinfo).group(1).strip()
    except (OSError, AttributeError):
        info["cpu_model"] = platform.processor() or "unknown"
    try:
        kb = int(re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text()).group(1))
        info["ram_gb"] = round(kb / 1024**2, 1)
    except (OSError, AttributeError):
        info["ram_gb"] = None
    return info


def load_average() -> list[float]:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def run_child(cmd: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (bytes) and stdout of ``cmd`` run in a fresh child process."""
    use = run_child_usage(cmd)
    return use["wall"], use["rss"], use["out"]


def run_child_usage(cmd: list[str]) -> dict:
    """:func:`run_child` and what the child and its workers used: ``user`` and ``system``
    CPU seconds and minor page ``faults``. On a shared machine these vary less with the load
    of others than wall time does (page faults hardly at all)."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t0 = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "wall = time.perf_counter() - t0\n"
        "use = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(wall, use.ru_maxrss * 1024, p.returncode, use.ru_utime, use.ru_stime,"
        " use.ru_minflt)\n"
        "sys.stdout.write(p.stdout[-4000:])\n"
        "sys.stderr.write(p.stderr[-4000:])\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True)
    head, _, rest = proc.stdout.partition("\n")
    wall, rss, code, user, system, faults = head.split()
    if code != "0":
        raise RuntimeError(f"{shlex.join(cmd[:6])} failed: {proc.stderr[-2000:]}")
    return {
        "wall": float(wall),
        "rss": int(rss),
        "user": float(user),
        "system": float(system),
        "faults": int(faults),
        "out": rest,
    }


# -- (a) the core ----------------------------------------------------------------------------
def batch_rows() -> int:
    from pii_scan.classify.policy import thresholds

    return int(thresholds()["batch_rows"])


def core_pass(matcher, table: pa.Table, batch: int, min_score: float = 0.0) -> int:
    """Match every column of ``table`` in row batches of ``batch``, as the CLI does."""
    n = 0
    for start in range(0, table.num_rows, batch):
        for col in table.column_names:
            n += matcher.match_array(
                table[col].slice(start, batch), column=col, min_score=min_score
            ).num_rows
    return n


def core_child(parquet: str, rows: int, same: bool = False) -> None:
    """Entry point of the child process: load, warm up, one timed batched pass, JSON out.
    ``same``: only the recognizers of (b) and (c), for a like-for-like ratio."""
    import resource

    table = pq.read_table(parquet)
    table = table.slice(0, rows) if rows < table.num_rows else table
    if same:
        from pii_scan.catalog import Catalog, load_catalog
        from pii_scan.core import Matcher

        catalog = load_catalog()
        matcher = Matcher(Catalog(tuple(pattern_entries(catalog)), catalog.version))
    else:
        matcher = bench_core.load_matcher()
    batch = batch_rows()
    core_pass(matcher, table.slice(0, 1000), batch)  # warm-up, untimed
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    gc.collect()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    matches = core_pass(matcher, table, batch)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        json.dumps(
            {
                "seconds": wall,
                "cpu_seconds": cpu,
                "rss_before_mb": base / 1e6,
                "peak_rss_mb": peak / 1e6,
                "matches": matches,
                "batch_rows": batch,
            }
        )
    )


def time_core(parquet: Path, rows: int, same: bool = False) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_core-child", str(parquet), str(rows)]
    cmd += ["same"] if same else []
    _, _, out = run_child(cmd)
    return json.loads(out.strip().splitlines()[-1])


def core_findings(matcher, table: pa.Table, min_score: float) -> set[tuple]:
    found = set()
    batch = batch_rows()
    for start in range(0, table.num_rows, batch):
        for col in table.column_names:
            m = matcher.match_array(table[col].slice(start, batch), column=col, min_score=min_score)
            for r in m.select(["row", "start", "end", "entity"]).to_pylist():
                found.add((start + r["row"], col, r["entity"], r["start"], r["end"]))
    return found


# -- (b) Presidio ----------------------------------------------------------------------------
def pattern_entries(catalog) -> list:
    """The catalog entries a user can write as one Presidio regex: personal, not a function,
    not only separated digit groups (``bare = false``)."""
    return [
        r
        for r in catalog
        if r.personal and r.kind in PATTERN_KINDS and r.presidio_pattern and r.bare
    ]


def user_engine(catalog, min_score: float):
    """Presidio as a user would set it up today: a ``PatternRecognizer`` per identifier (one
    regex, its context words, ``validate_result`` calling the validator), offline NoOp NLP."""
    import regex
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry

    from pii_scan import validators
    from pii_scan.presidio import nlp_engine

    class UserRecognizer(PatternRecognizer):
        def __init__(self, rec):
            self._check = validators.get(rec.validator).is_valid if rec.validator else None
            super().__init__(
                supported_entity=rec.entity,
                name=rec.id,
                supported_language="zh",
                patterns=[Pattern(rec.id, rec.presidio_pattern, rec.score)],
                context=list(rec.context),
                global_regex_flags=regex.DOTALL
                | regex.MULTILINE
                | (regex.IGNORECASE if rec.ignore_case else 0),
            )

        def validate_result(self, pattern_text: str):
            return None if self._check is None else bool(self._check(pattern_text))

    recs = [UserRecognizer(r) for r in pattern_entries(catalog)]
    return AnalyzerEngine(
        registry=RecognizerRegistry(recognizers=recs, supported_languages=["zh"]),
        nlp_engine=nlp_engine("zh", "none"),
        supported_languages=["zh"],
        default_score_threshold=min_score,
    )


def presidio_findings(engine, table: pa.Table) -> set[tuple]:
    found = set()
    for col in table.column_names:
        for row, cell in enumerate(table[col].to_pylist()):
            if cell:
                for r in engine.analyze(cell, language="zh", context=[col]):
                    found.add((row, col, r.entity_type, r.start, r.end))
    return found


def presidio_texts(engine, texts: list[str]) -> set[tuple]:
    found = set()
    for i, text in enumerate(texts):
        for r in engine.analyze(text, language="zh"):
            found.add((i, "text", r.entity_type, r.start, r.end))
    return found


# -- (c) the per-cell Python loop ------------------------------------------------------------
class PythonLoop:
    """(c): the recognizers of (b), looped cell by cell in Python ``re``, with the core's
    context rule (a column name or a context word anywhere in the cell), score threshold and
    overlap rule (longest span, then priority)."""

    def __init__(self, catalog, min_score: float):
        from pii_scan import validators
        from pii_scan.classify.names import column_matches

        self.column_matches = column_matches
        self.min_score = min_score
        self.recs = []
        for r in pattern_entries(catalog):
            check = validators.get(r.validator).is_valid if r.validator else None
            ctx = re.compile("|".join(map(re.escape, r.context)), re.I) if r.context else None
            pattern = re.compile(r.presidio_pattern, re.I if r.ignore_case else 0)
            self.recs.append((r, pattern, check, ctx))

    def cell(self, row: int, col: str, cell: str, named: set, found: set) -> None:
        spans = []
        for r, pattern, check, ctx in self.recs:
            text, lead = (
                (cell.strip(), len(cell) - len(cell.lstrip())) if r.kind == "cell" else (cell, 0)
            )
            for m in pattern.finditer(text):
                if check and not check(m.group()):
                    continue
                has_ctx = r.id in named or bool(ctx and ctx.search(cell))
                if r.requires_context and not has_ctx:
                    continue
                if (r.context_score if has_ctx else r.score) >= self.min_score:
                    spans.append((m.start() + lead, m.end() + lead, r.priority, r.entity))
        spans.sort(key=lambda s: (-(s[1] - s[0]), -s[2]))
        taken: list[tuple[int, int]] = []
        for s, e, _, entity in spans:
            if all(e <= ts or s >= te for ts, te in taken):
                taken.append((s, e))
                found.add((row, col, entity, s, e))

    def findings(self, table: pa.Table) -> set[tuple]:
        found: set[tuple] = set()
        for col in table.column_names:
            named = {r.id for r, *_ in self.recs if self.column_matches(col, r.column_names)}
            for row, cell in enumerate(table[col].to_pylist()):
                if cell:
                    self.cell(row, col, cell, named, found)
        return found

    def texts(self, texts: list[str]) -> set[tuple]:
        found: set[tuple] = set()
        for i, text in enumerate(texts):
            self.cell(i, "text", text, set(), found)
        return found


# -- (d) the floor ---------------------------------------------------------------------------
def floor_seconds(csv_path: Path) -> float:
    def run():
        names = pacsv.open_csv(csv_path).schema.names  # the header only
        types = {n: pa.string() for n in names}
        t = pacsv.read_csv(csv_path, convert_options=pacsv.ConvertOptions(column_types=types))
        for col in t.column_names:
            pc.match_substring_regex(t[col], "@")

    return timed(run)[0]


# -- agreement -------------------------------------------------------------------------------
def separated(cells: dict, f: tuple) -> bool:
    """A finding whose value holds a separator: one Presidio regex per entry cannot join it."""
    row, col, _, s, e = f
    return bool(re.search(r"[\s\-)]", cells[col][row][s:e]))


def split_separated(cells: dict, core: set, *others: set) -> tuple[set, ...]:
    """Leave out the core's separator-joined findings and whatever overlaps them elsewhere."""
    sep = defaultdict(list)
    for f in core:
        if separated(cells, f):
            sep[(f[0], f[1])].append(f)

    def keep(f):
        return not any(f[3] < g[4] and g[3] < f[4] for g in sep.get((f[0], f[1]), ()))

    return tuple({f for f in s if keep(f)} for s in (core, *others))


def agreement(ref: set, other: set) -> dict:
    both = ref & other
    diff = Counter((f[1], f[2], "only core") for f in ref - other)
    diff.update((f[1], f[2], "only other") for f in other - ref)
    return {
        "core": len(ref),
        "other": len(other),
        "both": len(both),
        "recall_of_core": round(len(both) / max(len(ref), 1), 4),
        "precision_vs_core": round(len(both) / max(len(other), 1), 4),
        "differences": [
            {"column": c, "entity": e, "side": side, "count": n}
            for (c, e, side), n in diff.most_common(8)
        ],
    }


def truth_score(findings: set, truth: list[tuple]) -> dict:
    """Planted items found (same entity, overlapping span) and extra findings, per method."""
    by_cell = defaultdict(list)
    for item in truth:
        by_cell[(item[0], item[1])].append(item)
    hit = set()
    hard_neg = other = 0
    extra_by = Counter()
    for row, col, ent, s, e in findings:
        items = [t for t in by_cell.get((row, col), ()) if t[3] < e and s < t[4]]
        good = [t for t in items if t[5] and t[2] == ent]
        if good:
            hit.update(good)
        elif col in datagen.HARD_NEGATIVE_COLUMNS or any(not t[5] for t in items):
            hard_neg += 1
            extra_by[(col, ent, "hard negative")] += 1
        else:
            other += 1
            extra_by[(col, ent, "other")] += 1
    planted = Counter(t[2] for t in truth if t[5])
    found = Counter(t[2] for t in hit)
    return {
        "planted": dict(planted),
        "found": {k: found.get(k, 0) for k in planted},
        "found_total": len(hit),
        "planted_total": sum(planted.values()),
        "extra_on_hard_negatives": hard_neg,
        "extra_elsewhere": other,
        "extras": [
            {"column": c, "entity": e, "kind": k, "count": n}
            for (c, e, k), n in extra_by.most_common(6)
        ],
    }


def corpus_truth(docs) -> list[tuple]:
    return [(i, "text", ent, s, e, True) for i, d in enumerate(docs) for s, e, ent in d.spans]


# -- data files ------------------------------------------------------------------------------
def csv_for(table: pa.Table, rows: int, seed: int, n: int) -> tuple[Path, str]:
    """A CSV of ``n`` rows: the head of the table, or chunks of ``rows`` rows with seeds
    ``seed, seed+1, ...`` streamed to disk (never a 10M-row table in memory)."""
    if n == rows:
        return datagen.data_path(rows, seed, "csv"), f"the {rows:,}-row table"
    if n < rows:
        path = datagen.DATA_DIR / f"mixed_v{datagen.DATAGEN_VERSION}_{rows}_s{seed}_head{n}.csv"
        if not path.exists():
            datagen.write_table(table.slice(0, n), path)
        return path, f"first {n:,} rows of the {rows:,}-row table"
    k = -(-n // rows)
    name = f"mixed_v{datagen.DATAGEN_VERSION}_{n}_chunks{rows}_s{seed}.csv"
    path = datagen.DATA_DIR / name
    label = f"{k} chunks of {rows:,} rows, seeds {seed}..{seed + k - 1}"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with pacsv.CSVWriter(tmp, table.schema) as w:
            for i in range(k):
                m = min(rows, n - i * rows)
                chunk = table if i == 0 else datagen.make_table(rows, seed + i)
                w.write_table(chunk.slice(0, m))
                del chunk
        tmp.rename(path)
    return path, label


def compile_bytecode() -> bool:
    """Byte-compile pii_scan before the CLI is timed, as an installed CLI runs: pip compiles
    a package at install time, and an editable install writes its bytecode on the first run,
    unless ``PYTHONDONTWRITEBYTECODE`` is set (as on this machine), when every run compiles
    the ~100 modules again (~0.3 s). Whether it could is recorded with the results."""
    import pii_scan

    try:
        return bool(compileall.compile_dir(Path(pii_scan.__file__).parent, quiet=1))
    except OSError:  # a read-only install: its bytecode was compiled when it was installed
        return False


def cli_cmd(path: Path, workers: int | None = None, out: Path | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "pii_scan", "scan", str(path), "--sample-rows", "0"]
    if workers:
        cmd += ["--workers", str(workers)]
    return [*cmd, "--format", "json", "-o", str(out or os.devnull)]


def column_verdicts(report: Path) -> list[dict]:
    """The CLI's verdict per column (entity, tier, cells per entity), against what was planted."""
    try:
        data = json.loads(report.read_text())
        columns = data["sources"][0]["tables"][0]["columns"]
    except (OSError, ValueError, KeyError, IndexError):
        return []
    expected = {**datagen.WHOLE_CELL_TRUTH, "remarks": "(mixed inserts)"}
    return [
        {
            "column": c["name"],
            "planted": expected.get(c["name"], "none (hard negative)"),
            "entity": c.get("entity"),
            "tier": c.get("tier"),
            "cells": c.get("entities", {}),
        }
        for c in columns
    ]


# -- main ------------------------------------------------------------------------------------
def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help=f"small smoke preset: {QUICK}")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--presidio-rows", type=int, default=2_000, help="(b) subsample, also agreement"
    )
    ap.add_argument("--presidio-full-rows", type=int, default=200, help="(b') full catalog, 0=skip")
    ap.add_argument("--python-rows", type=int, default=20_000, help="(c) subsample")
    ap.add_argument("--runs", type=int, default=3, help="median of K for core, CLI and floor")
    ap.add_argument("--curve", default="10000,100000,1000000", help="core rows curve")
    ap.add_argument("--cli-curve", default="10000,100000,1000000,10000000", help="CLI rows curve")
    ncpu = os.cpu_count() or 1
    ap.add_argument("--workers", default=",".join(str(w) for w in range(1, ncpu + 1)))
    ap.add_argument("--corpus-docs", type=int, default=5_000, help="prose documents, 0=skip")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    if args.quick:
        given = {a.split("=")[0].lstrip("-").replace("-", "_") for a in (argv or sys.argv[1:])}
        for k, v in QUICK.items():
            if k not in given:
                setattr(args, k, v)
    return args


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--_core-child":
        core_child(sys.argv[2], int(sys.argv[3]), same=sys.argv[4:] == ["same"])
        return 0
    args = parse_args(argv)
    command = "python benchmarks/bench_compare.py " + shlex.join(argv or sys.argv[1:])

    from pii_scan.catalog import Catalog, load_catalog
    from pii_scan.classify.policy import thresholds
    from pii_scan.core import Matcher
    from pii_scan.presidio import analyzer

    info = machine()
    info["load_start"] = load_average()
    info["cli_bytecode_compiled"] = compile_bytecode()
    progress(f"machine: {info['cpu_model']}, {info['cpu_count']} CPUs, load {info['load_start']}")
    min_score = float(thresholds()["min_finding_score"])

    table, src = datagen.load_or_make(args.rows, args.seed)
    parquet = Path(src["path"])
    csv_path = datagen.data_path(args.rows, args.seed, "csv")
    if not csv_path.exists():
        datagen.write_table(table, csv_path)
    size_mb = mb(table)
    progress(f"data: {args.rows:,} rows, {size_mb:.1f} MB of strings ({src['source']}), {csv_path}")

    catalog = load_catalog()
    matcher = Matcher(catalog)
    covered = pattern_entries(catalog)
    core_same = Matcher(Catalog(tuple(covered), catalog.version))
    loop = PythonLoop(catalog, min_score)
    engine = user_engine(catalog, min_score)
    progress(f"engines built: {len(covered)} pattern recognizers for (b) and (c)")

    # 1. Same findings before timing -------------------------------------------------------
    sub = table.slice(0, args.presidio_rows)
    cells = {c: sub[c].to_pylist() for c in sub.column_names}
    truth = datagen.planted_spans(sub)
    core_all = core_findings(matcher, sub, min_score)
    core_cov = core_findings(core_same, sub, min_score)
    t_pres, pres_set = timed(lambda: presidio_findings(engine, sub))
    progress(f"(b) Presidio pattern engine on {sub.num_rows:,} rows: {t_pres:.1f} s")
    loop_sub = loop.findings(sub)
    joinable, pres_cmp, loop_cmp = split_separated(cells, core_cov, pres_set, loop_sub)
    checks = {
        "rows": sub.num_rows,
        "separator_joined_only_in_core": len(core_cov) - len(joinable),
        "core_vs_presidio_patterns": agreement(joinable, pres_cmp),
        "core_vs_python_loop": agreement(joinable, loop_cmp),
    }
    truth_rows = {
        "rows": sub.num_rows,
        "a_core_full": truth_score(core_all, truth),
        "a_core_same_recognizers": truth_score(core_cov, truth),
        "b_presidio_patterns": truth_score(pres_set, truth),
        "c_python_loop": truth_score(loop_sub, truth),
    }
    results: dict[str, dict] = {}
    results["b_presidio_patterns"] = {
        "seconds": t_pres * args.rows / sub.num_rows,
        "extrapolated_from_rows": sub.num_rows,
    }
    if args.presidio_full_rows:
        full_engine = analyzer(segmenter="none")
        fsub = table.slice(0, args.presidio_full_rows)
        t_full, full_set = timed(lambda: presidio_findings(full_engine, fsub))
        progress(f"(b') Presidio full exported catalog on {fsub.num_rows:,} rows: {t_full:.1f} s")
        fcells = {c: fsub[c].to_pylist() for c in fsub.column_names}
        core_f = core_findings(matcher, fsub, min_score)
        checks["full_catalog"] = {
            "rows": fsub.num_rows,
            "core_vs_presidio_full_catalog": agreement(*split_separated(fcells, core_f, full_set)),
        }
        ftruth = datagen.planted_spans(fsub)
        truth_rows["full_catalog"] = {
            "rows": fsub.num_rows,
            "a_core_full": truth_score(core_f, ftruth),
            "b_presidio_full_catalog": truth_score(full_set, ftruth),
        }
        results["b_presidio_full_catalog"] = {
            "seconds": t_full * args.rows / fsub.num_rows,
            "extrapolated_from_rows": fsub.num_rows,
        }
    progress("agreement: " + json.dumps({k: v for k, v in checks.items() if k != "full_catalog"}))

    # 2. Timings ---------------------------------------------------------------------------
    lsub = table.slice(0, args.python_rows)
    t, _ = timed(lambda: loop.findings(lsub))
    results["c_python_loop"] = {
        "seconds": t * args.rows / lsub.num_rows,
        "extrapolated_from_rows": lsub.num_rows,
    }
    progress(f"(c) Python loop on {lsub.num_rows:,} rows: {t:.1f} s")
    del core_same, loop_sub, pres_set, core_all, core_cov, cells
    gc.collect()

    core_runs = []
    for i in range(args.runs):
        core_runs.append(time_core(parquet, args.rows))
        progress(f"(a) core run {i + 1}/{args.runs}: {core_runs[-1]['seconds']:.1f} s")
    t_core = statistics.median(r["seconds"] for r in core_runs)
    results["a_core"] = {
        "seconds": t_core,
        "cpu_seconds": statistics.median(r["cpu_seconds"] for r in core_runs),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in core_runs),
        "rss_before_mb": max(r["rss_before_mb"] for r in core_runs),
        "batch_rows": core_runs[0]["batch_rows"],
    }
    same_run = time_core(parquet, args.rows, same=True)
    progress(f"(a) core, recognizers of (b)/(c) only: {same_run['seconds']:.1f} s")
    results["a_core_same"] = {
        "seconds": same_run["seconds"],
        "cpu_seconds": same_run["cpu_seconds"],
        "peak_rss_mb": same_run["peak_rss_mb"],
    }
    # The floor runs just before each CLI run: the machine is shared, and a ratio of two
    # times taken minutes apart measures the other tenants as much as the scan.
    runs, floors = [], []
    report_path = Path(tempfile.mkdtemp(prefix="bench-compare-")) / "report.json"
    for i in range(args.runs):
        floors.append(floor_seconds(csv_path))
        use = run_child_usage(cli_cmd(csv_path, out=report_path))
        runs.append({k: v for k, v in use.items() if k != "out"})
        cpu = use["user"] + use["system"]
        progress(
            f"(a) CLI run {i + 1}/{args.runs}: {use['wall']:.1f} s, {cpu:.1f} CPU s "
            f"({use['system']:.1f} system), {use['faults']:,} page faults, "
            f"{use['rss'] / 1e6:.0f} MB (floor just before: {floors[-1]:.2f} s, ratio "
            f"{use['wall'] / floors[-1]:.1f}×)"
        )
    walls = [r["wall"] for r in runs]
    results["a_cli"] = {
        "seconds": statistics.median(walls),
        "cpu_seconds": statistics.median(r["user"] + r["system"] for r in runs),
        "system_seconds": statistics.median(r["system"] for r in runs),
        "page_faults": statistics.median(r["faults"] for r in runs),
        "peak_rss_mb": max(r["rss"] for r in runs) / 1e6,
        "runs": runs,
    }
    verdicts = column_verdicts(report_path)
    shutil.rmtree(report_path.parent, ignore_errors=True)
    results["d_floor"] = {"seconds": statistics.median(floors), "runs": floors}
    progress(f"(d) floor: {results['d_floor']['seconds']:.2f} s (median)")
    for r in results.values():
        r["mb_s"] = size_mb / r["seconds"]
        r["rows_s"] = args.rows / r["seconds"]
    sec = {k: v["seconds"] for k, v in results.items()}
    ratios = {
        # the median of the ratios of the interleaved pairs
        "cli_over_floor": statistics.median(w / f for w, f in zip(walls, floors, strict=True)),
        # Other work only adds time: the fastest run of each is the least disturbed.
        "cli_over_floor_best_runs": min(walls) / min(floors),
        "core_over_floor": sec["a_core"] / sec["d_floor"],
        "presidio_patterns_over_core": sec["b_presidio_patterns"] / sec["a_core"],
        "presidio_patterns_over_cli": sec["b_presidio_patterns"] / sec["a_cli"],
        "python_loop_over_core": sec["c_python_loop"] / sec["a_core"],
        "python_loop_over_cli": sec["c_python_loop"] / sec["a_cli"],
        # Like for like: the same recognizers on both sides.
        "presidio_patterns_over_core_same": sec["b_presidio_patterns"] / sec["a_core_same"],
        "python_loop_over_core_same": sec["c_python_loop"] / sec["a_core_same"],
    }
    if "b_presidio_full_catalog" in sec:
        ratios["presidio_full_catalog_over_core"] = sec["b_presidio_full_catalog"] / sec["a_core"]

    # 3. Prose corpus ----------------------------------------------------------------------
    prose = {}
    if args.corpus_docs:
        import corpus

        docs, _ = corpus.build(seed=args.seed, docs=args.corpus_docs)
        texts = [d.text for d in docs]
        arr = pa.array(texts)
        p_mb = datagen.string_bytes(arr) / 1e6
        gold = corpus_truth(docs)
        matcher.match_array(arr.slice(0, 50), min_score=min_score)  # warm-up, untimed
        core_times = [timed(lambda: matcher.match_array(arr, min_score=min_score)) for _ in "abc"]
        t_c, m = min(core_times, key=lambda x: x[0])
        core_p = {
            (r["row"], "text", r["entity"], r["start"], r["end"])
            for r in m.select(["row", "start", "end", "entity"]).to_pylist()
        }
        t_b, pres_p = timed(lambda: presidio_texts(engine, texts))
        t_l, loop_p = timed(lambda: loop.texts(texts))
        prose = {"docs": len(texts), "mb": p_mb, "gold_spans": len(gold), "methods": {}}
        for key, t_m, found in (
            ("a_core", t_c, core_p),
            ("b_presidio_patterns", t_b, pres_p),
            ("c_python_loop", t_l, loop_p),
        ):
            prose["methods"][key] = {
                "seconds": t_m,
                "mb_s": p_mb / t_m,
                "truth": truth_score(found, gold),
            }
        progress(
            f"prose: {len(texts):,} docs, {p_mb:.2f} MB; core {t_c:.2f} s, "
            f"Presidio {t_b:.1f} s, loop {t_l:.1f} s"
        )

    # 4. Scaling: rows (core, CLI), then workers --------------------------------------------
    curve = []
    for n in sorted(int(x) for x in args.curve.split(",") if x):
        if n > args.rows:
            progress(f"core curve: {n:,} > --rows, skipped (the core curve stays in memory)")
            continue
        r = time_core(parquet, n)
        r.update(rows=n, mb_s=mb(table.slice(0, n)) / r["seconds"])
        curve.append(r)
        progress(f"core curve {n:,} rows: {r['seconds']:.2f} s, {r['peak_rss_mb']:.0f} MB")
    cli_curve = []
    for n in sorted(int(x) for x in args.cli_curve.split(",") if x):
        path, label = csv_for(table, args.rows, args.seed, n)
        try:
            wall, peak, _ = run_child(cli_cmd(path))
        except RuntimeError as exc:  # keep the rest of a long run
            cli_curve.append({"rows": n, "error": str(exc)[-500:], "data": label})
            progress(f"CLI curve {n:,} rows FAILED: {str(exc)[-300:]}")
            continue
        cli_curve.append(
            {
                "rows": n,
                "seconds": wall,
                "csv_mb": path.stat().st_size / 1e6,
                "mb_s": size_mb * n / args.rows / wall,
                "peak_rss_mb": peak / 1e6,
                "data": label,
            }
        )
        progress(f"CLI curve {n:,} rows: {wall:.1f} s, {peak / 1e6:.0f} MB ({label})")
    worker_list = sorted(int(x) for x in args.workers.split(",") if x)
    n_parts = 4 * max(worker_list)
    parts_dir = datagen.DATA_DIR / f"parts_{args.rows}_s{args.seed}_{n_parts}"
    if not parts_dir.exists():
        tmp = parts_dir.with_name(parts_dir.name + ".tmp")
        tmp.mkdir(parents=True, exist_ok=True)
        step = -(-table.num_rows // n_parts)
        for i in range(0, table.num_rows, step):
            datagen.write_table(table.slice(i, step), tmp / f"part_{i // step:03d}.csv")
        tmp.rename(parts_dir)
    workers = []
    for w in worker_list:
        try:
            wall, peak, _ = run_child(cli_cmd(parts_dir, w))
        except RuntimeError as exc:
            workers.append({"workers": w, "error": str(exc)[-500:]})
            progress(f"workers {w} FAILED: {str(exc)[-300:]}")
            continue
        workers.append(
            {"workers": w, "seconds": wall, "mb_s": size_mb / wall, "peak_rss_mb": peak / 1e6}
        )
        progress(f"workers {w}: {wall:.1f} s, {peak / 1e6:.0f} MB")

    info["load_end"] = load_average()
    report = {
        "command": command,
        "machine": info,
        "rows": args.rows,
        "seed": args.seed,
        "string_mb": size_mb,
        "csv_mb": csv_path.stat().st_size / 1e6,
        "pattern_recognizers": [r.id for r in covered],
        "agreement": checks,
        "planted_truth": truth_rows,
        "cli_column_verdicts": verdicts,
        "results": results,
        "ratios": ratios,
        "goals": {k: {"goal": g, "kind": kind} for k, (g, kind) in GOALS.items()},
        "prose": prose,
        "rows_curve": curve,
        "cli_curve": cli_curve,
        "workers": workers,
        "total_seconds": time.perf_counter() - T0,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "compare.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    md = render_markdown(report)
    (args.out / "compare.md").write_text(md)
    plot(report, args.out / "scaling.png")
    print(md)
    progress(f"done; wrote {args.out}/compare.md, compare.json, scaling.png")
    return 0


# -- output ----------------------------------------------------------------------------------
LABELS = {
    "a_core": "(a) pii-scan core, full catalog, 65,536-row batches",
    "a_core_same": "(a) pii-scan core, only the recognizers of (b)/(c), 65,536-row batches",
    "a_cli": "(a) pii-scan CLI, CSV → report, every row",
    "b_presidio_patterns": "(b) Presidio per cell, pattern recognizers (what a user writes)",
    "b_presidio_full_catalog": "(b′) Presidio per cell, pii-scan's full exported catalog",
    "c_python_loop": "(c) per-cell Python re + same validators",
    "d_floor": "(d) floor: pyarrow CSV parse + one RE2 pass",
}


PROSE_LABELS = {
    "a_core": "(a) pii-scan core, full catalog, one array",
    "b_presidio_patterns": "(b) Presidio pattern recognizers, per document",
    "c_python_loop": "(c) Python re loop, per document",
}


def _cli_runs_lines(cli: dict) -> list[str]:
    """Each timed CLI run: wall and CPU seconds, system time and page faults (which barely
    move with the machine's load, and so show what changed in memory use between rounds)."""
    runs = cli.get("runs") or []
    if not runs:
        return []
    each = "; ".join(
        f"{r['wall']:.1f} s, {r['user'] + r['system']:.1f} CPU s ({r['system']:.1f} system), "
        f"{r['faults']:,} page faults, {r['rss'] / 1e6:.0f} MB"
        for r in runs
    )
    return ["", f"CLI runs: {each}."]


def _goal_line(name: str, value: float) -> str:
    if name not in GOALS:
        return f"| {name} | {value:,.1f}× | | |"
    goal, kind = GOALS[name]
    met = value <= goal if kind == "max" else value >= goal
    sign = "≤" if kind == "max" else "≥"
    return f"| {name} | {value:,.1f}× | {sign} {goal:g}× | {'met' if met else 'NOT met'} |"


def _agree_row(name: str, a: dict) -> str:
    diffs = "; ".join(
        f"{d['column']} {d['entity']} {d['side']} {d['count']}" for d in a["differences"][:4]
    )
    return (
        f"| {name} | {a['core']:,} | {a['other']:,} | {a['both']:,} | "
        f"{a['recall_of_core']:.3f} | {a['precision_vs_core']:.3f} | {diffs} |"
    )


def _truth_table(block: dict, names: dict) -> list[str]:
    ents = list(next(iter(v for k, v in block.items() if k != "rows"))["planted"])
    head = "| method | " + " | ".join(ents) + " | all planted | extra on hard negatives | "
    head += "extra elsewhere |"
    lines = [head, "|---|" + "---:|" * (len(ents) + 3)]
    first = next(v for k, v in block.items() if k != "rows")
    lines.append(
        "| planted | "
        + " | ".join(f"{first['planted'][e]:,}" for e in ents)
        + f" | {first['planted_total']:,} | | |"
    )
    for key, label in names.items():
        if key not in block:
            continue
        v = block[key]
        lines.append(
            f"| {label} | "
            + " | ".join(f"{v['found'].get(e, 0):,}" for e in ents)
            + f" | {v['found_total']:,} | {v['extra_on_hard_negatives']:,}"
            f" | {v['extra_elsewhere']:,} |"
        )
    return lines


def render_markdown(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"# pii-scan benchmark: {r['rows']:,} rows, {r['string_mb']:.0f} MB of strings "
        f"({r['csv_mb']:.0f} MB CSV)",
        "",
        f"Machine: {m['cpu_model']}, {m['cpu_count']} CPUs, {m['ram_gb']} GB RAM; "
        f"{m['platform']}; Python {m['python']}, pyarrow {m['pyarrow']}, numpy {m['numpy']}; "
        f"commit {m['git']}. The machine is shared: load average (1, 5, 15 min) "
        f"{m['load_start']} at the start, {m['load_end']} at the end.",
        "",
        f"Command: `{r['command']}` (total {r['total_seconds'] / 60:.1f} min). "
        + (
            "The CLI runs read pii_scan's bytecode, compiled first, as an installed CLI does."
            if m.get("cli_bytecode_compiled")
            else "pii_scan's bytecode could not be compiled first: the CLI runs include it."
        ),
        "",
        "| method | seconds | MB/s | rows/s | peak RSS | extrapolated from |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for key, label in LABELS.items():
        v = r["results"].get(key)
        if v is None:
            continue
        rss = f"{v['peak_rss_mb']:.0f} MB" if "peak_rss_mb" in v else ""
        src = f"{v['extrapolated_from_rows']:,} rows" if "extrapolated_from_rows" in v else ""
        lines.append(
            f"| {label} | {v['seconds']:,.1f} | {v['mb_s']:,.2f} | {v['rows_s']:,.0f} | {rss} "
            f"| {src} |"
        )
    core, cli = r["results"]["a_core"], r["results"]["a_cli"]
    lines += [
        "",
        f"Core peak RSS includes the whole table held in memory ({core['rss_before_mb']:.0f} MB "
        "before matching); the CLI streams the CSV. CPU seconds (user + system, median), which "
        "vary less with the machine's other load than wall time: core "
        f"{core['cpu_seconds']:.1f} s, CLI {cli.get('cpu_seconds', 0):.1f} s "
        "(two threads).",
        *_cli_runs_lines(cli),
        "",
        "| ratio | value | goal | |",
        "|---|---:|---:|---|",
    ]
    lines += [_goal_line(k, v) for k, v in r["ratios"].items()]
    a = r["agreement"]
    lines += [
        "",
        f"## Agreement before timing ({a['rows']:,} rows)",
        "",
        "Reference: the core built from only the recognizers (b) and (c) have "
        f"({len(r['pattern_recognizers'])} catalog entries of kinds digits/token/word/regex/cell),"
        f" min score 0.5. {a['separator_joined_only_in_core']:,} separator-joined core findings "
        "(`+86 138…`) are left out: one regex per entry cannot join them.",
        "",
        "| other method | core | other | both | recall of core | precision vs core | "
        "largest differences (column entity side count) |",
        "|---|---:|---:|---:|---:|---:|---|",
        _agree_row("(b) Presidio pattern recognizers", a["core_vs_presidio_patterns"]),
        _agree_row("(c) Python loop", a["core_vs_python_loop"]),
    ]
    note = (
        "Presidio raises a match whose `validate_result` passes to score 1.0 and removes "
        "overlaps only within one entity, so a Luhn-valid resident ID or order number also "
        "comes back as BANK_CARD; the core and the loop keep the catalog score (a bare "
        "Luhn-valid number is 0.4, below 0.5) and one entity per span."
    )
    if "full_catalog" in a:
        f = a["full_catalog"]
        lines.append(
            _agree_row(
                f"(b′) Presidio full catalog vs full core ({f['rows']:,} rows)",
                f["core_vs_presidio_full_catalog"],
            )
        )
    lines += ["", note]
    t = r["planted_truth"]
    lines += [
        "",
        f"## Found vs planted ({t['rows']:,} rows)",
        "",
        "A planted item counts as found by a finding of the same entity overlapping it. Hard "
        "negatives: every `order_id` and `ts_ms` cell, order numbers and timestamps in remarks.",
        "",
    ]
    lines += _truth_table(
        t,
        {
            "a_core_full": "(a) core, full catalog",
            "a_core_same_recognizers": "core, recognizers of (b)/(c) only",
            "b_presidio_patterns": "(b) Presidio pattern recognizers",
            "c_python_loop": "(c) Python loop",
        },
    )
    lines += ["", "Largest extra findings (column entity kind count):", ""]
    for key, v in t.items():
        if key != "rows" and key != "full_catalog" and v["extras"]:
            extras = "; ".join(
                f"{e['column']} {e['entity']} {e['kind']} {e['count']}" for e in v["extras"]
            )
            lines.append(f"- {key}: {extras}")
    lines += [
        "",
        "PERSON is 0 for every method per cell: a bare name cell scores 0.3 (below 0.5) without "
        "a listed column name; the CLI judges the `name` column from the share of such cells "
        "(below).",
    ]
    if r["cli_column_verdicts"]:
        lines += [
            "",
            "CLI column verdicts (first timed run, every row):",
            "",
            "| column | planted | CLI entity | tier | cells per entity |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {v['column']} | {v['planted']} | {v['entity'] or '-'} | {v['tier'] or '-'} | "
            + ", ".join(f"{k} {n:,}" for k, n in v["cells"].items())
            + " |"
            for v in r["cli_column_verdicts"]
        ]
    if "full_catalog" in t:
        lines += ["", f"Full catalog, {t['full_catalog']['rows']:,} rows:", ""]
        lines += _truth_table(
            t["full_catalog"],
            {
                "a_core_full": "(a) core, full catalog",
                "b_presidio_full_catalog": "(b′) Presidio full catalog",
            },
        )
    p = r["prose"]
    if p:
        lines += [
            "",
            f"## Prose corpus ({p['docs']:,} documents, {p['mb']:.2f} MB, "
            f"{p['gold_spans']:,} gold spans, `corpus.build`)",
            "",
            "| method | seconds | MB/s | gold spans found | extra findings |",
            "|---|---:|---:|---:|---:|",
        ]
        for key, v in p["methods"].items():
            tr = v["truth"]
            lines.append(
                f"| {PROSE_LABELS[key]} | {v['seconds']:.2f} | {v['mb_s']:.2f} | "
                f"{tr['found_total']:,} | {tr['extra_elsewhere']:,} |"
            )
    lines += [
        "",
        "## Scaling",
        "",
        "Core (child process, table in memory, batched):",
        "",
        "| rows | seconds | MB/s | peak RSS |",
        "|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {c['rows']:,} | {c['seconds']:.2f} | {c['mb_s']:.1f} | {c['peak_rss_mb']:.0f} MB |"
        for c in r["rows_curve"]
    ]
    lines += [
        "",
        "CLI (one CSV file, every row):",
        "",
        "| rows | seconds | MB/s | peak RSS | CSV | data |",
        "|---:|---:|---:|---:|---:|---|",
    ]
    lines += [
        f"| {c['rows']:,} | {c['seconds']:.1f} | {c['mb_s']:.1f} | {c['peak_rss_mb']:.0f} MB | "
        f"{c['csv_mb']:.0f} MB | {c['data']} |"
        if "error" not in c
        else f"| {c['rows']:,} | failed: {c['error'][-120:]} | | | | {c['data']} |"
        for c in r["cli_curve"]
    ]
    lines += [
        "",
        "Workers (CLI over a folder of CSV parts of the table):",
        "",
        "| workers | seconds | MB/s | peak RSS |",
        "|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {w['workers']} | {w['seconds']:.1f} | {w['mb_s']:.1f} | {w['peak_rss_mb']:.0f} MB |"
        if "error" not in w
        else f"| {w['workers']} | failed: {w['error'][-120:]} | | |"
        for w in r["workers"]
    ]
    lines += ["", "![scaling](scaling.png)", ""]
    return "\n".join(lines)


def plot(r: dict, path: Path) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot (pip install matplotlib)")
        return
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    cli_ok = [c for c in r["cli_curve"] if "error" not in c]
    workers_ok = [w for w in r["workers"] if "error" not in w]
    for series, label, style in (
        (r["rows_curve"], "core (in memory, batched)", "o-"),
        (cli_ok, "CLI (CSV → report)", "s-"),
    ):
        if series:
            ax1.loglog(
                [c["rows"] for c in series], [c["seconds"] for c in series], style, label=label
            )
    ref = cli_ok or r["rows_curve"]
    if ref:
        x0, y0 = ref[-1]["rows"], ref[-1]["seconds"]
        xs = [min(c["rows"] for c in ref), max(c["rows"] for c in ref)]
        ax1.loglog(xs, [y0 * x / x0 for x in xs], "k:", label="linear in rows")
    ax1.set_xlabel("rows")
    ax1.set_ylabel("seconds")
    ax1.set_title("time vs rows (full catalog)")
    ax1.grid(True, which="both", alpha=0.3)
    ax1.legend()
    ax2.plot([w["workers"] for w in workers_ok], [w["mb_s"] for w in workers_ok], "o-")
    ax2.set_xlabel("workers")
    ax2.set_ylabel("MB/s (CLI, folder of CSV parts)")
    ax2.set_title(f"throughput vs workers ({r['machine']['cpu_count']} CPUs)")
    ax2.set_xticks([w["workers"] for w in workers_ok])
    ax2.set_ylim(bottom=0)
    ax2.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)


if __name__ == "__main__":
    raise SystemExit(main())
