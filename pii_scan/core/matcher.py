"""The matching core: one Arrow string array in, one Arrow table of matches out.

Why this design (numbers from ``../shared/reference/perf-measurements.md``, this machine):

* Per-cell Python is the wall. A per-cell ``re`` loop runs at 9 MB/s, Presidio per cell at
  0.24 MB/s, while whole-array work reaches 90-140 MB/s. So nothing here runs Python per cell
  or per match on the hot path: loops run over recognizers, lengths and groupings (tens), never
  over rows.
* Numbers are found without regex. Digit runs come from a NumPy byte-class mask over the whole
  buffer (90 MB/s single-threaded), which also gives the "not glued to another digit" boundary
  that RE2 cannot express (no lookaround) and ``\\b`` gets wrong next to Hanzi.
* Candidates of one length are gathered into an (n, L) byte matrix, so the structure check (the
  recognizer's pattern cut into per-position byte tables, :mod:`.positional`; RE2 over all
  candidates at once where it cannot be cut) and the checksum (a NumPy validator over the
  matrix) are both whole-array operations.
* A batch is first asked which bytes it holds at all (one pass): a recognizer whose matches
  need a byte the batch lacks (:mod:`.required`: ``@`` for e-mail, a Hanzi for names, ``.``
  for coordinates) skips the batch, so a column of numbers costs the digit recognizers only.
* Text-shaped identifiers (e-mail, IP, plates) use pyarrow's RE2 kernels with a literal
  prefilter; only cells with two or more matches of one recognizer fall back to Python ``re``.
* Hyperscan was faster at raw scanning but its binding calls Python once per match (0.37 µs),
  capping it at 52 MB/s; polars was fastest but adds a second Arrow runtime for the same job.

>>> import pyarrow as pa
>>> m = Matcher()
>>> t = m.match_array(pa.array(["身份证110105199003071239", "电话 +86 138 0013 8000"]))
>>> t.select(["row", "start", "end", "entity"]).to_pylist()[0]
{'row': 0, 'start': 3, 'end': 21, 'entity': 'CN_RESIDENT_ID'}
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import inspect
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import validators
from ..catalog import Catalog, Recognizer, alternation, load_catalog
from ..classify.names import column_matches
from ..nlp.conditions import max_bytes
from . import functions
from .buffers import TextBuffer, take_cells
from .firstchar import BMP, cell_first_chars, first_chars, last_chars, may_be_trimmed
from .positional import position_check
from .regex import RegexFamily, byte_class
from .required import batch_may_match, required_bytes
from .runs import (
    ALNUM,
    DIGIT,
    LETTER,
    Candidates,
    alnum_tokens,
    byte_rows,
    digit_candidates,
    grouping_code,
    in_hex_words,
    in_uuids,
    word_spans,
)

MATCH_SCHEMA = pa.schema(
    [
        ("row", pa.int64()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("entity", pa.dictionary(pa.int32(), pa.string())),
        ("recognizer", pa.dictionary(pa.int32(), pa.string())),
        ("score", pa.float32()),
        ("birth_date", pa.date32()),
    ]
)

_DIGIT_OR_CHECK_LETTER = DIGIT.copy()
_DIGIT_OR_CHECK_LETTER[[ord("X"), ord("x")]] = True


@dataclass
class _Found:
    """Matches of one recognizer (arrays of equal length) before overlap resolution."""

    rec: int
    cells: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    birth: np.ndarray | None = None


def _as_tokens(chars: np.ndarray) -> pa.Array:
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32) if n else np.zeros(1, np.int32)
    data = np.ascontiguousarray(chars)
    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))


class Matcher:
    """Compiled catalog; :meth:`match_array` finds every recognizer's matches in an array."""

    def __init__(self, catalog: Catalog | None = None, today: dt.date | None = None):
        """``today``: the date an age is counted from (the scan date; default: today)."""
        self.catalog = catalog or load_catalog()
        self.recognizers: list[Recognizer] = list(self.catalog.recognizers)
        self._validators = {
            r.validator: validators.get(r.validator).batch for r in self.recognizers if r.validator
        }
        self._extractors = {}
        self._checked_births = {}
        for r in self.recognizers:
            if "birth_date" in r.extracts:
                module = importlib.import_module(f"pii_scan.validators.{r.validator}")
                extract = module.birth_dates
                if "today" in inspect.signature(extract).parameters:  # an age: from the scan date
                    extract = functools.partial(extract, today=today)
                self._extractors[r.id] = extract
                if hasattr(module, "batch_with_birth_dates"):  # checked and decoded at once
                    self._checked_births[r.id] = module.batch_with_birth_dates
        self._structure_checks: dict = {}
        self._priority = np.array([r.priority for r in self.recognizers], np.int64)
        self._lookalike = np.array([r.lookalike for r in self.recognizers], bool)
        # A score this high was lifted by context (recognizers whose context adds nothing: never).
        self._lifted = np.array(
            [r.context_score if r.context_score > r.score else np.inf for r in self.recognizers],
            np.float32,
        )
        # The output's dictionaries: a match's recognizer is its index, its entity a code.
        self._recognizer_ids = pa.array([r.id for r in self.recognizers], pa.string())
        entities = list(dict.fromkeys(r.entity for r in self.recognizers))
        self._entities = pa.array(entities, pa.string())
        self._entity_code = np.array([entities.index(r.entity) for r in self.recognizers], np.int32)
        self._by_kind: dict[str, list[int]] = defaultdict(list)
        for i, r in enumerate(self.recognizers):
            self._by_kind[r.kind].append(i)
        digits = [self.recognizers[i] for i in self._by_kind["digits"]]
        self._digit_lengths = {n for r in digits for n in r.lengths}
        self._digit_groupings = {grouping_code(g) for r in digits for g in r.groupings}
        self._digit_letter = {max(r.lengths) for r in digits if r.check_letter}
        self._token_lengths = {
            n for i in self._by_kind["token"] for n in self.recognizers[i].lengths
        }
        self._accepts = {  # grouping codes; 0: a bare run
            i: {grouping_code(g) for g in self.recognizers[i].groupings}
            | ({0} if self.recognizers[i].bare else set())
            for i in self._by_kind["digits"]
        }
        self._regex = {i: RegexFamily(self.recognizers[i]) for i in self._by_kind["regex"]}
        self._functions = {
            i: functions.get(self.recognizers[i].function) for i in self._by_kind["function"]
        }
        self._words: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for i in self._by_kind["word"]:
            r = self.recognizers[i]
            self._words[(r.charset, r.must_contain, r.trim)].append(i)
        self._must_inside = {
            key: all(_must_inside(self.recognizers[i], byte_class(key[1])) for i in members)
            for key, members in self._words.items()
        }
        # Bit k of _start_bits[c]: the k-th cell recognizer's matches may start with char c.
        if len(self._by_kind["cell"]) > 64:
            raise ValueError("a catalog may hold at most 64 recognizers of kind 'cell'")
        self._cell_bit = {
            i: np.uint64(1) << np.uint64(k) for k, i in enumerate(self._by_kind["cell"])
        }
        self._start_bits = np.zeros(BMP, dtype=np.uint64)
        for i, bit in self._cell_bit.items():
            table = first_chars(self.recognizers[i].pattern, self.recognizers[i].ignore_case)
            self._start_bits[table if table is not None else slice(None)] |= bit
        # Bit k of _fits[n]: the k-th cell recognizer may match a cell of n bytes (the last
        # entry: of more bytes than any bounded pattern's longest match).
        longest = {
            i: max_bytes(self.recognizers[i].pattern, self.recognizers[i].ignore_case)
            for i in self._by_kind["cell"]
        }
        top = max([n for n in longest.values() if n is not None], default=0) + 1
        self._fits = np.zeros(top + 1, dtype=np.uint64)
        for i, n in longest.items():
            self._fits[: top + 1 if n is None else n + 1] |= self._cell_bit[i]
        self._context = {
            i: alternation(r.context) for i, r in enumerate(self.recognizers) if r.context
        }
        # Bytes a batch must hold for a recognizer (or its context words) to find anything.
        self._needs = {
            i: required_bytes(r.pattern, r.ignore_case)
            for i, r in enumerate(self.recognizers)
            if r.kind in ("cell", "regex", "word", "token") and r.pattern
        }
        self._context_needs = {i: required_bytes(c, True) for i, c in self._context.items()}
        # Look-alikes (lookalikes.after / .columns in the catalog): labels before a match.
        self._not_after = {
            i: r.not_after_pattern for i, r in enumerate(self.recognizers) if r.not_after
        }
        # Recognizers of what is not personal information, with context words: where their
        # context is, they may take a candidate a personal one claimed (_contested_here).
        self._contesting = [
            i for i, r in enumerate(self.recognizers) if not r.personal and i in self._context
        ]

    # -- public -------------------------------------------------------------------------
    def match_array(
        self,
        arr: pa.Array | pa.ChunkedArray,
        column: str | None = None,
        *,
        offsets: bool = True,
        values: bool = False,
        min_score: float = 0.0,
    ) -> pa.Table:
        """Every match in ``arr``: row, start, end (code points; bytes if ``offsets=False``),
        entity, recognizer (both dictionary-encoded strings), score and, for resident IDs, the
        holder's birth date.

        ``column`` is the column's name: a name that a recognizer lists counts as context for
        every cell. With ``values=True`` a ``value`` column holds the matched original text.

        What a cell holds depends on that cell and the column name alone, so an array that
        repeats its values (remarks, statuses, common names) is matched once per distinct
        value and the matches are copied to every row holding it.
        """
        distinct = _distinct(arr)
        if distinct is None:
            return self._match(arr, column, offsets, values, min_score)
        dictionary, indices = distinct
        return _to_rows(self._match(dictionary, column, offsets, values, min_score), indices)

    def _match(self, arr, column, offsets: bool, values: bool, min_score: float) -> pa.Table:
        buf = TextBuffer.from_array(arr)
        found = self._find_all(buf, column)
        table = self._resolve(buf, found, offsets=offsets, values=values)
        if min_score > 0 and table.num_rows:
            table = table.filter(pc.greater_equal(table["score"], min_score))
        return table

    # -- candidate search ---------------------------------------------------------------
    def _find_all(self, buf: TextBuffer, column: str | None) -> list[tuple[_Found, np.ndarray]]:
        results: list[_Found] = []
        if len(buf.data) == 0:
            return []
        present = buf.bytes_present()
        if self._by_kind["digits"] and present[DIGIT].any():
            cands = digit_candidates(
                buf, self._digit_lengths, self._digit_groupings, self._digit_letter
            )
            found = self._check_candidates(
                cands,
                self._by_kind["digits"],
                grouped=True,
                contested=lambda i: self._contested_here(i, buf, column, present),
            )
            results += [_outside_hex_words(buf, f) for f in found]
        tokens = [i for i in self._by_kind["token"] if batch_may_match(present, self._needs[i])]
        if tokens and present[LETTER].any():
            cands = alnum_tokens(buf, self._token_lengths)
            results += self._check_candidates(cands, tokens, grouped=False)
        for key, members in self._words.items():
            charset, must, trim = (byte_class(k) if k else np.zeros(256, bool) for k in key)
            members = [i for i in members if batch_may_match(present, self._needs[i])]
            if not members or not buf.holds_any(must):
                continue
            inside = self._must_inside[key]
            cells, starts, ends = word_spans(buf, charset, must, trim, inside=inside)
            if len(cells) == 0:
                continue
            words = _slices(buf.data, starts, ends)
            # Look-alikes are dropped whichever matched: one pass for all of them.
            alike = [i for i in members if self._lookalike[i] and not self.recognizers[i].validator]
            passes = [([i], self.recognizers[i].pattern) for i in members if i not in alike]
            if alike:
                passes.append((alike, "|".join(self._flagged(i) for i in alike)))
            for ids, pattern in passes:
                rec = self.recognizers[ids[0]]
                flag = "(?i)" if rec.ignore_case and len(ids) == 1 else ""
                ok = pc.match_substring_regex(words, f"{flag}^(?:{pattern})$")
                ok = ok.to_numpy(zero_copy_only=False)
                if ok.any():
                    results.append(
                        self._validate_spans(ids[0], buf, cells[ok], starts[ok], ends[ok])
                    )
        if self._by_kind["cell"]:
            results += self._whole_cells(buf, column)
        if self._regex or self._by_kind["function"]:
            arr = _folded_array(buf)
            for i in [*self._regex, *self._by_kind["function"]]:
                only = None
                rec = self.recognizers[i]
                if i in self._regex and not batch_may_match(present, self._needs[i]):
                    continue
                if rec.requires_context and not self._column_context(rec, column):
                    if i not in self._context:
                        continue  # context only from the column name, as for cells
                    if not batch_may_match(present, self._context_needs[i]):
                        continue
                    if not _anywhere(buf, self._context[i]):
                        continue
                    # No finding without context: look only where a context word is.
                    hit = pc.match_substring_regex(arr, self._context[i], ignore_case=True)
                    only = np.flatnonzero(hit.to_numpy(zero_copy_only=False))
                if i in self._regex:
                    cells, starts, ends = self._regex[i].find(buf, arr, only)
                else:
                    cells, starts, ends = self._functions[i](buf, arr, only, rec)
                if len(cells):
                    results.append(self._validate_spans(i, buf, cells, starts, ends))
        results = [self._without_lookalikes(buf, f, column) for f in results]
        return [(f, self._scores(buf, f, column)) for f in results if len(f.cells)]

    def _without_lookalikes(self, buf: TextBuffer, f: _Found, column: str | None) -> _Found:
        """``f`` without what its recognizer's look-alike labels say is something else: all
        of it in a column of those names, else the matches right after one (发票代码 …)."""
        rec = self.recognizers[f.rec]
        if column is not None and rec.not_in_columns and _named(column, rec.not_in_columns):
            return _Found(f.rec, f.cells[:0], f.starts[:0], f.ends[:0], None)
        if f.rec not in self._not_after or len(f.cells) == 0:
            return f
        # Only matches with text before them in their cell: up to 48 bytes of it (a label and
        # its connector), from the start of a character.
        after_text = np.flatnonzero(f.starts > buf.offsets[f.cells])
        if len(after_text) == 0:
            return f
        start = f.starts[after_text]
        lo = np.maximum(start - 48, buf.offsets[f.cells[after_text]])
        for _ in range(3):  # off UTF-8 continuation bytes
            lo += ((buf.data[lo] & 0xC0) == 0x80) & (lo < start)
        before = _slices(buf.data, lo, start)
        hit = pc.match_substring_regex(before, self._not_after[f.rec], ignore_case=True)
        drop = after_text[hit.to_numpy(zero_copy_only=False)]
        if len(drop) == 0:
            return f
        keep = np.ones(len(f.cells), dtype=bool)
        keep[drop] = False
        birth = f.birth[keep] if f.birth is not None else None
        return _Found(f.rec, f.cells[keep], f.starts[keep], f.ends[keep], birth)

    def _flagged(self, i: int) -> str:
        """Recognizer ``i``'s pattern as a group carrying its own case flag."""
        rec = self.recognizers[i]
        return f"(?{'i' if rec.ignore_case else ''}:{rec.pattern})"

    def _contested_here(self, i: int, buf: TextBuffer, column: str | None, present) -> bool:
        """Is ``i`` a recognizer of what is *not* personal information (an organisation's
        credit code) whose context this batch holds? Then it checks the candidates another
        recognizer claimed. Asked only where a claim stands in its way; cached per batch."""
        if i not in self._contesting:
            return False
        store = buf.cache("matcher.contested")
        if i not in store:
            rec = self.recognizers[i]
            store[i] = self._column_context(rec, column) or (
                batch_may_match(present, self._context_needs[i])
                and _anywhere(buf, self._context[i])
            )
        return store[i]

    def _check_candidates(
        self,
        cands: list[Candidates],
        rec_ids: list[int],
        grouped: bool,
        contested: Callable[[int], bool] = lambda i: False,
    ):
        """Structure check (RE2 over all candidates) and checksum (NumPy) per recognizer.

        Recognizers go by priority; a candidate confirmed by one that needs no context is
        claimed, so lower-priority ones (a card check on a valid resident ID) skip it: overlap
        resolution would drop their identical span anyway. Those ``contested`` says check
        every candidate: with their context, their identical span wins
        (:meth:`_best_of_identical`).
        """
        out: list[_Found] = []
        ordered = sorted(rec_ids, key=lambda i: -self.recognizers[i].priority)
        for cand in cands:
            open_rows = None  # all of them, until one is claimed
            for i in ordered:
                rec = self.recognizers[i]
                if cand.length not in rec.lengths:
                    continue
                rows = None if open_rows is not None and contested(i) else open_rows
                if rows is not None and not len(rows):
                    continue
                if grouped and cand.grouping not in self._accepts[i]:
                    continue
                chars = cand.chars if rows is None else cand.chars[rows]
                ok = self._structure(i, cand.length, grouped)(chars)
                if not ok.any():
                    continue
                sel = np.flatnonzero(ok) if rows is None else rows[ok]
                chars = chars[ok]
                birth = None
                if rec.id in self._checked_births:
                    valid, birth = self._checked_births[rec.id](chars)
                    sel, chars, birth = sel[valid], chars[valid], birth[valid]
                elif rec.validator:
                    valid = self._validators[rec.validator](chars)
                    sel, chars = sel[valid], chars[valid]
                if len(sel) == 0:
                    continue
                if birth is None and rec.id in self._extractors:
                    birth = self._extractors[rec.id](chars)
                out.append(_Found(i, cand.cells[sel], cand.starts[sel], cand.ends[sel], birth))
                if not rec.requires_context:
                    still_open = np.ones(len(cand), dtype=bool)
                    if open_rows is not None:
                        still_open[:] = False
                        still_open[open_rows] = True
                    still_open[sel] = False
                    open_rows = np.flatnonzero(still_open)
        return out

    def _structure(self, i: int, length: int, digits: bool):
        """The check of recognizer ``i``'s pattern over an (n, ``length``) candidate matrix:
        NumPy look-ups per position where the pattern allows, else RE2."""
        key = (i, length, digits)
        check = self._structure_checks.get(key)
        if check is None:
            rec = self.recognizers[i]
            alphabet = _DIGIT_OR_CHECK_LETTER if digits else ALNUM
            check = position_check(rec.pattern, length, alphabet, rec.ignore_case)
            if check is None:
                regex = f"^(?:{rec.pattern})$"

                def check(chars, regex=regex, ignore_case=rec.ignore_case):
                    ok = pc.match_substring_regex(_as_tokens(chars), regex, ignore_case=ignore_case)
                    return ok.to_numpy(zero_copy_only=False)

            self._structure_checks[key] = check
        return check

    def _whole_cells(self, buf: TextBuffer, column: str | None) -> list[_Found]:
        """``cell`` recognizers: the trimmed cell must match; the span is the trimmed cell."""
        present = buf.bytes_present()
        out: list[_Found] = []
        active = [
            i
            for i in self._by_kind["cell"]
            if (
                not self.recognizers[i].requires_context
                or self._column_context(self.recognizers[i], column)
            )
            and batch_may_match(present, self._needs[i])
        ]
        if not active:
            return out
        # A cell can only match the patterns that may start with its first character: one
        # look-up gives, per cell, the bits of the active patterns that may.
        active_bits = np.bitwise_or.reduce([self._cell_bit[i] for i in active])
        first = cell_first_chars(buf)
        bits = self._start_bits[np.maximum(first, 0)]
        bits[first < 0] = active_bits  # empty, starting with a space or beyond the BMP
        bits &= active_bits
        lengths = np.diff(buf.offsets)
        fits = self._fits[np.minimum(lengths, len(self._fits) - 1)]
        fits[may_be_trimmed(buf)] = active_bits  # the trimmed cell may be shorter
        bits &= fits
        some = np.flatnonzero((bits != 0) & (lengths > 0))
        if len(some) == 0:
            return out
        # One RE2 pass with every pattern some cell may still match finds the few cells worth
        # a closer look.
        left = np.bitwise_or.reduce(bits[some])
        active = [i for i in active if left & self._cell_bit[i]]
        union = "|".join(self._flagged(i) for i in active)
        raw = take_cells(_folded_array(buf), some)
        trimmed = pc.utf8_trim_whitespace(raw)
        width = pc.binary_length(trimmed).to_numpy(zero_copy_only=False)
        hit = pc.match_substring_regex(trimmed, f"^(?:{union})$").to_numpy(zero_copy_only=False)
        hit = np.flatnonzero(hit & (width > 0))  # positions in ``some``
        if len(hit) == 0:
            return out
        lead = np.zeros(len(some), dtype=np.int64)
        lead[hit] = (
            pc.binary_length(pc.utf8_rtrim_whitespace(raw.take(pa.array(hit)))).to_numpy(
                zero_copy_only=False
            )
            - width[hit]
        )
        # A cell only one active pattern can start matched that pattern: the union says so.
        hit_bits = bits[some[hit]]
        alone = np.bitwise_count(hit_bits) == 1
        for i in active:
            rec = self.recognizers[i]
            mine_ok = (hit_bits & self._cell_bit[i]) != 0
            mine = hit[mine_ok & ~alone]
            if len(mine):
                flag = "(?i)" if rec.ignore_case else ""
                ok = pc.match_substring_regex(
                    trimmed.take(pa.array(mine)), f"{flag}^(?:{rec.pattern})$"
                )
                mine = mine[ok.to_numpy(zero_copy_only=False)]
            sure = hit[mine_ok & alone]
            if len(sure):
                mine = np.sort(np.concatenate((sure, mine))) if len(mine) else sure
            if len(mine):
                cells = some[mine]
                starts = buf.offsets[cells] + lead[mine]
                out.append(self._validate_spans(i, buf, cells, starts, starts + width[mine]))
        return out

    def _validate_spans(self, i, buf, cells, starts, ends) -> _Found:
        rec = self.recognizers[i]
        if not rec.validator:
            return _Found(i, cells, starts, ends)
        keep = np.zeros(len(cells), dtype=bool)
        extract = self._extractors.get(rec.id)
        birth = np.full(len(cells), "NaT", "M8[D]") if extract else None
        lengths = ends - starts
        for length in np.unique(lengths):
            sel = np.flatnonzero(lengths == length)
            chars = byte_rows(buf.data, starts[sel], int(length))
            if extract:  # from the span as written (dates need their separators)
                birth[sel] = extract(chars)
            for rows, compact in _compact_groups(chars):
                keep[sel[rows]] = self._validators[rec.validator](compact)
        if birth is not None:
            birth = birth[keep]
        return _Found(i, cells[keep], starts[keep], ends[keep], birth)

    def _scores(self, buf: TextBuffer, f: _Found, column: str | None) -> np.ndarray:
        rec = self.recognizers[f.rec]
        context = np.zeros(len(f.cells), dtype=bool)
        if self._column_context(rec, column):
            context[:] = True
        elif f.rec in self._context and rec.kind != "cell":
            cells, inverse = np.unique(f.cells, return_inverse=True)
            arr = take_cells(_folded_array(buf), cells)
            hit = pc.match_substring_regex(arr, self._context[f.rec], ignore_case=True)
            context = hit.to_numpy(zero_copy_only=False)[inverse]
        scores = np.where(context, rec.context_score, rec.score).astype(np.float32)
        if rec.requires_context:
            scores[~context] = 0.0
        return scores

    def _best_of_identical(self, starts, ends, recs, scores) -> np.ndarray:
        """Indices of the best span of each group of identical spans, in buffer order: one
        its context supports first (an all-digit credit code after 统一社会信用代码 is no
        resident ID, though it passes as one), then the higher priority, then the score."""
        supported = (scores >= self._lifted[recs]) | self._lookalike[recs]
        order = np.lexsort((-scores, -self._priority[recs], ~supported, ends, starts))
        s, e = starts[order], ends[order]
        first = np.concatenate(([True], (s[1:] != s[:-1]) | (e[1:] != e[:-1])))
        return order[first]

    def _best_of_overlapping(self, starts, ends, recs, scores) -> np.ndarray:
        """Indices of the spans that survive overlap resolution, in buffer order."""
        priority = self._priority[recs]
        # Of overlapping spans the longest wins, then the higher priority, then the score.
        rank = np.lexsort((-scores, -priority, -(ends - starts)))
        best_first = np.empty_like(rank)
        best_first[rank] = np.arange(len(rank))
        order = np.lexsort((best_first, starts))
        kept = order[_non_overlapping(starts[order], ends[order], best_first[order])]
        return kept[np.argsort(starts[kept], kind="stable")]

    @staticmethod
    def _column_context(rec: Recognizer, column: str | None) -> bool:
        return column is not None and bool(rec.column_names) and _named(column, rec.column_names)

    # -- overlap resolution and output --------------------------------------------------
    def _resolve(self, buf, found, *, offsets: bool, values: bool) -> pa.Table:
        found = [(f, s) for f, s in found if (s > 0).any()]
        if not found:
            return _empty_table(values)
        cells = np.concatenate([f.cells[s > 0] for f, s in found])
        starts = np.concatenate([f.starts[s > 0] for f, s in found])
        ends = np.concatenate([f.ends[s > 0] for f, s in found])
        recs = np.concatenate([np.full(int((s > 0).sum()), f.rec, np.int32) for f, s in found])
        scores = np.concatenate([s[s > 0] for f, s in found])
        births = np.concatenate(
            [
                f.birth[s > 0]
                if f.birth is not None
                else np.full(int((s > 0).sum()), "NaT", "M8[D]")
                for f, s in found
            ]
        )
        keep = np.argsort(starts, kind="stable")
        if len(keep) > 1 and (starts[keep[1:]] < ends[keep[:-1]]).any():
            # Only spans that overlap another need ranking: the rest stay as they are.
            clash = _overlapping(starts[keep], ends[keep])
            part = keep[clash]
            # Identical spans (two address patterns over one address cell) first: the best
            # ranked of each stays. Whatever still overlaps goes through the full ranking.
            best = part[self._best_of_identical(starts[part], ends[part], recs[part], scores[part])]
            if len(best) > 1 and (starts[best[1:]] < ends[best[:-1]]).any():
                sub = self._best_of_overlapping(starts[best], ends[best], recs[best], scores[best])
                best = best[sub]
            keep = np.concatenate((keep[~clash], best))
            keep = keep[np.argsort(starts[keep], kind="stable")]
        if self._lookalike.any():  # look-alikes have taken their spans: now they go
            keep = keep[~self._lookalike[recs[keep]]]
            if len(keep) == 0:
                return _empty_table(values)
        cells, starts, ends = cells[keep], starts[keep], ends[keep]
        recs, scores, births = recs[keep], scores[keep], births[keep]

        if offsets:
            out_start = buf.codepoint_offsets(cells, starts)
            out_end = buf.codepoint_offsets(cells, ends)
        else:
            base = buf.original_offsets[cells]  # bytes of the original cell, not the folded one
            out_start = buf.original_position(starts) - base
            out_end = buf.original_position(ends) - base
        columns = {
            "row": pa.array(cells, pa.int64()),
            "start": pa.array(out_start, pa.int64()),
            "end": pa.array(out_end, pa.int64()),
            "entity": pa.DictionaryArray.from_arrays(self._entity_code[recs], self._entities),
            "recognizer": pa.DictionaryArray.from_arrays(recs, self._recognizer_ids),
            "score": pa.array(scores, pa.float32()),
            "birth_date": pa.array(births.astype("M8[D]"), pa.date32()),
        }
        if values:
            o_start = buf.original_position(starts)
            o_end = buf.original_position(ends)
            columns["value"] = _slices(buf.original, o_start, o_end)
        return pa.table(columns)


