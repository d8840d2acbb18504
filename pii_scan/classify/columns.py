"""Column verdicts: which personal information a column holds, how sure we are, and its tier.

A :class:`ColumnStats` accumulates, batch after batch, what the matching core found in one
column (counts per entity, best scores, masked examples), with Arrow group-bys rather than
Python loops. :func:`column_verdict` turns the totals into the report's verdict:

* an entity *qualifies* when it has at least ``strong_min_cells`` cells with a finding scoring
  ``min_finding_score`` or more (validated checksum, or context), or when only weak matches
  exist but they cover ``weak_min_ratio`` of the non-empty values (a column of Luhn-valid card
  numbers with an uninformative header);
* the verdict is the qualifying personal entity with the highest tier under the run's policy,
  then the most cells; organisation codes (``CN_USCC``) never become a verdict;
* a column name alone never makes a verdict: it only raises the confidence of an entity the
  values support (and counts as context inside the core).

Thresholds live in ``models/classification.toml``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..catalog import Catalog
from .arrays import from_numpy, nonblank, numbers
from .names import column_matches
from .policy import TIER_RANK, Policy
from .tally import cell_maxima, encode

_EPOCH = dt.date(1970, 1, 1)


@dataclass
class EntityEvidence:
    cells: int = 0
    strong_cells: int = 0
    score_sum: float = 0.0
    examples: list[str] = field(default_factory=list)


@dataclass
class ColumnStats:
    name: str
    rows: int = 0
    nonempty: int = 0
    entities: dict[str, EntityEvidence] = field(default_factory=dict)

    def needs_examples(self) -> bool:
        """True until every entity seen has three examples (and before any was seen)."""
        return not self.entities or any(len(ev.examples) < 3 for ev in self.entities.values())

    def update(
        self,
        values: pa.Array,
        matches: pa.Table,
        min_score: float,
        examples: pa.Array | None = None,
    ) -> None:
        """Add one batch: ``values`` is the column's batch, ``matches`` the core's output."""
        self.rows += len(values)
        self.nonempty += int(np.count_nonzero(nonblank(values)))
        if matches.num_rows == 0:
            return
        rows, scores = numbers(matches["row"]), numbers(matches["score"])
        per_cell = cell_maxima(rows, matches["entity"], scores)
        for entity, cells, strong_cells, score_sum in zip(
            per_cell.keys,
            per_cell.cells().tolist(),
            per_cell.count_where(per_cell.best >= min_score).tolist(),
            per_cell.best_sum().tolist(),
            strict=True,
        ):
            ev = self.entities.setdefault(entity, EntityEvidence())
            ev.cells += cells
            ev.strong_cells += strong_cells
            ev.score_sum += score_sum
        if examples is not None:
            self._add_examples(matches, examples, min_score)

    def _add_examples(self, matches: pa.Table, masked: pa.Array, min_score: float) -> None:
        wanted = [e for e, ev in self.entities.items() if len(ev.examples) < 3]
        if not wanted:
            return
        # Scores are float32; compared as float64, as Arrow compares them with a Python float.
        strong = numbers(matches["score"]).astype(np.float64) >= min_score
        names, key = encode(matches["entity"])
        for entity in wanted:
            if entity not in names:
                continue
            ev = self.entities[entity]
            rows = np.flatnonzero(strong & (key == names.index(entity)))[: 3 - len(ev.examples)]
            for value in masked.take(from_numpy(rows)).to_pylist():
                if value not in ev.examples:
                    ev.examples.append(value)


@dataclass
class Verdict:
    entity: str | None
    confidence: float
    match_ratio: float
    entities: dict[str, int]
    name_agrees: bool
    reason: str


def column_verdict(stats: ColumnStats, catalog: Catalog, policy: Policy, cfg: dict) -> Verdict:
    """Decide a column's entity from its accumulated evidence (rules in the module doc)."""
    personal = {r.entity for r in catalog if r.personal}
    names_of: dict[str, list[str]] = {}
    for r in catalog:
        names_of.setdefault(r.entity, []).extend(r.column_names)
    counts = {e: ev.cells for e, ev in sorted(stats.entities.items())}
    denominator = max(stats.nonempty, 1)
    qualifying = []
    for entity, ev in stats.entities.items():
        ratio = ev.cells / denominator
        strong = ev.strong_cells >= cfg["strong_min_cells"]
        weak_enough = ratio >= cfg["weak_min_ratio"]
        if entity in personal and (strong or weak_enough):
            qualifying.append((TIER_RANK[policy.tier(entity)], ev.cells, entity, strong))
    if not qualifying:
        why = "no value matched a recognizer" if not counts else "matches too few or too weak"
        return Verdict(None, 0.0, 0.0, counts, False, why)
    qualifying.sort(reverse=True)
    _, cells, entity, strong = qualifying[0]
    ev = stats.entities[entity]
    ratio = cells / denominator
    mean_score = ev.score_sum / max(ev.cells, 1)
    name_agrees = column_matches(stats.name, names_of.get(entity, []))
    confidence = 1 - (1 - mean_score) * (1 - cfg["ratio_weight"] * min(ratio, 1.0)) * (
        1 - cfg["name_weight"] * name_agrees
    )
    reason = f"{ev.strong_cells} validated value(s)" if strong else f"{ratio:.0%} of values matched"
    return Verdict(entity, round(confidence, 2), round(ratio, 4), counts, name_agrees, reason)


class MinorsTracker:
    """Counts resident-ID holders younger than a policy's ``minors_age`` on the scan date."""

    def __init__(self, scan_date: dt.date, max_age: int | None = None):
        self.scan_date = scan_date
        self.birth_dates: Counter[dt.date] = Counter()
        # With ``max_age``, only holders younger than that are counted (``under(age)`` is
        # exact for every ``age <= max_age``), which keeps the per-batch work small.
        self._born_after = None if max_age is None else self._cutoff(max_age)

    def _cutoff(self, age: int) -> dt.date:
        try:
            return self.scan_date.replace(year=self.scan_date.year - age)
        except ValueError:  # 29 February
            return self.scan_date.replace(year=self.scan_date.year - age, day=28)

    def update(self, birth_dates: pa.ChunkedArray | pa.Array) -> None:
        valid = birth_dates.drop_null()
        if self._born_after is not None and len(valid):
            days = numbers(valid.cast(pa.int32()))  # date32: days since 1970-01-01
            valid = valid.filter(from_numpy(days > (self._born_after - _EPOCH).days))
        if len(valid):
            # Only the youngest dates matter; keep a bounded summary (distinct dates ≤ 36,500).
            counts = pc.value_counts(valid)
            for item in counts.to_pylist():
                self.birth_dates[item["values"]] += item["counts"]

    def under(self, age: int) -> int:
        if age <= 0:
            return 0
        cutoff = self._cutoff(age)
        if self._born_after is not None and cutoff < self._born_after:
            raise ValueError(f"this tracker counts holders under {self.scan_date} - max_age only")
        return sum(n for d, n in self.birth_dates.items() if d > cutoff)
