"""Worked examples: the computed values of the reference (section 2) and hard negatives.

Every positive case is checked through ``validate`` (returns the compact
form), ``is_valid`` and ``batch``; every negative case through ``validate``
(the typed error), ``is_valid`` and ``batch`` where the value has a length the
batch accepts.
"""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from pii_scan import validators
from pii_scan.validators import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    bank_card,
    cn_foreigner_pr_id,
    cn_landline,
    cn_mobile,
    cn_resident_id,
    cn_uscc,
    get,
    hk_id,
    imei,
    luhn,
    tw_id,
    vin,
)

# (validator, value as written, compact value)
VALID = [
    # 2.1 resident ID
    ("cn_resident_id", "110105199003071239", "110105199003071239"),
    ("cn_resident_id", "11010519900307101X", "11010519900307101X"),
    ("cn_resident_id", "11010519900307101x", "11010519900307101X"),  # lower-case x
    ("cn_resident_id", "440306200002290025", "440306200002290025"),  # 2000-02-29 (leap)
    ("cn_resident_id", "810000198501010010", "810000198501010010"),  # HK residence permit
    ("cn_resident_id", "820000198501010020", "820000198501010020"),  # Macao residence permit
    ("cn_resident_id", "830000198501010030", "830000198501010030"),  # Taiwan residence permit
    ("cn_resident_id", "110105900307123", "110105900307123"),  # legacy 15 digits
    ("cn_resident_id", "110105 19900307 1239", "110105199003071239"),  # 6-8-4 grouping
    ("cn_resident_id", "110103199003071236", "110103199003071236"),  # 崇文区, abolished 2010
    # 2.2 USCC
    ("cn_uscc", "91110105MA01AB3CXM", "91110105MA01AB3CXM"),
    ("cn_uscc", "91440300123456788M", "91440300123456788M"),
    ("cn_uscc", "5211000050001234XD", "5211000050001234XD"),
    ("cn_uscc", "91110000600037341L", "91110000600037341L"),
    ("cn_uscc", "91110105ma01ab3cxm", "91110105MA01AB3CXM"),
    ("cn_uscc", "Y1110105MA01AB3CX0", "Y1110105MA01AB3CX0"),  # authority Y (stdnum: False)
    ("cn_uscc", "A1110105MA01AB3CXL", "A1110105MA01AB3CXL"),  # authority A (stdnum: False)
    ("cn_uscc", "N2110105MA01AB3CX5", "N2110105MA01AB3CX5"),  # authority N (stdnum: False)
    ("cn_uscc", "111000000000131433", "111000000000131433"),  # all digits (机关)
    # 2.3-2.6 passports and permits
    ("cn_passport", "E12345678", "E12345678"),
    ("cn_passport", "EA1234567", "EA1234567"),
    ("cn_passport", "G12345678", "G12345678"),
    ("cn_passport", "DE1234567", "DE1234567"),
    ("cn_passport", "SE12345678", "SE12345678"),
    ("cn_passport", "P1234567", "P1234567"),
    ("cn_hkmo_permit", "H1234567800", "H1234567800"),
    ("cn_hkmo_permit", "M87654321", "M87654321"),
    ("cn_hkmo_permit", "C12345678", "C12345678"),
    ("cn_hkmo_permit", "CB1234567", "CB1234567"),
    ("cn_tw_permit", "12345678", "12345678"),
    ("cn_tw_permit", "0561682001(D)", "0561682001D"),
    ("cn_tw_permit", "0561682001", "0561682001"),
    ("cn_tw_permit", "L12345678", "L12345678"),
    # 2.7-2.10 HK, Macao, Taiwan, foreigners
    ("hk_id", "A123456(3)", "A1234563"),
    ("hk_id", "K908070(8)", "K9080708"),
    ("hk_id", "XA000001(6)", "XA0000016"),
    ("hk_id", "Z683365(A)", "Z683365A"),
    ("hk_id", "a123456（3）", "A1234563"),
    ("mo_id", "1234567(8)", "12345678"),
    ("mo_id", "1/234567/8", "12345678"),
    ("mo_id", "51234567", "51234567"),
    ("tw_id", "A123456789", "A123456789"),
    ("tw_id", "F234567898", "F234567898"),
    ("tw_id", "B111111114", "B111111114"),
    ("tw_id", "A800000014", "A800000014"),  # new-style resident certificate
    ("tw_id", "A900000016", "A900000016"),
    ("cn_foreigner_pr_id", "911840199003071236", "911840199003071236"),
    ("cn_foreigner_pr_id", "USA110090300123", "USA110090300123"),
    # 2.12 mobiles
    ("cn_mobile", "13800138000", "13800138000"),
    ("cn_mobile", "+86 138 0013 8000", "8613800138000"),
    ("cn_mobile", "008613800138000", "008613800138000"),
    ("cn_mobile", "138-0013-8000", "13800138000"),
    ("cn_mobile", "19212345678", "19212345678"),  # 中国广电
    ("cn_mobile", "17400012345", "17400012345"),  # satellite 17400-17405
    ("cn_mobile", "17405999999", "17405999999"),
    ("cn_mobile", "16101234567", "16101234567"),
    ("cn_mobile", "14512345678", "14512345678"),
    # 2.13 landlines
    ("cn_landline", "010-62345678", "01062345678"),
    ("cn_landline", "(0755)82345678", "075582345678"),
    ("cn_landline", "（0755）8234-5678", "075582345678"),
    ("cn_landline", "021-62345678", "02162345678"),
    ("cn_landline", "0571-8888888", "05718888888"),  # 7-digit subscriber number
    ("cn_landline", "+86 10 6234 5678", "01062345678"),
    ("cn_landline", "0086-755-82345678", "075582345678"),
    # 2.14 bank cards
    ("bank_card", "6217000000000000004", "6217000000000000004"),
    ("bank_card", "6228480000000000018", "6228480000000000018"),
    ("bank_card", "622202000000000007", "622202000000000007"),
    ("bank_card", "6217 0000 0000 0000 004", "6217000000000000004"),
    ("bank_card", "4111111111111111", "4111111111111111"),  # Visa
    ("bank_card", "5500000000000004", "5500000000000004"),  # Mastercard
    ("bank_card", "2221000000000009", "2221000000000009"),  # Mastercard 2-series
    ("bank_card", "3530111333300000", "3530111333300000"),  # JCB
    ("bank_card", "9558000000000000008", "9558000000000000008"),  # legacy domestic
    ("bank_card", "6011000000000004", "6011000000000004"),  # Discover
    ("bank_card", "6500000000000002", "6500000000000002"),
    ("luhn", "6217000000000000004", "6217000000000000004"),
    ("luhn", "1234567890123452", "1234567890123452"),
    ("luhn", "00", "00"),
    # 2.15 IMEI
    ("imei", "356931100000005", "356931100000005"),
    ("imei", "35-693110-000000-5", "356931100000005"),
    # 2.17 VIN
    ("vin", "LSVAB2188E2100001", "LSVAB2188E2100001"),
    ("vin", "LFV3A23C5J3000001", "LFV3A23C5J3000001"),
    ("vin", "1M8GDM9AXKP042788", "1M8GDM9AXKP042788"),  # check X
    ("vin", "1m8gdm9axkp042788", "1M8GDM9AXKP042788"),
    # 2.21 network identifiers
    ("ipv4", "192.0.2.1", "192.0.2.1"),
    ("ipv4", "0.0.0.0", "0.0.0.0"),
    ("ipv4", "255.255.255.255", "255.255.255.255"),
    ("ipv4", " 10.20.30.40\n", "10.20.30.40"),
    ("ipv6", "2001:db8::8a2e:370:7334", "2001:db8::8a2e:370:7334"),
    ("ipv6", "::1", "::1"),
    ("ipv6", "::ffff:192.0.2.1", "::ffff:192.0.2.1"),
    ("ipv6", "FE80::1", "fe80::1"),
    ("mac", "02:00:5E:10:00:01", "02005E100001"),
    ("mac", "02-00-5e-10-00-01", "02005E100001"),
    ("mac", "0200.5E10.0001", "02005E100001"),
    ("mac", "02005E100001", "02005E100001"),
    ("email", "zhangsan@qq.com", "zhangsan@qq.com"),
    ("email", "Zhang.San+tag@mail.163.com", "Zhang.San+tag@mail.163.com"),
    ("email", "user@中文.中国", "user@中文.中国"),
    ("email", "a_b-c@sub-domain.example.org", "a_b-c@sub-domain.example.org"),
]

