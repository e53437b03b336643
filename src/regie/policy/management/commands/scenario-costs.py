"""``regie scenario-costs GEMEENTE [--json]``: what the council's chosen scenarios cost per year."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from regie.core import formats
from regie.policy import costs, selectors
from regie.policy.management.commands.plan import plan_for


class Command(BaseCommand):
    help = (
        "The yearly costs of the scenarios the council chose in the newest plan of a gemeente: "
        "counted from the start month, with the caps applied, against the current budget, and "
        "every amount the plan text states that does not add up flagged with both numbers. "
        "Example: regie scenario-costs GM0482"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("gemeente", help="CBS code, e.g. GM0482")
        parser.add_argument("--json", action="store_true", help="print as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = plan_for(options["gemeente"])
        result = selectors.plan_costs(plan)
        if result is None:
            raise CommandError(_("The plan %(plan)s has no chosen scenarios.") % {"plan": plan})
        choice = selectors.chosen(plan)
        if options["json"]:
            data = selectors.costs_as_dict(result, choice)
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{plan} — {plan.organisation.name}")
        self.stdout.write(
            _("Chosen: %(choice)s; counted from %(start)s.")
            % {
                "choice": ", ".join(f"{theme} {letter}" for theme, letter in choice.items()),
                "start": formats.date(result.start),
            }
        )
        # (labels outside the f-strings: makemessages does not read calls inside them)
        labels = [
            (_("year"), "<6"),
            (_("months"), ">7"),
            (_("without caps"), ">16"),
            (_("with caps"), ">14"),
            (_("fte"), ">8"),
            (_("budget now"), ">16"),
            (_("difference"), ">14"),
        ]
        header = "".join(format(label, spec) for label, spec in labels)
        self.stdout.write(header)
        for year in result.years:
            self.stdout.write(
                f"{year.year:<6}{year.months:>7}{costs.euro(year.gross):>16}"
                f"{costs.euro(year.capped):>14}{costs.format_fte(year.fte):>8}"
                f"{costs.euro(result.budget[year.year]):>16}"
                f"{costs.euro(result.difference[year.year]):>14}"
            )
            for note in year.notes:
                self.stdout.write(f"      {note}")
        if result.discrepancies:
            self.stdout.write("")
            self.stdout.write(_("Figures in the plan that do not add up:"))
            for item in result.discrepancies:
                self.stdout.write(f"  ! {item.explanation}")
        elif not result.unchecked:
            self.stdout.write(_("Every amount the plan states matches the computation."))
        if result.unchecked:
            self.stdout.write("")
        for figure in result.unchecked:  # the same sentence as on the scenario page
            sentence = _(
                "“%(label)s” is stated for %(year)s, which is not a year of this plan: not checked."
            ) % {"label": figure.label, "year": figure.year}
            self.stdout.write(f"  ? {sentence} ({costs.euro(figure.amount)})")
