"""Precision, recall and F1 per entity on the development corpus (``benchmarks/corpus.py``).

Two measures:

* **prose, span level**: the matching core over every document (the column is named ``text``,
  findings at or above ``min_finding_score``). A predicted span is a true positive when it has
  the gold span's entity and the same offsets (*exact*), or overlaps it (*overlap*); each gold
  span is matched at most once.
* **tables, column level**: ``scan_table`` verdicts against the gold entity of every column
  (``None`` = not personal information). Per entity: TP = verdict and gold agree, FP = verdict
  says the entity but gold does not, FN = gold says it but the verdict does not. The minors
  flag of each table is checked as well.

Usage::

    python benchmarks/evaluate.py                 # seed 0, 1200 documents, 200 rows a column
    python benchmarks/evaluate.py --seed 1 --docs 3000 --errors 5
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import CHECKSUM_ENTITIES, build

from pii_scan.classify.policy import thresholds
from pii_scan.core import Matcher
from pii_scan.scan import ScanOptions, scan_table

AIMS = {
    "PERSON": 0.90,
    "CN_ADDRESS": 0.85,
    "HEALTH": 0.85,
    **dict.fromkeys(CHECKSUM_ENTITIES, 0.97),
}


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def score_prose(docs, matcher: Matcher, errors: int):
    min_score = float(thresholds()["min_finding_score"])
    table = matcher.match_array(
        pa.array([d.text for d in docs]), column="text", min_score=min_score
    )
    predicted = defaultdict(list)
    for row, start, end, entity in zip(
        table["row"].to_pylist(),
        table["start"].to_pylist(),
        table["end"].to_pylist(),
        table["entity"].to_pylist(),
        strict=True,
    ):
        predicted[row].append((start, end, entity))
    counts = {mode: defaultdict(Counter) for mode in ("exact", "overlap")}
    shown = defaultdict(list)
    for i, doc in enumerate(docs):
        for mode in ("exact", "overlap"):
            gold = list(doc.spans)
            used = [False] * len(gold)
            for s, e, ent in predicted.get(i, []):
                hit = None
                for j, (gs, ge, gent) in enumerate(gold):
                    if used[j] or gent != ent:
                        continue
                    if (gs, ge) == (s, e) if mode == "exact" else (s < ge and gs < e):
                        hit = j
                        break
                if hit is None:
                    counts[mode][ent]["fp"] += 1
                    if mode == "exact" and len(shown[ent]) < errors:
                        shown[ent].append(f"FP {doc.text[s:e]!r} in {doc.text!r}")
                else:
                    used[hit] = True
                    counts[mode][ent]["tp"] += 1
            for j, (gs, ge, gent) in enumerate(gold):
                if not used[j]:
                    counts[mode][gent]["fn"] += 1
                    if mode == "exact" and len(shown[gent]) < errors:
                        shown[gent].append(f"FN {doc.text[gs:ge]!r} in {doc.text!r}")
    return counts, shown


def score_tables(tabs, errors: int):
    counts = defaultdict(Counter)
    shown = defaultdict(list)
    minors_ok = 0
    options = ScanOptions(sample_rows=0)
    for tab in tabs:
        arrow = pa.table({c: pa.array(v, pa.string()) for c, v in tab["columns"].items()})
        report = scan_table(arrow, tab["name"], options)
        minors_ok += bool(report.get("minors", False)) == tab["minors"]
        for col in report["columns"]:
            gold, got = tab["labels"][col["name"]], col["entity"]
            if gold == got:
                if gold:
                    counts[gold]["tp"] += 1
                continue
            if got:
                counts[got]["fp"] += 1
            if gold:
                counts[gold]["fn"] += 1
            for ent in {gold, got} - {None}:
                if len(shown[ent]) < errors:
                    shown[ent].append(f"{tab['name']}.{col['name']}: gold {gold}, verdict {got}")
    return counts, shown, minors_ok


def print_table(title: str, counts: dict, aims: dict | None = None) -> None:
    print(f"\n{title}")
    print(f"  {'entity':<20} {'P':>6} {'R':>6} {'F1':>6} {'TP':>5} {'FP':>4} {'FN':>4}  aim")
    for ent in sorted(counts):
        c = counts[ent]
        p, r, f = prf(c["tp"], c["fp"], c["fn"])
        aim = (aims or {}).get(ent)
        mark = "" if aim is None else (f"≥{aim:.2f} {'ok' if f >= aim else 'MISSED'}")
        print(
            f"  {ent:<20} {p:6.3f} {r:6.3f} {f:6.3f} {c['tp']:5d} {c['fp']:4d} {c['fn']:4d}  {mark}"
        )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--docs", type=int, default=1200)
    ap.add_argument("--rows", type=int, default=200)
    ap.add_argument("--errors", type=int, default=0, help="show this many errors per entity")
    args = ap.parse_args()
    t0 = time.perf_counter()
    docs, tabs = build(args.seed, args.docs, args.rows)
    matcher = Matcher()
    counts, shown = score_prose(docs, matcher, args.errors)
    t1 = time.perf_counter()
    spans = sum(len(d.spans) for d in docs)
    print(
        f"corpus: seed {args.seed}, {len(docs)} documents, {spans} gold spans; {len(tabs)} tables"
    )
    print_table("prose, span level (exact offsets)", counts["exact"], AIMS)
    print_table("prose, span level (overlap)", counts["overlap"], AIMS)
    col_counts, col_shown, minors_ok = score_tables(tabs, args.errors)
    print_table("tables, column level", col_counts, AIMS)
    print(f"\n  minors flag right in {minors_ok}/{len(tabs)} tables")
    if args.errors:
        print("\nerrors (prose, exact):")
        for ent in sorted(shown):
            for line in shown[ent]:
                print(f"  {ent}: {line}")
        print("errors (tables):")
        for ent in sorted(col_shown):
            for line in col_shown[ent]:
                print(f"  {ent}: {line}")
    print(f"\nprose matched in {t1 - t0:.1f} s (including corpus generation and jieba start)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