# (validator, value, error raised by validate)
INVALID = [
    ("cn_resident_id", "440306200102290022", InvalidComponent),  # 2001-02-29
    ("cn_resident_id", "110105199003071230", InvalidChecksum),
    ("cn_resident_id", "11010519900307123", InvalidLength),
    ("cn_resident_id", "1101051990030712390", InvalidLength),
    ("cn_resident_id", "11010519900307123Y", InvalidFormat),
    ("cn_resident_id", "X10105199003071239", InvalidFormat),
    ("cn_resident_id", "110105901307123", InvalidComponent),  # legacy, month 13
    ("cn_resident_id", "990105900307123", InvalidComponent),  # legacy, province 99
    ("cn_resident_id", "911840199003071236", InvalidComponent),  # foreign PR, not a resident ID
    ("cn_resident_id", "91110105MA01AB3CXM", InvalidFormat),  # a USCC
    ("cn_resident_id", "111000000000131433", InvalidChecksum),  # an all-digit USCC
    ("cn_uscc", "91110105MA01AB3CXN", InvalidChecksum),
    ("cn_uscc", "01110105MA01AB3CXY", InvalidFormat),  # authority 0 (stdnum: valid)
    ("cn_uscc", "91110105MA01AB3CIM", InvalidFormat),  # I is not in the alphabet
    ("cn_uscc", "911101A5MA01AB3CXM", InvalidFormat),  # letter in the division code
    ("cn_uscc", "110105199003071239", InvalidChecksum),  # a resident ID
    # valid MOD 31 character, wrong organisation-code check (X, 8): stdnum says valid
    ("cn_uscc", "91110105MA01AB3C0U", InvalidChecksum),
    ("cn_uscc", "91440300123456787J", InvalidChecksum),
    ("cn_uscc", "202403180715214350", InvalidChecksum),  # an order number (samples/)
    ("cn_uscc", "91110105MA01AB3CX", InvalidLength),
    ("cn_passport", "EO1234567", InvalidFormat),
    ("cn_passport", "EI1234567", InvalidFormat),
    ("cn_passport", "X12345678", InvalidFormat),
    ("cn_passport", "E1234567", InvalidFormat),
    ("cn_passport", "E123456789", InvalidFormat),
    ("cn_passport", "E1234", InvalidLength),
    ("cn_hkmo_permit", "CI1234567", InvalidFormat),
    ("cn_hkmo_permit", "K12345678", InvalidFormat),
    ("cn_hkmo_permit", "H123456789", InvalidLength),
    ("cn_tw_permit", "1234567", InvalidLength),
    ("cn_tw_permit", "123456789", InvalidFormat),
    ("cn_tw_permit", "A12345678", InvalidFormat),
    ("hk_id", "A123456(4)", InvalidChecksum),
    ("hk_id", "A12345(3)", InvalidLength),
    ("hk_id", "A123456(B)", InvalidFormat),
    ("hk_id", "1123456(3)", InvalidFormat),
    ("mo_id", "2234567(8)", InvalidFormat),
    ("mo_id", "1234567", InvalidLength),
    ("tw_id", "A123456788", InvalidChecksum),
    ("tw_id", "A323456789", InvalidFormat),
    ("tw_id", "1123456789", InvalidFormat),
    ("cn_foreigner_pr_id", "911840199003071237", InvalidChecksum),
    ("cn_foreigner_pr_id", "110105199003071239", InvalidFormat),  # a resident ID
    ("cn_foreigner_pr_id", "US1110090300123", InvalidFormat),
    ("cn_mobile", "19412345678", InvalidComponent),
    ("cn_mobile", "14912345678", InvalidComponent),
    ("cn_mobile", "17406012345", InvalidComponent),
    ("cn_mobile", "15412345678", InvalidComponent),
    ("cn_mobile", "16112345678", InvalidComponent),  # 161 outside 1610
    ("cn_mobile", "12345678901", InvalidComponent),
    ("cn_mobile", "1700000000000", InvalidFormat),  # 13-digit millisecond timestamp
    ("cn_mobile", "8713800138000", InvalidFormat),
    ("cn_mobile", "1380013800", InvalidLength),
    ("cn_landline", "4001234567", InvalidFormat),  # shared-cost service number
    ("cn_landline", "8001234567", InvalidFormat),  # toll-free service number
    ("cn_landline", "95555", InvalidLength),
    ("cn_landline", "13800138000", InvalidFormat),  # a mobile
    ("cn_landline", "02612345678", InvalidComponent),  # 026 is not used
    ("cn_landline", "0101234567", InvalidLength),  # Beijing needs 8 digits
    ("cn_landline", "02112345678", InvalidComponent),  # subscriber starting with 1
    ("cn_landline", "075512345678", InvalidComponent),
    ("cn_landline", "00112345678", InvalidComponent),
    ("bank_card", "6217000000000000005", InvalidChecksum),
    ("bank_card", "1234567890123452", InvalidComponent),  # Luhn-valid, no issuer
    ("bank_card", "34000000000000009", InvalidComponent),  # Amex prefix: 15 digits only
    ("bank_card", "378282246310005", InvalidLength),  # Amex: 15 digits
    ("bank_card", "62170000000000000004", InvalidLength),
    ("luhn", "6217000000000000005", InvalidChecksum),
    ("luhn", "0", InvalidLength),
    ("luhn", "12a4", InvalidFormat),
    ("imei", "356931100000006", InvalidChecksum),
    ("imei", "000000000000000", InvalidComponent),  # TAC all zeros
    ("imei", "35693110000000", InvalidLength),  # 14 digits (stdnum: valid)
    ("imei", "3569311000000051", InvalidLength),  # IMEISV (stdnum: valid)
    ("vin", "LSVAB2189E2100001", InvalidChecksum),
    ("vin", "1M8GDM9AXKP04278O", InvalidFormat),  # letter O
    ("vin", "IM8GDM9AXKP042788", InvalidFormat),  # letter I
    ("vin", "1M8GDM9AQKP042788", InvalidFormat),  # letter Q
    ("vin", "1M8GDM9AKKP042788", InvalidChecksum),  # check must be 0-9/X
    ("ipv4", "256.1.1.1", InvalidFormat),
    ("ipv4", "01.2.3.4", InvalidFormat),
    ("ipv4", "1.2.3.4.5", InvalidFormat),
    ("ipv4", "1..2.3", InvalidLength),
    ("ipv4", "1...2.3", InvalidFormat),
    ("ipv4", "1.2.3.", InvalidLength),
    ("ipv4", "a.b.c.d.e", InvalidFormat),
    ("ipv6", "2001:db8::8a2e::7334", InvalidFormat),
    ("ipv6", "12345::1", InvalidFormat),
    ("ipv6", ":", InvalidLength),
    ("mac", "02:00:5E-10:00:01", InvalidFormat),
    ("mac", "02:00:5E:10:00:0G", InvalidFormat),
    ("mac", "00:00:00:00:00:00", InvalidComponent),
    ("mac", "FF:FF:FF:FF:FF:FF", InvalidComponent),
    ("mac", "02:00:5E:10:00", InvalidFormat),
    ("mac", "02:00:5E:10:0", InvalidLength),
    ("email", "zhang..san@example.com", InvalidFormat),
    ("email", ".zhangsan@example.com", InvalidFormat),
    ("email", "zhangsan@example.c", InvalidComponent),
    ("email", "zhangsan@example.c0m", InvalidComponent),
    ("email", "zhangsan@localhost", InvalidComponent),
    ("email", "zhangsan@-example.com", InvalidFormat),
    ("email", "zhangsan@example..com", InvalidFormat),
    ("email", "zhang san@example.com", InvalidFormat),
    ("email", "a@b@example.com", InvalidFormat),
    ("email", "x" * 65 + "@example.com", InvalidLength),
]


