"""Digest periods: which digest is due when, and what its papers' feed days are.

A daily digest goes out on weekdays and covers the previous feed day (Monday's covers
Friday to Sunday, so weekend papers are not lost). A weekly digest covers the previous
ISO week (Monday to Sunday). The period key names the digest in the outbox, where
(subscription, period) is unique.
"""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class DigestPeriod:
    frequency: str  # "daily" | "weekly"
    key: str  # "daily:2026-11-27" | "weekly:2026-W48"
    first_day: dt.date  # feed days covered, inclusive
    last_day: dt.date
    label: str


def daily_period(today):
    """The daily digest sent on `today`, or None on a Saturday or Sunday."""
    if today.weekday() >= 5:
        return None
    back = 3 if today.weekday() == 0 else 1
    first, last = today - dt.timedelta(days=back), today - dt.timedelta(days=1)
    label = (
        last.strftime("%A, %B %-d, %Y") if first == last else f"{first:%B %-d} – {last:%B %-d, %Y}"
    )
    return DigestPeriod("daily", f"daily:{today.isoformat()}", first, last, label)


def weekly_period(today):
    """The weekly digest sent in `today`'s ISO week: it covers the week before."""
    last = today - dt.timedelta(days=today.weekday() + 1)  # the previous Sunday
    first = last - dt.timedelta(days=6)
    year, week, _ = today.isocalendar()
    label_year, label_week, _ = first.isocalendar()
    label = f"Week {label_week} of {label_year} ({first:%b %-d} – {last:%b %-d})"
    return DigestPeriod("weekly", f"weekly:{year}-W{week:02d}", first, last, label)


def due_periods(today):
    """The digests due on `today`: the daily one on weekdays and the weekly one."""
    return [p for p in (daily_period(today), weekly_period(today)) if p is not None]


def period_from_key(key):
    """The DigestPeriod an outbox row's key names ("daily:2026-11-27", "weekly:2026-W48")."""
    frequency, _, value = key.partition(":")
    if frequency == "daily":
        period = daily_period(dt.date.fromisoformat(value))
    elif frequency == "weekly":
        year, week = value.split("-W")
        period = weekly_period(dt.date.fromisocalendar(int(year), int(week), 1))
    else:
        period = None
    if period is None or period.key != key:
        raise ValueError(f"not a digest period: {key!r}")
    return period
