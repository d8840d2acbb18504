"""Turning typed Arrow data into the all-string columns the scanner reads.

* Struct columns are flattened into one column per leaf, named by the dotted path
  (``user.contact.phone``); a null parent makes its leaves null.
* Integers, decimals, booleans, dates and times use Arrow's text cast (``123``, ``true``,
  ``1990-03-07``).
* Floating-point values that hold a whole number below 2**53 are written as integers
  (``13800138000.0`` -> ``13800138000``: phone numbers that went through a float column stay
  recognisable); other floats use the shortest round-trip text; NaN becomes null.
* Timestamps become ISO 8601 text (``2024-01-02T03:04:05.000000``, ``+0800`` offset when the
  type has a time zone).
* Binary values that are valid UTF-8 are decoded; the others become null.
* Lists, maps and other nested values become compact JSON text (``["a","b"]``); lists of
  scalars are converted without a Python loop.
"""

from __future__ import annotations

import base64
import datetime as _dt
import decimal
import json
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["flatten_batch", "flatten_schema", "format_float", "json_text", "to_string_array"]

_EXACT_FLOAT = float(2**53)


def flatten_schema(schema: pa.Schema) -> list[tuple[str, ...]]:
    """The leaf paths of ``schema`` in column order, structs expanded depth-first."""
    out: list[tuple[str, ...]] = []

    def walk(path: tuple[str, ...], t: pa.DataType) -> None:
        if pa.types.is_struct(t):
            for i in range(t.num_fields):
                child = t.field(i)
                walk((*path, child.name), child.type)
        else:
            out.append(path)

    for f in schema:
        walk((f.name,), f.type)
    return out


def flatten_batch(batch: pa.RecordBatch) -> Iterator[tuple[tuple[str, ...], pa.Array]]:
    """Yield ``(path, array)`` for every leaf column of ``batch``, structs expanded.

    The order matches :func:`flatten_schema` of the batch's schema.
    """
    for f, column in zip(batch.schema, batch.columns, strict=True):
        yield from _flatten_array((f.name,), column)


def _flatten_array(
    path: tuple[str, ...], arr: pa.Array
) -> Iterator[tuple[tuple[str, ...], pa.Array]]:
    if pa.types.is_struct(arr.type):
        # StructArray.flatten() folds the parent's validity into each child.
        for child_field, child in zip(arr.type, arr.flatten(), strict=True):
            yield from _flatten_array((*path, child_field.name), child)
    else:
        yield path, arr


def format_float(value: float) -> str | None:
    """The text of one float, with the same rules as :func:`to_string_array`."""
    if value != value:  # NaN
        return None
    if value.is_integer() and abs(value) < _EXACT_FLOAT:
        return str(int(value))
    return repr(value)


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


_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_OTHER_CONTROL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]"


def _list_json(arr: pa.Array) -> pa.Array | None:
    """Vectorized JSON text of a list of scalars (``["a","b"]``, ``[1,null]``); None when the
    values are nested or hold control characters that need ``\\u`` escapes."""
    t = arr.type
    if pa.types.is_fixed_size_list(t):
        arr = pc.cast(arr, pa.list_(t.value_type))
        t = arr.type
    if not (pa.types.is_list(t) or pa.types.is_large_list(t)) or pa.types.is_nested(t.value_type):
        return None
    values = to_string_array(arr.values)
    kind = t.value_type
    if not (pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind)):
        if pc.any(pc.match_substring_regex(values, _OTHER_CONTROL)).as_py():
            return None
        for old, new in _JSON_ESCAPES:
            values = pc.replace_substring(values, old, new)
        values = pc.binary_join_element_wise('"', values, '"', "")
    values = pc.fill_null(values, "null")
    list_type = pa.LargeListArray if pa.types.is_large_list(t) else pa.ListArray
    joined = pc.binary_join(list_type.from_arrays(arr.offsets, values), ",")
    text = pc.binary_join_element_wise("[", joined, "]", "")
    return pc.if_else(pc.is_null(arr), pa.scalar(None, pa.string()), text)


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
    if pa.types.is_nested(t) or pa.types.is_duration(t) or isinstance(t, pa.ExtensionType):
        text = _list_json(arr) if pa.types.is_nested(t) else None
        return _python(arr) if text is None else text
    try:
        return pc.cast(arr, pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return _python(arr)
