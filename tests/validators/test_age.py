"""Ages in an age column: the format, and the birth date that decides the minors rule."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from pii_scan.classify.columns import MinorsTracker
from pii_scan.validators import age


@pytest.mark.parametrize("value", ["0", "8", "13", "13岁", "13周岁", "35 周岁", "119"])
def test_ages(value):
    assert age.is_valid(value)


@pytest.mark.parametrize("value", ["", "08", "120", "-1", "3个月", "十岁", "13.5", "13年", None])
def test_not_ages(value):
    assert not age.is_valid(value)


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
