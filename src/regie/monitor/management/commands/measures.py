"""``regie measures [--source …] [--json]``: the measures catalogue."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from regie.monitor.models import DerivedComponent, Measure, MeasureKind, Source


class Command(BaseCommand):
    help = (
        "List the measures: police crime types (politie:), nuisance (overlast:), CBS crime "
        "types (cbs:), Veiligheidsmonitor (vm:), local figures (local:) and derived measures "
        "(derived:, with their definition), each with its kind (count of events, stock, amount, "
        "survey outcome, percentage or ratio: it decides which statistics apply). Roll-up totals "
        "are marked: never add them up."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", choices=Source.values, help="only this source")
        parser.add_argument("--json", action="store_true", help="print as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        measures = Measure.objects.visible_to(None).select_related("parent")
        if options["source"]:
            measures = measures.filter(source=options["source"])
        terms: dict[int, list[str]] = {}
        for term in DerivedComponent.objects.select_related("component"):
            terms.setdefault(term.derived_id, []).append(term.component.code)
        rows = [
            {
                "code": m.code,
                "name": m.name,
                "unit": m.unit,
                "kind": m.kind,
                "rollup": m.is_rollup,
                "parent": m.parent.code if m.parent else None,
                "definition": " + ".join(sorted(terms.get(m.pk, []))) or None,
            }
            for m in measures
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            flag = " [totaal]" if row["rollup"] else ""
            definition = f"  = {row['definition']}" if row["definition"] else ""
            kind = f" ({MeasureKind(str(row['kind'])).label})"
            self.stdout.write(f"{row['code']:<40} {row['name']}{kind}{flag}{definition}")
