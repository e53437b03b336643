"""The target status engine: every kind of target × every status it can reach, with its sentence.

Pure tests: no database. Numbers are checked in Dutch format (the default language); the
sentences' words are msgids that translators may change, so most tests assert the numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from django.utils import translation
from scipy import stats

from regie.policy.engine import (
    SEVERITY,
    STATUS_LABELS,
    Evaluation,
    Measurement,
    Status,
    Target,
    TargetError,
    TargetKind,
    evaluate,
    expected_on_trajectory,
    margin_of,
    roll_up,
    status_label,
    target_problems,
)
from regie.stats import periods

MINUS = "\u2212"


@pytest.fixture(autouse=True)
def _dutch() -> Iterator[None]:
    with translation.override("nl"):
        yield


def m(
    period: str,
    value: float,
    lower: float | None = None,
    upper: float | None = None,
    *,
    count: bool = False,
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
    )


def garwood(k: int) -> tuple[float, float]:
    """Exact 95% Poisson interval straight from scipy's chi-squared quantiles (DOMAIN.md §5)."""
    lower = 0.0 if k == 0 else float(stats.chi2.ppf(0.025, 2 * k)) / 2
    return lower, float(stats.chi2.ppf(0.975, 2 * k + 2)) / 2


def assert_says(result: Evaluation, *parts: str) -> None:
    assert result.explanation.strip(), "an evaluation must explain itself"
    for part in parts:
        assert part in result.explanation, f"{part!r} missing in {result.explanation!r}"


# Targets used throughout --------------------------------------------------------------------

RAPPORTCIJFER = Target(TargetKind.AT_LEAST, value=7.3)
INCIDENTS_AT_MOST = Target(TargetKind.AT_MOST, value=50)
TRUST = Target(
    TargetKind.TRAJECTORY, start_year=2022, start_value=50, end_year=2026, end_value=58, unit="%"
)
INCIDENTS_DOWN = Target(
    TargetKind.TRAJECTORY, start_year=2022, start_value=200, end_year=2026, end_value=160
)


def not_up(baseline: Measurement, unit: str = "") -> Target:
    return Target(TargetKind.NOT_UP, baseline=baseline, unit=unit)


def not_down(baseline: Measurement, unit: str = "") -> Target:
    return Target(TargetKind.NOT_DOWN, baseline=baseline, unit=unit)


# Every kind × every reachable status ----------------------------------------------------------

