"""Ages in an age column: the format, and the birth date that decides the minors rule."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

from pii_scan.classify.columns import MinorsTracker
from pii_scan.validators import age


@pytest.mark.parametrize(
    "value",
    [
        "0",
        "8",
        "13",
        "13岁",
        "13周岁",
        "35 周岁",
        "119",
        "3个月",
        "10个月",
        "1岁1月",
        "3岁2个月",
        "5天",
    ],
)
def test_ages(value):
    assert age.is_valid(value)


@pytest.mark.parametrize(
    "value",
    [
        *("", "08", "120", "-1", "十岁", "13.5", "13年", None),
        # a month of the year, a gestation, impossible or adult year-and-month ages, codes
        *("3月", "39周", "1岁12月", "18岁2月", "100个月", "1000天", "05天", "岁1月"),
    ],
)
def test_not_ages(value):
    assert not age.is_valid(value)


@pytest.mark.parametrize(
    ("value", "years"),
    [
        ("11个月", 0),
        ("12个月", 1),
        ("26个月", 2),
        ("1岁1月", 1),
        ("13岁11个月", 13),
        ("364天", 0),
        ("365天", 1),
    ],
)
def test_a_young_childs_age_in_whole_years(value, years):
    today = dt.date(2026, 5, 1)
    (born,) = age.birth_dates(age.as_rows([value]), today=today)
    assert born == np.datetime64(today.replace(year=today.year - years), "D")


@pytest.mark.parametrize(
    ("today", "years", "under_14"),
    [
        (dt.date(2026, 1, 15), 13, True),
        (dt.date(2026, 1, 15), 14, False),
        (dt.date(2024, 2, 29), 13, True),  # a leap day: the latest birth is 28 February
        (dt.date(2024, 2, 29), 14, False),
        (dt.date(2026, 1, 15), 0, True),
    ],
)
def test_an_age_is_under_14_exactly_when_it_is_13_or_less(today, years, under_14):
    tracker = MinorsTracker(today)
    born = age.birth_dates(age.as_rows([f"{years}岁"]), today=today)
    tracker.update(pa.array(born.astype("M8[D]"), pa.date32()))
    assert (tracker.under(14) == 1) is under_14
