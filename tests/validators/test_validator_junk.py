"""Junk thrown at every registered validator: nothing may raise, nothing may pass."""

from __future__ import annotations

import string

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pii_scan import validators
from pii_scan.validators import ValidationError
from pii_scan.validators._arrays import rows_all

#: One valid value per validator, written with ASCII separators.
EXAMPLES = {
    "age": "13",
    "birth_date": "1990-03-07",
    "bank_card": "6217 0000 0000 0000 004",
    "cn_foreigner_pr_id": "911840199003071236",
    "cn_hkmo_permit": "CB1234567",
    "cn_landline": "(0755) 8234-5678",
    "cn_mobile": "+86 138-0013-8000",
    "cn_passport": "EA1234567",
    "cn_resident_id": "11010519900307101x",
    "cn_tw_permit": "0561682001(D)",
    "cn_uscc": "91110105MA01AB3CXM",
    "email": "zhangsan@qq.com",
    "hk_id": "A123456(3)",
    "iban": "GB82 WEST 1234 5698 7654 32",
    "imei": "35-693110-000000-5",
    "ipv4": "192.0.2.1",
    "ipv4_internal": "192.168.1.20",
    "ipv4_public": "114.114.114.114",
    "ipv6": "2001:db8::8a2e:370:7334",
    "ipv6_internal": "fe80::1",
    "ipv6_public": "240e:3b7::1",
    "luhn": "6217000000000000004",
    "meid": "A0000012345678D",
    "mac": "02:00:5E:10:00:01",
    "mo_id": "1/234567/8",
    "tw_id": "A123456789",
    "vin": "LSVAB2188E2100001",
}
NAMES = validators.names()

JUNK: list[object] = [
    None,
    "",
    " ",
    "\u3000",
    "\t\n",
    "-",
    "()",
    "\x00" * 18,
    "😀",
    "😀" * 18,
    "\ud800",  # lone surrogate
    "1" * 100_000,
    "1" * 17 + "😀",
    "０１" * 9,  # full-width digits, Luhn-invalid
    "٠١٢٣٤٥٦٧٨٩" * 2,  # Arabic-Indic digits
    "NaN",
    "None",
    0,
    13800138000,
    110105199003071239,
    1.5,
    b"",
    b"13800138000",
    bytearray(b"110105199003071239"),
    ["13800138000"],
    object(),
]


def module(name: str):
    return validators.surface(name)


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_every_validator_has_an_example() -> None:
    assert sorted(EXAMPLES) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_is_valid_never_raises(name: str) -> None:
    is_valid = validators.get(name).is_valid
    mod = module(name)
    for junk in JUNK:
        assert is_valid(junk) is False, junk  # type: ignore[arg-type]
        with pytest.raises(ValidationError):
            mod.validate(junk)
    for junk in (None, 1, b"1"):
        with pytest.raises(ValidationError):
            mod.compact(junk)


@pytest.mark.parametrize("name", NAMES)
def test_examples_and_their_full_width_forms(name: str) -> None:
    mod = module(name)
    example = EXAMPLES[name]
    assert mod.is_valid(example)
    wide = fullwidth(example)
    assert wide != example
    assert mod.is_valid(wide), wide  # full-width digits/letters/separators fold to ASCII
    assert mod.validate(wide) == mod.validate(example)
    assert mod.is_valid("\u3000" + example + " \u200b")  # ideographic space, zero-width space
    assert not mod.is_valid(example + "😀")
    assert not mod.is_valid(example.encode())  # bytes are not decoded


@pytest.mark.parametrize("name", NAMES)
def test_batch_of_nothing_and_of_garbage(name: str) -> None:
    batch = validators.get(name).batch
    rng = np.random.default_rng(20240601)
    for width in range(0, 41):
        assert batch(np.zeros((0, width), dtype=np.uint8)).shape == (0,)
        high = rng.integers(128, 256, size=(50, width), dtype=np.uint8)  # non-ASCII bytes
        control = rng.integers(0, 32, size=(50, width), dtype=np.uint8)
        punctuation = np.frombuffer(
            rng.choice(list(string.punctuation.encode()), size=50 * width).astype(np.uint8),
            dtype=np.uint8,
        ).reshape(50, width)
        for garbage in (high, control, punctuation):
            out = batch(garbage)
            assert out.dtype == bool and out.shape == (50,)
            assert not out.any(), (width, garbage[out][:1])


@pytest.mark.parametrize("name", NAMES)
def test_batch_rows_with_one_bad_byte(name: str, chars) -> None:
    """A valid compact row with any one byte replaced by a non-ASCII byte is rejected."""
    mod = module(name)
    compact = mod.compact(EXAMPLES[name])
    rows = np.repeat(chars([compact]), len(compact), axis=0)
    rows[np.arange(len(compact)), np.arange(len(compact))] = 0xBF
    assert not mod.batch(rows).any()
    assert mod.batch(chars([compact] * 3)).all()


ALPHABET = string.digits * 3 + "XxAaCcEeGgHhLlMm-. :@()+" + "０１８６"


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=60, derandomize=True, database=None, deadline=None)
@given(text=st.one_of(st.text(max_size=30), st.text(ALPHABET, min_size=5, max_size=20)))
def test_scalar_never_raises_and_agrees_with_batch(name: str, text: str, chars) -> None:
    mod = module(name)
    verdict = mod.is_valid(text)
    assert isinstance(verdict, bool)
    try:
        compact = mod.compact(text)
    except ValidationError:
        assert not verdict
        return
    if verdict:
        assert mod.validate(text) == mod.compact(text) or name == "mac"
    if compact and compact.isascii() and mod.compact(compact) == compact:
        assert mod.batch(chars([compact])).tolist() == [mod.is_valid(compact)]


@pytest.mark.parametrize("width", [0, 1, 2, 7, 18, 19])
def test_rows_all_is_numpys_all_along_rows(width):
    rng = np.random.default_rng(width)
    mask = rng.random((500, width)) < 0.97  # most rows all true, some not
    assert rows_all(mask).tolist() == mask.all(axis=1).tolist()