CASES = [
    # thresholds (≥): gehaald, binnen marge, niet gehaald (with and without a margin)
    ("at_least achieved", RAPPORTCIJFER, [m("2023", 7.4)], Status.ACHIEVED, ["7,4", "7,3", "2023"]),
    (
        "at_least achieved, margin includes target",
        RAPPORTCIJFER,
        [m("2023", 7.4, 7.2, 7.6)],
        Status.ACHIEVED,
        ["7,4", "7,3", "7,2–7,6"],
    ),
    (
        "at_least within margin",
        RAPPORTCIJFER,
        [m("2023", 7.2, 7.0, 7.4)],
        Status.WITHIN_MARGIN,
        ["7,2", "7,3", "7,0–7,4", "2023"],
    ),
    (
        "at_least not achieved beyond margin",
        RAPPORTCIJFER,
        [m("2023", 6.9, 6.7, 7.1)],
        Status.NOT_ACHIEVED,
        ["6,9", "7,3", "6,7–7,1"],
    ),
    (
        "at_least not achieved without margin",
        RAPPORTCIJFER,
        [m("2023", 7.2)],
        Status.NOT_ACHIEVED,
        ["7,2", "7,3", "2023"],
    ),
    # thresholds (≤) on counts: no Poisson interval ever excuses a count threshold
    (
        "at_most achieved",
        INCIDENTS_AT_MOST,
        [m("2024", 30, count=True)],
        Status.ACHIEVED,
        ["30", "50", "2024"],
    ),
    (
        "at_most count above the threshold, inside its Poisson interval: not achieved",
        INCIDENTS_AT_MOST,
        [m("2024", 55, count=True)],
        Status.NOT_ACHIEVED,
        ["55", "50", "2024"],
    ),
    (
        "at_most count far above the threshold",
        INCIDENTS_AT_MOST,
        [m("2024", 80, count=True)],
        Status.NOT_ACHIEVED,
        ["80", "50"],
    ),
    # thresholds (≤) on a survey percentage: the published bounds are the margin
    (
        "at_most survey within its published margin",
        Target(TargetKind.AT_MOST, value=20, unit="%"),
        [m("2023", 21, 19, 23)],
        Status.WITHIN_MARGIN,
        ["21,0%", "20,0%", "19,0–23,0%"],
    ),
    # direction "afnemen of gelijk blijven" on counts: exact conditional test
    (
        "not_up achieved",
        not_up(m("2022", 100, count=True)),
        [m("2024", 95, count=True)],
        Status.ACHIEVED,
        ["95", "100", "2022", "2024", f"{MINUS}5"],
    ),
    (
        "not_up equal is achieved",
        not_up(m("2022", 100, count=True)),
        [m("2024", 100, count=True)],
        Status.ACHIEVED,
        ["100", "2022", "2024"],
    ),
    (
        "not_up rise within chance",
        not_up(m("2022", 100, count=True)),
        [m("2024", 110, count=True)],
        Status.WITHIN_MARGIN,
        ["110", "100", "+10"],
    ),
    (
        "not_up rise beyond chance",
        not_up(m("2022", 100, count=True)),
        [m("2024", 150, count=True)],
        Status.NOT_ACHIEVED,
        ["150", "100", "+50"],
    ),
    # direction on survey percentages with published bounds
    (
        "not_up survey rise within margins",
        not_up(m("2021", 20, 18, 22), unit="%"),
        [m("2023", 22, 20, 24)],
        Status.WITHIN_MARGIN,
        ["22,0%", "20,0%", "+2,0"],
    ),
    (
        "not_up survey rise beyond margins",
        not_up(m("2021", 20, 18, 22), unit="%"),
        [m("2023", 26, 24, 28)],
        Status.NOT_ACHIEVED,
        ["26,0%", "20,0%", "+6,0"],
    ),
    (
        "not_up rise without any margin",
        not_up(m("2022", 36.5)),
        [m("2024", 38.0)],
        Status.NOT_ACHIEVED,
        ["38,0", "36,5", "+1,5"],
    ),
    # direction "stijgen of gelijk blijven"
    (
        "not_down achieved",
        not_down(m("2021", 7.3, 7.2, 7.4)),
        [m("2023", 7.5, 7.4, 7.6)],
        Status.ACHIEVED,
        ["7,5", "7,3", "+0,2"],
    ),
    (
        "not_down fall within margins",
        not_down(m("2021", 7.3, 7.2, 7.4)),
        [m("2023", 7.2, 7.1, 7.3)],
        Status.WITHIN_MARGIN,
        ["7,2", "7,3", f"{MINUS}0,1"],
    ),
    (
        "not_down fall beyond margins",
        not_down(m("2021", 7.3, 7.2, 7.4)),
        [m("2023", 6.8, 6.7, 6.9)],
        Status.NOT_ACHIEVED,
        ["6,8", "7,3", f"{MINUS}0,5"],
    ),
    (
        "not_down counts fall beyond chance",
        not_down(m("2022", 1000, count=True)),
        [m("2024", 900, count=True)],
        Status.NOT_ACHIEVED,
        ["900", "1.000", f"{MINUS}100"],
    ),
    # trajectory trust 50% (2022) → 58% (2026): expected 2024 = 54%
    (
        "trajectory on track",
        TRUST,
        [m("2024", 55.0)],
        Status.ACHIEVED,
        ["55,0%", "54,0%", "2024"],
    ),
    (
        "trajectory within margin",
        TRUST,
        [m("2024", 52.0, 49.0, 55.0)],
        Status.WITHIN_MARGIN,
        ["52,0%", "54,0%", "49,0–55,0%"],
    ),
    (
        "trajectory at risk (≥ 90% of the way)",
        TRUST,
        [m("2024", 53.7)],
        Status.AT_RISK,
        ["53,7%", "54,0%", "92%", "50,0%", "2022"],
    ),
    (
        "trajectory milestone not achieved (< 90% of the way)",
        TRUST,
        [m("2024", 51.0)],
        Status.NOT_ACHIEVED,
        ["51,0%", "54,0%", "25%", "2024"],
    ),
    (
        "trajectory moved away from the goal",
        TRUST,
        [m("2024", 49.0)],
        Status.NOT_ACHIEVED,
        ["49,0%", "54,0%", "50,0%", "2022"],
    ),
    (
        "trajectory goal achieved",
        TRUST,
        [m("2026", 59.0)],
        Status.ACHIEVED,
        ["59,0%", "58,0%", "2026"],
    ),
    (
        "trajectory goal within margin",
        TRUST,
        [m("2026", 57.0, 55.0, 59.0)],
        Status.WITHIN_MARGIN,
        ["57,0%", "58,0%", "55,0–59,0%"],
    ),
    (
        "trajectory goal year: 93% of the way is at risk (the 90% rule holds every year)",
        TRUST,
        [m("2026", 57.5)],
        Status.AT_RISK,
        ["57,5%", "58,0%", "93%", "2026"],
    ),
    (
        "trajectory goal year: 75% of the way is not achieved",
        TRUST,
        [m("2026", 56.0)],
        Status.NOT_ACHIEVED,
        ["56,0%", "58,0%", "75%", "2026"],
    ),
    (
        "trajectory after the goal year holds the goal",
        TRUST,
        [m("2027", 57.0)],
        Status.NOT_ACHIEVED,
        ["57,0%", "58,0%", "2027"],
    ),
    # a falling trajectory on counts (200 → 160; expected 2024 = 180)
    (
        "falling trajectory on track",
        INCIDENTS_DOWN,
        [m("2024", 175, count=True)],
        Status.ACHIEVED,
        ["175", "180", "2024"],
    ),
    (
        "falling trajectory within Poisson margin",
        INCIDENTS_DOWN,
        [m("2024", 185, count=True)],
        Status.WITHIN_MARGIN,
        ["185", "180", "159,3–213,7"],
    ),
    (
        "falling trajectory beyond Poisson margin, wrong way",
        INCIDENTS_DOWN,
        [m("2024", 230, count=True)],
        Status.NOT_ACHIEVED,
        ["230", "180", "200", "2022"],
    ),
]


