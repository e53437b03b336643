"""Waterbed effect: comparison windows, WDD (Wheeler & Ratcliffe) and WDQ (Bowers & Johnson)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import fields

import pytest
from hypothesis import given
from hypothesis import strategies as st

from regie.stats import (
    WDD,
    NotComputable,
    WaterbedCounts,
    WdqReading,
    Window,
    WindowError,
    check_windows,
    wdd,
    wdq,
)

count = st.integers(min_value=0, max_value=5000).map(float)


def counts(**changes: float) -> WaterbedCounts:
    base = {field.name: 0.0 for field in fields(WaterbedCounts)}
    base.update(changes)
    return WaterbedCounts(**base)


# --- WDD -------------------------------------------------------------------


def test_wdd_worked_example_wheeler_ratcliffe_2018() -> None:
    # Wheeler & Ratcliffe (2018), Crime Science 7:11, worked example, as
    # reproduced in Wheeler's R package ptools (tests, "Est & Variance Paper"):
    # treated 207 -> 110, control 308 -> 318, displacement 178 -> 157,
    # displacement control 150 -> 140. Published: WDD = -118, Var = 1568,
    # Z = -2.98, 95 % CI (-196, -40).
    # By hand: (110-207) - (318-308) + (157-178) - (140-150) = -97 - 10 - 21 + 10 = -118;
    # 207+110+308+318+178+157+150+140 = 1568.
    result = wdd(
        WaterbedCounts(
            target_before=207,
            target_after=110,
            displacement_before=178,
            displacement_after=157,
            control_target_before=308,
            control_target_after=318,
            control_displacement_before=150,
            control_displacement_after=140,
        )
    )
    assert isinstance(result, WDD)
    assert result.value == -118.0
    assert isinstance(result.value, float)
    assert result.variance == 1568.0
    assert result.se == pytest.approx(math.sqrt(1568))
    assert round(result.z, 2) == -2.98
    assert (round(result.lower), round(result.upper)) == (-196, -40)
    # Two-sided normal p-value written with erfc: P(|Z| > z) = erfc(|z| / sqrt 2).
    assert result.p_value == pytest.approx(math.erfc(118 / math.sqrt(1568) / math.sqrt(2)))
    assert result.confidence == 0.95


def test_wdd_confidence_level() -> None:
    # 90 %: half width = 1.644854 * se (standard normal table).
    result = wdd(counts(target_before=100, target_after=60), confidence=0.90)
    assert result.value == -40.0
    assert result.upper - result.value == pytest.approx(1.644854 * math.sqrt(160), rel=1e-6)


def test_wdd_all_zero_counts_cannot_be_computed() -> None:
    # Before: WDD 0 with variance 0, Z 0 and p = 1 — a "result" where nothing can be said.
    with pytest.raises(NotComputable):
        wdd(counts())


def test_wdd_with_one_control_for_both_roles_counts_its_variance_four_times() -> None:
    # DOMAIN §5: WDD = dT + dD - 2dC; Var = T_b + T_a + D_b + D_a + 4(C_b + C_a).
    # T 100 -> 80, D 50 -> 55, C 200 -> 210: WDD = -20 + 5 - 20 = -35;
    # Var = 100 + 80 + 50 + 55 + 4 * 410 = 1925 (the sum of eight counts would give 1105).
    shared = counts(
        target_before=100,
        target_after=80,
        displacement_before=50,
        displacement_after=55,
        control_target_before=200,
        control_target_after=210,
        control_displacement_before=200,
        control_displacement_after=210,
    )
    result = wdd(shared, shared_control=True)
    assert result.value == -35.0
    assert result.variance == 1925.0
    assert result.z == pytest.approx(-35 / math.sqrt(1925))
    assert result.shared_control is True
    assert wdd(shared).variance == 1105.0  # four distinct areas: the plain sum


def test_a_shared_control_has_the_same_counts_in_both_roles() -> None:
    with pytest.raises(ValueError, match="shared control"):
        wdd(counts(control_target_before=3, control_displacement_before=4), shared_control=True)


@given(
    st.tuples(count, count, count, count, count, count, count, count),
)
def test_wdd_properties(values: tuple[float, ...]) -> None:
    tb, ta, db, da, ctb, cta, cdb, cda = values
    if not any(values):
        return  # every count 0: not computable (test_wdd_all_zero_counts_cannot_be_computed)
    forward = wdd(WaterbedCounts(tb, ta, db, da, ctb, cta, cdb, cda))
    # The same sum regrouped: what rose in the treated areas minus what rose in the controls.
    assert forward.value == (ta + da + ctb + cdb) - (tb + db + cta + cda)
    assert forward.variance == sum(values)
    assert forward.lower <= forward.value <= forward.upper
    # Swapping before and after negates the estimate and keeps the variance.
    backward = wdd(WaterbedCounts(ta, tb, da, db, cta, ctb, cda, cdb))
    assert backward.value == -forward.value
    assert backward.variance == forward.variance
    assert backward.p_value == pytest.approx(forward.p_value)


def test_counts_must_be_non_negative() -> None:
    with pytest.raises(ValueError, match="target_after"):
        counts(target_after=-1)


# --- WDQ -------------------------------------------------------------------
# Bowers & Johnson (2003): success measure R_a/C_a - R_b/C_b must be < 0;
# WDQ = (D_a/C_a - D_b/C_b) / success. Hand-computed cases, R = target 100 -> 60.


@pytest.mark.parametrize(
    ("control", "displacement", "value", "reading"),
    [
        # C 1000 -> 1000, D 50 -> 55: (5/1000) / (-40/1000) = -0.125
        ((1000, 1000), (50, 55), -0.125, WdqReading.DISPLACEMENT_SMALLER_THAN_EFFECT),
        # C 800 -> 1000, D 50 -> 55: (0.055 - 0.0625) / (0.06 - 0.125) = 0.0075 / 0.065
        ((800, 1000), (50, 55), 0.0075 / 0.065, WdqReading.DIFFUSION),
        # D 50 -> 100: 50 / -40 = -1.25
        ((1000, 1000), (50, 100), -1.25, WdqReading.DISPLACEMENT_GREATER_THAN_EFFECT),
        # D 50 -> 0: -50 / -40 = 1.25
        ((1000, 1000), (50, 0), 1.25, WdqReading.DIFFUSION_GREATER_THAN_EFFECT),
        # D unchanged: 0
        ((1000, 1000), (50, 50), 0.0, WdqReading.NO_DISPLACEMENT),
        # Boundaries: -1 and 1 belong to the "smaller than the effect" readings.
        ((1000, 1000), (50, 90), -1.0, WdqReading.DISPLACEMENT_SMALLER_THAN_EFFECT),
        ((1000, 1000), (50, 10), 1.0, WdqReading.DIFFUSION),
    ],
)
def test_wdq_readings_by_hand(
    control: tuple[float, float],
    displacement: tuple[float, float],
    value: float,
    reading: WdqReading,
) -> None:
    result = wdq(
        counts(
            target_before=100,
            target_after=60,
            displacement_before=displacement[0],
            displacement_after=displacement[1],
            control_target_before=control[0],
            control_target_after=control[1],
            # WDQ uses control_target only; this must not matter.
            control_displacement_before=7,
            control_displacement_after=900,
        )
    )
    assert result.value == pytest.approx(value, abs=1e-12)
    assert result.reading is reading


@pytest.mark.parametrize(
    ("target", "control"),
    [
        # Target unchanged or up relative to the control: no success, WDQ not meaningful.
        ((100, 100), (1000, 1000)),
        ((100, 130), (1000, 1000)),
        # Target fell 10 %, the control 20 %: 90/800 > 100/1000, no success relative to C.
        ((100, 90), (1000, 800)),
        # Control counts of 0: nothing to measure against (and no ZeroDivisionError).
        ((100, 50), (0, 40)),
        ((100, 50), (10, 0)),
    ],
)
def test_wdq_without_success(target: tuple[float, float], control: tuple[float, float]) -> None:
    result = wdq(
        counts(
            target_before=target[0],
            target_after=target[1],
            displacement_before=5,
            control_target_before=control[0],
            control_target_after=control[1],
        )
    )
    assert result.value is None
    assert result.reading is WdqReading.NO_SUCCESS_IN_TARGET


@given(
    st.tuples(count, count, count, count),
    st.integers(min_value=1, max_value=5000).map(float),
    st.integers(min_value=1, max_value=5000).map(float),
)
def test_wdq_matches_the_ratio_form(
    areas: tuple[float, float, float, float], c_before: float, c_after: float
) -> None:
    r_b, r_a, d_b, d_a = areas
    result = wdq(
        counts(
            target_before=r_b,
            target_after=r_a,
            displacement_before=d_b,
            displacement_after=d_a,
            control_target_before=c_before,
            control_target_after=c_after,
        )
    )
    success = r_a / c_after - r_b / c_before
    if r_a * c_before >= r_b * c_after:  # exact: the target did not fall relative to C
        assert result.value is None
        assert result.reading is WdqReading.NO_SUCCESS_IN_TARGET
        return
    expected = (d_a / c_after - d_b / c_before) / success
    assert result.value == pytest.approx(expected, rel=1e-9, abs=1e-9)


# --- Windows ---------------------------------------------------------------


def window(start: str, end: str) -> Window:
    return Window(dt.date.fromisoformat(start), dt.date.fromisoformat(end))


def test_window_months() -> None:
    assert window("2018-11-01", "2019-02-28").months == [
        (2018, 11),
        (2018, 12),
        (2019, 1),
        (2019, 2),
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (("2018-03-01", "2019-02-28"), ("2022-03-01", "2023-02-28")),
        (("2019-01-01", "2019-06-30"), ("2022-01-01", "2022-06-30")),
        (("2019-02-01", "2019-02-28"), ("2024-02-01", "2024-02-29")),  # leap year
        (("2016-01-01", "2017-12-31"), ("2022-01-01", "2023-12-31")),
    ],
)
def test_valid_windows(before: tuple[str, str], after: tuple[str, str]) -> None:
    check_windows(window(*before), window(*after))


@pytest.mark.parametrize(
    ("before", "after", "code"),
    [
        (("2019-01-02", "2019-06-30"), ("2022-01-01", "2022-06-30"), "not_whole_months"),
        (("2019-01-01", "2019-06-29"), ("2022-01-01", "2022-06-30"), "not_whole_months"),
        (("2022-01-01", "2022-06-30"), ("2019-01-01", "2019-06-30"), "order"),
        (("2019-01-01", "2019-06-30"), ("2019-01-01", "2019-06-30"), "order"),
        (("2019-06-01", "2019-01-31"), ("2022-01-01", "2022-06-30"), "order"),
        (("2019-01-01", "2019-06-30"), ("2022-01-01", "2022-07-31"), "unequal_length"),
        (("2022-01-01", "2023-12-31"), ("2023-01-01", "2024-12-31"), "overlap"),
        (("2019-01-01", "2019-06-30"), ("2022-02-01", "2022-07-31"), "different_months"),
        (("2019-01-01", "2019-12-31"), ("2020-01-01", "2020-12-31"), "covid"),
        (("2018-07-01", "2018-12-31"), ("2021-07-01", "2021-12-31"), "covid"),
        (("2019-07-01", "2020-06-30"), ("2022-07-01", "2023-06-30"), "covid"),
    ],
)
def test_invalid_windows(before: tuple[str, str], after: tuple[str, str], code: str) -> None:
    with pytest.raises(WindowError) as caught:
        check_windows(window(*before), window(*after))
    assert caught.value.code == code
    assert isinstance(caught.value, ValueError)
    assert str(caught.value)