def module(name: str):
    return validators.surface(name)


@pytest.mark.parametrize(("name", "value", "compact"), VALID)
def test_valid_examples(name: str, value: str, compact: str, chars) -> None:
    mod = module(name)
    assert mod.validate(value) == compact
    assert mod.is_valid(value)
    assert get(name).is_valid(value)
    assert mod.compact(value) == compact or name in {"mac", "cn_landline"}
    if compact.isascii():  # batches hold ASCII; IDN e-mail domains only go through is_valid
        assert mod.batch(chars([mod.compact(value)])).tolist() == [True]
        assert mod.batch(chars([mod.compact(value).lower()])).tolist() == [True]


@pytest.mark.parametrize(("name", "value", "error"), INVALID)
def test_invalid_examples(name: str, value: str, error: type[Exception], chars) -> None:
    mod = module(name)
    with pytest.raises(error):
        mod.validate(value)
    assert not mod.is_valid(value)
    # the MAC batch sees the separators (compacting would hide a mixed "02:00:5E-10...")
    candidate = value if name == "mac" else mod.compact(value)
    if candidate.isascii():
        assert mod.batch(chars([candidate])).tolist() == [False]


def test_mac_batch_accepts_separated_forms(chars) -> None:
    from pii_scan.validators import mac

    values = ["02:00:5E:10:00:01", "02-00-5e-10-00-01", "0200.5E10.0001", "02:00-5E:10:00:01"]
    assert [mac.batch(chars([v]))[0] for v in values] == [True, True, True, False]


