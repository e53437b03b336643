"""The rules of DOMAIN §5 the status engine had wrong: unrounded targets, plan period, kinds of
measure, one-sided direction tests named in the explanation, the 90% rule, unofficial sources,
counts in the roll-up. Pure tests: no database.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation
from scipy import stats

from regie.policy.engine import (
    AMBER_SHARE,
    ChanceMethod,
    ChanceTest,
    MeasureKind,
    Measurement,
    Status,
    Target,
    TargetKind,
    count_statuses,
    covered_share,
    evaluate,
    expected_on_trajectory,
    format_number,
    is_amber,
)
from regie.stats import periods


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    # The msgids are English; numbers still in Dutch format where asserted under "nl".
    with translation.override("en"):
        yield


def m(
    period: str,
    value: float,
    lower: float | None = None,
    upper: float | None = None,
    *,
    count: bool = False,
    kind: MeasureKind | None = None,
) -> Measurement:
    p = periods.parse(period)
    return Measurement(
        period=p.code,
        year=p.end.year,
        value=value,
        lower=lower,
        upper=upper,
        is_count=count,
        whole_year=p.is_whole_year,
        kind=kind,
    )


AT_LEAST_7_3 = Target(TargetKind.AT_LEAST, value=7.3)


# 1. Targets are never rounded -----------------------------------------------------------------


@pytest.mark.parametrize("decimals", [0, 1, 2, 3])
def test_a_value_below_the_target_is_not_achieved_whatever_the_decimals(decimals: int) -> None:
    result = evaluate(AT_LEAST_7_3, [m("2023", 7.1)], decimals=decimals)
    assert result.status == Status.NOT_ACHIEVED


def test_at_zero_decimals_the_sentence_shows_the_difference() -> None:
    # Both would show as "7" at 0 decimals: the sentence shows 7.1 against the target as written.
    result = evaluate(AT_LEAST_7_3, [m("2023", 7.1)], decimals=0)
    assert "7.1 in 2023" in result.explanation
    assert "at least 7.3" in result.explanation
    assert "7 in 2023" not in result.explanation


def test_a_value_that_rounds_to_the_target_is_still_below_it() -> None:
    # 7.25 displays as 7.3 (half up), yet it is below 7.3: not achieved, and never "7.3 < 7.3".
    result = evaluate(AT_LEAST_7_3, [m("2023", 7.25)], decimals=1)
    assert result.status == Status.NOT_ACHIEVED
    assert "7.25 in 2023" in result.explanation
    assert "7.3 in 2023" not in result.explanation
    at_most = evaluate(Target(TargetKind.AT_MOST, value=7.3), [m("2023", 7.34)])
    assert at_most.status == Status.NOT_ACHIEVED
    assert "7.34 in 2023" in at_most.explanation


def test_display_rounds_half_up() -> None:
    assert format_number(7.25, 1) == "7.3"
    assert format_number(0.125, 2) == "0.13"
    assert format_number(2.5, 0) == "3"
    assert format_number(-0.04, 1) == "0.0"
    with translation.override("nl"):
        assert format_number(7.25, 1) == "7,3"
        assert format_number(1245.5, 0) == "1.246"


def test_equal_values_meet_the_target() -> None:
    assert evaluate(AT_LEAST_7_3, [m("2023", 7.3)], decimals=0).status == Status.ACHIEVED
    assert evaluate(AT_LEAST_7_3, [m("2023", 7.3000000000001)]).status == Status.ACHIEVED


# 2. Plan period and baseline -----------------------------------------------------------------


def test_only_measurements_inside_the_plan_period_count() -> None:
    target = Target(TargetKind.AT_LEAST, value=7.3, plan_years=(2023, 2026))
    before = evaluate(target, [m("2021", 7.5)])
    assert before.status == Status.NO_MEASUREMENT
    assert "2023–2026" in before.explanation
    # A figure after the plan period is not judged against this plan: the latest inside is.
    inside = evaluate(target, [m("2024", 7.0), m("2027", 7.9)])
    assert inside.status == Status.NOT_ACHIEVED
    assert inside.measurement == m("2024", 7.0)


def test_a_threshold_is_judged_only_after_its_baseline() -> None:
    # The demo: "at least 7.3" with baseline 7.3 in 2021. The baseline itself is no new
    # measurement (it was "achieved" before).
    target = Target(TargetKind.AT_LEAST, value=7.3, baseline=m("2021", 7.3))
    assert evaluate(target, [m("2021", 7.3)]).status == Status.NO_MEASUREMENT
    assert evaluate(target, [m("2021", 7.3), m("2023", 7.4)]).status == Status.ACHIEVED
    by_period = Target(TargetKind.AT_LEAST, value=7.3, baseline_period="2023")
    result = evaluate(by_period, [m("2023", 7.4)])
    assert result.status == Status.NO_MEASUREMENT
    assert "2023" in result.explanation


# 2. No Poisson excuse for thresholds on counts ------------------------------------------------


@pytest.mark.parametrize(
    ("goal", "count", "kind"),
    [
        (0, 1, MeasureKind.EVENT_COUNT),  # zero tolerance
        (0, 2, MeasureKind.EVENT_COUNT),
        (50, 55, MeasureKind.EVENT_COUNT),  # 50 lies in 55's Poisson interval
        (10, 11, MeasureKind.STOCK),
    ],
)
def test_a_count_threshold_is_never_excused_by_a_poisson_margin(
    goal: int, count: int, kind: MeasureKind
) -> None:
    target = Target(TargetKind.AT_MOST, value=goal)
    result = evaluate(target, [m("2024", count, count=True, kind=kind)])
    assert result.status == Status.NOT_ACHIEVED
    assert result.margin is None
    assert result.test is None


def test_at_least_on_a_count_is_not_excused_either() -> None:
    target = Target(TargetKind.AT_LEAST, value=100)
    result = evaluate(target, [m("2024", 90, count=True)])
    assert result.status == Status.NOT_ACHIEVED


# 3. Survey bounds: binnen de marge ----------------------------------------------------------


def test_survey_bounds_straddling_the_target_are_within_the_margin() -> None:
    survey = m("2023", 7.2, 7.0, 7.4, kind=MeasureKind.SURVEY)
    result = evaluate(AT_LEAST_7_3, [survey])
    assert result.status == Status.WITHIN_MARGIN
    assert result.margin == (7.0, 7.4)
    assert result.test == ChanceTest(ChanceMethod.SOURCE_MARGIN)
    assert "7.0–7.4" in result.explanation
    assert "published 95% margin of the source, two-sided, 5%" in result.explanation
    below = evaluate(AT_LEAST_7_3, [m("2023", 7.0, 6.9, 7.2, kind=MeasureKind.SURVEY)])
    assert below.status == Status.NOT_ACHIEVED


# 2. Direction targets: one-sided, named, symmetric ------------------------------------------


def not_up(baseline: Measurement) -> Target:
    return Target(TargetKind.NOT_UP, baseline=baseline)


def not_down(baseline: Measurement) -> Target:
    return Target(TargetKind.NOT_DOWN, baseline=baseline)


def test_direction_on_event_counts_names_the_one_sided_exact_test() -> None:
    result = evaluate(not_up(m("2022", 100, count=True)), [m("2024", 118, count=True)])
    assert result.test is not None
    assert result.test.method == ChanceMethod.EXACT_CONDITIONAL
    assert result.test.sides == 1
    assert result.test.level == 0.05
    assert "exact conditional (binomial) test, one-sided, 5%" in result.explanation
    expected = stats.binomtest(118, 218, 0.5, alternative="greater").pvalue
    assert result.p_value == pytest.approx(expected)
    assert result.test.as_dict() == {
        "method": "exact_conditional_binomial",
        "name": "exact conditional (binomial) test, one-sided, 5%",
        "sides": "one-sided",
        "level": 0.05,
        "p_value": pytest.approx(expected),
    }


def test_a_provisional_figure_is_named_provisional_in_the_sentence() -> None:
    # A raadslid must not read 2025 (voorlopig) against 2022 (definitief) as two final figures.
    later = Measurement(
        period="2025", year=2025, value=30, is_count=True, whole_year=True, provisional=True
    )
    result = evaluate(not_up(m("2022", 63, count=True)), [later])
    assert "2025 (provisional)" in result.explanation
    assert "2022 (provisional)" not in result.explanation


def test_one_sided_not_two_sided() -> None:
    # 100 → 126: two-sided p > 0.05 (within chance before), one-sided p < 0.05.
    result = evaluate(not_up(m("2022", 100, count=True)), [m("2024", 126, count=True)])
    one = stats.binomtest(126, 226, 0.5, alternative="greater").pvalue
    two = stats.binomtest(126, 226, 0.5).pvalue
    assert one < 0.05 < two
    assert result.status == Status.NOT_ACHIEVED


@pytest.mark.parametrize(("base", "change"), [(100, 10), (100, 26), (40, 12), (1000, 80)])
def test_rise_and_fall_are_treated_alike(base: int, change: int) -> None:
    rise = evaluate(not_up(m("2022", base, count=True)), [m("2024", base + change, count=True)])
    fall = evaluate(not_down(m("2022", base + change, count=True)), [m("2024", base, count=True)])
    assert rise.status == fall.status
    assert rise.p_value == pytest.approx(fall.p_value)
    assert rise.test is not None
    assert fall.test is not None
    assert rise.test.name == fall.test.name


def test_survey_direction_is_one_sided_and_named() -> None:
    # 20 (18–22) → 22.5 (20.5–24.5): z ≈ 1.73, beyond one-sided 1.645 (not two-sided 1.96)
    target = not_up(m("2021", 20, 18, 22, kind=MeasureKind.SURVEY))
    result = evaluate(target, [m("2023", 22.5, 20.5, 24.5, kind=MeasureKind.SURVEY)])
    assert result.status == Status.NOT_ACHIEVED
    assert result.test is not None
    assert result.test.method == ChanceMethod.SURVEY_MARGINS
    assert "one-sided, 5%" in result.explanation
    falling = not_down(m("2021", 22.5, 20.5, 24.5, kind=MeasureKind.SURVEY))
    fall = evaluate(falling, [m("2023", 20, 18, 22, kind=MeasureKind.SURVEY)])
    assert fall.status == Status.NOT_ACHIEVED
    assert fall.p_value == pytest.approx(result.p_value)


@pytest.mark.parametrize("kind", [MeasureKind.STOCK, MeasureKind.AMOUNT])
def test_any_rise_or_fall_of_a_stock_or_amount_counts(kind: MeasureKind) -> None:
    rise = evaluate(
        not_up(m("2022", 100, count=True, kind=kind)), [m("2024", 101, count=True, kind=kind)]
    )
    assert rise.status == Status.NOT_ACHIEVED
    assert rise.test is None
    fall = evaluate(
        not_down(m("2022", 100, count=True, kind=kind)), [m("2024", 99, count=True, kind=kind)]
    )
    assert fall.status == Status.NOT_ACHIEVED
    # The same small rise of an event count is within chance.
    events = evaluate(not_up(m("2022", 100, count=True)), [m("2024", 101, count=True)])
    assert events.status == Status.WITHIN_MARGIN


# 2. The 90% rule, once and the same every year --------------------------------------------


TRUST = Target(
    TargetKind.TRAJECTORY, start_year=2022, start_value=50, end_year=2026, end_value=58, unit="%"
)
DOWN = Target(TargetKind.TRAJECTORY, start_year=2020, start_value=200, end_year=2025, end_value=150)


@pytest.mark.parametrize("target", [TRUST, DOWN], ids=["rising", "falling"])
def test_the_ninety_percent_rule_is_the_same_every_year(target: Target) -> None:
    assert target.start_year is not None
    assert target.end_year is not None
    start = target.start_value
    assert start is not None
    for year in range(target.start_year + 1, target.end_year + 2):  # the goal year and after
        expected = expected_on_trajectory(target, year)
        amber = start + (expected - start) * AMBER_SHARE
        red = start + (expected - start) * (AMBER_SHARE - 0.02)
        assert is_amber(covered_share(start, expected, amber))
        assert not is_amber(covered_share(start, expected, red))
        at_amber = evaluate(target, [m(str(year), amber)])
        at_red = evaluate(target, [m(str(year), red)])
        on = evaluate(target, [m(str(year), expected)])
        assert (on.status, at_amber.status, at_red.status) == (
            Status.ACHIEVED,
            Status.AT_RISK,
            Status.NOT_ACHIEVED,
        ), year


def test_a_trajectory_of_a_stock_has_no_poisson_margin() -> None:
    target = Target(
        TargetKind.TRAJECTORY, start_year=2022, start_value=100, end_year=2026, end_value=200
    )
    # expected 2024 = 150; 140 is 80% of the way; a Poisson interval of 140 would reach 150
    stock = evaluate(target, [m("2024", 140, count=True, kind=MeasureKind.STOCK)])
    assert stock.status == Status.NOT_ACHIEVED
    assert stock.margin is None
    events = evaluate(target, [m("2024", 140, count=True)])
    assert events.status == Status.WITHIN_MARGIN
    assert events.test == ChanceTest(ChanceMethod.POISSON_INTERVAL)


# 4. Unofficial figures say so -------------------------------------------------------------


def test_misdaad_in_kaart_says_it_is_not_official_statistics() -> None:
    target = Target(
        TargetKind.NOT_UP,
        baseline=m("2024", 30, count=True),
        unofficial_source="Misdaad in kaart",
    )
    for figures in ([m("2025", 23, count=True)], [m("2025", 60, count=True)], []):
        result = evaluate(target, figures)
        assert "Misdaad in kaart figures are not official statistics." in result.explanation
    official = evaluate(Target(TargetKind.NOT_UP, baseline=m("2024", 30, count=True)), [])
    assert "official" not in official.explanation


# 6. Counts per status -----------------------------------------------------------------------


def test_count_statuses_has_every_status_and_the_unjudged() -> None:
    counts = count_statuses(
        [Status.ACHIEVED, Status.NOT_ACHIEVED, Status.NO_MEASUREMENT, Status.ACHIEVED]
    )
    assert counts == {
        Status.ACHIEVED: 2,
        Status.WITHIN_MARGIN: 0,
        Status.AT_RISK: 0,
        Status.NOT_ACHIEVED: 1,
        Status.NO_MEASUREMENT: 1,
    }
