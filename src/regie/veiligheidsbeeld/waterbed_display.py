"""What the waterbed page shows besides the form: the result of :func:`insight.waterbed` in plain
words with its sources, and the calendar of the months the areas hold."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from regie import stats
from regie.areas.models import Area
from regie.stats.waterbed import Window
from regie.veiligheidsbeeld import insight, wording
from regie.veiligheidsbeeld.waterbed_data import AreaMonths, Month, month_label


def signed(value: float, decimals: int | None = None) -> str:
    """``+6``, ``\u22125`` (a minus sign, not a hyphen) or ``0``, in Dutch number format."""
    text = wording.num(abs(value), decimals)
    return f"+{text}" if value > 0 else f"\u2212{text}" if value < 0 else text


def minus(value: float, decimals: int | None = None) -> str:
    """A number in Dutch format with a minus sign (not a hyphen) when below zero."""
    text = wording.num(abs(value), decimals)
    return f"\u2212{text}" if value < 0 and text.strip("0,.") else text


def explain(result: insight.WaterbedResult) -> list[str]:
    """The result in plain words for a raadslid: the net change after correcting for the control
    area (WDD) and whether it is beyond chance, what the WDQ says, and the caveats."""
    wdd = result.wdd
    amount = wording.num(abs(wdd.value))
    if wdd.value < 0:
        net = _(
            "Corrected for the development in the control area, the target area and the "
            "displacement area together counted %(amount)s fewer (WDD %(wdd)s)."
        )
    elif wdd.value > 0:
        net = _(
            "Corrected for the development in the control area, the target area and the "
            "displacement area together counted %(amount)s more (WDD %(wdd)s)."
        )
    else:
        net = _(
            "Corrected for the development in the control area, the target area and the "
            "displacement area together counted as many as before (WDD %(wdd)s)."
        )
    sentences = [net % {"amount": amount, "wdd": signed(wdd.value)}]
    if abs(wdd.z) > 1.96:
        sentences.append(
            _("This is more than chance can explain: on balance a gain.")
            if wdd.value < 0
            else _("This is more than chance can explain: on balance a loss.")
        )
    else:
        sentences.append(
            _(
                "This is within the margin of chance: the figures show no gain or loss on "
                "balance that could not be chance."
            )
        )
    if result.wdq.value is not None:
        sentences.append(
            _(
                "The quotient (WDQ %(wdq)s) sets the change in the displacement area against "
                "the change in the target area: %(reading)s"
            )
            % {
                "wdq": wording.num(result.wdq.value, 2),
                "reading": wording.wdq_reading(result.wdq.reading),
            }
        )
    else:
        sentences.append(wording.wdq_reading(result.wdq.reading))
    if min(vars(result.counts).values()) < stats.SMALL_COUNT:
        small = (
            _(
                "Small numbers (fewer than %(n)d in an area and window): the result is "
                "uncertain; read the quotient as an indication, not as proof."
            )
            if result.wdq.value is not None
            else _(
                "Small numbers (fewer than %(n)d in an area and window): the result is uncertain."
            )
        )
        sentences.append(small % {"n": stats.SMALL_COUNT})
    if result.wdd.shared_control:
        sentences.append(
            _(
                "One control area serves both the target and the displacement area; that makes "
                "the margin of chance wider."
            )
        )
    return sentences


# --- The calendar of available months ----------------------------------------------------------


@dataclass(frozen=True)
class CalendarMonth:
    month: Month
    held: int  # how many of the areas hold this month complete
    of: int
    window: str  # "before", "after" or ""

    @property
    def label(self) -> str:
        return month_label(self.month)

    @property
    def state(self) -> str:
        """ "all", "some" or "none" of the areas hold the month complete."""
        if self.held == self.of and self.of:
            return "all"
        return "some" if self.held else "none"


def calendar(
    areas: Sequence[AreaMonths], windows: tuple[Window, Window] | None = None
) -> list[tuple[str, list[CalendarMonth]]]:
    """Per year (from the first to the last month any of ``areas`` holds) twelve months with how
    many of the areas hold each one complete, and which window it falls in."""
    held = [m for a in areas for m in a.months]
    if not held:
        return []
    before = set(windows[0].months) if windows else set()
    after = set(windows[1].months) if windows else set()
    years = range(min(held)[0], max(held)[0] + 1)
    return [
        (
            str(year),  # a year, never printed with a thousands separator
            [
                CalendarMonth(
                    month=(year, month),
                    held=sum(1 for a in areas if (year, month) in a.months),
                    of=len(areas),
                    window=(
                        "before"
                        if (year, month) in before
                        else "after"
                        if (year, month) in after
                        else ""
                    ),
                )
                for month in range(1, 13)
            ],
        )
        for year in years
    ]


def sources(result: insight.WaterbedResult) -> list[str]:
    """The result's source lines with area names instead of codes, one line per source."""
    names = dict(
        Area.objects.filter(
            code__in={c for codes in result.groups.values() for c in codes}
        ).values_list("code", "name")
    )
    by_text: dict[str, list[str]] = {}
    for line in result.sources:
        code, _sep, text = line.partition(": ")
        by_text.setdefault(text or line, []).append(names.get(code, code))
    return [f"{', '.join(areas)}: {text}" for text, areas in by_text.items()]
