"""Partial years (monthly series) and the COVID baseline."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regie.stats import (
    COVID_YEARS,
    Baseline,
    baseline_value,
    baseline_years,
    full_year_estimate,
    is_covid_year,
    rolling_12,
    same_months_previous_year,
    seasonal_share,
)

Monthly = dict[tuple[int, int], float | None]


def months_from(year: int, month: int, values: list[float | None]) -> Monthly:
    """Consecutive months starting at (year, month)."""
    series: Monthly = {}
    index = year * 12 + month - 1
    for offset, value in enumerate(values):
        series[((index + offset) // 12, (index + offset) % 12 + 1)] = value
    return series


def test_rolling_12_by_hand() -> None:
    # Jan 2022 .. Jun 2023 with values 1..18.
    series = months_from(2022, 1, [float(v) for v in range(1, 19)])
    result = rolling_12(series)
    assert result[0] == ((2022, 12), 78.0)  # 1 + ... + 12
    assert result[1] == ((2023, 1), 90.0)  # 78 - 1 + 13
    assert result[-1] == ((2023, 6), sum(range(7, 19)))
    assert len(result) == 7


def test_rolling_12_skips_windows_with_a_gap() -> None:
    values: list[float | None] = [10.0] * 15
    values[12] = None  # January 2023 not published
    result = rolling_12(months_from(2022, 1, values))
    assert result == [((2022, 12), 120.0)]


def test_rolling_12_unsorted_input_and_year_boundary() -> None:
    series = months_from(2021, 7, [5.0] * 12)
    shuffled = dict(reversed(list(series.items())))
    assert rolling_12(shuffled) == [((2022, 6), 60.0)]


@given(
    start_year=st.integers(min_value=2000, max_value=2030),
    start_month=st.integers(min_value=1, max_value=12),
    values=st.lists(
        st.one_of(st.none(), st.integers(min_value=0, max_value=500).map(float)), max_size=40
    ),
)
def test_rolling_12_matches_a_sliding_window(
    start_year: int, start_month: int, values: list[float | None]
) -> None:
    series = months_from(start_year, start_month, values)
    keys = list(series)  # chronological by construction
    expected = []
    for end in range(11, len(values)):
        window = values[end - 11 : end + 1]
        if all(v is not None for v in window):
            expected.append((keys[end], sum(v for v in window if v is not None)))
    assert rolling_12(series) == expected


def test_same_months_previous_year() -> None:
    series = months_from(2022, 1, [float(v) for v in range(1, 19)])
    # Jan..Jun 2023 = 13..18 (sum 93); Jan..Jun 2022 = 1..6 (sum 21).
    assert same_months_previous_year(series, 2023, 6) == (93.0, 21.0)
    assert same_months_previous_year(series, 2023, 7) is None  # July 2023 missing
    assert same_months_previous_year(series, 2022, 1) is None  # 2021 missing
    series[(2022, 3)] = None
    assert same_months_previous_year(series, 2023, 2) == (27.0, 3.0)
    assert same_months_previous_year(series, 2023, 3) is None
    with pytest.raises(ValueError, match="month"):
        same_months_previous_year(series, 2023, 13)


def test_seasonal_share_and_full_year_estimate() -> None:
    # 2018: 10 every month -> Jan..Mar share 30 / 120 = 0.25.
    # 2019: 30 in Jan..Mar, 10 after -> 90 / 180 = 0.5. Mean share 0.375.
    series = months_from(2018, 1, [10.0] * 12)
    series.update(months_from(2019, 1, [30.0] * 3 + [10.0] * 9))
    share = seasonal_share(series, 3, [2018, 2019])
    assert share == pytest.approx(0.375)
    assert seasonal_share(series, 12, [2018, 2019]) == pytest.approx(1.0)
    assert full_year_estimate(300.0, 0.375) == pytest.approx(800.0)
    assert full_year_estimate(300.0, 1.0) == pytest.approx(300.0)


def test_seasonal_share_needs_whole_nonzero_years() -> None:
    series = months_from(2018, 1, [10.0] * 12)
    series.update(months_from(2019, 1, [10.0] * 11))  # December 2019 missing
    assert seasonal_share(series, 3, [2018, 2019]) is None
    assert seasonal_share(series, 3, []) is None
    zero = months_from(2017, 1, [0.0] * 12)
    assert seasonal_share(zero, 3, [2017]) is None


@pytest.mark.parametrize("share", [0.0, -0.5, 1.5, float("nan")])
def test_full_year_estimate_rejects_bad_share(share: float) -> None:
    with pytest.raises(ValueError, match="share"):
        full_year_estimate(100.0, share)


def test_covid_years_and_baselines() -> None:
    assert frozenset({2020, 2021}) == COVID_YEARS
    assert [year for year in range(2015, 2025) if is_covid_year(year)] == [2020, 2021]
    assert baseline_years(Baseline.Y2019) == (2019,)
    assert baseline_years(Baseline.Y2017_2019) == (2017, 2018, 2019)
    assert Baseline("2017-2019") is Baseline.Y2017_2019
    values: dict[int, float | None] = {2017: 1200.0, 2018: 1100.0, 2019: 1300.0, 2020: 900.0}
    assert baseline_value(values, Baseline.Y2019) == 1300.0
    assert baseline_value(values, Baseline.Y2017_2019) == pytest.approx(1200.0)
    values[2018] = None
    assert baseline_value(values, Baseline.Y2017_2019) is None
    assert baseline_value({2018: 5.0}, Baseline.Y2019) is None
