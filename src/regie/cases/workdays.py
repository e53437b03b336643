"""Deadlines in working days: Monday to Friday, without Dutch public holidays.

The holidays come from the ``holidays`` package (``holidays.country_holidays("NL")``, offline
data) and are taken as that package gives them, without local corrections:

- Goede Vrijdag (Good Friday) counts as a holiday (the package lists it for NL).
- Bevrijdingsdag (5 May) counts only in the years the package lists it: every fifth year
  (2020, 2025, 2030, ...), the years it is a day off under most collective agreements.
- Koningsdag moves to Saturday 26 April when 27 April is a Sunday (2025); on a Saturday it
  changes nothing, as weekends are no working days anyway.

A different rule (a municipality that works on Goede Vrijdag, or closes between Christmas and New
Year) is a change here, in :func:`holidays_in`, not at the call sites.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

_DAY = timedelta(days=1)
_SATURDAY = 5


@lru_cache(maxsize=64)
def holidays_in(year: int) -> frozenset[date]:
    """The Dutch public holidays of ``year`` (cached per year)."""
    return frozenset(holidays.country_holidays("NL", years=year).keys())


def is_working_day(day: date) -> bool:
    """Monday to Friday, and not a Dutch public holiday."""
    return day.weekday() < _SATURDAY and day not in holidays_in(day.year)


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (counting starts the day after ``start``).

    ``days == 0`` gives ``start`` itself when it is a working day, else the next working day:
    the first day something can be due. For ``days >= 1``,
    ``working_days_between(start, add_working_days(start, days)) == days``.
    """
    if days < 0:
        raise ValueError("days must be 0 or more")
    day = start
    if days == 0:
        while not is_working_day(day):
            day += _DAY
        return day
    counted = 0
    while counted < days:
        day += _DAY
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: date, end: date) -> int:
    """The number of working days after ``start`` up to and including ``end``.

    Negative when ``end`` lies before ``start``: minus the working days after ``end`` up to and
    including ``start``. ``working_days_between(d, d) == 0``.
    """
    if end < start:
        return -working_days_between(end, start)
    weekdays = _weekdays_up_to(end) - _weekdays_up_to(start)
    free = sum(
        1
        for year in range(start.year, end.year + 1)
        for holiday in holidays_in(year)
        if start < holiday <= end and holiday.weekday() < _SATURDAY
    )
    return weekdays - free


def working_days_overdue(deadline: date, today: date) -> int:
    """0 when ``today`` is on or before ``deadline`` (or no working day has passed since);
    else the working days after ``deadline`` up to and including ``today``."""
    return max(0, working_days_between(deadline, today))


def _weekdays_up_to(day: date) -> int:
    """Mondays to Fridays from 1 January of year 1 (a Monday) up to and including ``day``."""
    ordinal = day.toordinal()
    return ordinal // 7 * 5 + min(ordinal % 7, 5)
