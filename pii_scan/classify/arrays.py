"""NumPy views of Arrow arrays and Arrow arrays of NumPy data, without pandas.

pyarrow imports pandas (~0.4 s) the first time it is handed a Python or NumPy object
(``pa.array``, ``pa.scalar``, a Python number passed to a compute function) or asked for
``to_numpy``, only to check whether the object is a pandas one. The classify code runs once per
column and batch, serially, on the scanner's critical path: it reads the Arrow buffers
directly instead (zero copies), and builds the few arrays it needs from buffers.

>>> arr = strings(["a", "", "  ", None, "中"])
>>> offsets, data = string_parts(arr)
>>> offsets.tolist(), bytes(data[offsets[0] : offsets[-1]])
([0, 1, 1, 3, 3, 6], b'a  \\xe4\\xb8\\xad')
>>> valid(arr).tolist(), nonblank(arr).tolist()
([True, True, True, False, True], [True, False, False, False, True])
>>> numbers(from_numpy(np.array([3, 1, 2]))).tolist()
[3, 1, 2]
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# First bytes of the UTF-8 encodings of the characters Arrow's ``utf8_trim_whitespace`` trims
# (those of Python's ``str.isspace``: ASCII 9-13 and 28-32, U+0085, U+00A0, U+1680,
# U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). A cell is blank only if it starts
# with one of them, so only such cells need the exact (slower) check.
_SPACE_LEAD = np.zeros(256, bool)
_SPACE_LEAD[[*range(9, 14), *range(28, 33), 0xC2, 0xE1, 0xE2, 0xE3]] = True


def _flat(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def _dtype(t: pa.DataType) -> np.dtype:
    if pa.types.is_signed_integer(t):
        kind = "i"
    elif pa.types.is_unsigned_integer(t):
        kind = "u"
    elif pa.types.is_floating(t):
        kind = "f"
    else:
        raise TypeError(f"not a fixed-width number type: {t}")
    return np.dtype(f"<{kind}{t.bit_width // 8}")


def numbers(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The values of a numeric array without nulls, as a read-only zero-copy NumPy view
    (``to_numpy()`` without its pandas import)."""
    arr = _flat(arr)
    dtype = _dtype(arr.type)
    if arr.null_count:
        raise ValueError("array has nulls")
    if len(arr) == 0:
        return np.zeros(0, dtype)
    return np.frombuffer(
        arr.buffers()[1], dtype, count=len(arr), offset=arr.offset * dtype.itemsize
    )


def valid(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """True where ``arr`` is not null."""
    arr = _flat(arr)
    bitmap = arr.buffers()[0]
    if not arr.null_count or bitmap is None:
        return np.full(len(arr), not arr.null_count, bool)
    return _bits(bitmap, arr.offset, len(arr))


def booleans(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The values of a boolean array without nulls."""
    arr = _flat(arr)
    if arr.type != pa.bool_() or arr.null_count:
        raise TypeError(f"not a boolean array without nulls: {arr.type}")
    if len(arr) == 0:
        return np.zeros(0, bool)
    return _bits(arr.buffers()[1], arr.offset, len(arr))


def _bits(bitmap: pa.Buffer, offset: int, n: int) -> np.ndarray:
    bits = np.unpackbits(np.frombuffer(bitmap, np.uint8), count=offset + n, bitorder="little")
    return bits[offset:].view(bool)


def string_parts(arr: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """``(offsets, data)`` of a string or binary array: cell ``i`` is the bytes
    ``data[offsets[i]:offsets[i + 1]]``. Both are zero-copy views; ``offsets[0]`` need not be
    0 (slices share their parent's data)."""
    arr = _flat(arr)
    t = arr.type
    if pa.types.is_string(t) or pa.types.is_binary(t):
        width = np.dtype("<i4")
    elif pa.types.is_large_string(t) or pa.types.is_large_binary(t):
        width = np.dtype("<i8")
    else:
        raise TypeError(f"not a string or binary type: {t}")
    bufs = arr.buffers()
    if len(arr) == 0 or bufs[1] is None:
        return np.zeros(1, width), np.zeros(0, np.uint8)
    offsets = np.frombuffer(bufs[1], width, count=len(arr) + 1, offset=arr.offset * width.itemsize)
    data = np.frombuffer(bufs[2], np.uint8) if bufs[2] is not None else np.zeros(0, np.uint8)
    return offsets, data


def from_numpy(values: np.ndarray) -> pa.Array:
    """An Arrow array of a 1-d boolean or numeric NumPy array (zero-copy for numbers)."""
    values = np.ascontiguousarray(values)
    if values.dtype == np.bool_:
        bits = np.packbits(values, bitorder="little")
        return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(bits)])
    t = pa.from_numpy_dtype(values.dtype)
    return pa.Array.from_buffers(t, len(values), [None, pa.py_buffer(values)])


def strings(items: Iterable[str | None]) -> pa.Array:
    """An Arrow string array of Python strings (``None`` for null)."""
    items = list(items)
    encoded = [b"" if s is None else s.encode("utf-8") for s in items]
    offsets = np.zeros(len(items) + 1, np.int32)
    np.cumsum([len(b) for b in encoded], out=offsets[1:])
    validity = None
    if any(s is None for s in items):
        validity = pa.py_buffer(np.packbits([s is not None for s in items], bitorder="little"))
    buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(items), buffers)


def nonblank(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """True where a cell holds something besides whitespace (null cells: False).

    The same as ``utf8_length(utf8_trim_whitespace(arr)) > 0``, but only the cells that start
    with a byte that can begin whitespace are trimmed, usually none.
    """
    arr = _flat(arr)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = arr.cast(pa.string())
    offsets, data = string_parts(arr)
    starts = offsets[:-1]
    keep = (offsets[1:] > starts) & valid(arr)
    if not keep.any():
        return keep
    first = data[np.minimum(starts, len(data) - 1)]
    doubt = np.flatnonzero(keep & _SPACE_LEAD[first])
    if len(doubt):
        trimmed = pc.utf8_trim_whitespace(arr.take(from_numpy(doubt)))
        lengths = np.diff(string_parts(trimmed)[0])
        keep[doubt] = lengths > 0
    return keep
