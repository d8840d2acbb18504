"""Vectorized check-digit algorithms shared by every validator.

All functions work on batches: 2-D ``np.uint8`` arrays of ASCII codes of
shape ``(n, L)``, one candidate per row. Characters are turned into values
with 256-entry lookup tables (``-1`` marks a character outside the
alphabet), so the work is a handful of whole-array operations.

* ISO 7064 MOD 11-2 (resident ID, foreign permanent-residence ID): weights
  ``2**(L-i) mod 11``; a full value including its check character
  (``X`` = 10) is valid when the weighted sum is 1 modulo 11.
* Luhn, base 10 (ISO/IEC 7812: bank cards, IMEI): double every second
  digit from the right, subtract 9 from doubles above 9, sum mod 10 == 0.
* MOD 31 of GB 32100-2015 (unified social credit code): alphabet
  ``0123456789ABCDEFGHJKLMNPQRTUWXY``, weights ``3**(i-1) mod 31``,
  check = ``alphabet[(31 - sum mod 31) mod 31]``.

>>> mod_11_2_calc_check_digit('11010519900307123')
'9'
>>> luhn_calc_check_digit('621700000000000000')
'4'
>>> mod_31_calc_check_char('91110105MA01AB3CX')
'M'
"""

from __future__ import annotations

import functools

import numpy as np

from ._arrays import as_chars, rows_all
from ._text import to_chars
from .exceptions import InvalidFormat

__all__ = [
    "DIGITS",
    "USCC_ALPHABET",
    "digit_values",
    "lookup",
    "luhn_calc_check_digit",
    "luhn_check_values",
    "luhn_is_valid",
    "luhn_sum",
    "mod_11_2_calc_check_digit",
    "mod_11_2_check_values",
    "mod_11_2_is_valid",
    "mod_11_2_sum_ok",
    "mod_11_2_weights",
    "mod_31_calc_check_char",
    "mod_31_check_values",
    "mod_31_is_valid",
    "mod_31_weights",
    "value_table",
]

DIGITS = "0123456789"
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def value_table(alphabet: str, *, fold_case: bool = True) -> np.ndarray:
    """A 256-entry ``int8`` table: ASCII code -> index in ``alphabet`` (< 128) or -1."""
    table = np.full(256, -1, dtype=np.int8)
    for index, char in enumerate(alphabet):
        table[ord(char)] = index
        if fold_case:
            table[ord(char.lower())] = index
    return table