#: Cells looked at to guess whether an array repeats values enough to match distinct ones,
#: and the share of distinct values in them above which it is not tried (repeats grow with
#: the number of cells: 85% distinct in the first 2,048 benchmark remarks, 55% in 65,536).
_DISTINCT_SAMPLE = 2048
_SAMPLE_DISTINCT_BELOW = 0.95
#: Distinct values under this share of the cells: match each once (dictionary encoding costs
#: ~0.1 µs a cell, matching ~10 µs a prose cell).
_DISTINCT_BELOW = 0.8


def _distinct(arr: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, np.ndarray] | None:
    """(distinct values, the index of each row's value, -1 for null) when ``arr`` repeats its
    values enough to be matched once per value; None otherwise.

    A sample decides first, so that arrays of identifiers (all distinct) cost a look at their
    first cells only.

    >>> values, rows = _distinct(pa.array(["a", None, "b", "a"] * 600))
    >>> values.to_pylist(), rows[:5].tolist()
    (['a', 'b'], [0, -1, 1, 0, 0])
    >>> _distinct(pa.array([str(i) for i in range(3000)])) is None
    True
    """
    if len(arr) < _DISTINCT_SAMPLE:
        return None
    sample = arr.slice(0, _DISTINCT_SAMPLE)
    if pc.count_distinct(sample, mode="all").as_py() > _SAMPLE_DISTINCT_BELOW * len(sample):
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    encoded = pc.dictionary_encode(arr)
    if len(encoded.dictionary) > _DISTINCT_BELOW * len(arr):
        return None
    rows = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return encoded.dictionary, rows


