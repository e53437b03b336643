"""``regie figure AREA MEASURE PERIOD [--org SLUG] [--per-1000] [--json]``: one figure with its
lineage, optionally with its rate per 1,000 inhabitants."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from regie.core import formats
from regie.core.commands import add_org_option, organisation_option
from regie.core.models import Organisation
from regie.monitor import selectors
from regie.veiligheidsbeeld import insight, wording


def format_value(value: float | None) -> str:
    if value is None:
        return _("not published")
    # as the pages and sentences write it (1.245 · 36,5), with every decimal the figure has
    text = repr(float(value))
    decimals = 0 if float(value).is_integer() or "e" in text else len(text.split(".")[1])
    return formats.num(value, decimals)


def figure_lines(fig: selectors.Figure, indent: str = "  ") -> list[str]:
    """Status, definition and lineage of a figure, one line each (Dutch by default)."""
    lines = [f"{indent}{_('status')}: {fig.status}"]
    if fig.margin is not None:
        # (a whole sentence, not calls inside an f-string: makemessages does not read those)
        margin = _("published 95%% margin: %(low)s to %(high)s") % {
            "low": format_value(fig.margin[0]),
            "high": format_value(fig.margin[1]),
        }
        lines.append(f"{indent}{margin}")
    if fig.note:
        lines.append(f"{indent}{_('note')}: {fig.note}")
    if fig.definition:
        lines.append(f"{indent}{_('definition')}: {fig.definition}")
        for part in fig.components:
            # a derived measure adds measures; a merged gemeente adds its former gemeenten
            name = part.area if part.area != fig.area else part.measure
            lines.append(f"{indent}  {name:<20} {format_value(part.value)}")
    for item in fig.lineage:
        lines.append(
            f"{indent}{_('source')}: {item.source} {item.table} — {item.title}; "
            f"{_('imported')} {item.vintage:%Y-%m-%d %H:%M} ({item.filename}, "
            f"{_('import')} {item.batch})"
        )
    return lines


def insight_command_error(exc: insight.InsightError) -> CommandError:
    """The message on stderr; exit code 2 for periods that are not alike, 1 otherwise."""
    return CommandError(str(exc), returncode=2 if isinstance(exc, insight.NotAlike) else 1)


def print_json(command: BaseCommand, data: object) -> None:
    command.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))


class Command(BaseCommand):
    help = (
        "Print one figure with its lineage (source, table, vintage, status). AREA is a CBS code "
        "(GM0556, WK055601, BU05560101, RE07, NL01), MEASURE a measure code (cbs:T001161, "
        "politie:1.1.1, derived:hic-kern, local:huisverboden), PERIOD a period code (2022, "
        "2022H1, 2023Q3, 2023M10, 2023YTD10). Derived measures are computed from their parts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("area")
        parser.add_argument("measure")
        parser.add_argument("period")
        add_org_option(parser, help="include the own (local) figures of this gemeente")
        parser.add_argument(
            "--per-1000",
            action="store_true",
            help="add the rate per 1,000 inhabitants on 1 January of the year, with its exact "
            "95%% interval (whole years of counts only)",
        )
        parser.add_argument("--json", action="store_true", help="print as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = organisation_option(options["org"])
        if options["per_1000"]:
            self._per_1000(organisation, options)
            return
        try:
            fig = selectors.figure(
                options["area"], options["measure"], options["period"], organisation=organisation
            )
        except selectors.FigureNotFound as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            print_json(self, fig.as_dict())
            return
        self._write_figure(fig)

    def _write_figure(self, fig: selectors.Figure) -> None:
        self.stdout.write(
            f"{fig.measure_name} ({fig.measure}), {fig.area_name} ({fig.area}), "
            f"{fig.period_label}: {format_value(fig.value)}"
        )
        for line in figure_lines(fig):
            self.stdout.write(line)

    def _per_1000(self, organisation: Organisation | None, options: dict[str, Any]) -> None:
        try:
            result = insight.rate_figure(
                options["area"], options["measure"], options["period"], organisation=organisation
            )
        except insight.InsightError as exc:
            raise insight_command_error(exc) from exc
        if options["json"]:
            print_json(self, result.as_dict())
            return
        self._write_figure(result.figure)
        rate = result.rate
        self.stdout.write(
            f"  {_('per 1,000 inhabitants')}: {wording.num(rate.value, 1)} ("
            + _("%(level)s%% interval %(lower)s to %(upper)s")
            % {
                "level": wording.num(100 * rate.confidence),
                "lower": wording.num(rate.lower, 1),
                "upper": wording.num(rate.upper, 1),
            }
            + ")"
        )
        self.stdout.write(
            f"  {_('inhabitants on 1 January')} {result.population_year}: "
            f"{wording.num(rate.population)} ({result.population_description})"
        )
