"""Vectorized helpers shared by the batch functions (private).

A *batch* is a 2-D ``np.uint8`` array of ASCII codes of shape ``(n, L)``:
one candidate per row, every row of the same length.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

import numpy as np

from ._text import to_chars
from .exceptions import InvalidLength, ValidationError

#: One rule of a format: which rows pass it, and the error raised by
#: ``validate()`` when a single value fails it. Rules are listed in the order
#: their errors should be reported.
Rule = tuple[np.ndarray, type[ValidationError], str]


def as_chars(chars: np.ndarray) -> np.ndarray:
    """Check that ``chars`` is a batch and return it as a uint8 ndarray.

    An empty 1-D array is accepted as a batch of zero rows. Anything that is
    not a 2-D uint8 array is a programming error and raises ``TypeError``.
    """
    arr = np.asarray(chars)
    if arr.ndim == 1 and arr.size == 0:
        arr = arr.reshape(0, 0)
    if arr.ndim != 2:
        raise TypeError(f"expected a 2-D (n, L) array, got shape {arr.shape}")
    if arr.dtype != np.uint8:
        if arr.size == 0:
            return arr.astype(np.uint8)
        raise TypeError(f"expected dtype uint8, got {arr.dtype}")
    return arr


def none(chars: np.ndarray) -> np.ndarray:
    """All-False result for a batch."""
    return np.zeros(chars.shape[0], dtype=bool)


def char_class(spec: str, *, fold_case: bool = True) -> np.ndarray:
    """A 256-entry boolean lookup table for a regex-like class body.

    ``spec`` is written like the inside of a regex character class, e.g.
    ``"0-9A-HJ-NP-Z"``. With ``fold_case`` the lower-case forms of the
    letters are allowed as well (batches may carry lower-case letters).
    """
    table = np.zeros(256, dtype=bool)
    i = 0
    while i < len(spec):
        if i + 2 < len(spec) and spec[i + 1] == "-":
            lo, hi = ord(spec[i]), ord(spec[i + 2])
            i += 3
        else:
            lo = hi = ord(spec[i])
            i += 1
        for code in range(lo, hi + 1):
            table[code] = True
            if fold_case and chr(code).isascii() and chr(code).isalpha():
                table[ord(chr(code).lower())] = True
                table[ord(chr(code).upper())] = True
    return table


class Shape:
    """A fixed-length sequence of character classes, matched column by column.

    ``Shape("C", "0-9A-HJ-NP-Z", ("0-9", 7))`` is the regex
    ``C[0-9A-HJ-NP-Z][0-9]{7}`` (case-insensitive for letters).
    """

    def __init__(self, *parts: str | tuple[str, int]) -> None:
        tables: list[np.ndarray] = []
        for part in parts:
            spec, count = (part, 1) if isinstance(part, str) else part
            tables.extend([char_class(spec)] * count)
        self.length = len(tables)
        # one flat table: column j's class is at offsets 256 * j ... 256 * j + 255
        self._table = np.concatenate(tables) if tables else np.zeros(0, dtype=bool)
        self._offsets = np.arange(self.length, dtype=np.intp) * 256

    def match(self, chars: np.ndarray) -> np.ndarray:
        """Boolean array: which rows of the batch have this shape."""
        if chars.shape[1] != self.length:
            return none(chars)
        return rows_all(self._table.take(chars + self._offsets))


def match_any(chars: np.ndarray, shapes: Iterable[Shape]) -> np.ndarray:
    """Rows that match at least one of ``shapes``."""
    ok = none(chars)
    for shape in shapes:
        ok |= shape.match(chars)
    return ok


def rows_all(mask: np.ndarray) -> np.ndarray:
    """``mask.all(axis=1)`` of an (n, L) boolean array, one column at a time: NumPy reduces
    along a short row with an inner loop per row, two to three times slower.

    >>> rows_all(np.array([[True, True], [True, False]])).tolist()
    [True, False]
    """
    out = np.ones(mask.shape[0], dtype=bool)
    for j in range(mask.shape[1]):
        out &= mask[:, j]
    return out


@functools.cache
def _powers_of_ten(k: int) -> np.ndarray:
    return 10 ** np.arange(k - 1, -1, -1, dtype=np.int64)


def leading_int(values: np.ndarray, k: int) -> np.ndarray:
    """The integer formed by the first ``k`` digit values of every row."""
    return values[:, :k] @ _powers_of_ten(k)


class PrefixTable:
    """Inclusive ranges of leading digits, compiled to lookup tables.

    ``PrefixTable([("2221", "2720"), ("62", "62")])`` accepts rows starting
    with 2221...2720 or with 62. Both ends of a range have the same number
    of digits ``k``; there is one boolean table of ``10**k`` entries per
    distinct ``k`` (so ``k`` is at most 6).
    """

    def __init__(self, ranges: Sequence[tuple[str, str]]) -> None:
        self.ranges = tuple(ranges)
        tables: dict[int, np.ndarray] = {}
        for low, high in self.ranges:
            k = len(low)
            if len(high) != k or not 1 <= k <= 6 or not (low + high).isdigit():
                raise ValueError(f"bad prefix range: {low!r}, {high!r}")
            tables.setdefault(k, np.zeros(10**k, dtype=bool))[int(low) : int(high) + 1] = True
        self._tables = sorted(tables.items())

    def match(self, values: np.ndarray) -> np.ndarray:
        """Rows of digit values ``(n, L)`` whose leading digits are in a range.

        Rows holding invalid digit values (-1) give meaningless answers and
        must be masked by the caller.
        """
        ok = np.zeros(values.shape[0], dtype=bool)
        for k, table in self._tables:
            if k <= values.shape[1]:
                ok |= table.take(leading_int(values, k) % 10**k)
        return ok


def rows_to_str(chars: np.ndarray) -> list[str | None]:
    """Decode every row as ASCII; ``None`` for rows with non-ASCII bytes."""
    out: list[str | None] = []
    for raw in (bytes(row) for row in chars):
        try:
            out.append(raw.decode("ascii"))
        except UnicodeDecodeError:
            out.append(None)
    return out


def all_pass(chars: np.ndarray, rules: Iterable[Rule]) -> np.ndarray:
    """Rows of ``chars`` that pass every rule."""
    return np.logical_and.reduce([passed for passed, _error, _message in rules]).reshape(
        chars.shape[0]
    )


def raise_first(rules: Iterable[Rule]) -> None:
    """For a one-row batch: raise the error of the first rule the row fails."""
    for passed, error, message in rules:
        if not passed[0]:
            raise error(message)


class Format:
    """The plumbing every fixed-length format shares: ``batch``, ``validate``, ``is_valid``.

    A module gives its ``compact`` function, its allowed lengths, its ``rules`` (a function of
    a batch returning :data:`Rule` s in reporting order) and the length error message; its
    public functions then delegate here, so the rules are written once, vectorized, and the
    scalar forms are the batch applied to one value.
    """

    def __init__(self, compact, lengths: Iterable[int], rules, length_message: str):
        self.compact = compact
        self.lengths = frozenset(lengths)
        self.rules = rules
        self.length_message = length_message

    def batch(self, chars: np.ndarray) -> np.ndarray:
        chars = as_chars(chars)
        if chars.shape[1] not in self.lengths:
            return none(chars)
        return all_pass(chars, self.rules(chars))

    def prepare(self, value: str) -> tuple[str, np.ndarray]:
        number = self.compact(value)
        if len(number) not in self.lengths:
            raise InvalidLength(self.length_message)
        return number, to_chars(number)

    def validate(self, value: str) -> str:
        number, chars = self.prepare(value)
        raise_first(self.rules(chars))
        return number

    def is_valid(self, value: object) -> bool:
        try:
            _, chars = self.prepare(value)  # type: ignore[arg-type]
        except ValidationError:
            return False
        return bool(self.batch(chars)[0])