def lookup(chars: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Map a batch through ``table``.

    Returns ``(values, ok)``: an ``int64`` array of shape ``(n, L)`` and a
    boolean array of shape ``(n,)`` that is False for rows holding any
    character outside the table's alphabet.
    """
    small = table.take(as_chars(chars))  # an int8 table moves an eighth of the bytes
    return small.astype(np.int64, copy=False), rows_all(small >= 0)


_DIGIT_TABLE = value_table(DIGITS)
# MOD 11-2 check characters: 0-9 plus X (= 10), upper or lower case.
_MOD_11_2_CHECK_TABLE = value_table(DIGITS + "X")
_USCC_TABLE = value_table(USCC_ALPHABET)


def digit_values(chars: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Digit values ``(n, L)`` of a batch and the rows made only of digits."""
    return lookup(chars, _DIGIT_TABLE)


def _scalar(value: str) -> np.ndarray:
    if not isinstance(value, str):
        raise InvalidFormat(f"expected a str, got {type(value).__name__}")
    return to_chars(value)


# ---------------------------------------------------------------- MOD 11-2


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@functools.cache
def mod_11_2_weights(length: int) -> np.ndarray:
    """Weights ``2**(length - i) mod 11`` for positions ``i = 1..length`` (read-only)."""
    return _frozen(np.array([pow(2, length - i, 11) for i in range(1, length + 1)], np.int64))


def mod_11_2_check_values(body: np.ndarray) -> np.ndarray:
    """Check values (0-10, 10 = ``X``) for rows of body digit values ``(n, k)``."""
    total = body @ mod_11_2_weights(body.shape[1] + 1)[:-1]
    return (12 - total % 11) % 11


def mod_11_2_sum_ok(values: np.ndarray) -> np.ndarray:
    """Rows of values (check value last, ``X`` = 10) whose weighted sum is 1 mod 11."""
    return (values @ mod_11_2_weights(values.shape[1])) % 11 == 1


def mod_11_2_is_valid(chars: np.ndarray) -> np.ndarray:
    """Rows that are digits followed by a correct MOD 11-2 check (``0-9``/``X``/``x``)."""
    values, ok = lookup(chars, _MOD_11_2_CHECK_TABLE)
    if values.shape[1] < 2:
        return np.zeros(values.shape[0], dtype=bool)
    return ok & rows_all(values[:, :-1] <= 9) & mod_11_2_sum_ok(values)


def mod_11_2_calc_check_digit(body: str) -> str:
    """The MOD 11-2 check character (``0-9`` or ``X``) for a string of digits."""
    values, ok = digit_values(_scalar(body))
    if not ok[0] or not body:
        raise InvalidFormat("the body must be digits")
    return (DIGITS + "X")[int(mod_11_2_check_values(values)[0])]


# ------------------------------------------------------------------- Luhn


@functools.cache
def _luhn_doubled(length: int) -> np.ndarray:
    """Mask of the columns doubled by Luhn: every second one left of the check digit."""
    return _frozen((np.arange(length - 1, -1, -1) % 2 == 1)[None, :])


# Digit value -> its Luhn contribution, over all 256 byte values: a value that is not a digit
# (-1 seen as a byte) counts 0; the caller has rejected its row already.
_LUHN_DOUBLED_U8 = np.zeros(256, dtype=np.uint8)
_LUHN_DOUBLED_U8[:10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9]  # 2d, digits summed
_LUHN_PLAIN_U8 = np.zeros(256, dtype=np.uint8)
_LUHN_PLAIN_U8[:10] = np.arange(10)


def luhn_sum(values: np.ndarray) -> np.ndarray:
    """Luhn sums (mod 10) of rows of digit values ``(n, L)``, check digit included.

    >>> luhn_sum(np.array([[7, 9, 9, 2, 7, 3, 9, 8, 7, 1, 3]])).tolist()
    [0]
    """
    small = values.astype(np.uint8)  # bytes: a row sums to at most 19 * 9
    doubled = _luhn_doubled(values.shape[1])[0]
    total = _LUHN_DOUBLED_U8[small[:, doubled]].sum(axis=1, dtype=np.uint16)
    total += _LUHN_PLAIN_U8[small[:, ~doubled]].sum(axis=1, dtype=np.uint16)
    return (total % 10).astype(np.int64)


def luhn_check_values(payload: np.ndarray) -> np.ndarray:
    """Luhn check digits for rows of payload digit values (check not included)."""
    padded = np.concatenate([payload, np.zeros((payload.shape[0], 1), np.int64)], axis=1)
    return (10 - luhn_sum(padded)) % 10


def luhn_is_valid(chars: np.ndarray) -> np.ndarray:
    """Rows of at least one digit whose Luhn checksum is 0."""
    values, ok = digit_values(chars)
    if values.shape[1] == 0:
        return np.zeros(values.shape[0], dtype=bool)
    return ok & (luhn_sum(values) == 0)


def luhn_calc_check_digit(payload: str) -> str:
    """The digit to append to ``payload`` so that it passes the Luhn check."""
    values, ok = digit_values(_scalar(payload))
    if not ok[0] or not payload:
        raise InvalidFormat("the payload must be digits")
    return DIGITS[int(luhn_check_values(values)[0])]


# ------------------------------------------------------------ MOD 31 (USCC)


@functools.cache
def mod_31_weights(length: int = 17) -> np.ndarray:
    """GB 32100 weights ``3**(i-1) mod 31`` for positions ``i = 1..length`` (read-only)."""
    return _frozen(np.array([pow(3, i, 31) for i in range(length)], dtype=np.int64))


def mod_31_check_values(body: np.ndarray) -> np.ndarray:
    """Check values (indexes into :data:`USCC_ALPHABET`) for rows of body values."""
    total = body @ mod_31_weights(body.shape[1])
    return (31 - total % 31) % 31


def mod_31_is_valid(chars: np.ndarray) -> np.ndarray:
    """Rows drawn from :data:`USCC_ALPHABET` whose last char is the MOD 31 check."""
    values, ok = lookup(chars, _USCC_TABLE)
    if values.shape[1] < 2:
        return np.zeros(values.shape[0], dtype=bool)
    return ok & (mod_31_check_values(values[:, :-1]) == values[:, -1])


def mod_31_calc_check_char(body: str) -> str:
    """The GB 32100 check character for a 17-character USCC body."""
    values, ok = lookup(_scalar(body), _USCC_TABLE)
    if not ok[0] or not body:
        raise InvalidFormat("the body must use the USCC alphabet")
    return USCC_ALPHABET[int(mod_31_check_values(values)[0])]


# ------------------------------------------- GB 11714 (organisation code)

ORG_CODE_ALPHABET = DIGITS + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # value = index: A = 10 ... Z = 35
_ORG_CODE_WEIGHTS = _frozen(np.array([3, 7, 9, 10, 5, 8, 4, 2], np.int64))
_ORG_CODE_TABLE = value_table(ORG_CODE_ALPHABET)


def org_code_is_valid(chars: np.ndarray) -> np.ndarray:
    """Rows of 9 characters (8 body, 1 check) that are valid GB 11714 organisation codes:
    the check is ``11 - S mod 11`` for ``S`` the body values weighted ``3 7 9 10 5 8 4 2``,
    written ``X`` for 10 and ``0`` for 11 (read as MOD 11-2 check characters are).

    >>> codes = np.frombuffer(b"MA01AB3CXma01ab3cx123456788123456789", np.uint8)
    >>> org_code_is_valid(codes.reshape(4, 9)).tolist()
    [True, True, True, False]
    """
    chars = as_chars(chars)
    body, ok = lookup(chars[:, :8], _ORG_CODE_TABLE)
    check, _ = lookup(chars[:, 8:9], _MOD_11_2_CHECK_TABLE)  # -1 (never equal) if not 0-9/X
    return ok & (check[:, 0] == (11 - (body @ _ORG_CODE_WEIGHTS) % 11) % 11)
