"""Handhaving and capacity: meldingen openbare ruimte by category against the formation.

The meldingen are the gemeente's own figures (Fixi exports and the like: the local measures
``local:fixi_meldingen_totaal`` and one ``local:fixi_meldingen_<category>`` per category), each
period exactly as published (a twelve-month window March–March stays that window, never
passed off as a calendar year). The formation is that of the scenario lines the council chose that
state a total formation (``fte_total``): the level before (total minus extra) until the scenarios
start, the chosen level from then on.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from regie.areas.models import Area
from regie.core import formats
from regie.core.charts import ChartTable, Column
from regie.monitor import selectors as figures
from regie.monitor.models import Measure
from regie.policy import selectors as policy
from regie.policy.models import CapacityLine, Plan
from regie.stats import periods

PREFIX = "local:fixi_meldingen_"
TOTAL = "local:fixi_meldingen_totaal"


def _lines(plan: Plan) -> list[dict[str, Any]]:
    start = policy.costs_start(plan)
    lines = (
        CapacityLine.objects.filter(
            scenario__theme__priority__plan=plan, scenario__chosen=True, fte_total__isnull=False
        )
        .select_related("scenario__theme")
        .order_by("scenario__theme__priority__position", "scenario__theme__position", "position")
    )
    return [
        {
            "theme": line.scenario.theme.title,
            "scenario": line.scenario.letter,
            "label": line.label,
            "fte_before": str(line.fte_total - line.fte_extra),
            "fte_after": str(line.fte_total),
            "start": start.isoformat(),
        }
        for line in lines
        if line.fte_total is not None
    ]


def _meldingen(plan: Plan, until: int) -> tuple[list[dict[str, Any]], list[str]]:
    area = Area.objects.filter(code=plan.organisation.cbs_code).first()
    measures = list(
        Measure.objects.visible_to(plan.organisation)
        .filter(code__startswith=PREFIX)
        .order_by("code")
    )
    if area is None or not any(m.code == TOTAL for m in measures):
        return [], []
    loaded = figures.load_series(plan.organisation, [area], measures)
    by_measure = {m.code: loaded[(area.pk, m.pk)] for m in measures}
    categories = [m for m in measures if m.code != TOTAL]
    rows: list[dict[str, Any]] = []
    for point in by_measure[TOTAL].points:
        if point.value is None or point.incomplete or point.year > until:
            continue
        row: dict[str, Any] = {
            "period": point.period,
            "label": point.label,
            "year": periods.parse(point.period).end.year,  # the formation when it ends
            "total": point.value,
            "source": point.source_line,
            "categories": {},
        }
        for measure in categories:
            same = next(
                (p for p in by_measure[measure.code].points if p.period == point.period), None
            )
            if same is not None and same.value is not None:
                row["categories"][measure.name] = same.value
                row["category_source"] = same.source_line
        rows.append(row)
    return rows, [m.name for m in categories]


PARKING = f"{PREFIX}parkeren"


def build(plan: Plan, *, until: int) -> dict[str, Any] | None:
    lines = _lines(plan)
    meldingen, categories = _meldingen(plan, until)
    if not meldingen:
        return None
    parking_measure = Measure.objects.filter(code=PARKING).only("name").first()
    parking = (
        parking_measure.name if parking_measure and parking_measure.name in categories else None
    )
    return {
        "lines": lines,
        "meldingen": meldingen,
        "categories": categories,
        "parking": parking,
    }


def level_in(line: dict[str, Any], year: int) -> str:
    """The formation of a line in ``year``: before the scenarios start, the earlier level."""
    start = dt.date.fromisoformat(line["start"])
    return str(line["fte_after"] if year >= start.year else line["fte_before"])


def table(data: dict[str, Any]) -> ChartTable:
    """Meldingen per category (rows) per published period (columns), with parking's share and
    the formation of each chosen line in the year the period ends (the page and the reports)."""
    periods = data["meldingen"]
    columns = [Column("what", _("Reports and formation"), "text")]
    columns += [Column(f"p{i}", item["label"], "number") for i, item in enumerate(periods)]
    rows: list[dict[str, Any]] = []
    for name in data["categories"]:
        rows.append(
            {"what": name}
            | {f"p{i}": _whole(item["categories"].get(name)) for i, item in enumerate(periods)}
        )
    rows.append(
        {"what": _("Reports in total")}
        | {f"p{i}": _whole(item["total"]) for i, item in enumerate(periods)}
    )
    if data.get("parking"):
        share: dict[str, Any] = {"what": _("Share of parking (%)")}
        for i, item in enumerate(periods):
            parked, total = item["categories"].get(data["parking"]), item["total"]
            share[f"p{i}"] = (
                None if parked is None or not total else formats.half_up(100 * parked / total, 1)
            )
        rows.append(share)
    for line in data["lines"]:
        rows.append(
            {
                "what": _("%(line)s, scenario %(letter)s (fte)")
                % {"line": line["label"], "letter": line["scenario"]}
            }
            | {
                f"p{i}": Decimal(level_in(line, item["year"])).normalize()
                for i, item in enumerate(periods)
            }
        )
    sources = sorted(
        {item[key] for item in periods for key in ("source", "category_source") if item.get(key)}
    )
    return ChartTable(
        key="meldingen-en-capaciteit",
        title=_("Reports about public space by category against the formation"),
        columns=columns,
        rows=rows,
        sources=sources,
        note=_(
            "Each period as published (a twelve-month window stays that window); the "
            "formation is that of the year the period ends in: the chosen scenario's "
            "from the year it starts, before that the earlier level."
        ),
    )


def _whole(value: float | None) -> int | None:
    return None if value is None else round(value)
