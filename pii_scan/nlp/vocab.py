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

from ..catalog import Recognizer
from ..core.buffers import TextBuffer
from ..core.functions import register
from ..core.regex import RegexFamily
from .gate import restrict, triggered_cells

_FAMILIES: dict[str, RegexFamily] = {}


def family(rec: Recognizer) -> RegexFamily:
    """The RE2 family of ``rec`` without its literal prefilter (the gate did that job)."""
    fam = _FAMILIES.get(rec.id)
    if fam is None or fam.rec.pattern != rec.pattern:
        fam = RegexFamily(dataclasses.replace(rec, prefilter=(), prefilter_sequence=()))
        _FAMILIES[rec.id] = fam
    return fam


@register("vocabulary")
def vocabulary(buf: TextBuffer, arr: pa.Array, only: np.ndarray | None, rec: Recognizer):
    cells = restrict(triggered_cells(buf, arr, rec), only)
    if len(cells) == 0:
        z = np.zeros(0, np.int64)
        return z, z, z
    return family(rec).find(buf, arr, cells)
