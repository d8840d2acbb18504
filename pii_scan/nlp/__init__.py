"""Chinese free text and value shapes: the ``function`` recognizers of the catalog.

Most recognizers are patterns (``recognizers/*.toml``). Some need a little code, and that code
lives here, registered in :data:`pii_scan.core.functions.FUNCTIONS` under the name a catalog
entry gives in ``match.function``:

``vocabulary``      words of a ``models/`` list (diseases, penalties, beliefs) found with one RE2
                    pass over the cells that hold Hanzi (:mod:`.vocab`);
``cue_value``       a value right after a label (``微信：zhang_san``, ``出生日期：1990-03-07``):
                    the span is the value only (:mod:`.cues`);
``cn_person_cue``   Chinese and Latin names after a cue (``联系人：``, ``患者``) or before a title
                    (``先生``, ``女士``) (:mod:`.person`);
``cn_person_free``  names without a cue, at the start of a clause and before a verb or a
                    particular (``张伟于…``, ``李娜来电…``), checked against jieba's lexicon so
                    that common words are not taken for names (:mod:`.person`);
``biometric_vector`` face feature vectors as float arrays or base64/hex blobs of 128, 256 or
                    512 dimensions (:mod:`.biometric`).

All of them share :mod:`.gate`: a cell is looked at only if it holds a Hanzi (a NumPy pass over
the bytes) and one of the trigger words of the ``function`` recognizers (one RE2 pass for all
of them together, cached on the buffer). Python runs only for the few cells that pass, and
jieba (imported lazily) only on short windows around name candidates, never per cell of a
structured column.

:func:`find_in_text` runs one such recognizer on a single text, for integrations that analyze
one text at a time (Presidio).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..catalog import Recognizer
from ..core import functions
from ..core.buffers import TextBuffer


def find_in_text(rec: Recognizer, text: str) -> list[tuple[int, int]]:
    """Code point spans ``(start, end)`` that the function recognizer ``rec`` finds in ``text``
    (before validators and scores, which the caller applies)."""
    buf = TextBuffer.from_array(pa.array([text], pa.string()))
    fn = functions.get(rec.function)
    from ..core.matcher import _folded_array

    cells, starts, ends = fn(buf, _folded_array(buf), None, rec)
    if len(cells) == 0:
        return []
    s = buf.codepoint_offsets(cells, np.asarray(starts))
    e = buf.codepoint_offsets(cells, np.asarray(ends))
    return sorted(zip(s.tolist(), e.tolist(), strict=True))
