"""Feed periods: a day, an ISO week or a month, parsed from URL text.

Each period knows its first and last day and how to name itself; malformed or
impossible values (2025-02-30, week 53 of a 52-week year, year 0) raise InvalidPeriod,
which the views turn into 404.
"""

import datetime as dt
import re
from dataclasses import dataclass

_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_WEEK = re.compile(r"(\d{4})-W(\d{2})", re.ASCII)
_MONTH = re.compile(r"(\d{4})-(\d{2})", re.ASCII)

MIN_YEAR = 1991  # arXiv started in August 1991; nothing earlier can be in a feed.
MAX_YEAR = 9998  # leaves room for "next" arithmetic inside datetime's range.


class InvalidPeriod(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    kind: str  # "day" | "week" | "month"
    start: dt.date
    end: dt.date  # inclusive

    @property
    def slug(self):
        if self.kind == "day":
            return self.start.isoformat()
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.year}-{self.start.month:02d}"

    @property
    def label(self):
        if self.kind == "day":
            return self.start.strftime("%A, %B %-d, %Y")
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"Week {week} of {year} ({self.start:%b %-d} – {self.end:%b %-d})"
        return self.start.strftime("%B %Y")

    def contains(self, day):
        return self.start <= day <= self.end

    def as_kind(self, kind):
        """The period of another kind around this one's first day (day → its week, …)."""
        return PERIOD_OF[kind](self.start)


def _shown(text):
    """The value as an error message quotes it: never more than 40 characters of it
    (the API answers with the message)."""
    text = text or ""
    return repr(text[:40] + "…") if len(text) > 40 else repr(text)


def _check_year(year):
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidPeriod(f"year {year} is out of range")


def day_period(day):
    return Period("day", day, day)


def week_period(day):
    """The ISO week (Monday to Sunday) containing `day`."""
    start = day - dt.timedelta(days=day.weekday())
    return Period("week", start, start + dt.timedelta(days=6))


def month_period(day):
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return Period("month", start, following - dt.timedelta(days=1))


PERIOD_OF = {"day": day_period, "week": week_period, "month": month_period}


def parse_day(text):
    match = _DAY.fullmatch(text or "")
    if not match:
        raise InvalidPeriod(f"not a date: {_shown(text)}")
    year, month, day = map(int, match.groups())
    _check_year(year)
    try:
        return day_period(dt.date(year, month, day))
    except ValueError as exc:
        raise InvalidPeriod(str(exc)) from None


def parse_week(text):
    match = _WEEK.fullmatch(text or "")
    if not match:
        raise InvalidPeriod(f"not an ISO week: {_shown(text)}")
    year, week = map(int, match.groups())
    _check_year(year)
    try:
        start = dt.date.fromisocalendar(year, week, 1)
    except ValueError as exc:  # week 0, or week 53 of a 52-week year
        raise InvalidPeriod(str(exc)) from None
    return week_period(start)


def parse_month(text):
    match = _MONTH.fullmatch(text or "")
    if not match:
        raise InvalidPeriod(f"not a month: {_shown(text)}")
    year, month = map(int, match.groups())
    _check_year(year)
    if not 1 <= month <= 12:
        raise InvalidPeriod(f"month {month} is out of range")
    return month_period(dt.date(year, month, 1))


PARSERS = {"day": parse_day, "week": parse_week, "month": parse_month}
