"""Column verdicts: values decide, names only add confidence."""

import pyarrow as pa
import pytest
from stdnum import luhn

from pii_scan.scan import ScanOptions, scan_table

IDS = ["110105199003071239", "11010519900307101X", "440306200002290025"]


def verdicts(columns: dict) -> dict:
    table = scan_table(pa.table(columns))
    return {c["name"]: c for c in table["columns"]}


def test_a_name_alone_never_makes_a_verdict():
    cols = verdicts({"身份证号": ["北京市", "上海市", "广东省"], "phone": ["n/a", "", None]})
    assert cols["身份证号"]["entity"] is None and cols["身份证号"]["tier"] is None
    assert cols["phone"]["entity"] is None


def test_values_decide_without_a_helpful_name():
    cols = verdicts({"col_7": IDS, "c8": ["13800138000", "13912345678", "18612345678"]})
    assert cols["col_7"]["entity"] == "CN_RESIDENT_ID"
    assert cols["c8"]["entity"] == "CN_MOBILE_PHONE"
    assert cols["col_7"]["match_ratio"] == 1.0


def test_a_matching_name_raises_confidence():
    plain = verdicts({"c": IDS})["c"]["confidence"]
    named = verdicts({"身份证号": IDS})["身份证号"]
    assert named["confidence"] > plain
    assert named["evidence"]["column_name_agrees"] is True


def test_bare_luhn_numbers_need_a_majority_or_a_card_name():
    bodies = [f"6217{i:014d}" for i in range(0, 300, 3)]
    cards = [p + luhn.calc_check_digit(p) for p in bodies]
    orders = [f"62{i * 7919:017d}" for i in range(100)]  # 19-digit order numbers
    lucky = sum(luhn.is_valid(o) for o in orders)
    assert 0 < lucky < 30  # some pass Luhn by chance, as random numbers do
    cols = verdicts({"x": cards, "ref": orders, "order_no": orders, "卡号": cards})
    assert cols["x"]["entity"] == "BANK_CARD"  # every value is a valid card: weak but total
    assert cols["ref"]["entity"] is None  # the lucky few are not enough
    assert cols["ref"]["entities"] == {"BANK_CARD": lucky}
    assert cols["order_no"]["entities"] == {}  # a column of order numbers: look-alikes
    assert cols["卡号"]["confidence"] > cols["x"]["confidence"]


def test_free_text_with_one_valid_id_is_sensitive():
    remarks = ["客户来电咨询", "已处理", f"身份证{IDS[0]}已核验", "无"] * 5
    col = verdicts({"备注": remarks})["备注"]
    assert col["entity"] == "CN_RESIDENT_ID" and col["tier"] == "sensitive"
    assert col["match_ratio"] == pytest.approx(0.25)


def test_highest_tier_wins_in_mixed_text():
    remarks = ["电话13800138000", "电话13912345678", f"证件{IDS[0]}"]
    col = verdicts({"备注": remarks})["备注"]
    assert col["entity"] == "CN_RESIDENT_ID"
    assert col["entities"] == {"CN_MOBILE_PHONE": 2, "CN_RESIDENT_ID": 1}


def test_uscc_is_never_personal():
    col = verdicts({"统一社会信用代码": ["91110105MA01AB3CXM", "91440300123456788M"]})
    col = col["统一社会信用代码"]
    assert col["entity"] is None and col["entities"] == {"CN_USCC": 2}


def test_examples_are_masked_unless_revealed():
    masked = verdicts({"手机号": ["13800138000"]})["手机号"]["evidence"]["examples"]
    assert masked == ["138****8000"]
    table = scan_table(
        pa.table({"手机号": ["13800138000"]}), options=ScanOptions(reveal=True, sample_rows=0)
    )
    assert table["columns"][0]["evidence"]["examples"] == ["13800138000"]


def test_every_column_is_listed_even_without_personal_information():
    cols = verdicts({"a": ["1", "2"], "b": [None, None], "手机": ["13800138000", None]})
    assert list(cols) == ["a", "b", "手机"]
    assert cols["b"]["evidence"]["null_ratio"] == 1.0
