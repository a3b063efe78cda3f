import datetime as dt

import pytest

from formgen.core.dates import add_working_days, age_on, age_text, is_working_day, uk_date, working_days_between

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