@pytest.mark.parametrize(
    ("target", "measurements", "status", "parts"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_status_and_sentence(
    target: Target, measurements: list[Measurement], status: Status, parts: list[str]
) -> None:
    result = evaluate(target, measurements)
    assert result.status == status
    assert result.measurement == measurements[-1]
    assert_says(result, *parts)
    assert "\n" not in result.explanation
    assert result.explanation.rstrip().endswith(".")


def test_every_kind_reaches_its_statuses() -> None:
    reached: dict[str, set[Status]] = {}
    for _, target, measurements, status, _parts in CASES:
        reached.setdefault(TargetKind(target.kind).value, set()).add(status)
        assert evaluate(target, measurements).status == status
    measured = {Status.ACHIEVED, Status.WITHIN_MARGIN, Status.NOT_ACHIEVED}
    assert reached["at_least"] == measured
    assert reached["at_most"] == measured
    assert reached["not_up"] == measured
    assert reached["not_down"] == measured
    assert reached["trajectory"] == measured | {Status.AT_RISK}


@pytest.mark.parametrize(
    "target",
    [RAPPORTCIJFER, INCIDENTS_AT_MOST, not_up(m("2022", 100, count=True)), TRUST],
    ids=["at_least", "at_most", "not_up", "trajectory"],
)
def test_no_measurement_at_all(target: Target) -> None:
    result = evaluate(target, [])
    assert result.status == Status.NO_MEASUREMENT
    assert result.measurement is None
    assert result.explanation


def test_thresholds_never_at_risk() -> None:
    for value in (6.0, 7.0, 7.25, 7.29, 7.3, 8.0):
        for bounds in ((None, None), (value - 0.2, value + 0.2), (value - 1, value + 1)):
            result = evaluate(RAPPORTCIJFER, [m("2023", value, *bounds)])
            assert result.status != Status.AT_RISK


# The trust trajectory example (DOMAIN.md §2.3) ------------------------------------------------


def test_expected_on_trajectory_is_linear_and_clamped() -> None:
    assert expected_on_trajectory(TRUST, 2022) == 50.0
    assert expected_on_trajectory(TRUST, 2023) == 52.0
    assert expected_on_trajectory(TRUST, 2024) == 54.0
    assert expected_on_trajectory(TRUST, 2026) == 58.0
    # clamped: before the start the start value, after the goal year the goal
    assert expected_on_trajectory(TRUST, 2019) == 50.0
    assert expected_on_trajectory(TRUST, 2030) == 58.0
    assert expected_on_trajectory(INCIDENTS_DOWN, 2025) == 170.0


def test_trust_example_sentence() -> None:
    result = evaluate(TRUST, [m("2022", 50.0), m("2024", 52.0, 49.0, 55.0)], decimals=0)
    assert result.status == Status.WITHIN_MARGIN
    assert result.expected == pytest.approx(54.0)
    assert result.margin == (49.0, 55.0)
    assert result.share == pytest.approx(0.5)
    assert_says(result, "52%", "2024", "54%", "49–55%")
    with translation.override("en"):
        english = evaluate(TRUST, [m("2024", 52.0, 49.0, 55.0)], decimals=0)
    assert english.explanation == (
        "52% in 2024, expected on the trajectory 54%; the difference is within the margin "
        "(49–55%). Test: published 95% margin of the source, two-sided, 5%."
    )


def test_trust_expected_with_one_decimal_in_dutch() -> None:
    result = evaluate(TRUST, [m("2024", 52.0, 49.0, 55.0)])
    assert_says(result, "52,0%", "54,0%", "49,0–55,0%")


def test_at_risk_threshold_is_ninety_percent_of_the_way() -> None:
    # expected 2024 = 54: 53,6 is exactly 90% of the way from 50, 53,5 is 87%
    assert evaluate(TRUST, [m("2024", 53.6)]).status == Status.AT_RISK
    assert evaluate(TRUST, [m("2024", 53.5)]).status == Status.NOT_ACHIEVED
    assert evaluate(TRUST, [m("2024", 54.0)]).status == Status.ACHIEVED


def test_trajectory_needs_a_measurement_after_its_start_year() -> None:
    result = evaluate(TRUST, [m("2021", 48.0), m("2022", 50.0)])
    assert result.status == Status.NO_MEASUREMENT
    assert result.measurement == m("2022", 50.0)
    assert_says(result, "2022", "50,0%")


# Poisson margins against scipy --------------------------------------------------------------


@pytest.mark.parametrize("k", [0, 1, 5, 19, 55, 1245])
def test_count_margin_is_exact_poisson(k: int) -> None:
    lower, upper = margin_of(m("2022", k, count=True))
    expected_lower, expected_upper = garwood(k)
    assert lower == pytest.approx(expected_lower, rel=1e-9, abs=1e-12)
    assert upper == pytest.approx(expected_upper, rel=1e-9)
    # the defining property: P(X >= k | lower) = P(X <= k | upper) = 2.5%
    if k > 0:
        assert stats.poisson.sf(k - 1, lower) == pytest.approx(0.025, rel=1e-6)
    assert stats.poisson.cdf(k, upper) == pytest.approx(0.025, rel=1e-6)


def test_published_bounds_win_over_poisson() -> None:
    assert margin_of(m("2023", 40, 30, 50, count=True)) == (30, 50)
    assert margin_of(m("2023", 7.3)) is None
    assert margin_of(m("2023", 7.3, 7.2, 7.4)) == (7.2, 7.4)


def test_count_threshold_is_never_excused_by_a_poisson_margin() -> None:
    # 55 against at most 50: 50 lies inside 55's exact Poisson interval (41,4–71,6), but a
    # threshold on a count is judged as counted.
    result = evaluate(INCIDENTS_AT_MOST, [m("2024", 55, count=True)])
    assert result.status == Status.NOT_ACHIEVED
    assert result.margin is None
    assert result.test is None
    assert "41,4" not in result.explanation


def test_direction_on_counts_uses_the_exact_conditional_test() -> None:
    target = not_up(m("2022", 100, count=True))
    within = evaluate(target, [m("2024", 110, count=True)])
    greater = {"alternative": "greater"}
    assert within.p_value == pytest.approx(stats.binomtest(110, 210, 0.5, **greater).pvalue)
    beyond = evaluate(target, [m("2024", 150, count=True)])
    assert beyond.p_value == pytest.approx(stats.binomtest(150, 250, 0.5, **greater).pvalue)
    assert beyond.p_value is not None
    assert beyond.p_value < 0.05
    falling = evaluate(not_down(m("2022", 1000, count=True)), [m("2024", 900, count=True)])
    less = {"alternative": "less"}
    assert falling.p_value == pytest.approx(stats.binomtest(900, 1900, 0.5, **less).pvalue)


def test_direction_margins_combine_both_sides() -> None:
    # One-sided at 5% (z > 1.645), se = half-width / 1.96 on the facing sides.
    # 20 (18–22) → 22,5 (20,5–24,5): z = 2,5/(√2·2/1,96) ≈ 1.73 > 1.645: beyond
    target = not_up(m("2021", 20, 18, 22))
    assert evaluate(target, [m("2023", 22.5, 20.5, 24.5)]).status == Status.NOT_ACHIEVED
    # 20 (18–22) → 22 (20–24): z ≈ 1.39: within chance
    assert evaluate(target, [m("2023", 22, 20, 24)]).status == Status.WITHIN_MARGIN
    # a baseline without margin is exact: only the measurement's margin counts
    exact = not_up(m("2021", 20))
    assert evaluate(exact, [m("2023", 21.5, 19.5, 23.5)]).status == Status.WITHIN_MARGIN
    assert evaluate(exact, [m("2023", 22.5, 20.5, 24.5)]).status == Status.NOT_ACHIEVED


def test_small_counts_show_differences_not_percentages() -> None:
    result = evaluate(not_up(m("2022", 4, count=True)), [m("2024", 9, count=True)])
    assert result.status == Status.WITHIN_MARGIN
    assert_says(result, "9", "4", "+5")
    assert result.test is not None
    assert "%" not in result.explanation.replace(result.test.name, "")


def test_percentage_differences_are_percentage_points() -> None:
    result = evaluate(not_up(m("2021", 20, 18, 22), unit="%"), [m("2023", 22, 20, 24)])
    with translation.override("en"):
        english = evaluate(not_up(m("2021", 20, 18, 22), unit="%"), [m("2023", 22, 20, 24)])
    assert "+2,0" in result.explanation
    assert "+2.0 percentage points" in english.explanation
    assert "+2.0%" not in english.explanation


# Roll-up --------------------------------------------------------------------------------------


def test_roll_up_takes_the_least_favourable() -> None:
    assert roll_up([Status.ACHIEVED, Status.ACHIEVED]) == Status.ACHIEVED
    assert roll_up([Status.ACHIEVED, Status.WITHIN_MARGIN]) == Status.WITHIN_MARGIN
    assert roll_up([Status.WITHIN_MARGIN, Status.AT_RISK]) == Status.AT_RISK
    assert roll_up([Status.AT_RISK, Status.NOT_ACHIEVED, Status.ACHIEVED]) == Status.NOT_ACHIEVED


def test_roll_up_ignores_no_measurement_unless_all_are() -> None:
    assert roll_up([Status.NO_MEASUREMENT, Status.ACHIEVED]) == Status.ACHIEVED
    assert roll_up([Status.NO_MEASUREMENT, Status.AT_RISK]) == Status.AT_RISK
    assert roll_up([Status.NO_MEASUREMENT, Status.NO_MEASUREMENT]) == Status.NO_MEASUREMENT
    assert roll_up([]) == Status.NO_MEASUREMENT


def test_roll_up_is_order_free_and_nests() -> None:
    for combination in itertools.product(list(Status), repeat=3):
        result = roll_up(combination)
        for permutation in itertools.permutations(combination):
            assert roll_up(permutation) == result
        # goal → theme → priority: rolling up roll-ups gives the same as rolling up all
        assert roll_up([roll_up(combination[:1]), roll_up(combination[1:])]) == result
    assert SEVERITY == (
        Status.ACHIEVED,
        Status.WITHIN_MARGIN,
        Status.AT_RISK,
        Status.NOT_ACHIEVED,
    )


def test_roll_up_accepts_stored_codes() -> None:
    assert roll_up(["achieved", "not_achieved"]) == Status.NOT_ACHIEVED


def test_status_labels() -> None:
    labels = {status: status_label(status) for status in Status}
    assert set(STATUS_LABELS) == set(Status)
    assert all(isinstance(label, str) and label for label in labels.values())
    assert len(set(labels.values())) == len(labels)
    with translation.override("en"):
        assert status_label(Status.ACHIEVED) == "achieved / on track"
        assert status_label(Status.NO_MEASUREMENT) == "no new measurement"


# Partial years ------------------------------------------------------------------------------


def test_part_year_alone_is_not_judged_against_a_whole_year_target() -> None:
    result = evaluate(RAPPORTCIJFER, [m("2024H1", 6.0)])
    assert result.status == Status.NO_MEASUREMENT
    assert result.measurement is None
    assert_says(result, "6,0", "1e halfjaar 2024")


def test_part_year_never_meets_a_whole_year_baseline() -> None:
    target = not_up(m("2022", 1000, count=True))
    result = evaluate(target, [m("2022", 1000, count=True), m("2023YTD10", 700, count=True)])
    # the only later figure is January–October: it is not compared with the whole year 2022
    assert result.status == Status.NO_MEASUREMENT
    assert_says(result, "2022")
    only_partial = evaluate(target, [m("2023YTD10", 700, count=True)])
    assert only_partial.status == Status.NO_MEASUREMENT
    assert only_partial.measurement is None
    assert_says(only_partial, "700", "2023 t/m oktober")


def test_latest_whole_year_is_used_when_a_newer_part_year_exists() -> None:
    measurements = [m("2023", 7.4), m("2024H1", 6.0), m("2024YTD10", 6.1)]
    result = evaluate(RAPPORTCIJFER, measurements)
    assert result.status == Status.ACHIEVED
    assert result.measurement == m("2023", 7.4)
    result = evaluate(TRUST, [m("2024", 55.0), m("2025H1", 40.0)])
    assert result.status == Status.ACHIEVED
    assert result.measurement == m("2024", 55.0)


def test_part_year_baseline_compares_the_same_months() -> None:
    target = not_up(m("2023YTD06", 300, count=True))
    same = evaluate(target, [m("2024", 900, count=True), m("2024YTD06", 400, count=True)])
    assert same.status == Status.NOT_ACHIEVED
    assert same.measurement == m("2024YTD06", 400, count=True)
    assert_says(same, "400", "300", "2024 t/m juni", "2023 t/m juni", "+100")
    other = evaluate(target, [m("2024YTD09", 450, count=True)])
    assert other.status == Status.NO_MEASUREMENT
    assert_says(other, "2023 t/m juni", "2024 t/m september", "450")


def test_order_of_input_does_not_matter() -> None:
    measurements = [m("2024", 52.0, 49.0, 55.0), m("2022", 50.0), m("2023", 51.0), m("2024H1", 1)]
    assert evaluate(TRUST, measurements) == evaluate(TRUST, sorted(measurements, key=str))


# since: the previous reporting moment ----------------------------------------------------------


def test_no_new_measurement_since_the_previous_report() -> None:
    measurements = [m("2023", 7.4), m("2024", 7.1, 6.9, 7.3)]
    result = evaluate(RAPPORTCIJFER, measurements, since="2024")
    assert result.status == Status.NO_MEASUREMENT
    assert result.measurement == m("2024", 7.1, 6.9, 7.3)
    assert result.previous_status == Status.WITHIN_MARGIN
    assert_says(result, "2024", "7,1")
    newer = evaluate(RAPPORTCIJFER, measurements, since="2023")
    assert newer.status == Status.WITHIN_MARGIN
    assert newer.previous_status is None
    # a half-year reporting moment: the whole year 2024 ends after 2024H1
    assert evaluate(RAPPORTCIJFER, measurements, since="2024H1").status == Status.WITHIN_MARGIN
    later = evaluate(RAPPORTCIJFER, measurements, since="2025")
    assert later.status == Status.NO_MEASUREMENT


def test_since_names_a_newer_part_year_that_is_not_used() -> None:
    measurements = [m("2024", 52.0, 49.0, 55.0), m("2025H1", 60.0)]
    result = evaluate(TRUST, measurements, since="2024")
    assert result.status == Status.NO_MEASUREMENT
    assert result.previous_status == Status.WITHIN_MARGIN
    assert_says(result, "2024", "52,0%", "1e halfjaar 2025")


def test_since_on_direction_and_trajectory() -> None:
    target = not_up(m("2022", 100, count=True))
    result = evaluate(target, [m("2024", 150, count=True)], since="2024")
    assert result.status == Status.NO_MEASUREMENT
    assert result.previous_status == Status.NOT_ACHIEVED
    assert_says(result, "150", "2024")


# Precision, Dutch formatting, caveats --------------------------------------------------------


def test_values_are_judged_unrounded() -> None:
    # 7,26 shows as 7,3 at one decimal, but it is below 7,3: not achieved, and shown as 7,26
    result = evaluate(RAPPORTCIJFER, [m("2023", 7.26)])
    assert result.status == Status.NOT_ACHIEVED
    assert_says(result, "7,26", "7,3")
    assert evaluate(RAPPORTCIJFER, [m("2023", 7.3)]).status == Status.ACHIEVED
    assert evaluate(RAPPORTCIJFER, [m("2023", 7.34)]).status == Status.ACHIEVED


def test_dutch_thousands_and_whole_counts() -> None:
    target = not_up(m("2022", 1245, count=True))
    result = evaluate(target, [m("2023", 1190, count=True)])
    assert_says(result, "1.245", "1.190", f"{MINUS}55")
    assert "1.245,0" not in result.explanation


def test_covid_years_are_flagged() -> None:
    result = evaluate(not_up(m("2020", 100, count=True)), [m("2023", 95, count=True)])
    assert result.status == Status.ACHIEVED
    assert len(result.caveats) == 1
    assert "2020" in result.caveats[0]
    assert evaluate(RAPPORTCIJFER, [m("2021", 7.4)]).caveats
    assert not evaluate(RAPPORTCIJFER, [m("2023", 7.4)]).caveats


# Malformed input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        Target(TargetKind.AT_LEAST),
        Target(TargetKind.AT_MOST, value=float("nan")),
        Target(TargetKind.NOT_UP),
        Target(TargetKind.TRAJECTORY, start_year=2022, start_value=50, end_year=2026),
        Target(TargetKind.TRAJECTORY, start_year=2026, start_value=50, end_year=2022, end_value=58),
        Target(TargetKind.TRAJECTORY, start_year=2022, start_value=50, end_year=2026, end_value=50),
    ],
    ids=["no value", "nan", "no baseline", "incomplete", "backwards", "flat"],
)
def test_malformed_targets_are_refused(target: Target) -> None:
    assert target_problems(target)
    with pytest.raises(TargetError):
        evaluate(target, [m("2024", 1.0)])


