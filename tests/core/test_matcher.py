"""The matching core on Chinese text as it really is, and its array semantics."""

import numpy as np
import pyarrow as pa
import pytest
from fuzzing import fuzz
from hypothesis import given
from hypothesis import strategies as st

from pii_scan.core import matcher as matcher_module
from pii_scan.core.matcher import _non_overlapping, _overlapping
from pii_scan.scan import scan_text

ID = "110105199003071239"


def spans(matcher, values, **kw):
    t = matcher.match_array(pa.array(values), min_score=0.5, **kw)
    return [(r["row"], r["start"], r["end"], r["entity"]) for r in t.to_pylist()]


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        ("客户身份证号为" + ID + "的用户", "CN_RESIDENT_ID", ID),
        ("证件号11010519900307101x。", "CN_RESIDENT_ID", "11010519900307101x"),
        ("请拨打１３８００１３８０００联系", "CN_MOBILE_PHONE", "１３８００１３８０００"),
        ("电话：+86 138 0013 8000，谢谢", "CN_MOBILE_PHONE", "86 138 0013 8000"),
        ("手机138-0013-8000", "CN_MOBILE_PHONE", "138-0013-8000"),
        ("😀😀邮箱zhang@example.com", "EMAIL_ADDRESS", "zhang@example.com"),
        ("卡号：6228 4800 0000 0000 018", "BANK_CARD", "6228 4800 0000 0000 018"),
        ("（０１０）６２３４５６７８", "CN_LANDLINE", "０１０）６２３４５６７８"),
    ],
)
def test_offsets_slice_back_to_the_original_text(text, entity, value):
    found = [f for f in scan_text(text) if f["entity"] == entity]
    assert len(found) == 1
    f = found[0]
    assert text[f["start"] : f["end"]] == value
    assert f["value"] == value


def test_id_glued_to_hanzi_fullwidth_phone_and_plus86_in_one_line():
    line = f"张三身份证{ID}手机１３９１２３４５６７８或+86 138 0013 8000"
    got = {(f["entity"], line[f["start"] : f["end"]]) for f in scan_text(line)}
    assert got == {
        ("CN_RESIDENT_ID", ID),
        ("CN_MOBILE_PHONE", "１３９１２３４５６７８"),
        ("CN_MOBILE_PHONE", "86 138 0013 8000"),
    }


@pytest.mark.parametrize(
    "text",
    [
        "订单号110105199003071230已发货",  # 18 digits, wrong ID check digit
        "下单时间1712345678901",  # 13-digit millisecond timestamp
        "编号15412345678",  # 11 digits in an unassigned segment
        "统一社会信用代码91110105MA01AB3CXM",  # organisation, not a person
        "trace 550e8400-e29b-41d4-a716-446655440000",  # UUID
        "ISBN 9787111213826",  # EAN-13
        "客服热线400-820-8820",  # hotline
        "版本 3.10.2 发布",  # version string
        "金额1234567890123456元",  # 16 digits, no card context, not Luhn
        "2024-01-01 12:30:45",  # timestamp
    ],
)
def test_hard_negatives_give_no_personal_finding(text):
    personal = [f for f in scan_text(text) if f["entity"] != "CN_USCC"]
    assert personal == []


def test_results_do_not_depend_on_batch_boundaries(matcher):
    values = [f"行{i}：电话1380013{i:04d}，身份证{ID}" for i in range(50)] + [None, ""]
    whole = spans(matcher, values)
    pieces = []
    for lo in range(0, len(values), 7):
        for row, s, e, ent in spans(matcher, values[lo : lo + 7]):
            pieces.append((row + lo, s, e, ent))
    assert whole == pieces
    assert len(whole) == 100


