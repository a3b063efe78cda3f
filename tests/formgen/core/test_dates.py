import datetime as dt

import pytest

from formgen.core.dates import (
    add_months,
    add_working_days,
    age_on,
    age_text,
    bank_holiday,
    is_working_day,
    long_date,
    next_working_weekday,
    uk_date,
    working_days_between,
)

D = dt.date


@pytest.mark.parametrize(
    ("born", "on", "years"),
    [
        (D(2017, 5, 9), D(2026, 5, 8), 8),
        (D(2017, 5, 9), D(2026, 5, 9), 9),
        (D(2016, 2, 29), D(2026, 2, 28), 9),
        (D(2016, 2, 29), D(2026, 3, 1), 10),
    ],
)
def test_age_on(born: dt.date, on: dt.date, years: int) -> None:
    assert age_on(born, on) == years


@pytest.mark.parametrize(
    ("born", "text"),
    [
        (D(2020, 8, 6), "6 years"),
        (D(2024, 11, 24), "2 years"),
        (D(2025, 11, 25), "11 months"),
        (D(2026, 10, 24), "1 month"),
        (D(2026, 11, 3), "3 weeks"),
        (D(2027, 1, 5), "Not yet born"),
    ],
)
def test_age_text_as_practitioners_write_it(born: dt.date, text: str) -> None:
    assert age_text(born, D(2026, 11, 24)) == text


def test_uk_date() -> None:
    assert uk_date(D(2026, 3, 7)) == "7 March 2026"


def test_bank_holidays_in_england_are_not_working_days() -> None:
    assert not is_working_day(D(2026, 12, 25))
    assert not is_working_day(D(2026, 12, 28))  # Boxing Day (substitute day)
    assert is_working_day(D(2026, 12, 24))


def test_ten_working_days_across_christmas() -> None:
    # Friday 18 December 2026: 21-24, 29-31 December, 4-6 January (25, 28 Dec and 1 Jan are holidays).
    assert add_working_days(D(2026, 12, 18), 10) == D(2027, 1, 6)
    assert working_days_between(D(2026, 12, 18), D(2027, 1, 6)) == 10


@pytest.mark.parametrize(
    ("after", "weekday", "expected"),
    [
        (D(2026, 11, 16), 3, D(2026, 11, 19)),  # Monday -> that Thursday
        (D(2026, 11, 19), 3, D(2026, 11, 26)),  # Thursday -> next week's, never the same day
        (D(2026, 11, 20), 3, D(2026, 11, 26)),  # Friday -> 6 days on
        (D(2025, 12, 19), 3, D(2026, 1, 8)),    # Christmas Day and New Year's Day are Thursdays
        (D(2026, 3, 30), 4, D(2026, 4, 10)),    # Good Friday 3 April 2026 is passed over
    ],
)
def test_next_working_weekday_skips_the_same_day_and_bank_holidays(after: dt.date, weekday: int,
                                                                    expected: dt.date) -> None:
    assert next_working_weekday(after, weekday) == expected


def test_next_working_weekday_is_for_working_weekdays_only() -> None:
    with pytest.raises(ValueError, match="not a working weekday"):
        next_working_weekday(D(2026, 11, 16), 5)


def test_bank_holidays_are_named_and_dates_carry_their_weekday() -> None:
    assert bank_holiday(D(2025, 12, 25)) == "Christmas Day"
    assert bank_holiday(D(2025, 12, 24)) is None
    assert long_date(D(2025, 12, 30)) == "Tuesday 30 December 2025"


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 11, 16), -6, D(2026, 5, 16)),
        (D(2026, 8, 31), -6, D(2026, 2, 28)),   # no 31 February: the month's last day
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2026, 12, 5), 1, D(2027, 1, 5)),
        (D(2026, 1, 5), -1, D(2025, 12, 5)),
    ],
)
def test_add_months_keeps_the_day_or_the_months_last(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected
