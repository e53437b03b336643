"""The engine's vocabulary: kinds of target and of figure, statuses, measurements, targets and
evaluations (frozen dataclasses), and the confidence levels every rule uses.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from regie.stats import periods

#: Confidence of every margin: Veiligheidsmonitor bounds and Poisson intervals are 95%.
CONFIDENCE: Final = 0.95

#: Significance level of the one-sided direction tests.
LEVEL: Final = 0.05

#: A trajectory is amber (risico) from this share of the distance from B to T_y: the 90% rule.
AMBER_SHARE: Final = 0.9

#: Two-sided normal quantile for CONFIDENCE (1.959964…): bounds → standard errors.
_Z: Final = statistics.NormalDist().inv_cdf(1.0 - (1.0 - CONFIDENCE) / 2.0)

#: One-sided normal quantile for LEVEL (1.644854…).
_Z_ONE_SIDED: Final = statistics.NormalDist().inv_cdf(1.0 - LEVEL)

#: Most decimals ever shown to make a value and a target look different.
_MAX_DECIMALS: Final = 6

_MINUS: Final = "\u2212"  # the minus sign, not a hyphen


class TargetKind(StrEnum):
    AT_LEAST = "at_least"  # threshold: value ≥ target value (rapportcijfer 7,3 gelijk of hoger)
    AT_MOST = "at_most"  # threshold: value ≤ target value
    NOT_UP = "not_up"  # direction vs baseline: "afnemen of gelijk blijven"
    NOT_DOWN = "not_down"  # direction vs baseline: "stijgen of gelijk blijven"
    TRAJECTORY = "trajectory"  # start_value in start_year → end_value in end_year, linear


THRESHOLDS: Final = frozenset({TargetKind.AT_LEAST, TargetKind.AT_MOST})
DIRECTIONS: Final = frozenset({TargetKind.NOT_UP, TargetKind.NOT_DOWN})


class MeasureKind(StrEnum):
    """The kind of figure; the values of ``regie.monitor.models.MeasureKind`` (CONTRACT I4)."""

    EVENT_COUNT = "event_count"
    STOCK = "stock"
    AMOUNT = "amount"
    SURVEY = "survey_pct"
    RATIO = "ratio"


class Status(StrEnum):
    """A target's status; declared from most to least favourable, then "no new measurement"."""

    ACHIEVED = "achieved"
    WITHIN_MARGIN = "within_margin"
    AT_RISK = "at_risk"
    NOT_ACHIEVED = "not_achieved"
    NO_MEASUREMENT = "no_measurement"


#: Roll-up order, most favourable first (NO_MEASUREMENT is outside it).
SEVERITY: Final = (Status.ACHIEVED, Status.WITHIN_MARGIN, Status.AT_RISK, Status.NOT_ACHIEVED)

STATUS_LABELS: Final[Mapping[Status, Promise]] = {
    Status.ACHIEVED: gettext_lazy("achieved / on track"),
    Status.WITHIN_MARGIN: gettext_lazy("within the margin"),
    Status.AT_RISK: gettext_lazy("at risk"),
    Status.NOT_ACHIEVED: gettext_lazy("not achieved"),
    Status.NO_MEASUREMENT: gettext_lazy("no new measurement"),
}


class ChanceMethod(StrEnum):
    """How chance was judged (``ChanceTest.method``; stable codes for the JSON)."""

    EXACT_CONDITIONAL = "exact_conditional_binomial"
    SURVEY_MARGINS = "survey_margins_normal"
    SOURCE_MARGIN = "source_margin"
    POISSON_INTERVAL = "poisson_interval"


_TEST_NAMES: Final[Mapping[ChanceMethod, Promise]] = {
    ChanceMethod.EXACT_CONDITIONAL: gettext_lazy(
        "exact conditional (binomial) test, one-sided, 5%"
    ),
    ChanceMethod.SURVEY_MARGINS: gettext_lazy(
        "test on the published 95% margins (normal approximation), one-sided, 5%"
    ),
    ChanceMethod.SOURCE_MARGIN: gettext_lazy("published 95% margin of the source, two-sided, 5%"),
    ChanceMethod.POISSON_INTERVAL: gettext_lazy("exact 95% Poisson interval, two-sided, 5%"),
}

_ONE_SIDED: Final = frozenset({ChanceMethod.EXACT_CONDITIONAL, ChanceMethod.SURVEY_MARGINS})


