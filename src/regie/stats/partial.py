"""Partial years: same months of the previous year, rolling 12-month sums, full-year estimates.

Monthly series are mappings (year, month) → count, with None for a month not (yet) published.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from ._checks import positive

Month = tuple[int, int]
MonthlySeries = Mapping[Month, float | None]


def _check_month(month: int) -> None:
    if not 1 <= month <= 12:
        raise ValueError(f"month must be 1..12, got {month!r}")


def _shift(key: Month, months: int) -> Month:
    index = key[0] * 12 + (key[1] - 1) + months
    return index // 12, index % 12 + 1


def _sum(monthly: MonthlySeries, keys: Iterable[Month]) -> float | None:
    total: list[float] = []
    for key in keys:
        value = monthly.get(key)
        if value is None:
            return None
        total.append(float(value))
    return math.fsum(total)


def rolling_12(monthly: MonthlySeries) -> list[tuple[Month, float]]:
    """Sum of the 12 months ending at each month, where all 12 are present; chronological."""
    result: list[tuple[Month, float]] = []
    for key in sorted(monthly):
        _check_month(key[1])
        total = _sum(monthly, (_shift(key, -back) for back in range(12)))
        if total is not None:
            result.append((key, total))
    return result


def same_months_previous_year(
    monthly: MonthlySeries, year: int, up_to_month: int
) -> tuple[float, float] | None:
    """(sum Jan..m of ``year``, sum Jan..m of ``year - 1``); None when any month is missing."""
    _check_month(up_to_month)
    current = _sum(monthly, ((year, m) for m in range(1, up_to_month + 1)))
    previous = _sum(monthly, ((year - 1, m) for m in range(1, up_to_month + 1)))
    if current is None or previous is None:
        return None
    return current, previous


def seasonal_share(monthly: MonthlySeries, up_to_month: int, years: Iterable[int]) -> float | None:
    """Mean over whole ``years`` of sum(Jan..m) / sum(year).

    None when ``years`` is empty, a year is incomplete or a year total is 0.
    """
    _check_month(up_to_month)
    shares: list[float] = []
    for year in years:
        part = _sum(monthly, ((year, m) for m in range(1, up_to_month + 1)))
        whole = _sum(monthly, ((year, m) for m in range(1, 13)))
        if part is None or whole is None or whole == 0:
            return None
        shares.append(part / whole)
    if not shares:
        return None
    return math.fsum(shares) / len(shares)


def full_year_estimate(year_to_date: float, share: float) -> float:
    """Year-to-date divided by the usual share of the year reached (0 < share <= 1)."""
    share = positive(share, "share")
    if share > 1.0:
        raise ValueError(f"share must not exceed 1, got {share!r}")
    return float(year_to_date) / share
