"""``regie compare AREA MEASURE PERIOD_A PERIOD_B [--org SLUG] [--json]``: two alike periods."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from regie.core.commands import add_org_option, organisation_option
from regie.veiligheidsbeeld import insight, wording
from regie.veiligheidsbeeld.management.commands.figure import (
    figure_lines,
    format_value,
    insight_command_error,
    print_json,
)


def signed(value: float, decimals: int | None = None) -> str:
    """+12, or -3,5 with a minus sign (U+2212), as in the sentences of ``wording``."""
    text = wording.num(abs(value), decimals)
    return f"+{text}" if value > 0 else (f"\u2212{text}" if value < 0 else text)


def p_value(value: float) -> str:
    """A p-value for people: "p = 0,487" (three decimals), "p < 0,001" below that."""
    return f"p < {wording.num(0.001, 3)}" if value < 0.001 else f"p = {wording.num(value, 3)}"


class Command(BaseCommand):
    help = (
        "Compare a measure for an area in two periods, always in time order (earlier → later, "
        "whatever the order of the arguments): both figures with their lineage, the difference "
        "(in percentage points for a percentage), the percentage (left out when a count is "
        "below 20) and an exact test for counts of events (stocks and amounts have no chance "
        "margin; survey figures their published margins). Only alike periods compare: a year "
        "with a year, a month with the same month of another year, never overlapping periods "
        "nor a part of a year with a whole year: exit code 2 with the reason. An incomplete "
        "month and other errors: exit code 1. Example: regie compare GM0556 "
        "local:huiselijk_geweld_aangiften 2019 2021 --org gm0556"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("area", help="a CBS area code, e.g. GM0556")
        parser.add_argument("measure", help="a measure code, e.g. cbs:T001161")
        parser.add_argument("period_a", help="one period, e.g. 2021 or 2021H1")
        parser.add_argument("period_b", help="another period, alike the first, e.g. 2022")
        add_org_option(parser, help="include the own (local) figures of this gemeente")
        parser.add_argument("--json", action="store_true", help="print as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_option(options["org"])
        try:
            result = insight.compare_periods(
                options["area"],
                options["measure"],
                options["period_a"],
                options["period_b"],
                organisation=organisation,
            )
        except insight.InsightError as exc:
            raise insight_command_error(exc) from exc
        if options["json"]:
            print_json(self, result.as_dict())
            return
        first, second = result.first, result.second
        self.stdout.write(
            f"{first.measure_name} ({first.measure}), {first.area_name} ({first.area})"
        )
        for fig in (first, second):
            self.stdout.write(f"  {fig.period_label}: {format_value(fig.value)}")
            for line in figure_lines(fig, indent="    "):
                self.stdout.write(line)
        # (the labels are outside the f-strings: makemessages does not read calls inside them)
        if result.difference is not None:
            label = _("difference")
            self.stdout.write(f"  {label}: {signed(result.difference)}")
        if result.difference is not None and result.difference_unit == "percentage_points":
            label = _("in percentage points")
            self.stdout.write(f"  {label}: {signed(result.difference, 1)}")
        if result.percent_change is not None:
            label = _("change")
            self.stdout.write(f"  {label}: {signed(result.percent_change, 1)}%")
        if result.test is not None:
            label = _("test")
            verdict = wording.verdict(result.test)
            self.stdout.write(f"  {label}: {p_value(result.test.p_value)}, {verdict}")
        self.stdout.write(result.sentence)