@dataclass(frozen=True)
class ChanceTest:
    """The test (or margin) that judged chance: its method, sides, level and p-value."""

    method: ChanceMethod
    p_value: float | None = None

    @property
    def sides(self) -> int:
        return 1 if self.method in _ONE_SIDED else 2

    @property
    def level(self) -> float:
        return LEVEL

    @property
    def name(self) -> str:
        """The test in words, in the active language (names sides and level)."""
        return str(_TEST_NAMES[self.method])

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method.value,
            "name": self.name,
            "sides": "one-sided" if self.sides == 1 else "two-sided",
            "level": self.level,
            "p_value": self.p_value,
        }


class TargetError(ValueError):
    """A target that cannot be judged as entered (see :func:`target_problems`)."""


@dataclass(frozen=True)
class Measurement:
    """One figure of an indicator.

    ``period`` is a canonical period code (:mod:`regie.stats.periods`); ``year`` must be the
    year it ends in and ``whole_year`` must say whether it is a calendar year. ``lower`` and
    ``upper`` are the source's published 95% bounds (both or neither, enclosing ``value``). A
    count (``is_count``) is a whole number ≥ 0. ``kind`` is the kind of figure; left empty it
    is an event count for a count, a survey percentage when bounds are given, else a ratio.
    """

    period: str
    year: int
    value: float
    lower: float | None = None
    upper: float | None = None
    is_count: bool = False
    whole_year: bool = True
    kind: MeasureKind | None = None
    #: the source marks the figure voorlopig (said next to its period in every sentence)
    provisional: bool = False

    def __post_init__(self) -> None:
        if not math.isfinite(self.value):
            raise ValueError(f"value must be finite, got {self.value!r}")
        if (self.lower is None) != (self.upper is None):
            raise ValueError("give both bounds or neither")
        if self.lower is not None and self.upper is not None:
            if not (math.isfinite(self.lower) and math.isfinite(self.upper)):
                raise ValueError("bounds must be finite")
            if not self.lower <= self.value <= self.upper:
                raise ValueError(
                    f"bounds {self.lower!r}–{self.upper!r} do not enclose {self.value!r}"
                )
        if self.is_count and (self.value < 0 or not float(self.value).is_integer()):
            raise ValueError(f"a count must be a whole number >= 0, got {self.value!r}")
        if self.kind is not None:
            object.__setattr__(self, "kind", MeasureKind(self.kind))
        period = periods.parse(self.period)
        if period.end.year != self.year:
            raise ValueError(f"period {self.period!r} ends in {period.end.year}, not {self.year}")
        if period.is_whole_year != self.whole_year:
            raise ValueError(f"whole_year={self.whole_year} contradicts period {self.period!r}")

    @property
    def measure_kind(self) -> MeasureKind:
        if self.kind is not None:
            return MeasureKind(self.kind)
        if self.is_count:
            return MeasureKind.EVENT_COUNT
        if self.lower is not None:
            return MeasureKind.SURVEY
        return MeasureKind.RATIO

    @property
    def source_margin(self) -> tuple[float, float] | None:
        """The published 95% bounds, or None."""
        if self.lower is not None and self.upper is not None:
            return self.lower, self.upper
        return None


@dataclass(frozen=True)
class Target:
    """A streefwaarde. Which fields count depends on ``kind`` (see :func:`target_problems`).

    ``unit`` is shown after values ("%" without a space, anything else with one).
    ``plan_years`` (first, last) limits the measurements judged to the plan period;
    ``baseline_period`` (when ``baseline`` is not given) still means "only after it".
    ``unofficial_source`` names a source of figures that are not official statistics.
    """

    kind: TargetKind
    value: float | None = None
    baseline: Measurement | None = None
    start_year: int | None = None
    start_value: float | None = None
    end_year: int | None = None
    end_value: float | None = None
    unit: str = ""
    plan_years: tuple[int, int] | None = None
    baseline_period: str | None = None
    unofficial_source: str = ""


@dataclass(frozen=True)
class Evaluation:
    """A status with the explanation.

    ``measurement`` is the figure the sentence is about (None when nothing comparable exists);
    ``expected`` the trajectory's value for its year; ``margin`` the 95% margin that was used
    (source bounds, or a Poisson interval for an event count on a trajectory); ``test`` how
    chance was judged (None when it was not: a stock, no margin); ``p_value`` the exact test's
    p-value; ``share`` the share of the way on a trajectory; ``previous_status`` what the
    latest figure was judged when there is no newer one than ``since``.
    """

    status: Status
    explanation: str
    measurement: Measurement | None
    expected: float | None = None
    margin: tuple[float, float] | None = None
    p_value: float | None = None
    share: float | None = None
    previous_status: Status | None = None
    caveats: tuple[str, ...] = ()
    test: ChanceTest | None = None
