"""Turning typed Arrow data into the all-string columns the scanner reads.

* Struct columns are flattened into one column per leaf, named by the dotted path
  (``user.contact.phone``); a null parent makes its leaves null.
* Lists are transparent to paths: a list of scalars stays one column, a list of structs gives
  one column per leaf (``contacts.phone``).  Each cell holds the row's non-null values at that
  path, in order, joined by a newline (``["a", null, "b"]`` -> ``"a\nb"``), so every element
  is scanned as a value; an empty or null list is null.  (:func:`to_string_array` on a whole
  list column also joins lists of scalars; lists of structs there become JSON text.)
* Integers, decimals, booleans, dates and times use Arrow's text cast (``123``, ``true``,
  ``1990-03-07``).
* Floating-point values that hold a whole number below 2**53 are written as integers
  (``13800138000.0`` -> ``13800138000``: phone numbers that went through a float column stay
  recognisable); other floats use the shortest round-trip text; NaN becomes null.
* Timestamps become ISO 8601 text (``2024-01-02T03:04:05.000000``, ``+0800`` offset when the
  type has a time zone).
* Binary values that are valid UTF-8 are decoded; the others become null.
* Maps and other nested values become compact JSON text (``{"k":"v"}``).
"""

from __future__ import annotations

import base64
import datetime as _dt
import decimal
import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "LIST_SEPARATOR",
    "flatten_batch",
    "flatten_schema",
    "format_float",
    "json_text",
    "to_string_array",
    "typed_leaves",
]

#: Joins the values of a list in one cell.
LIST_SEPARATOR = "\n"

_EXACT_FLOAT = float(2**53)


def _is_list(t: pa.DataType) -> bool:
    return pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)


def flatten_schema(schema: pa.Schema) -> list[tuple[str, ...]]:
    """The leaf paths of ``schema`` in column order: structs expanded depth-first, lists
    looked through."""
    out: list[tuple[str, ...]] = []

    def walk(path: tuple[str, ...], t: pa.DataType) -> None:
        if pa.types.is_struct(t):
            for i in range(t.num_fields):
                child = t.field(i)
                walk((*path, child.name), child.type)
        elif _is_list(t):
            walk(path, t.value_type)
        else:
            out.append(path)

    for f in schema:
        walk((f.name,), f.type)
    return out


def flatten_batch(batch: pa.RecordBatch) -> Iterator[tuple[tuple[str, ...], pa.Array]]:
    """Yield ``(path, pa.string() array)`` for every leaf column of ``batch``.

    The order matches :func:`flatten_schema` of the batch's schema.
    """
    for f, column in zip(batch.schema, batch.columns, strict=True):
        yield from _string_leaves((f.name,), column)


def typed_leaves(batch: pa.RecordBatch) -> Iterator[tuple[tuple[str, ...], pa.Array]]:
    """Yield ``(path, array)`` for every leaf of ``batch`` before conversion to text; the
    values of lists are given flat (so these arrays need not have the batch's length)."""
    for f, column in zip(batch.schema, batch.columns, strict=True):
        yield from _typed((f.name,), column)


def _typed(path: tuple[str, ...], arr: pa.Array) -> Iterator[tuple[tuple[str, ...], pa.Array]]:
    if pa.types.is_struct(arr.type):
        for child_field, child in zip(arr.type, arr.flatten(), strict=True):
            yield from _typed((*path, child_field.name), child)
    elif _is_list(arr.type):
        yield from _typed(path, pc.list_flatten(arr))
    else:
        yield path, arr


def _string_leaves(
    path: tuple[str, ...], arr: pa.Array
) -> Iterator[tuple[tuple[str, ...], pa.Array]]:
    t = arr.type
    if pa.types.is_struct(t):
        # StructArray.flatten() folds the parent's validity into each child.
        for child_field, child in zip(t, arr.flatten(), strict=True):
            yield from _string_leaves((*path, child_field.name), child)
    elif _is_list(t):
        if pa.types.is_fixed_size_list(t):
            arr = pc.cast(arr, pa.list_(t.value_type))
        for leaf_path, leaf in _string_leaves(path, arr.values):
            yield leaf_path, _join_lists(arr, leaf)
    else:
        yield path, to_string_array(arr)


