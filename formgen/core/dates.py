"""Dates as the documents print them, ages, and working days in England."""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays


def uk_date(value: dt.date | None) -> str:
    """27 March 2026: the unambiguous UK style councils use in letters and plans."""
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def age_on(born: dt.date, on: dt.date) -> int:
    """Whole years completed by `on` (a child born 29 February ages on 1 March)."""
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def age_text(born: dt.date | None, on: dt.date) -> str:
    """'9 years', '7 months' or '3 weeks': how practitioners write the age of young children."""
    if born is None:
        return "Not known"
    if born > on:
        return "Not yet born"
    years = age_on(born, on)
    if years >= 2:
        return f"{years} years"
    months = (on.year - born.year) * 12 + on.month - born.month - (1 if on.day < born.day else 0)
    if months >= 1:
        return f"{months} month{'s' if months != 1 else ''}"
    weeks = (on - born).days // 7
    return f"{weeks} week{'s' if weeks != 1 else ''}"


@cache
def _england_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("GB", subdiv="ENG", years=range(year - 1, year + 3))


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in _england_holidays(day.year)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (weekends and England's bank holidays skipped)."""
    current = start
    remaining = days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days after `start` `end` falls (0 if on or before it)."""
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count