def _to_rows(table: pa.Table, value_of_row: np.ndarray) -> pa.Table:
    """The matches of distinct values (``row``: the value's index) as matches of the rows
    holding each value, in row order."""
    if table.num_rows == 0:
        return table
    held = np.flatnonzero(value_of_row >= 0)
    rows_by_value = held[np.argsort(value_of_row[held], kind="stable")]
    count = np.bincount(value_of_row[held], minlength=int(value_of_row.max()) + 1)
    first = np.cumsum(count) - count
    value = table["row"].to_numpy()
    copies = count[value]
    match = np.repeat(np.arange(len(value)), copies)
    nth = np.arange(len(match)) - np.repeat(np.cumsum(copies) - copies, copies)
    rows = rows_by_value[first[value[match]] + nth]
    order = np.argsort(rows, kind="stable")  # a row's matches stay in their value's order
    out = table.take(pa.array(match[order]))
    return out.set_column(out.schema.get_field_index("row"), "row", pa.array(rows[order]))


def _must_inside(rec: Recognizer, must: np.ndarray) -> bool:
    """Does every match of ``rec`` hold a ``must`` byte, never as its first or last byte (the
    ``@`` of an e-mail address, the dots of a dotted quad)? Then a word's must byte matters
    only between two bytes of the word (:func:`~.runs.word_spans`)."""
    if must[128:].any():
        return False
    first = first_chars(rec.pattern, rec.ignore_case)
    last = last_chars(rec.pattern, rec.ignore_case)
    if first is None or last is None or (first[:256] & must).any() or (last[:256] & must).any():
        return False
    return any(not (need & ~must).any() for need in required_bytes(rec.pattern, rec.ignore_case))