# ------------------------------------------------------------ resident ID


def make_id(body17: str) -> str:
    return body17 + cn_resident_id.calc_check_digit(body17)


def test_check_digit_examples() -> None:
    assert cn_resident_id.calc_check_digit("11010519900307123") == "9"
    assert cn_resident_id.calc_check_digit("110105199003071230") == "9"  # own check ignored
    assert cn_resident_id.calc_check_digit("11010519900307101") == "X"
    assert cn_foreigner_pr_id.calc_check_digit("91184019900307123") == "6"
    assert cn_uscc.calc_check_digit("91110105MA01AB3CX") == "M"
    assert hk_id.calc_check_digit("A123456") == "3"
    assert hk_id.calc_check_digit("A123456(3)") == "3"
    assert hk_id.calc_check_digit("XA000001") == "6"
    assert tw_id.calc_check_digit("A12345678") == "9"
    assert vin.calc_check_digit("1M8GDM9A0KP042788") == "X"
    assert luhn.calc_check_digit("621700000000000000") == "4"
    assert bank_card.calc_check_digit("6217 0000 0000 0000 00") == "4"
    assert imei.calc_check_digit("35693110000000") == "5"


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (datetime.date(2030, 1, 1), True),
        (datetime.date(2025, 6, 1), True),  # born that very day
        (datetime.date(2025, 5, 31), False),  # born tomorrow
        (datetime.date(2000, 1, 1), False),
    ],
)
def test_future_birth_dates_rejected(today: datetime.date, expected: bool, chars) -> None:
    number = make_id("11010520250601123")
    assert cn_resident_id.is_valid(number, today=today) is expected
    assert cn_resident_id.batch(chars([number]), today=today).tolist() == [expected]
    foreign = "9" + "11840" + "20250601" + "123"
    foreign += cn_foreigner_pr_id.calc_check_digit(foreign)
    assert cn_foreigner_pr_id.is_valid(foreign, today=today) is expected


