"""COVID years (2020–2021) are abnormal: mark them and compare against a pre-COVID baseline."""

from __future__ import annotations

import math
from collections.abc import Mapping
from enum import StrEnum

COVID_YEARS = frozenset({2020, 2021})


def is_covid_year(year: int) -> bool:
    """True for 2020 and 2021."""
    return year in COVID_YEARS


class Baseline(StrEnum):
    Y2019 = "2019"
    Y2017_2019 = "2017-2019"


_BASELINE_YEARS: dict[Baseline, tuple[int, ...]] = {
    Baseline.Y2019: (2019,),
    Baseline.Y2017_2019: (2017, 2018, 2019),
}


def baseline_years(baseline: Baseline) -> tuple[int, ...]:
    """The years a baseline averages over."""
    return _BASELINE_YEARS[Baseline(baseline)]


def baseline_value(values: Mapping[int, float | None], baseline: Baseline) -> float | None:
    """Mean of ``values`` over the baseline years; None if any of them is missing."""
    picked: list[float] = []
    for year in baseline_years(baseline):
        value = values.get(year)
        if value is None:
            return None
        picked.append(float(value))
    return math.fsum(picked) / len(picked)