@lru_cache(maxsize=4096)
def _named(column: str, names: tuple[str, ...]) -> bool:
    """Does ``column`` match one of ``names``? Asked per recognizer and batch: remembered."""
    return column_matches(column, names)


def _overlapping(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A boolean per span (sorted by start): does it overlap another span?

    >>> _overlapping(np.array([0, 2, 3, 9, 12]), np.array([5, 3, 4, 10, 13])).tolist()
    [True, True, True, False, False]
    """
    if len(starts) == 0:
        return np.zeros(0, dtype=bool)
    reach = np.maximum.accumulate(ends)  # the furthest end of the spans so far
    opens = np.concatenate(([True], starts[1:] >= reach[:-1]))  # a span starting a new run
    run = np.cumsum(opens) - 1
    return np.bincount(run)[run] > 1


def _non_overlapping(starts, ends, rank) -> np.ndarray:
    """Keep the best of overlapping spans; ``rank`` orders spans best-first (0 = best).

    Input is sorted by start. Spans are byte positions in one buffer, so spans of different
    cells never overlap. Identical spans and pairs of overlapping spans are settled
    vectorized (the best-ranked stays); clusters of three or more overlapping spans by a
    short loop over them.

    >>> _non_overlapping(np.array([0, 2, 6, 7, 8]), np.array([4, 5, 9, 10, 11]),
    ...                  np.array([1, 0, 2, 3, 4])).tolist()
    [False, True, True, False, False]
    """
    n = len(starts)
    keep = np.ones(n, dtype=bool)
    if n < 2:
        return keep
    same = np.concatenate(([False], (starts[1:] == starts[:-1]) & (ends[1:] == ends[:-1])))
    keep &= ~same  # sorted so that the best of identical spans comes first
    idx = np.flatnonzero(keep)
    s, e = starts[idx], ends[idx]
    if len(idx) < 2:
        return keep
    prev_max_end = np.maximum.accumulate(e)[:-1]
    clash = np.concatenate(([False], s[1:] < prev_max_end))
    if not clash.any():
        return keep
    first = np.flatnonzero(~clash)
    bounds = np.append(first, len(idx))
    size = np.diff(bounds)
    # Two spans that overlap (a +86 phone and the phone in it): the better one stays.
    pair = bounds[:-1][size == 2]
    first_of, second_of = idx[pair], idx[pair + 1]
    keep[np.where(rank[first_of] < rank[second_of], second_of, first_of)] = False
    multi = np.flatnonzero(size > 2)
    for b in multi.tolist():
        members = idx[bounds[b] : bounds[b + 1]]
        taken: list[tuple[int, int]] = []
        for j in members[np.argsort(rank[members], kind="stable")].tolist():
            if any(starts[j] < te and ts < ends[j] for ts, te in taken):
                keep[j] = False
            else:
                taken.append((starts[j], ends[j]))
    return keep


_STRIP = np.zeros(256, dtype=bool)
_STRIP[[ord(c) for c in " -()/"]] = True


def _outside_hex_words(buf: TextBuffer, f: _Found) -> _Found:
    """``f`` without the spans inside hash-like hex words (:func:`in_hex_words`) and UUIDs
    (:func:`in_uuids`)."""
    inside = in_hex_words(buf, f.cells, f.starts, f.ends)
    if (~inside).any():
        rest = np.flatnonzero(~inside)
        inside[rest] = in_uuids(buf, f.cells[rest], f.starts[rest], f.ends[rest])
    if not inside.any():
        return f
    keep = ~inside
    birth = f.birth[keep] if f.birth is not None else None
    return _Found(f.rec, f.cells[keep], f.starts[keep], f.ends[keep], birth)


def _compact_groups(chars: np.ndarray):
    """Drop separator bytes from (n, L) rows; yields (row indices, compact matrix) per width."""
    strip = np.take(_STRIP, chars)  # a 2-D index costs twice as much as take
    if not strip.any():
        yield np.arange(len(chars)), chars
        return
    kept = (~strip).sum(axis=1)
    moved = np.take_along_axis(chars, np.argsort(strip, axis=1, kind="stable"), axis=1)
    for width in np.unique(kept):
        rows = np.flatnonzero(kept == width)
        yield rows, moved[rows, :width]


def _slices(data: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """The byte spans ``data[start:end]`` as a string array."""
    if len(starts) and (starts[1:] >= ends[:-1]).all():
        # In order and apart (as after overlap resolution): the spans and the gaps between
        # them are consecutive strings of one array over ``data``; Arrow takes every other.
        bounds = np.empty(2 * len(starts), dtype=np.int64)
        bounds[0::2], bounds[1::2] = starts, ends
        both = pa.LargeStringArray.from_buffers(
            len(bounds) - 1, pa.py_buffer(bounds), pa.py_buffer(np.ascontiguousarray(data))
        )
        return both.take(pa.array(np.arange(0, len(bounds), 2))).cast(pa.string())
    lengths = ends - starts
    offsets = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    idx = np.repeat(starts - offsets[:-1], lengths) + np.arange(offsets[-1])
    return pa.LargeStringArray.from_buffers(
        len(starts), pa.py_buffer(offsets), pa.py_buffer(data[idx])
    ).cast(pa.string())


def _anywhere(buf: TextBuffer, words: str) -> bool:
    """Does any cell hold one of the context ``words`` (an alternation, any case)?

    One RE2 pass over the batch's bytes read as a single value: without the ~0.05 µs each
    cell costs, 2-3× faster than a pass per cell when (as usual) no cell holds one. A word
    spanning two cells may answer yes for none; the pass per cell that follows settles it.

    >>> _anywhere(TextBuffer.from_strings(["澳門身份證 1234567(8)", "x"]), "澳門身份證|BIR")
    True
    >>> _anywhere(TextBuffer.from_strings(["1234567(8)", None]), "澳門身份證|BIR")
    False
    """
    ends = np.array([buf.offsets[0], buf.offsets[-1]], dtype=np.int64)
    whole = pa.Array.from_buffers(
        pa.large_binary(),
        1,
        [None, pa.py_buffer(ends), pa.py_buffer(np.ascontiguousarray(buf.data))],
    )
    return bool(pc.match_substring_regex(whole, words, ignore_case=True)[0].as_py())


def _folded_array(buf: TextBuffer) -> pa.Array:
    cached = getattr(buf, "_arrow", None)
    if cached is None:
        cached = pa.LargeStringArray.from_buffers(
            buf.n_cells,
            pa.py_buffer(np.ascontiguousarray(buf.offsets, dtype=np.int64)),
            pa.py_buffer(np.ascontiguousarray(buf.data)),  # zero-copy: Arrow keeps a reference
        )
        buf._arrow = cached
    return cached


def _empty_table(values: bool) -> pa.Table:
    schema = MATCH_SCHEMA.append(pa.field("value", pa.string())) if values else MATCH_SCHEMA
    return schema.empty_table()