def test_birth_dates_far_in_the_future_and_before_1900() -> None:
    assert not cn_resident_id.is_valid(make_id("11010521000101123"))
    assert not cn_resident_id.is_valid(make_id("11010518991231123"))  # stdnum accepts 18xx
    assert cn_resident_id.is_valid(make_id("11010519000101123"))
    with pytest.raises(InvalidComponent, match="birth date"):
        cn_resident_id.validate(make_id("11010599990101123"))


def test_default_today_is_the_current_date() -> None:
    today = datetime.date.today()
    tomorrow = today + datetime.timedelta(days=1)
    assert cn_resident_id.is_valid(make_id("110105" + today.strftime("%Y%m%d") + "123"))
    assert not cn_resident_id.is_valid(make_id("110105" + tomorrow.strftime("%Y%m%d") + "123"))


def test_get_birth_date_and_to_18() -> None:
    assert cn_resident_id.get_birth_date("440306200002290025") == datetime.date(2000, 2, 29)
    assert cn_resident_id.get_birth_date("110105900307123") == datetime.date(1990, 3, 7)
    with pytest.raises(InvalidComponent):
        cn_resident_id.get_birth_date("440306200102290022")
    with pytest.raises(InvalidLength):
        cn_resident_id.get_birth_date("4403062001")
    assert cn_resident_id.to_18("110105900307123") == "110105199003071239"
    assert cn_resident_id.to_18("110105 900307 123") == "110105199003071239"
    with pytest.raises(InvalidLength):
        cn_resident_id.to_18("110105199003071239")
    with pytest.raises(InvalidComponent):
        cn_resident_id.to_18("110105901307123")


def test_birth_dates_vectorized(chars) -> None:
    values = [
        "110105199003071239",
        "440306200102290022",
        "11010519900307101x",
        "ABCDEF19900307123X",
    ]
    dates = cn_resident_id.birth_dates(chars(values))
    assert dates.dtype == np.dtype("datetime64[D]")
    expected = ["1990-03-07", "NaT", "1990-03-07", "1990-03-07"]  # letters outside the date
    assert [str(d) for d in dates] == expected
    legacy = cn_resident_id.birth_dates(chars(["110105900307123", "110105901307123"]))
    assert [str(d) for d in legacy] == ["1990-03-07", "NaT"]
    assert np.isnat(cn_resident_id.birth_dates(chars(["1101051990"]))).all()
    assert cn_resident_id.birth_dates(np.zeros((0, 18), np.uint8)).shape == (0,)
    # a non-digit anywhere in the date gives NaT, for both widths
    assert np.isnat(cn_resident_id.birth_dates(chars(["11010590030x123"]))).all()
    for i in range(6, 14):
        broken = "110105199003071239"[:i] + "?" + "110105199003071239"[i + 1 :]
        assert np.isnat(cn_resident_id.birth_dates(chars([broken])))[0]
    for i in range(6, 12):
        broken = "110105900307123"[:i] + "?" + "110105900307123"[i + 1 :]
        assert np.isnat(cn_resident_id.birth_dates(chars([broken])))[0]


