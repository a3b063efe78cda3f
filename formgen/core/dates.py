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


def long_date(value: dt.date) -> str:
    """Thursday 19 November 2026: a meeting's or a deadline's date, with its weekday to check it by."""
    return f"{value:%A} {uk_date(value)}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (earlier when negative), or that month's last day if it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (following - dt.timedelta(days=1)).day))


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


def bank_holiday(day: dt.date) -> str | None:
    """The name of England's bank holiday on `day` ("Christmas Day"), or None."""
    found = _england_holidays(day.year).get(day)
    return str(found) if found else None


def next_working_weekday(after: dt.date, weekday: int) -> dt.date:
    """The first working day strictly after `after` that falls on `weekday` (0 Monday ... 4 Friday).

    A weekly meeting's next date: a week whose day is a bank holiday is passed over for the next week's.
    """
    if not 0 <= weekday <= 4:
        raise ValueError(f"weekday {weekday} is not a working weekday (0 Monday ... 4 Friday)")
    day = after + dt.timedelta(days=(weekday - after.weekday() - 1) % 7 + 1)
    while not is_working_day(day):
        day += dt.timedelta(days=7)
    return day


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
