"""Working days without Dutch public holidays, as the ``holidays`` package lists them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regie.cases.workdays import (
    add_working_days,
    holidays_in,
    is_working_day,
    working_days_between,
    working_days_overdue,
)

DATES = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@pytest.mark.parametrize(
    "day",
    [
        date(2024, 1, 1),  # Nieuwjaarsdag (Monday)
        date(2024, 3, 29),  # Goede Vrijdag: the package lists it for NL
        date(2024, 4, 1),  # Tweede Paasdag
        date(2024, 5, 9),  # Hemelvaartsdag
        date(2024, 5, 20),  # Tweede Pinksterdag
        date(2024, 12, 25),  # Eerste Kerstdag (Wednesday)
        date(2024, 12, 26),  # Tweede Kerstdag (Thursday)
        date(2025, 5, 5),  # Bevrijdingsdag in a lustrum year (Monday)
        date(2026, 4, 27),  # Koningsdag on a Monday
        date(2024, 4, 27),  # Koningsdag on a Saturday: a weekend day anyway
        date(2025, 4, 26),  # Koningsdag moved to Saturday (27 April 2025 is a Sunday)
        date(2024, 4, 28),  # an ordinary Sunday
    ],
)
def test_holidays_and_weekends_are_no_working_days(day: date) -> None:
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2024, 4, 26),  # the Friday before Koningsdag 2024
        date(2025, 4, 25),  # the Friday before Koningsdag 2025 (moved to the Saturday)
        date(2025, 4, 28),  # the Monday after: 27 April 2025 is no holiday on a Monday
        date(2024, 5, 10),  # the Friday after Hemelvaart is an ordinary working day
        date(2024, 12, 27),  # between Christmas and New Year
        date(2026, 5, 5),  # Bevrijdingsdag outside a lustrum year: the package does not list it
    ],
)
def test_working_days(day: date) -> None:
    assert is_working_day(day)


def test_holidays_are_cached_per_year() -> None:
    assert holidays_in(2024) is holidays_in(2024)
    assert date(2024, 12, 25) in holidays_in(2024)
    assert date(2024, 12, 25) not in holidays_in(2025)


def test_add_working_days_across_christmas_and_new_year() -> None:
    monday = date(2024, 12, 23)
    assert [add_working_days(monday, n) for n in range(6)] == [
        monday,
        date(2024, 12, 24),
        date(2024, 12, 27),  # 25 and 26 December are skipped
        date(2024, 12, 30),  # and the weekend
        date(2024, 12, 31),
        date(2025, 1, 2),  # and New Year's Day
    ]
    assert working_days_between(monday, date(2025, 1, 2)) == 5


def test_add_working_days_over_hemelvaart_and_pinksteren() -> None:
    assert add_working_days(date(2024, 5, 8), 1) == date(2024, 5, 10)
    assert add_working_days(date(2024, 5, 17), 1) == date(2024, 5, 21)
    assert add_working_days(date(2024, 3, 28), 1) == date(2024, 4, 2)  # Good Friday to Easter


def test_zero_days_is_the_first_working_day_from_start() -> None:
    assert add_working_days(date(2024, 4, 26), 0) == date(2024, 4, 26)
    assert add_working_days(date(2024, 4, 27), 0) == date(2024, 4, 29)  # Saturday: Monday
    assert add_working_days(date(2024, 12, 25), 0) == date(2024, 12, 27)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="days"):
        add_working_days(date(2024, 1, 2), -1)


def test_working_days_between() -> None:
    assert working_days_between(date(2024, 4, 26), date(2024, 4, 26)) == 0
    assert working_days_between(date(2024, 4, 26), date(2024, 4, 28)) == 0  # Fri to Sun
    assert working_days_between(date(2024, 4, 26), date(2024, 4, 29)) == 1
    assert working_days_between(date(2024, 3, 28), date(2024, 4, 2)) == 1
    assert working_days_between(date(2025, 1, 2), date(2024, 12, 23)) == -5
    assert (
        working_days_between(date(2024, 1, 1), date(2024, 12, 31)) == 262 - 7
    )  # 2024: 262 weekdays, 7 holidays on them


def test_working_days_overdue() -> None:
    deadline = date(2024, 12, 24)
    assert working_days_overdue(deadline, date(2024, 12, 20)) == 0
    assert working_days_overdue(deadline, deadline) == 0
    assert working_days_overdue(deadline, date(2024, 12, 26)) == 0  # only holidays since
    assert working_days_overdue(deadline, date(2024, 12, 27)) == 1
    assert working_days_overdue(deadline, date(2025, 1, 2)) == 4


@given(start=DATES, days=st.integers(min_value=1, max_value=60))
def test_adding_then_counting_gives_the_days_back(start: date, days: int) -> None:
    due = add_working_days(start, days)
    assert is_working_day(due)
    assert working_days_between(start, due) == days
    assert working_days_between(due, start) == -days


@given(start=DATES)
def test_zero_days_from_a_working_day_is_that_day(start: date) -> None:
    due = add_working_days(start, 0)
    assert is_working_day(due)
    assert working_days_between(start, due) == (0 if is_working_day(start) else 1)


@given(start=DATES, length=st.integers(min_value=0, max_value=800))
def test_counting_matches_a_day_by_day_count(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    naive = sum(1 for i in range(1, length + 1) if is_working_day(start + timedelta(days=i)))
    assert working_days_between(start, end) == naive