@pytest.mark.parametrize("province", ["00", "10", "16", "20", "24", "30", "38", "47", "55", "60"])
def test_unknown_provinces(province: str) -> None:
    with pytest.raises(InvalidComponent, match="province"):
        cn_resident_id.validate(make_id(province + "010519900307123"))


# ---------------------------------------------------------- hard negatives


def test_order_numbers_with_wrong_check_digit(rng, run_batch) -> None:
    """18-digit order numbers built like IDs (province, date) but with a wrong check."""
    numbers = []
    for _ in range(2000):
        body = "44" + "".join(rng.choices("0123456789", k=4))
        body += f"20{rng.randrange(10, 24)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        body += "".join(rng.choices("0123456789", k=3))
        check = cn_resident_id.calc_check_digit(body)
        numbers.append(body + rng.choice([c for c in "0123456789X" if c != check]))
    assert not any(cn_resident_id.is_valid(n) for n in numbers[:200])
    assert not run_batch(cn_resident_id.batch, numbers).any()


def test_millisecond_timestamps_are_not_mobiles(rng, run_batch) -> None:
    stamps = [str(rng.randrange(1_000_000_000_000, 1_999_999_999_999)) for _ in range(2000)]
    stamps += ["1700000000000", "1718236800123"]
    assert not run_batch(cn_mobile.batch, stamps).any()
    assert not any(cn_mobile.is_valid(s) for s in stamps[:100])


@pytest.mark.parametrize(
    "prefix", ["154", "194", "140", "141", "142", "143", "144", "146", "148", "149", "174", "160"]
)
def test_unassigned_mobile_segments(prefix: str, rng, run_batch) -> None:
    numbers = [prefix + "".join(rng.choices("0123456789", k=8)) for _ in range(500)]
    if prefix == "174":  # only 17400-17405 are assigned
        numbers = [n for n in numbers if not "17400" <= n[:5] <= "17405"]
    assert not run_batch(cn_mobile.batch, numbers).any()
    assert not any(cn_mobile.is_valid(n) for n in numbers[:20])


def test_uscc_values_are_not_resident_ids(rng) -> None:
    for code in ["91110105MA01AB3CXM", "91440300123456788M", "5211000050001234XD"]:
        assert cn_uscc.is_valid(code)
        assert not cn_resident_id.is_valid(code)
    # all-digit USCCs of 机关/事业单位 (11/12/13 + division code): when one does pass
    # the resident-ID rules, it is only by chance (both check characters happen to agree)
    accepted = 0
    for _ in range(2000):
        body = rng.choice(["11", "12", "13"]) + "110105" + "".join(rng.choices("0123456789", k=9))
        check = cn_uscc.calc_check_digit(body)
        if check.isdigit() and cn_resident_id.is_valid(body + check):
            accepted += 1
    assert accepted < 40  # < 2 %, the structure alone gives no free pass


@pytest.mark.parametrize(
    "number",
    [
        "4001234567",
        "400-123-4567",
        "8001234567",
        "800 123 4567",
        "95555",
        "95588",
        "96677",
        "10086",
    ],
)
def test_service_numbers_are_not_landlines(number: str) -> None:
    assert not cn_landline.is_valid(number)


def test_bank_account_lengths() -> None:
    # a valid card number with one digit more or less is not a card number
    assert bank_card.is_valid("6217000000000000004")
    assert not bank_card.is_valid("621700000000000004")


@pytest.mark.parametrize(
    "code, says",
    [
        ("91110105MA01AB3CXN", "MOD 31"),  # the last character wrong
        ("202403180715214350", "organisation code"),  # right MOD 31, wrong position 17
    ],
)
def test_uscc_errors_name_the_check_that_failed(code, says):
    with pytest.raises(InvalidChecksum, match=says):
        cn_uscc.validate(code)