def test_nulls_sliced_chunked_and_large_arrays_agree(matcher):
    values = [None, f"身份证{ID}", "", "手机13800138000"]
    expected = spans(matcher, values)
    assert expected == [(1, 3, 21, "CN_RESIDENT_ID"), (3, 2, 13, "CN_MOBILE_PHONE")]
    arr = pa.array(["pad", *values])
    sliced = matcher.match_array(arr.slice(1), min_score=0.5)
    assert [(r["row"], r["start"], r["end"]) for r in sliced.to_pylist()] == [
        (1, 3, 21),
        (3, 2, 13),
    ]
    chunked = pa.chunked_array([values[:2], values[2:]])
    assert spans(matcher, chunked) == expected
    large = pa.array(values, pa.large_string())
    assert spans(matcher, large) == expected


def test_adjacent_cells_never_join_into_one_number(matcher):
    # "1380013" + "8000" would be a phone if cells were not kept apart.
    assert spans(matcher, ["1380013", "8000"]) == []
    assert spans(matcher, ["138 0013", "8000"]) == []


def test_column_name_is_context(matcher):
    card = "6217000000000000004"
    assert spans(matcher, [card]) == []  # a bare Luhn hit is not a finding
    assert spans(matcher, [card], column="银行卡号") == [(0, 0, 19, "BANK_CARD")]


@pytest.mark.parametrize(
    "digest",
    [
        "9f3a13800138000bc1d2e4f5a6b7c8d9",  # a phone-like run inside an MD5
        "a1b2c3d4e5f6010623456780ab",  # a landline-like run
        "deadbeef110105199003071239cafe",  # an ID-like run
    ],
)
def test_numbers_inside_hex_words_are_not_found(matcher, digest):
    assert spans(matcher, [digest]) == []
    assert spans(matcher, [digest], column="联系电话") == []


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("tel13800138000", "CN_MOBILE_PHONE"),  # a label glued on: not hex
        ("ID11010519491231002X", "CN_RESIDENT_ID"),  # X ends the ID, not a hex digit
        ("cd13800138000", "CN_MOBILE_PHONE"),  # too short for a hash
    ],
)
def test_numbers_glued_to_letters_outside_hex_words_are_found(matcher, text, entity):
    assert [e for *_, e in spans(matcher, [text])] == [entity]


@pytest.mark.parametrize(
    ("values", "column", "found"),
    [
        # a public address is a finding anywhere; an internal one only where it is said to
        # be an IP address; loopback, "this network" and multicast never
        (["来自114.114.114.114的请求"], None, [(0, 2, 17, "IP_ADDRESS")]),
        (["网关 192.168.1.1", "ping 10.0.0.1 ok"], None, []),
        (["登录IP 192.168.10.23"], None, [(0, 5, 18, "IP_ADDRESS")]),
        (
            ["10.20.30.40", "172.16.0.9"],
            "client_ip",
            [(0, 0, 11, "IP_ADDRESS"), (1, 0, 10, "IP_ADDRESS")],
        ),
        (["127.0.0.1", "0.0.0.0", "224.0.0.251"], "client_ip", []),
        (["登录IP 127.0.0.1"], None, []),
        (["来源 240e:3b7::1", "来源 fe80::1ff:fe23:4567:890a"], None, [(0, 3, 14, "IP_ADDRESS")]),
        (["::1", "fd12:3456:789a::1"], "ipv6", [(1, 0, 17, "IP_ADDRESS")]),
    ],
)
def test_ip_addresses_by_whose_they_can_be(matcher, values, column, found):
    assert spans(matcher, values, column=column) == found


@pytest.mark.parametrize("column", [None, "email"])
def test_role_mailboxes_and_file_names_are_no_email_even_in_an_email_column(matcher, column):
    values = [
        "如有问题请联系 support@example.com",
        "NoReply+cn@Example.com",
        "zhang.support@example.com",
        "https://cdn.example.com/img/logo@2x.png",
    ]
    assert spans(matcher, values, column=column) == [(2, 0, 25, "EMAIL_ADDRESS")]
    # look-alikes leave nothing, not even a weak match that would count toward a verdict
    assert matcher.match_array(pa.array(values), column=column)["row"].to_pylist() == [2]


