"""What a briefing for the driehoek/DVO adds to the snapshot.

- **Latest months against the same months a year before**, for counts of events only (never
  stocks or percentages): the last three complete months up to the briefing's month, summed only
  when all three are published whole in both years; otherwise the measure is left out with the
  reason.
- **Statuses changed since the previous briefing** of the same gemeente (by indicator key).
- **Escalated cases** come from the meldpunt once it exists; until then the section says so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from regie.areas.models import Area
from regie.monitor import selectors as figures
from regie.monitor.models import Measure, Observation, is_event_count
from regie.stats import periods

if TYPE_CHECKING:
    from regie.reports.models import Report

#: Months compared in a briefing.
WINDOW = 3
#: At most this many further measures with monthly figures (besides the totals and indicators).
MAX_MEASURES = 8
#: Always compared when published: all registered crime and all nuisance registrations.
TOTALS = ("politie:0.0.0", "overlast:0.0.0")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_of(period: str) -> tuple[int, int]:
    """``2024-10`` → (2024, 10); ValueError otherwise."""
    match = _MONTH.match(period)
    if match is None or not 1 <= int(match[2]) <= 12:
        raise ValueError(period)
    return int(match[1]), int(match[2])


def _months_back(year: int, month: int, count: int) -> list[tuple[int, int]]:
    out = []
    for _i in range(count):
        out.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(out))


def _code(year: int, month: int) -> str:
    return f"{year}M{month:02d}"


def _measures(report: Report, snapshot: dict[str, Any]) -> list[tuple[Measure, Area]]:
    gemeente = Area.objects.filter(code=report.organisation.cbs_code).first()
    wanted: list[tuple[str, str]] = [(code, report.organisation.cbs_code) for code in TOTALS]
    for item in snapshot.get("indicators", []):
        wanted.append((item["measure"]["code"], item["area"]["code"]))
    if gemeente is not None:  # and every count the gemeente has monthly figures of
        monthly = (
            Observation.objects.visible_to(report.organisation)
            .filter(area=gemeente, period_kind="month")
            .values_list("measure__code", flat=True)
            .distinct()
        )
        wanted += [(code, gemeente.code) for code in sorted(monthly)[:MAX_MEASURES]]
    measures = {m.code: m for m in Measure.objects.filter(code__in={c for c, _a in wanted})}
    areas = {a.code: a for a in Area.objects.filter(code__in={a for _c, a in wanted})}
    if gemeente is not None:
        areas.setdefault(gemeente.code, gemeente)
    found: list[tuple[Measure, Area]] = []
    seen: set[tuple[str, str]] = set()
    for code, area_code in wanted:
        measure, area = measures.get(code), areas.get(area_code)
        if measure is None or area is None or (code, area_code) in seen:
            continue
        if not is_event_count(measure.unit, measure.kind):
            continue
        seen.add((code, area_code))
        found.append((measure, area))
    return found


def months_compared(report: Report, snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    year, month = month_of(report.period)
    latest = _months_back(year, month, WINDOW)
    before = [(y - 1, m) for y, m in latest]
    rows = []
    for measure, area in _measures(report, snapshot):
        years = {y for y, _m in latest + before}  # a January briefing reaches two years back
        series = figures.load_series(report.organisation, [area], [measure], years=years)
        points = {
            p.period: p
            for p in series[(area.pk, measure.pk)].points
            if p.kind == "month" and p.value is not None and not p.incomplete
        }
        if not points:
            continue  # no monthly figures of this measure at all: nothing to say
        now = [points.get(_code(y, m)) for y, m in latest]
        then = [points.get(_code(y, m)) for y, m in before]
        row: dict[str, Any] = {
            "measure": measure.code,
            "name": measure.name,
            "area": area.name,
            "months": [_code(y, m) for y, m in latest],
            "months_before": [_code(y, m) for y, m in before],
        }
        if any(p is None for p in now + then):
            missing = [
                code
                for code, p in zip(row["months"] + row["months_before"], now + then, strict=True)
                if p is None
            ]
            row |= {
                "now": None,
                "before": None,
                "note": _("Not compared: no whole figure for %(months)s.")
                % {"months": ", ".join(periods.label(periods.parse(c)) for c in missing)},
            }
        else:
            row |= {
                "now": sum(p.value or 0 for p in now if p is not None),
                "before": sum(p.value or 0 for p in then if p is not None),
                "source": now[-1].source_line if now[-1] is not None else "",
                "note": "",
            }
        rows.append(row)
    return rows


def changed_statuses(report: Report, snapshot: dict[str, Any]) -> dict[str, Any]:
    """Indicators whose status differs from the previous briefing's snapshot."""
    from regie.reports.models import Report as ReportModel
    from regie.reports.models import ReportKind

    previous = (
        ReportModel.objects.filter(
            organisation=report.organisation,
            kind=ReportKind.BRIEFING,
            period__lt=report.period,
            snapshot__isnull=False,
        )
        .exclude(pk=report.pk)
        .order_by("-period")
        .first()
    )
    if previous is None or not previous.snapshot:
        return {"previous": None, "changes": []}
    before = {i["key"] + "@" + i["goal"]: i for i in previous.snapshot.get("indicators", [])}
    changes = []
    for item in snapshot.get("indicators", []):
        old = before.get(item["key"] + "@" + item["goal"])
        if old is not None and old["status"] != item["status"]:
            changes.append(
                {
                    "key": item["key"],
                    "name": item["name"],
                    "before": old["label"],
                    "now": item["label"],
                    "value_text": item["value_text"],
                    "period": item["period"],
                }
            )
    return {"previous": previous.period, "changes": changes}


def build(report: Report, snapshot: dict[str, Any]) -> dict[str, Any]:
    return {
        "months": months_compared(report, snapshot),
        "changed": changed_statuses(report, snapshot),
        "cases": None,  # the meldpunt (a later issue) adds escalated cases as counts only
    }
