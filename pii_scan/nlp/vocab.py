"""``vocabulary``: words of a ``models/`` list in free text (diseases, penalties, beliefs).

The catalog entry's pattern (usually ``{vocabulary}`` plus a few phrases) is searched with the
core's RE2 family (:class:`~pii_scan.core.regex.RegexFamily`), but only in the cells that
:mod:`.gate` lets through: cells with a Hanzi and one of the words. A list of several hundred
words thus costs one shared RE2 pass, not one pass per recognizer over every column.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow as pa

from ..catalog import Recognizer, alternation, load_words, re2_escape, vocabulary_pattern
from ..core.buffers import TextBuffer, touches
from ..core.functions import register
from ..core.regex import RegexFamily, byte_class
from .gate import BEYOND_HANZI, needs_hanzi, restrict, triggered_cells

_FAMILIES: dict[str, RegexFamily] = {}
_LATIN = byte_class("0-9A-Za-z")


def family(rec: Recognizer) -> RegexFamily:
    """The RE2 family of ``rec`` without its literal prefilter (the gate did that job)."""
    fam = _FAMILIES.get(rec.id)
    if fam is None or fam.rec.pattern != rec.pattern:
        fam = RegexFamily(dataclasses.replace(rec, prefilter=(), prefilter_sequence=()))
        _FAMILIES[rec.id] = fam
    return fam


def _without_hanzi_regex(rec: Recognizer) -> str | None:
    """What a cell without a Hanzi must hold: of a plain word list, its words without one
    (``COVID-19``, ``LGBT``); else the pattern."""
    if rec.vocabulary and rec.pattern == vocabulary_pattern(rec.vocabulary):
        words = [w for w in load_words(rec.vocabulary) if not needs_hanzi(re2_escape(w))]
        return alternation(words) if words else None
    return rec.pattern


BEYOND_HANZI["vocabulary"] = _without_hanzi_regex


@register("vocabulary")
def vocabulary(buf: TextBuffer, arr: pa.Array, only: np.ndarray | None, rec: Recognizer):
    cells = restrict(triggered_cells(buf, arr, rec), only)
    if len(cells) == 0:
        z = np.zeros(0, np.int64)
        return z, z, z
    found, starts, ends = family(rec).find(buf, arr, cells)
    keep = whole_latin_words(buf, found, starts, ends)
    return found[keep], starts[keep], ends[keep]


def whole_latin_words(buf: TextBuffer, cells, starts, ends) -> np.ndarray:
    """Per span: is it not part of a longer word of Latin letters and digits? ``HIV`` counts
    in ``患者HIV阳性`` and ``HIV+``, not in ``xHIVq`` (a code); a Hanzi has no such edge.

    >>> b = TextBuffer.from_strings(["患者HIV阳性", "k3HIVq"])
    >>> whole_latin_words(b, np.array([0, 1]), np.array([6, 17]), np.array([9, 20])).tolist()
    [True, False]
    """
    if len(starts) == 0:
        return np.zeros(0, dtype=bool)
    latin_before, latin_after = touches(buf, cells, starts, ends, _LATIN, _LATIN)
    joined_before = latin_before & _LATIN[buf.data[starts]]
    joined_after = latin_after & _LATIN[buf.data[ends - 1]]
    return ~(joined_before | joined_after)