def test_digit_runs_inside_uuids_are_not_found(matcher):
    import random
    import uuid

    rng = random.Random(7)
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(20_000)]
    ids += ["5f9d0644-7691-4657-8787-a0e8490201be", "4d43f215-a0cd-459f-ad5f-a04299078061"]
    assert spans(matcher, ids) == []
    assert spans(matcher, ids[-2:], column="trace_id") == []
    # a phone written with dashes next to a word or another number stays a phone
    assert [e for *_, e in spans(matcher, ["tel-138-0013-8000", "ab-13800138000-cd"])] == [
        "CN_MOBILE_PHONE",
        "CN_MOBILE_PHONE",
    ]


@pytest.mark.parametrize(
    ("values", "column", "found"),
    [
        # a label of a look-alike right before a match: no match of that recognizer
        (["版本号 2.0.1.12", "固件版本：1.0.0.12", "V2.1.0.3", "rv:1.9.2.20"], None, []),
        (["dev 58.24.56.62"], None, [(0, 4, 15, "IP_ADDRESS")]),  # "v" as the end of a word
        (["发票代码：044031900111", "运单号 075512345678", "订单号 13800138000"], None, []),
        (["业务流水号：320584202403151239"], None, []),
        (["身份证 320584202403151239"], None, [(0, 4, 22, "CN_RESIDENT_ID")]),
        # a column of look-alikes
        (["044031900111", "032021900111"], "发票代码", []),
        (["320584202403151239"], "业务流水号", []),
        (["2.0.1.12"], "app_version", []),
        (["6217000000000000004"], "order_id", []),
    ],
)
def test_labels_and_columns_of_look_alikes(matcher, values, column, found):
    assert spans(matcher, values, column=column) == found
    if column is not None:  # weak matches too: nothing counts toward the column's verdict
        assert matcher.match_array(pa.array(values), column=column).num_rows == 0


# Passes as a resident ID (area 114403, born 1990-03-07, MOD 11-2) and as an all-digit
# credit code (GB 32100, checked by stdnum below): its context decides.
CODE = "114403199003072191"


def test_an_all_digit_credit_code_is_no_resident_id_where_its_context_says_so(matcher):
    from stdnum.cn import uscc
    from stdnum.iso7064 import mod_11_2

    assert uscc.is_valid(CODE) and mod_11_2.is_valid(CODE)
    assert spans(matcher, [f"统一社会信用代码：{CODE}"]) == [(0, 9, 27, "CN_USCC")]
    assert spans(matcher, [CODE], column="统一社会信用代码") == [(0, 0, 18, "CN_USCC")]
    assert spans(matcher, [f"身份证{CODE}"]) == [(0, 3, 21, "CN_RESIDENT_ID")]
    assert spans(matcher, [CODE, f"税号 {CODE}"]) == [
        (0, 0, 18, "CN_RESIDENT_ID"),  # no context in its own cell
        (1, 3, 21, "CN_USCC"),
    ]
    # a resident ID that is no valid credit code stays one, whatever the label says
    assert spans(matcher, ["信用代码 110105199003071239"]) == [(0, 5, 23, "CN_RESIDENT_ID")]


@pytest.mark.parametrize(
    ("values", "found"),
    [
        (["澳門身份證 1234567(8)", "1234567(8)"], [(0, 6, 16, "MO_ID")]),
        (["1234567(8)", "macau id: 5/123456/7"], [(1, 10, 20, "MO_ID")]),
        (["1234567(8)", "5/123456/7"], []),  # no context word anywhere
        # The batch read as one text holds "BIR" across two cells; neither cell has it.
        (["1234567(8) B", "IR 5/123456/7"], []),
        (["澳門身份", "證 1234567(8)"], []),
    ],
)
def test_a_number_that_needs_context_needs_it_in_its_own_cell(matcher, values, found):
    assert spans(matcher, values) == found


def test_byte_offsets_when_code_points_are_not_needed(matcher):
    t = matcher.match_array(pa.array(["电话13800138000"]), offsets=False)
    assert (t["start"][0].as_py(), t["end"][0].as_py()) == (6, 17)


