"""``biometric_vector``: face feature vectors stored in a column.

Face recognition systems store a face as a feature vector ("embedding") of 128, 256 or 512
numbers. In tables it appears as

* a float array written as text: ``[0.0123, -0.2345, …]`` (JSON) or the numbers separated by
  commas or spaces;
* a blob of float32 or float64 values encoded as base64 or hex.

A cell qualifies when it consists only of such characters and holds exactly 128, 256 or 512
numbers (or the byte length of that many float32/float64 values). Everything is vectorized over
the buffer (byte classes, per-cell counts with cumulative sums). The catalog entry has
``requires_context``: only a column whose name says face/feature/template is looked at, since
other embeddings (text, images) have the same shape.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..catalog import Recognizer
from ..core.buffers import TextBuffer, per_cell_count
from ..core.functions import register

DIMENSIONS = (128, 256, 512)
_FLOAT = np.zeros(256, bool)
_FLOAT[[ord(c) for c in "0123456789.eE+-, \t\n\r[]"]] = True
_B64 = np.zeros(256, bool)
_B64[[ord(c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_"]] = True
_HEX = np.zeros(256, bool)
_HEX[[ord(c) for c in "0123456789abcdefABCDEF"]] = True
_SPACE = np.zeros(256, bool)
_SPACE[[ord(c) for c in " \t\n\r"]] = True


def _per_cell(mask: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    return per_cell_count(mask, offsets)


def _number_starts(data: np.ndarray) -> np.ndarray:
    """True where a number starts: a digit or sign or dot after a separator or bracket."""
    body = np.isin(data, np.frombuffer(b"0123456789.-+eE", np.uint8))
    prev = np.concatenate(([False], body[:-1]))
    return body & ~prev


def vector_cells(buf: TextBuffer) -> np.ndarray:
    """Indices of the cells that hold a 128/256/512-dimensional vector in one of the forms."""
    data, offsets = buf.data, buf.offsets
    length = offsets[1:] - offsets[:-1]
    if not (length >= 128).any():  # no cell is long enough: skip the passes over the bytes
        return np.zeros(0, np.int64)
    spaces = _per_cell(_SPACE[data], offsets)
    width = length - spaces
    long_enough = width >= 128
    if not long_enough.any():
        return np.zeros(0, np.int64)
    floats = _per_cell(_FLOAT[data], offsets) == length
    numbers = _per_cell(_number_starts(data) & _FLOAT[data], offsets)
    digits = _per_cell((data >= 48) & (data <= 57), offsets)
    as_floats = floats & np.isin(numbers, DIMENSIONS) & (digits >= numbers)
    b64 = (_per_cell(_B64[data], offsets) + spaces) == length
    b64_sizes = [4 * -(-(d * w) // 3) for d in DIMENSIONS for w in (4, 8)]
    as_b64 = b64 & np.isin(width, b64_sizes)
    hexa = (_per_cell(_HEX[data], offsets) + spaces) == length
    as_hex = hexa & np.isin(width, [2 * d * w for d in DIMENSIONS for w in (4, 8)])
    return np.flatnonzero(long_enough & (as_floats | as_b64 | as_hex))


@register("biometric_vector")
def biometric_vector(buf: TextBuffer, arr: pa.Array, only, rec: Recognizer):
    cells = vector_cells(buf)
    if only is not None:
        cells = np.intersect1d(cells, only, assume_unique=True)
    starts, ends = buf.offsets[cells], buf.offsets[cells + 1]
    # Trim surrounding whitespace of the span (one vectorized step each side is enough for
    # the usual single leading/trailing space or newline).
    data = buf.data
    lead = (ends > starts) & _SPACE[data[np.minimum(starts, len(data) - 1)]]
    starts = starts + lead
    trail = (ends > starts) & _SPACE[data[np.maximum(ends - 1, 0)]]
    ends = ends - trail
    return cells.astype(np.int64), starts.astype(np.int64), ends.astype(np.int64)