def test_complete_targets_have_no_problems() -> None:
    for target in (RAPPORTCIJFER, INCIDENTS_AT_MOST, TRUST, not_down(m("2021", 7.3))):
        assert target_problems(target) == ()


def test_expected_needs_a_trajectory() -> None:
    with pytest.raises(TargetError):
        expected_on_trajectory(RAPPORTCIJFER, 2024)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"period": "2024", "year": 2024, "value": 5.0, "lower": 6.0, "upper": 7.0},
        {"period": "2024", "year": 2024, "value": 5.0, "lower": 4.0},
        {"period": "2024", "year": 2024, "value": 2.5, "is_count": True},
        {"period": "2024", "year": 2024, "value": -1.0, "is_count": True},
        {"period": "2024", "year": 2023, "value": 5.0},
        {"period": "2024H1", "year": 2024, "value": 5.0},
        {"period": "2024", "year": 2024, "value": 5.0, "whole_year": False},
        {"period": "2024", "year": 2024, "value": float("inf")},
        {"period": "2024JJ00", "year": 2024, "value": 5.0},
    ],
)
def test_malformed_measurements_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"."):
        Measurement(**kwargs)


def test_negative_decimals_are_refused() -> None:
    with pytest.raises(ValueError, match="decimals"):
        evaluate(RAPPORTCIJFER, [m("2023", 7.4)], decimals=-1)