def test_resident_id_carries_the_birth_date(matcher):
    t = matcher.match_array(pa.array([ID]))
    assert str(t["birth_date"][0].as_py()) == "1990-03-07"


def test_empty_and_all_null_arrays(matcher):
    assert matcher.match_array(pa.array([], pa.string())).num_rows == 0
    assert matcher.match_array(pa.array([None, None], pa.string())).num_rows == 0


@fuzz(200)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(1, 12)), max_size=40))
def test_overlapping_spans_are_those_sharing_a_byte_with_another(spans):
    """Only the spans that overlap another one go through overlap ranking: the vectorized
    test agrees with comparing every pair."""
    spans.sort(key=lambda s: s[0])
    starts = np.array([s for s, _ in spans], dtype=np.int64)
    ends = np.array([s + n for s, n in spans], dtype=np.int64)
    brute = [
        any(i != j and starts[i] < ends[j] and starts[j] < ends[i] for j in range(len(spans)))
        for i in range(len(spans))
    ]
    assert _overlapping(starts, ends).tolist() == brute


@fuzz(300)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(1, 8)), max_size=30), st.randoms())
def test_non_overlapping_spans_are_the_greedy_choice_by_rank(spans, rng):
    """Overlap resolution keeps, best rank first, every span overlapping none kept before
    (pairs and identical spans are settled without the loop that the rest goes through)."""
    rank = list(range(len(spans)))
    rng.shuffle(rank)
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], rank[i]))  # the input order
    starts = np.array([spans[i][0] for i in order], dtype=np.int64)
    ends = np.array([spans[i][0] + spans[i][1] for i in order], dtype=np.int64)
    ranks = np.array([rank[i] for i in order], dtype=np.int64)
    kept: list[int] = []
    for j in np.argsort(ranks).tolist():
        if all(ends[j] <= starts[k] or ends[k] <= starts[j] for k in kept):
            kept.append(j)
    assert np.flatnonzero(_non_overlapping(starts, ends, ranks)).tolist() == sorted(kept)


REPEATED = [
    "身份证110105199003071239",
    "电话 +86 138 0013 8000，邮箱 li.na@example.cn",
    "无",
    "",
    None,
    "张三 13800138000 寄到北京市朝阳区建国路88号",
    "ｅｍａｉｌ：ａ＠ｂ．ｃｎ，手机１３８００１３８０００",
    " 13800138000 ",
    "订单 123456789012345678",
    "男",
]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("chunked", [False, True])
@pytest.mark.parametrize("offsets", [True, False])
def test_repeated_values_are_matched_once_with_the_same_result(matcher, seed, chunked, offsets):
    rng = np.random.default_rng(seed)
    cells = [REPEATED[i] for i in rng.integers(0, len(REPEATED), 3000)]
    cells += [f"备注{i}：手机1380013{i:04d}" for i in range(40)]  # a few values seen once
    arr = pa.chunked_array([cells[:1000], cells[1000:]]) if chunked else pa.array(cells)
    assert matcher_module._distinct(arr) is not None
    got = matcher.match_array(arr, column="备注", offsets=offsets, values=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(matcher_module, "_DISTINCT_BELOW", 0.0)  # every cell matched on its own
        want = matcher.match_array(arr, column="备注", offsets=offsets, values=True)
    assert want.num_rows > 2500
    assert got.equals(want)


@pytest.mark.parametrize("values", [False, True])
@pytest.mark.parametrize(
    "cells",
    [["身份证110105199003071239", "电话 +86 138 0013 8000"], ["nothing here"], []],
    ids=["matches", "no-match", "empty"],
)
def test_every_table_has_the_match_schema(matcher, cells, values):
    """Tables with and without matches share one schema (entity and recognizer
    dictionary-encoded), so the batches of a column concatenate."""
    table = matcher.match_array(pa.array(cells, pa.string()), values=values)
    schema = matcher_module.MATCH_SCHEMA
    if values:
        schema = schema.append(pa.field("value", pa.string()))
    assert table.schema.equals(schema)
    assert pa.types.is_dictionary(table.schema.field("entity").type)
