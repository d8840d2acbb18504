"""``cue_value``: a value right after its label, e.g. ``微信号：zhang_san``, ``QQ 12345678``,
``出生日期：1990年3月7日``, ``民族：汉族``; with ``label_after``, a value right before its
label, e.g. ``因关节肿痛就诊``.

The catalog entry gives the labels as ``prefilter`` words and the value as ``pattern``. A value
counts only when it follows a label, separated by at most a few spaces, an optional ``号`` /
``号码`` / ``账号`` / ``ID``, and a colon, ``=``, ``是``, ``为`` or ``于``; the span is the value
alone. Characters of ``boundary_after`` may not follow the value. With ``label_after`` the
label follows the value after at most a few spaces, and one of the ``lead`` words stands right
before it. A label of Latin letters (``QQ``, ``VX``) counts only as a whole word. Cells come
from :mod:`.gate` (a Hanzi and a label, or without a Hanzi a label and its value), so Python's
``re`` runs on few cells.
"""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa

from ..catalog import Recognizer, alternation
from ..core.buffers import TextBuffer
from ..core.functions import register
from .gate import BEYOND_HANZI, restrict, triggered_cells

#: Between a label and its value: a word naming a number, a colon or 是, and the quotes of a
#: JSON member or attribute ("qq": "12345678", openid='o6_…').
CONNECTOR = (
    r"[ \t]{0,3}(?:号码|号|账号|帐号|ID|Id|id|代码|编码|码)?[\"']?[ \t]{0,3}"
    r"(?:[:：=]|是|为|于)?[ \t]{0,3}[\"']?"
)
_COMPILED: dict[tuple, re.Pattern] = {}


def cue_pattern(rec: Recognizer) -> re.Pattern:
    """The Python pattern: a label, the connector, then the value as group ``v``; with
    ``label_after``, a lead word, the value, then the label."""
    key = (rec.id, rec.pattern, "|".join(rec.prefilter), rec.label_after, "|".join(rec.lead))
    pat = _COMPILED.get(key)
    if pat is None:
        cues = _labels(rec.prefilter)
        after = rf"(?![{rec.boundary_after}])" if rec.boundary_after else ""
        flags = re.IGNORECASE if rec.ignore_case else 0
        if rec.label_after:
            lead = alternation(rec.lead)
            pat = re.compile(rf"(?:{lead})(?P<v>{rec.pattern})[ \t]{{0,3}}(?:{cues})", flags)
        else:
            pat = re.compile(rf"(?:{cues}){CONNECTOR}(?P<v>{rec.pattern}){after}", flags)
        _COMPILED[key] = pat
    return pat


def _labels(words) -> str:
    """An alternation of the label ``words``; one of Latin letters or digits (``QQ``, ``VX``)
    may not stand inside a longer word: no letter or digit before it, no letter after it
    but a whole ``ID``. Random codes hold such pairs (``…vxAbc12…``, ``wxid_…``): they are
    not labels.

    >>> [bool(re.search(_labels(["vx", "微信"]), t)) for t in ("加vx:zhang", "b3vxAbc", "微信")]
    [True, False, True]
    """
    latin = [w for w in words if w[:1].isascii() and w[:1].isalnum()]
    parts = [alternation(w for w in words if w not in latin)] if len(latin) < len(words) else []
    if latin:
        after = r"(?=$|[^A-Za-z]|(?:ID|Id|id)(?![0-9A-Za-z_]))"
        parts.insert(0, rf"(?<![0-9A-Za-z])(?:{alternation(latin)}){after}")
    return "|".join(parts)


def cue_regex(rec: Recognizer) -> str:
    """:func:`cue_pattern` for RE2, without its boundaries: every cell it finds something in
    holds a match of this (used for cells without a Hanzi, see :mod:`.gate`)."""
    cues = alternation(rec.prefilter)
    if rec.label_after:
        return rf"(?:{alternation(rec.lead)})(?:{rec.pattern})[ \t]{{0,3}}(?:{cues})"
    return rf"(?:{cues}){CONNECTOR}(?:{rec.pattern})"


BEYOND_HANZI["cue_value"] = cue_regex


def spans_in_cells(buf: TextBuffer, cells: np.ndarray, finder) -> tuple[np.ndarray, ...]:
    """Run ``finder(text) -> [(start, end), ...]`` (code points) on each cell; byte spans."""
    out_c, out_s, out_e = [], [], []
    data, offsets = buf.data, buf.offsets
    for cell in cells.tolist():
        lo, hi = int(offsets[cell]), int(offsets[cell + 1])
        text = bytes(data[lo:hi]).decode("utf-8", errors="replace")
        for start, end in finder(text):
            s = lo + len(text[:start].encode("utf-8"))
            out_c.append(cell)
            out_s.append(s)
            out_e.append(s + len(text[start:end].encode("utf-8")))
    return (
        np.array(out_c, np.int64),
        np.array(out_s, np.int64),
        np.array(out_e, np.int64),
    )


@register("cue_value")
def cue_value(buf: TextBuffer, arr: pa.Array, only: np.ndarray | None, rec: Recognizer):
    cells = restrict(triggered_cells(buf, arr, rec), only)
    pat = cue_pattern(rec)

    def finder(text: str):
        return [m.span("v") for m in pat.finditer(text)]

    return spans_in_cells(buf, cells, finder)
