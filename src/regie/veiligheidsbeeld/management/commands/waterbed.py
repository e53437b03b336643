"""``regie waterbed MEASURE --target … --displacement … --control … --before … --after …``:
the waterbed effect (displacement) of an intervention as WDD and WDQ from monthly counts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from regie import stats
from regie.core.commands import add_org_option, organisation_option
from regie.veiligheidsbeeld import insight, wording
from regie.veiligheidsbeeld.management.commands.compare import p_value, signed
from regie.veiligheidsbeeld.management.commands.figure import (
    insight_command_error,
    print_json,
)


def codes(text: str) -> list[str]:
    """``GM0556,GM0482`` → ``["GM0556", "GM0482"]``."""
    return [code.strip() for code in text.split(",") if code.strip()]


def window_text(window: stats.Window) -> str:
    """A window as it is written on the command line: ``2023M07:2024M06``."""
    return f"{window.start:%Y}M{window.start:%m}:{window.end:%Y}M{window.end:%m}"


class Command(BaseCommand):
    help = (
        "The waterbed effect of an intervention: weighted displacement difference (WDD, Wheeler "
        "& Ratcliffe 2018) with its standard error, Z and 95% interval, and weighted "
        "displacement quotient (WDQ, Bowers & Johnson 2003) with its reading, from the monthly "
        "counts of a measure. Areas are CBS codes separated by commas. Windows are first and "
        "last month (2023M07:2024M06); they must have as many months, cover the same months of "
        "the year, not overlap, stay out of 2020-2021 and hold no incomplete month; an area has "
        "one role only (one control may serve both the target and the displacement area: its "
        "counts then weigh four times in the variance); otherwise the command exits with code 1 "
        "and says why. Example (demo data): regie waterbed local:mik_poging_woninginbraak "
        "--target GM0556 --displacement GM0622 --control GM0482 --before 2023M07:2024M06 "
        "--after 2024M07:2025M06"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("measure", help="a measure of counts with monthly figures")
        parser.add_argument("--target", required=True, help="target area(s), e.g. GM0556")
        parser.add_argument(
            "--displacement", required=True, help="displacement (buffer) area(s) around it"
        )
        parser.add_argument("--control", required=True, help="control area(s) of the target")
        parser.add_argument(
            "--control-displacement",
            default="",
            help="control area(s) of the displacement area (default: the --control areas)",
        )
        parser.add_argument(
            "--before", required=True, help="first and last month before: 2023M07:2024M06"
        )
        parser.add_argument(
            "--after", required=True, help="first and last month after: 2024M07:2025M06"
        )
        add_org_option(parser, help="include the own (local) figures of this gemeente")
        parser.add_argument("--json", action="store_true", help="print as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_option(options["org"])
        try:
            result = insight.waterbed(
                options["measure"],
                target=codes(options["target"]),
                displacement=codes(options["displacement"]),
                control_target=codes(options["control"]),
                control_displacement=codes(options["control_displacement"]) or None,
                before=insight.parse_window(options["before"]),
                after=insight.parse_window(options["after"]),
                organisation=organisation,
            )
        except insight.InsightError as exc:
            raise insight_command_error(exc) from exc
        if options["json"]:
            print_json(self, result.as_dict())
            return
        self._write(result)

    def _write(self, result: insight.WaterbedResult) -> None:
        before, after = window_text(result.before), window_text(result.after)
        self.stdout.write(f"{result.measure}: {_('before')} {before}, {_('after')} {after}")
        roles = [
            ("target", _("target area")),
            ("displacement", _("displacement area")),
            ("control_target", _("control area (target)")),
            ("control_displacement", _("control area (displacement)")),
        ]
        names = [f"{label} ({', '.join(result.groups[key])})" for key, label in roles]
        width = max(len(name) for name in names)
        self.stdout.write(f"  {'':<{width}}  {_('before'):>8}  {_('after'):>8}")
        counts = result.counts
        for (key, _label), name in zip(roles, names, strict=True):
            first = wording.num(getattr(counts, f"{key}_before"))
            last = wording.num(getattr(counts, f"{key}_after"))
            self.stdout.write(f"  {name:<{width}}  {first:>8}  {last:>8}")
        wdd = result.wdd
        self.stdout.write(
            f"  WDD: {signed(wdd.value)} (SE {wording.num(wdd.se, 1)}, Z {signed(wdd.z, 2)}, "
            f"{p_value(wdd.p_value)}; "
            + _("%(level)s%% interval %(lower)s to %(upper)s")
            % {
                "level": wording.num(100 * wdd.confidence),
                "lower": signed(wdd.lower, 1),
                "upper": signed(wdd.upper, 1),
            }
            + ")"
        )
        wdq = result.wdq
        reading = wording.wdq_reading(wdq.reading)
        if wdq.value is None:
            self.stdout.write(f"  WDQ: {reading}")
        else:
            self.stdout.write(f"  WDQ: {signed(wdq.value, 2)} — {reading}")
        self.stdout.write(result.sentence)
