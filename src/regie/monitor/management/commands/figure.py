"""``regie figure AREA MEASURE PERIOD [--org SLUG] [--json]``: one figure with its lineage."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from regie.core.models import Organisation
from regie.monitor import selectors


def format_value(value: float | None) -> str:
    if value is None:
        return _("not published")
    number = selectors.number(value)
    return (
        f"{number:,}".replace(",", "\u00a0").replace(".", ",")
        if isinstance(number, int)
        else f"{number}".replace(".", ",")
    )


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
        parser.add_argument(
            "--org", default="", help="include the own (local) figures of this gemeente"
        )
        parser.add_argument("--json", action="store_true", help="print as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = None
        if options["org"]:
            organisation = Organisation.objects.filter(slug=options["org"]).first()
            if organisation is None:
                raise CommandError(_("Unknown organisation %(slug)s.") % {"slug": options["org"]})
        try:
            fig = selectors.figure(
                options["area"], options["measure"], options["period"], organisation=organisation
            )
        except selectors.FigureNotFound as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(fig.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{fig.measure_name} ({fig.measure}), {fig.area_name} ({fig.area}), "
            f"{fig.period_label}: {format_value(fig.value)}"
        )
        self.stdout.write(f"  {_('status')}: {fig.status}")
        if fig.definition:
            self.stdout.write(f"  {_('definition')}: {fig.definition}")
            for part in fig.components:
                self.stdout.write(f"    {part.measure:<20} {format_value(part.value)}")
        for item in fig.lineage:
            self.stdout.write(
                f"  {_('source')}: {item.source} {item.table} — {item.title}; "
                f"{_('imported')} {item.vintage:%Y-%m-%d %H:%M} ({item.filename}, "
                f"{_('import')} {item.batch})"
            )
