"""Plain sentences for the statistics: what changed and whether it is beyond chance.

The analysis package returns codes; this module words them (through gettext, Dutch by default),
so that a page, an export, the API and the CLI say the same thing.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from regie import stats
from regie.core import formats
from regie.core.formats import num as num  # re-exported: pages and commands call wording.num
from regie.monitor import selectors
from regie.monitor.models import MeasureKind, Unit


def _signed(value: float, decimals: int | None = None) -> str:
    text = num(value, decimals)  # a negative number with the minus sign (formats.MINUS)
    return f"+{text}" if value > 0 and text != num(0, decimals) else text


def comparison(
    first: selectors.Figure,
    second: selectors.Figure,
    difference: float | None,
    percent: float | None,
    test: stats.CountComparison | None,
    *,
    beyond: bool | None = None,
) -> str:
    return change(
        first.measure_name,
        (first.value, first.period_label),
        (second.value, second.period_label),
        difference,
        percent,
        test,
        unit=first.unit,
        kind=first.kind,
        beyond=beyond,
    )


def change(
    measure_name: str,
    first: tuple[float | None, str],
    second: tuple[float | None, str],
    difference: float | None,
    percent: float | None,
    test: stats.CountComparison | None,
    *,
    unit: str = "",
    kind: str = "",
    beyond: bool | None = None,
) -> str:
    """One sentence, earlier period first: the two values, the change (% only when allowed; a
    change in a percentage in procentpunt) and what can be said of it, by the measure's kind."""
    (a, a_label), (b, b_label) = first, second
    if a is None or b is None or difference is None:
        return _("%(measure)s: no comparison, %(period)s was not published.") % {
            "measure": measure_name,
            "period": a_label if a is None else b_label,
        }
    values = _("%(measure)s: %(b)s in %(b_period)s against %(a)s in %(a_period)s") % {
        "measure": measure_name,
        "a": num(a),
        "a_period": a_label,
        "b": num(b),
        "b_period": b_label,
    }
    if unit == Unit.PERCENT:
        changed = formats.points(_signed(difference, 1))
    elif percent is not None:
        changed = _("%(diff)s, %(pct)s%%") % {
            "diff": _signed(difference),
            "pct": _signed(percent, 0),
        }
    else:
        changed = _signed(difference)
    if test is not None:
        return f"{values} ({changed}); {verdict(test)}"
    reading = _reading(difference, kind, beyond)
    return f"{values} ({changed}); {reading}" if reading else f"{values} ({changed})."


def _reading(difference: float, kind: str, beyond: bool | None) -> str:
    """What a change means when no Poisson test applies (DOMAIN §5: kinds of measure).
    ``beyond``: whether a survey change is beyond chance on its published bounds
    (:func:`regie.stats.margins_differ`); None when there are none."""
    if kind in (MeasureKind.STOCK, MeasureKind.AMOUNT):
        if difference == 0:
            return _("unchanged.")
        if kind == MeasureKind.STOCK:
            return (
                _("a fall: a count at a moment has no margin of chance.")
                if difference < 0
                else _("a rise: a count at a moment has no margin of chance.")
            )
        return (
            _("a fall: an amount has no margin of chance.")
            if difference < 0
            else _("a rise: an amount has no margin of chance.")
        )
    if beyond is not None:
        if not beyond:
            return _("within the survey's margin of chance (from its published bounds).")
        return (
            _("a fall beyond the published margins of the survey.")
            if difference < 0
            else _("a rise beyond the published margins of the survey.")
        )
    return ""


def verdict(test: stats.CountComparison) -> str:
    if test.verdict == stats.Verdict.WITHIN_CHANCE:
        text = _("within the margin of chance.")
    elif test.verdict == stats.Verdict.HIGHER:
        text = _("a rise beyond the margin of chance.")
    else:
        text = _("a fall beyond the margin of chance.")
    if test.small_counts:
        text += " " + _("Small numbers: no percentage.")
    return text


def trend(result: stats.Trend) -> str:
    """The trend with its interval; says so when COVID years or fewer than five years carry it,
    and which model handled overdispersion."""
    return " ".join([_trend_head(result), *trend_caveats(result)])


