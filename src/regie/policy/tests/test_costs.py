"""The yearly-cost calculator, ending with the real Alblasserdam figures (seed CSVs, GM0482)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from regie.policy.costs import (
    BudgetLine,
    CostLine,
    StatedFigure,
    check_stated,
    choose,
    compare_scenarios,
    euro,
    format_fte,
    in_plan,
    pro_rata,
    unique_labels,
    yearly_costs,
)

D = Decimal
APRIL_2024 = date(2024, 4, 1)
PLAN_YEARS = (2024, 2025, 2026, 2027)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- formatting ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (D(200000), "€ 200.000"),
        (D("244000.00"), "€ 244.000"),
        (D(0), "€ 0"),
        (D(999), "€ 999"),
        (D(1234567), "€ 1.234.567"),
        (D("1234.5"), "€ 1.234,50"),
        (D("0.005"), "€ 0,01"),
        (D(-4500), "€ \u22124.500"),
    ],
)
def test_euro(amount, text):
    with translation.override("nl"):  # written in the active language (core.formats.money)
        assert euro(amount) == text


def test_euro_follows_the_active_language():
    assert euro(D("1234.5")) == "€ 1,234.50"  # the tests here run in English
    assert format_fte(D("1.5")) == "1.5 fte"


@pytest.mark.parametrize(
    ("value", "text"),
    [(D("1.5"), "1,5 fte"), (D("3.0"), "3 fte"), (D("0.25"), "0,25 fte"), (D(10), "10 fte")],
)
def test_format_fte(value, text):
    with translation.override("nl"):
        assert format_fte(value) == text


# --- pro rata -----------------------------------------------------------------------------------


def test_pro_rata_april_start_counts_nine_months():
    assert pro_rata(D(44000), 2024, APRIL_2024) == (D(33000), 9)


def test_pro_rata_start_month_counts_fully_whatever_the_day():
    assert pro_rata(D(12000), 2024, date(2024, 4, 30)) == (D(9000), 9)
    assert pro_rata(D(12000), 2024, date(2024, 1, 1)) == (D(12000), 12)
    assert pro_rata(D(12000), 2024, date(2024, 12, 1)) == (D(1000), 1)


def test_pro_rata_before_and_after_the_start_year():
    assert pro_rata(D(44000), 2023, APRIL_2024) == (D(0), 0)
    assert pro_rata(D(44000), 2025, APRIL_2024) == (D(44000), 12)
    assert pro_rata(D(44000), 2031, APRIL_2024) == (D(44000), 12)


def test_pro_rata_does_not_round_but_yearly_costs_rounds_half_up_per_line_year():
    amount, months = pro_rata(D(10), 2024, date(2024, 12, 1))
    assert months == 1
    assert amount != amount.quantize(D(1))  # 0.8333…
    lines = [
        CostLine("t", "B", "a", D(0), D(18)),  # 18 × 1/12 = 1.5 → 2
        CostLine("t", "B", "b", D(0), D(6)),  # 6 × 1/12 = 0.5 → 1
    ]
    result = yearly_costs(lines, years=[2024], start=date(2024, 12, 1), cap=None)
    assert result.per_line == {"a": (D(2),), "b": (D(1),)}
    assert result.year(2024).capped == D(3)


# --- caps ---------------------------------------------------------------------------------------


def test_line_cap_applies_to_that_line_only():
    lines = [
        CostLine("oov", "B", "OOV", D("0.5"), D(44000)),
        CostLine("hh", "B", "Boa's", D(3), D(378000), cap=D(200000)),
    ]
    result = yearly_costs(lines, years=[2025], start=APRIL_2024, cap=None)
    cost = result.year(2025)
    assert (cost.months, cost.gross, cost.capped) == (12, D(422000), D(244000))
    assert result.per_line == {"OOV": (D(44000),), "Boa's": (D(200000),)}
    assert cost.fte == D("3.5")
    assert any("Boa's" in note and "€ 200,000" in note for note in cost.notes)


def test_line_cap_in_a_part_year_follows_cap_mode():
    line = CostLine("hh", "B", "Boa's", D(3), D(378000), cap=D(200000))
    prorate = yearly_costs([line], years=[2024], start=APRIL_2024, cap=None)
    calendar = yearly_costs([line], years=[2024], start=APRIL_2024, cap=None, cap_mode="calendar")
    # prorate: min(378.000, 200.000) × 9/12; calendar: min(378.000 × 9/12 = 283.500, 200.000)
    assert prorate.per_line["Boa's"] == (D(150000),)
    assert calendar.per_line["Boa's"] == (D(200000),)
    assert prorate.year(2024).gross == calendar.year(2024).gross == D(283500)


def test_line_cap_above_the_amount_changes_nothing():
    line = CostLine("oov", "B", "OOV", D("0.5"), D(44000), cap=D(50000))
    result = yearly_costs([line], years=[2025], start=APRIL_2024, cap=None)
    assert result.year(2025).capped == D(44000)
    assert result.year(2025).notes == ()


def test_overall_cap_applies_to_the_sum_after_line_caps():
    lines = [
        CostLine("a", "B", "one", D(1), D(120000)),
        CostLine("b", "B", "two", D(1), D(120000), cap=D(60000)),
    ]
    result = yearly_costs(lines, years=[2024, 2025], start=APRIL_2024, cap=D(150000))
    assert result.cap == D(150000)
    # 2025: 120.000 + 60.000 = 180.000 > 150.000
    assert result.year(2025).capped == D(150000)
    assert result.year(2025).gross == D(240000)
    # 2024 (9 months, prorate): 90.000 + 45.000 = 135.000 > 150.000 × 9/12 = 112.500
    assert result.year(2024).capped == D(112500)
    # per line stays after pro rata and line caps only
    assert result.per_line == {"one": (D(90000), D(120000)), "two": (D(45000), D(60000))}
    assert any("€ 150,000" in note for note in result.year(2025).notes)
    calendar = yearly_costs(
        lines, years=[2024], start=APRIL_2024, cap=D(150000), cap_mode="calendar"
    )
    # calendar: 90.000 + min(90.000, 60.000) = 150.000, not above the full-year 150.000
    assert calendar.year(2024).capped == D(150000)
    assert not any("total is capped" in note for note in calendar.year(2024).notes)


def test_overall_cap_not_reached_leaves_the_total():
    lines = [CostLine("a", "B", "one", D(1), D(100000))]
    result = yearly_costs(lines, years=[2025], start=APRIL_2024, cap=D(150000))
    assert result.year(2025).capped == D(100000)


def test_invalid_input_is_refused():
    line = CostLine("a", "B", "same", D(1), D(1000))
    with pytest.raises(ValueError, match="same"):
        yearly_costs([line, line], years=[2025], start=APRIL_2024, cap=None)
    with pytest.raises(ValueError, match="negative"):
        yearly_costs([line], years=[2025], start=APRIL_2024, cap=D(-1))
    with pytest.raises(ValueError, match="twice"):
        yearly_costs([line], years=[2025, 2025], start=APRIL_2024, cap=None)
    with pytest.raises(ValueError, match="cap mode"):
        yearly_costs([line], years=[2025], start=APRIL_2024, cap=None, cap_mode="monthly")


# --- years outside the start --------------------------------------------------------------------


def test_years_before_the_start_cost_nothing_and_say_so():
    lines = [CostLine("a", "B", "one", D(2), D(12000))]
    result = yearly_costs(lines, years=[2023, 2024, 2025], start=APRIL_2024, cap=D(5000))
    before = result.year(2023)
    assert (before.months, before.gross, before.capped, before.fte) == (0, D(0), D(0), D(0))
    assert any("before the start" in note for note in before.notes)
    assert result.per_line["one"] == (D(0), D(9000), D(12000))  # no line cap
    # overall cap 5.000 per full year, 5.000 × 9/12 = 3.750 in 2024
    assert [cost.capped for cost in result.years] == [D(0), D(3750), D(5000)]
    assert [cost.months for cost in result.years] == [0, 9, 12]


def test_line_limited_to_some_years():
    lines = [
        CostLine("a", "B", "every year", D(1), D(12000)),
        CostLine("a", "B", "one-off", D(0), D(6000), years=(2025,)),
    ]
    result = yearly_costs(lines, years=PLAN_YEARS, start=APRIL_2024, cap=None)
    assert result.per_line["one-off"] == (D(0), D(6000), D(0), D(0))
    assert [cost.capped for cost in result.years] == [D(9000), D(18000), D(12000), D(12000)]
    assert result.year(2025).fte == D(1)  # the money-only line adds no fte


# --- budget -------------------------------------------------------------------------------------


def test_budget_difference_extra_and_total_basis():
    lines = [CostLine("a", "B", "one", D(1), D(12000))]
    budget = [
        BudgetLine("x", 2024, D(5000)),
        BudgetLine("y", 2024, D(1000)),
        BudgetLine("x", 2025, D(20000)),
        BudgetLine("x", 2030, D(99999)),  # not a plan year: ignored
    ]
    extra = yearly_costs(lines, years=[2024, 2025], start=APRIL_2024, cap=None, budget=budget)
    assert extra.budget == {2024: D(6000), 2025: D(20000)}
    assert extra.total == {2024: D(15000), 2025: D(32000)}  # budget + extra lines
    assert extra.difference == {2024: D(9000), 2025: D(12000)}
    total = yearly_costs(
        lines, years=[2024, 2025], start=APRIL_2024, cap=None, budget=budget, basis="total"
    )
    assert total.difference == {2024: D(3000), 2025: D(-8000)}  # capped - budget
    assert total.total == {2024: D(9000), 2025: D(12000)}


def test_no_budget_means_zero_budget():
    lines = [CostLine("a", "B", "one", D(1), D(12000))]
    result = yearly_costs(lines, years=[2025], start=APRIL_2024, cap=None, basis="total")
    assert result.budget == {2025: D(0)}
    assert result.difference == {2025: D(12000)}


# --- stated figures -----------------------------------------------------------------------------


def test_discrepancy_is_flagged_with_both_numbers():
    lines = [CostLine("a", "B", "one", D(1), D(12000))]
    stated = [
        StatedFigure("cost 2024", 2024, D(9500)),  # computed 9.000
        StatedFigure("cost 2025", 2025, D(12001)),  # within € 1
        StatedFigure("one in 2025", 2025, D(12000), what="line:one"),
    ]
    result = yearly_costs(lines, years=[2024, 2025], start=APRIL_2024, cap=None, stated=stated)
    (found,) = result.discrepancies
    assert (found.label, found.year, found.stated, found.computed) == (
        "cost 2024",
        2024,
        D(9500),
        D(9000),
    )
    assert found.difference == D(500)
    assert "€ 9,500" in found.explanation
    assert "€ 9,000" in found.explanation
    assert "9 months" in found.explanation


def test_tolerance_is_one_euro_and_adjustable():
    lines = [CostLine("a", "B", "one", D(1), D(12000))]
    result = yearly_costs(lines, years=[2025], start=APRIL_2024, cap=None)
    assert check_stated([StatedFigure("x", 2025, D(12001))], result) == ()
    assert len(check_stated([StatedFigure("x", 2025, D("12001.01"))], result)) == 1
    assert len(check_stated([StatedFigure("x", 2025, D(11999))], result)) == 0
    assert check_stated([StatedFigure("x", 2025, D(12500))], result, tolerance=D(500)) == ()


def test_stated_for_several_years():
    lines = [CostLine("a", "B", "one", D(1), D(12000))]
    result = yearly_costs(lines, years=PLAN_YEARS, start=APRIL_2024, cap=None)
    onwards = StatedFigure("from 2025", 2025, D(12000), through_end=True)
    assert check_stated([onwards], result) == ()
    every = check_stated([StatedFigure("every year", None, D(12000))], result)
    assert [(d.year, d.computed) for d in every] == [(2024, D(9000))]


def test_stated_figure_errors():
    lines = [CostLine("a", "B", "one", D(1), D(12000))]
    result = yearly_costs(lines, years=[2025], start=APRIL_2024, cap=None)
    with pytest.raises(ValueError, match="plan year"):
        check_stated([StatedFigure("x", 2019, D(1))], result)
    with pytest.raises(ValueError, match="unknown kind"):
        check_stated([StatedFigure("x", 2025, D(1), what="fte")], result)
    with pytest.raises(ValueError, match="unknown line"):
        check_stated([StatedFigure("x", 2025, D(1), what="line:two")], result)


def test_a_stated_figure_outside_the_plan_is_set_aside_not_checked():
    lines = [CostLine("a", "B", "one", D(1), D(12000))]
    before = StatedFigure("cost 2023", 2023, D(5000))
    wrong = StatedFigure("cost 2025", 2025, D(10000))
    assert not in_plan(before, [2024, 2025])
    assert in_plan(wrong, [2024, 2025])
    assert in_plan(StatedFigure("every year", None, D(1)), [2024, 2025])
    result = yearly_costs(
        lines, years=[2024, 2025], start=APRIL_2024, cap=None, stated=[before, wrong]
    )
    assert result.unchecked == (before,)
    assert [(d.label, d.year) for d in result.discrepancies] == [("cost 2025", 2025)]


def test_no_lines_cost_nothing():
    result = yearly_costs([], years=[2024, 2025], start=APRIL_2024, cap=None)
    assert [(y.gross, y.capped, y.fte) for y in result.years] == [(D(0), D(0), D(0))] * 2
    assert result.per_line == {}


def test_unique_labels_add_the_context_to_a_repeated_label():
    assert unique_labels(["Formatie", "Boa's"], ["Team", "Handhaving"]) == ["Formatie", "Boa's"]
    assert unique_labels(["Formatie", "Boa's", "Formatie"], ["Team", "Handhaving", "Jeugd"]) == [
        "Formatie (Team)",
        "Boa's",
        "Formatie (Jeugd)",
    ]
    # Still repeated with the context (two lines in one theme): numbered.
    assert unique_labels(["x", "x", "x"], ["A", "A", "B"]) == ["x (A)", "x (A) (2)", "x (B)"]


# --- choosing and comparing ---------------------------------------------------------------------


def _alblasserdam_lines() -> list[CostLine]:
    # scenarios.csv, GM0482 rows "Openbare orde en veiligheid (team veiligheid)" A/B/C,
    # capacity_line "Formatie OOV": fte_extra 0 / 0.5 / 1.0, amount_eur_per_year 0 / 44000 / 88000
    oov = [
        CostLine("team-veiligheid", "A", "Formatie OOV (A)", D(0), D(0)),
        CostLine("team-veiligheid", "B", "Formatie OOV (B)", D("0.5"), D(44000)),
        CostLine("team-veiligheid", "C", "Formatie OOV (C)", D("1.0"), D(88000)),
    ]
    # scenarios.csv, GM0482 rows "Toezicht en handhaving" A/B/C, capacity_line "Formatie
    # handhaving/boa's": fte_extra 0 / 3.0 / 5.0, amount_eur_per_year 0 / 378000 / 630000;
    # council-decision.csv row cap_handhaving_eur_per_year = 200000 caps the boa line per year.
    boas = [
        CostLine("toezicht-en-handhaving", "A", "Formatie handhaving/boa's (A)", D(0), D(0)),
        CostLine(
            "toezicht-en-handhaving",
            "B",
            "Formatie handhaving/boa's (B)",
            D("3.0"),
            D(378000),
            cap=D(200000),
        ),
        CostLine(
            "toezicht-en-handhaving",
            "C",
            "Formatie handhaving/boa's (C)",
            D("5.0"),
            D(630000),
            cap=D(200000),
        ),
    ]
    return oov + boas


def test_choose_picks_the_scenario_per_theme():
    chosen = choose(_alblasserdam_lines(), {"team-veiligheid": "B", "toezicht-en-handhaving": "B"})
    assert [line.label for line in chosen] == [
        "Formatie OOV (B)",
        "Formatie handhaving/boa's (B)",
    ]
    with pytest.raises(ValueError, match="team-veiligheid"):
        choose(_alblasserdam_lines(), {"team-veiligheid": "D"})


def test_compare_scenarios_side_by_side():
    compared = compare_scenarios(
        _alblasserdam_lines(), "team-veiligheid", years=PLAN_YEARS, start=APRIL_2024, cap=None
    )
    assert list(compared) == ["A", "B", "C"]
    assert [r.year(2024).capped for r in compared.values()] == [D(0), D(33000), D(66000)]
    assert [r.year(2027).capped for r in compared.values()] == [D(0), D(44000), D(88000)]
    assert [r.year(2027).fte for r in compared.values()] == [D(0), D("0.5"), D("1.0")]
    with pytest.raises(ValueError, match="no cost lines"):
        compare_scenarios(
            _alblasserdam_lines(), "jeugd", years=PLAN_YEARS, start=APRIL_2024, cap=None
        )


# --- end to end: Alblasserdam -------------------------------------------------------------------


def _alblasserdam_budget() -> list[BudgetLine]:
    # budget.csv, GM0482 rows per year 2024..2027. Left out: "Crisisbeheersing en brandweer"
    # (1785000 a year), the Veiligheidsregio contribution that is "not freely usable for other
    # safety themes"; what is left is the IVB table "Totaal inclusief handhaving / boa's".
    per_year = {
        "OOV Personeelskosten": (326229, 326229, 326229, 326229),
        "OOV Vervoer zwerfdieren": (33800, 33800, 33800, 33800),
        "OOV Regionale veiligheidsprojecten": (44000, 44000, 44000, 44000),
        "OOV Overige budgetten": (124370, 124370, 109370, 109370),
        "Handhaving / boa's": (136100, 136100, 136100, 136100),
    }
    return [
        BudgetLine(label, year, D(amount))
        for label, amounts in per_year.items()
        for year, amount in zip(PLAN_YEARS, amounts, strict=True)
    ]


# council-decision.csv rows stated_cost_2024_eur = 187500 ("as stated in the council proposal",
# "gerekend vanaf april") and stated_cost_from_2025_eur = 244000.
STATED_2024 = StatedFigure("Costs of scenario B in 2024", 2024, D(187500))
STATED_FROM_2025 = StatedFigure("Costs of scenario B from 2025", 2025, D(244000), through_end=True)


def test_alblasserdam_chosen_b_b_with_cap_and_april_start():
    # council-decision.csv rows scenario_oov = B, scenario_handhaving = B, start_date = 2024-04-01
    chosen = choose(_alblasserdam_lines(), {"team-veiligheid": "B", "toezicht-en-handhaving": "B"})
    result = yearly_costs(
        chosen,
        years=PLAN_YEARS,
        start=date(2024, 4, 1),
        cap=None,  # the € 200.000 caps the boa line, not the total (see the module docstring)
        budget=_alblasserdam_budget(),
        stated=[STATED_2024, STATED_FROM_2025],
    )
    assert [(c.year, c.months, c.gross, c.capped, c.fte) for c in result.years] == [
        (2024, 9, D(316500), D(183000), D("3.5")),  # 33.000 + 150.000 (200.000 × 9/12)
        (2025, 12, D(422000), D(244000), D("3.5")),  # 44.000 + 200.000
        (2026, 12, D(422000), D(244000), D("3.5")),
        (2027, 12, D(422000), D(244000), D("3.5")),
    ]
    assert result.per_line == {
        "Formatie OOV (B)": (D(33000), D(44000), D(44000), D(44000)),
        "Formatie handhaving/boa's (B)": (D(150000), D(200000), D(200000), D(200000)),
    }
    assert result.budget == {2024: D(664499), 2025: D(664499), 2026: D(649499), 2027: D(649499)}
    # scenario amounts are extra, "boven de huidige begroting", and uncovered
    assert result.total == {2024: D(847499), 2025: D(908499), 2026: D(893499), 2027: D(893499)}
    assert result.difference == {
        2024: D(183000),
        2025: D(244000),
        2026: D(244000),
        2027: D(244000),
    }
    # the stated 2024 amount does not add up; "vanaf 2025 € 244.000" does
    (flagged,) = result.discrepancies
    assert (flagged.year, flagged.stated, flagged.computed) == (2024, D(187500), D(183000))
    assert "€ 187,500" in flagged.explanation
    assert "€ 183,000" in flagged.explanation
    assert any("9 of 12 months" in note for note in result.year(2024).notes)


def test_alblasserdam_other_cap_readings_do_not_fit_the_stated_figures():
    chosen = choose(_alblasserdam_lines(), {"team-veiligheid": "B", "toezicht-en-handhaving": "B"})
    # the calendar reading spends a full year's cap in 9 months: 33.000 + 200.000
    calendar = yearly_costs(
        chosen, years=PLAN_YEARS, start=APRIL_2024, cap=None, cap_mode="calendar"
    )
    assert calendar.year(2024).capped == D(233000)
    assert check_stated([STATED_2024], calendar)[0].computed == D(233000)
    # reading the € 200.000 as a cap on the total contradicts the stated € 244.000 from 2025
    uncapped = [
        CostLine(line.theme, line.scenario, line.label, line.fte, line.amount) for line in chosen
    ]
    overall = yearly_costs(
        uncapped, years=PLAN_YEARS, start=APRIL_2024, cap=D(200000), stated=[STATED_FROM_2025]
    )
    assert overall.year(2025).capped == D(200000)
    assert [d.year for d in overall.discrepancies] == [2025, 2026, 2027]


def test_alblasserdam_approximate_local_budget_does_not_add_up():
    # IVB chapter "Financiën" states "meerjarig ongeveer 575 duizend euro" for local safety and
    # enforcement; its own tables (budget.csv) give 664.499 (2024, 2025) and 649.499 (2026, 2027).
    result = yearly_costs(
        [], years=PLAN_YEARS, start=APRIL_2024, cap=None, budget=_alblasserdam_budget()
    )
    stated = StatedFigure("Local safety and enforcement budget", None, D(575000), what="budget")
    flagged = check_stated([stated], result)
    assert [(d.year, d.computed) for d in flagged] == [
        (2024, D(664499)),
        (2025, D(664499)),
        (2026, D(649499)),
        (2027, D(649499)),
    ]
    assert "months" not in flagged[0].explanation  # a budget is a full-year figure