def _join_lists(lists: pa.Array, values: pa.Array) -> pa.Array:
    """Join, for each list of ``lists``, its non-null ``values`` (text aligned with
    ``lists.values``) with :data:`LIST_SEPARATOR`; empty and null lists give null."""
    offsets = lists.offsets.to_numpy(zero_copy_only=False)
    valid = values.is_valid().to_numpy(zero_copy_only=False)
    kept = np.zeros(len(valid) + 1, dtype=np.int64)
    np.cumsum(valid, out=kept[1:])
    new_offsets = kept[offsets]
    large = pa.types.is_large_list(lists.type)
    regrouped = (pa.LargeListArray if large else pa.ListArray).from_arrays(
        pa.array(new_offsets, pa.int64() if large else pa.int32()), values.filter(valid)
    )
    joined = pc.binary_join(regrouped, LIST_SEPARATOR)
    empty = pc.equal(pc.binary_length(joined), 0)
    keep = pc.and_(lists.is_valid(), pc.invert(empty))
    return pc.if_else(keep, joined, pa.scalar(None, pa.string()))


def format_float(value: float) -> str | None:
    """The text of one float, with the same rules as :func:`to_string_array`."""
    if value != value:  # NaN
        return None
    if value.is_integer() and abs(value) < _EXACT_FLOAT:
        return str(int(value))
    return repr(value)


def scalar_text(value: Any) -> str | None:
    """The text of one scalar read by a Python parser (JSON, a spreadsheet cell): booleans as
    ``true``/``false``, floats as :func:`format_float`; None stays None.

    >>> scalar_text(True), scalar_text(3.0), scalar_text(12), scalar_text(None)
    ('true', '3', '12', None)
    """
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    return str(value)


def _default(value: Any) -> Any:
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return "base64:" + base64.b64encode(value).decode("ascii")
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(value)
    return str(value)


def json_text(value: Any) -> str:
    """Compact JSON text of a nested value (lists, dicts), keeping non-ASCII characters."""
    return json.dumps(value, ensure_ascii=False, default=_default, separators=(",", ":"))


def _floats(arr: pa.Array) -> pa.Array:
    arr = pc.if_else(pc.is_nan(arr), pa.scalar(None, arr.type), arr)
    whole = pc.and_(pc.equal(pc.floor(arr), arr), pc.less(pc.abs(arr), _EXACT_FLOAT))
    whole = pc.fill_null(whole, False)
    as_int = pc.cast(pc.if_else(whole, arr, pa.scalar(0, arr.type)), pa.int64()).cast(pa.string())
    return pc.if_else(whole, as_int, pc.cast(arr, pa.string()))


def _binary(arr: pa.Array) -> pa.Array:
    try:
        return pc.cast(arr, pa.string())
    except pa.ArrowInvalid:
        pass
    out: list[str | None] = []
    for value in arr.to_pylist():
        if value is None:
            out.append(None)
            continue
        try:
            out.append(value.decode("utf-8"))
        except UnicodeDecodeError:
            out.append(None)
    return pa.array(out, pa.string())


def _timestamps(arr: pa.Array) -> pa.Array:
    fmt = "%Y-%m-%dT%H:%M:%S%z" if arr.type.tz else "%Y-%m-%dT%H:%M:%S"
    try:
        return pc.strftime(arr, format=fmt)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # e.g. no time zone database
        return pc.cast(arr, pa.string())


def _scalar_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, dict)):
        return json_text(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return _default(value)


def _python(arr: pa.Array) -> pa.Array:
    """Per-value conversion, for the types Arrow cannot cast to text."""
    return pa.array([_scalar_text(v) for v in arr.to_pylist()], pa.string())


def to_string_array(arr: pa.Array | pa.ChunkedArray) -> pa.Array:
    """``arr`` as a ``pa.string()`` array of the same length (nulls stay null)."""
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    t = arr.type
    if t == pa.string():
        return arr
    if pa.types.is_dictionary(t):
        return to_string_array(arr.dictionary_decode())
    if pa.types.is_null(t):
        return pa.nulls(len(arr), pa.string())
    if pa.types.is_large_string(t) or pa.types.is_string_view(t):
        return pc.cast(arr, pa.string())
    if pa.types.is_floating(t):
        if pa.types.is_float16(t):
            arr = pc.cast(arr, pa.float32())
        return _floats(arr)
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_binary_view(t):
        return _binary(arr)
    if pa.types.is_fixed_size_binary(t):
        return _binary(pc.cast(arr, pa.binary()))
    if pa.types.is_timestamp(t):
        return _timestamps(arr)
    if _is_list(t) and not pa.types.is_nested(t.value_type):
        return next(_string_leaves((), arr))[1]
    if pa.types.is_nested(t) or pa.types.is_duration(t) or isinstance(t, pa.ExtensionType):
        return _python(arr)
    try:
        return pc.cast(arr, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _python(arr)