def trend_caveats(result: stats.Trend) -> list[str]:
    caveats: list[str] = []
    if result.covid_years:
        caveats.append(
            _(
                "The COVID years %(years)s are in this trend; they were abnormal (leave them out "
                "or compare with 2019)."
            )
            % {"years": _and_list([str(y) for y in result.covid_years])}
        )
    if result.few_points:
        caveats.append(_("Only %(n)d years: too few for a firm trend.") % {"n": len(result.years)})
    if result.model == "quasi_poisson":
        caveats.append(
            _(
                "The years vary more than chance explains; with so few years the interval is "
                "widened for that (quasi-Poisson)."
            )
        )
    elif result.model == "negative_binomial":
        caveats.append(
            _(
                "The years vary more than chance explains; the interval is widened for that "
                "(negative binomial)."
            )
        )
    return caveats


def _and_list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def _trend_head(result: stats.Trend) -> str:
    first, last = result.years[0], result.years[-1]
    values = {
        "pct": _signed(result.yearly_change_pct, 1),
        "low": num(result.lower_pct, 1),
        "high": num(result.upper_pct, 1),
        "first": first,
        "last": last,
    }
    if result.verdict == stats.TrendVerdict.RISING:
        return (
            _(
                "From %(first)s to %(last)s a rising trend of %(pct)s%% a year "
                "(95%% interval %(low)s to %(high)s%%)."
            )
            % values
        )
    if result.verdict == stats.TrendVerdict.FALLING:
        return (
            _(
                "From %(first)s to %(last)s a falling trend of %(pct)s%% a year "
                "(95%% interval %(low)s to %(high)s%%)."
            )
            % values
        )
    return (
        _(
            "From %(first)s to %(last)s no clear trend: %(pct)s%% a year, "
            "95%% interval %(low)s to %(high)s%%."
        )
        % values
    )


def window_error(error: stats.WindowError) -> str:
    messages = {
        "unequal_length": _("The windows before and after must have the same number of months."),
        "different_months": _(
            "The windows must cover the same months of the year (seasons differ)."
        ),
        "covid": _(
            "A window includes 2020 or 2021: COVID years were abnormal and are not used in a "
            "displacement analysis."
        ),
        "overlap": _("The windows before and after overlap."),
        "order": _("The window after must come later than the window before."),
        "not_whole_months": _("Windows consist of whole months."),
    }
    return messages.get(error.code, str(error))


def wdq_reading(reading: stats.WdqReading) -> str:
    texts = {
        stats.WdqReading.NO_SUCCESS_IN_TARGET: _(
            "WDQ does not apply: crime in the target area did not fall relative to the control "
            "area."
        ),
        stats.WdqReading.DIFFUSION_GREATER_THAN_EFFECT: _(
            "Diffusion of benefits larger than the direct effect: the neighbouring area gained "
            "more than the target area."
        ),
        stats.WdqReading.DIFFUSION: _(
            "Diffusion of benefits: the neighbouring area also improved."
        ),
        stats.WdqReading.NO_DISPLACEMENT: _("Neither displacement nor diffusion."),
        stats.WdqReading.DISPLACEMENT_SMALLER_THAN_EFFECT: _(
            "Displacement, but smaller than the direct effect: on balance a gain."
        ),
        stats.WdqReading.DISPLACEMENT_GREATER_THAN_EFFECT: _(
            "Displacement larger than the direct effect: on balance a loss."
        ),
    }
    return texts[reading]


def waterbed(wdd: stats.WDD, wdq: stats.WDQ, *, small: bool = False) -> str:
    beyond = abs(wdd.z) > 1.96
    head = _("WDD %(wdd)s (SE %(se)s, Z %(z)s): %(verdict)s") % {
        "wdd": _signed(wdd.value),
        "se": num(wdd.se, 1),
        "z": _signed(wdd.z, 2),
        "verdict": (
            (
                _("a net fall beyond the margin of chance.")
                if wdd.value < 0
                else _("a net rise beyond the margin of chance.")
            )
            if beyond
            else _("the net change is within the margin of chance.")
        ),
    }
    quotient = (
        _("WDQ %(wdq)s: %(reading)s")
        % {"wdq": _signed(wdq.value + 0.0, 2), "reading": wdq_reading(wdq.reading)}
        if wdq.value is not None
        else wdq_reading(wdq.reading)
    )
    text = f"{head} {quotient}"
    if wdd.shared_control:
        text += " " + _(
            "One control area serves both the target and the displacement area: its counts "
            "weigh four times in the variance."
        )
    if small and wdq.value is not None:
        text += " " + _("Small numbers: the WDQ is a reading, not a test.")
    return text
