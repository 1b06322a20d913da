import datetime as dt

import pytest

from dailypapers.lib.periods import InvalidPeriod, parse_day, parse_month, parse_week

D = dt.date


@pytest.mark.parametrize("text", ["2024-02-29", "1991-08-14", "2026-12-31"])
def test_it_accepts_real_days(text):
    period = parse_day(text)
    assert period.start == period.end == D.fromisoformat(text)
    assert period.slug == text


@pytest.mark.parametrize(
    "text",
    ["2025-02-29", "2025-13-01", "2025-00-10", "2025-01-32", "2025-1-1", "20250101", "abc", "",
     "0000-01-01", "1990-12-31", "99999-01-01", "2025-01-01 ", "2025-01-01/", "２０２５-01-01"],
)  # fmt: skip
def test_it_rejects_malformed_or_impossible_days(text):
    with pytest.raises(InvalidPeriod):
        parse_day(text)


def test_week_53_exists_only_in_long_iso_years():
    long_year = parse_week("2020-W53")
    assert (long_year.start, long_year.end) == (D(2020, 12, 28), D(2021, 1, 3))
    assert long_year.slug == "2020-W53"
    with pytest.raises(InvalidPeriod):
        parse_week("2021-W53")


@pytest.mark.parametrize("text", ["2025-W00", "2025-W54", "2025-W1", "2025W01", "2025-w01"])
def test_it_rejects_malformed_weeks(text):
    with pytest.raises(InvalidPeriod):
        parse_week(text)


def test_a_week_can_start_in_the_previous_year():
    week = parse_week("2026-W01")
    assert (week.start, week.end) == (D(2025, 12, 29), D(2026, 1, 4))


def test_months_end_on_their_last_day():
    assert parse_month("2024-02").end == D(2024, 2, 29)
    assert parse_month("2025-02").end == D(2025, 2, 28)
    assert parse_month("2025-12").end == D(2025, 12, 31)


@pytest.mark.parametrize("text", ["2025-00", "2025-13", "2025-1", "2025", "2025-02-01"])
def test_it_rejects_malformed_months(text):
    with pytest.raises(InvalidPeriod):
        parse_month(text)


def test_a_day_knows_its_week_and_month():
    day = parse_day("2027-01-01")  # a Friday in ISO week 53 of 2026
    assert day.as_kind("week").slug == "2026-W53"
    assert day.as_kind("month").slug == "2027-01"
