"""外国人永久居留身份证 (Foreigner's Permanent Residence ID Card) number.

Two forms are recognised:

* 2023 form (issued from 2023-12-01), 18 characters ``9 PP NNN YYYYMMDD SSS C``:
  the digit ``9``, a two-digit issuing province code (same set as the
  resident ID: 11-15, 21-23, 31-37, 41-46, 50-54, 61-65, 71, 81-83), a
  three-digit nationality code (not checked), the birth date (a real date
  from 1900-01-01 to today), a sequence number and an ISO 7064 MOD 11-2
  check character (``0-9`` or ``X``), exactly as in GB 11643.
* 2004/2017 form, 15 characters ``[A-Z]{3}`` + 12 digits: a three-letter
  nationality code (ISO 3166-1 alpha-3, China's own ``CHN`` excepted) and twelve
  digits whose internal layout is not public. The letters are looked up, so an
  order or invoice number of the same shape (``ORD202311150001``) is refused.

Source: National Immigration Administration notice on the 2023 card;
``stdnum.cn.ric`` rejects the 2023 form (leading 9), so tests use
``stdnum.iso7064.mod_11_2`` as the checksum oracle.

>>> validate('911840199003071236')
'911840199003071236'
>>> is_valid('911840199003071237')
False
>>> is_valid('USA110090300123'), is_valid('ORD202311150001')
(True, False)
"""

from __future__ import annotations

import datetime

import numpy as np

from ._arrays import Rule, Shape, all_pass, as_chars, none, raise_first, rows_all
from ._dates import plausible_birth_dates, yyyymmdd
from ._text import clean, to_chars
from .checksums import (
    lookup,
    mod_11_2_calc_check_digit,
    mod_11_2_sum_ok,
    value_table,
)
from .cn_resident_id import province_ok
from .exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)

__all__ = ["batch", "calc_check_digit", "compact", "is_valid", "validate"]

LENGTHS = (15, 18)
_OLD_FORM = Shape(("A-Z", 3), ("0-9", 12))

#: ISO 3166-1 alpha-3 country codes (and RKS, Kosovo on travel documents): a foreigner's
#: nationality. CHN is left out: a Chinese citizen holds no foreigner's card.
_NATIONALITIES_TEXT = """
    ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA
    BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CIV
    CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY
    ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB GNQ
    GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR
    ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU
    LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ
    MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER PHL
    PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU RKS ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM
    SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK
    TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM
    VUT WLF WSM YEM ZAF ZMB ZWE
"""
NATIONALITIES = frozenset(_NATIONALITIES_TEXT.split())
_NATIONALITY = np.zeros(26**3, dtype=bool)
for _code in NATIONALITIES:
    _NATIONALITY[(ord(_code[0]) - 65) * 676 + (ord(_code[1]) - 65) * 26 + ord(_code[2]) - 65] = True
_VALUES = value_table("0123456789X")  # X (or x) = 10


def compact(value: str) -> str:
    """Strip spaces and dashes, fold full-width characters, upper-case."""
    return clean(value, " -")


def calc_check_digit(number: str) -> str:
    """The MOD 11-2 check character for the first 17 digits of a 2023-form number."""
    return mod_11_2_calc_check_digit(compact(number)[:17])


def _rules(chars: np.ndarray, today: datetime.date | None) -> list[Rule]:
    if chars.shape[1] == 15:
        shape_ok = _OLD_FORM.match(chars)
        upper = chars[:, :3].astype(np.int64) & 0xDF  # a-z as A-Z
        letters = np.where(shape_ok[:, None], upper - 65, 0)
        code = letters[:, 0] * 676 + letters[:, 1] * 26 + letters[:, 2]
        return [
            (shape_ok, InvalidFormat, "expected 3 letters and 12 digits"),
            (_NATIONALITY[code], InvalidComponent, "not an ISO 3166 nationality code"),
        ]
    values, chars_ok = lookup(chars, _VALUES)  # digits, and X = 10
    format_ok = chars_ok & rows_all(values[:, :17] <= 9)
    return [
        (format_ok, InvalidFormat, "expected 17 digits and a final 0-9/X"),
        (values[:, 0] == 9, InvalidFormat, "the 2023 form starts with 9"),
        (mod_11_2_sum_ok(values), InvalidChecksum, "the MOD 11-2 check character does not match"),
        (province_ok(values[:, 1:3]), InvalidComponent, "unknown province code"),
        (
            plausible_birth_dates(yyyymmdd(values, 6), today),
            InvalidComponent,
            "the birth date is not a real date in 1900..today",
        ),
    ]


def batch(chars: np.ndarray, *, today: datetime.date | None = None) -> np.ndarray:
    """Vectorized :func:`is_valid` over a ``(n, 15)`` or ``(n, 18)`` uint8 batch."""
    chars = as_chars(chars)
    if chars.shape[1] not in LENGTHS:
        return none(chars)
    return all_pass(chars, _rules(chars, today))


def _prepare(value: str) -> tuple[str, np.ndarray]:
    number = compact(value)
    if len(number) not in LENGTHS:
        raise InvalidLength("expected 18 characters (2023 form) or 15 (older form)")
    return number, to_chars(number)


def validate(value: str, *, today: datetime.date | None = None) -> str:
    """Return the compact number or raise a :class:`ValidationError` subclass."""
    number, chars = _prepare(value)
    raise_first(_rules(chars, today))
    return number


def is_valid(value: object, *, today: datetime.date | None = None) -> bool:
    """Whether ``value`` is a valid permanent-residence ID number (either form)."""
    try:
        _, chars = _prepare(value)  # type: ignore[arg-type]
    except ValidationError:
        return False
    return bool(batch(chars, today=today)[0])
