"""Reads of the monitor: figures with their lineage, series, datasets — always tenant-filtered.

Open data (no owner) is visible to everyone; a gemeente's own figures only to its members. Pass
the organisation the user acts for (or None for open data only). Derived measures are computed
here, on read, from their components and are never stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from regie.areas.models import Area, AreaLevel
from regie.core.models import Organisation
from regie.monitor import catalogue
from regie.monitor.models import (
    BOUND_SUFFIXES,
    BatchState,
    Dataset,
    DerivedComponent,
    ImportBatch,
    Measure,
    MeasureKind,
    Observation,
    ObservationStatus,
)
from regie.stats import periods

#: Worst status wins when figures are combined: unknown > provisional > revised provisional > final
STATUS_RANK: dict[str, int] = {
    ObservationStatus.DEFINITIEF.value: 0,
    ObservationStatus.NADER_VOORLOPIG.value: 1,
    ObservationStatus.VOORLOPIG.value: 2,
    ObservationStatus.ONBEKEND.value: 3,
}


class FigureNotFound(LookupError):
    """The area, measure or period is unknown, or there is no figure for it."""


# --- Rules shared by every read (figures here, series in ``insight``) -------------------------

#: Import formats of incident lists (one row per incident, counted per month by the adapter).
INCIDENT_FORMATS = frozenset({"incidents"})


def is_incomplete(
    period: periods.Period, status: str, batch_format: str, *, today: dt.date | None = None
) -> bool:
    """Whether a figure covers only part of its period, so it must never be judged as whole.

    A period that has not ended yet (the current month) is incomplete. An incident list counts
    the months between its first and last date; the adapter marks a month it did not see whole
    (the newest month, still being filled) as provisional, so a provisional month of an incident
    list is incomplete.
    """
    if period.is_incomplete(today):
        return True
    return batch_format in INCIDENT_FORMATS and status == ObservationStatus.VOORLOPIG


def incomplete_note(period_label: str) -> str:
    return _("%(period)s is incomplete: not a whole period, never judged as one") % {
        "period": period_label
    }


def unofficial_note() -> str:
    """Said next to every Misdaad-in-kaart figure."""
    return _(
        "Misdaad in kaart (politie.nl): counted from an incident list, not an official statistic"
    )


def table_note(table: str) -> str:
    """What every figure of a dataset ``table`` must say about how it was made ("" for a
    published table): a year summed by a third party is no published figure."""
    if table == "47022NED-jaarsom":
        return _(
            "sum of the monthly figures per buurt (47022NED), without crimes of an unknown "
            "buurt; not a published yearly figure"
        )
    return ""


@dataclass(frozen=True)
class MonthPart:
    """One month of a year, as :func:`year_from_months` needs it."""

    month: int
    value: float | None
    incomplete: bool = False


def year_from_months(year: int, parts: list[MonthPart]) -> tuple[float | None, str]:
    """The one rule for a year held only as months: ``(sum, "")`` when all twelve months are
    held, published and complete; otherwise ``(None, reason)`` with the reason for people.

    ``regie figure``, the API, the pages and the status engine all use it (through
    :func:`figure` and ``insight.Series.years``), so "the figure of 2022" is one number.
    """
    held = {p.month: p for p in parts}
    missing = [m for m in range(1, 13) if m not in held]
    if missing:
        return None, _(
            "only %(held)d of the 12 months of %(year)d are held (missing: %(months)s)"
        ) % {
            "held": 12 - len(missing),
            "year": year,
            "months": ", ".join(periods.MONTH_NAMES_NL[m - 1] for m in missing),
        }
    unpublished = [m for m in range(1, 13) if held[m].value is None]
    if unpublished:
        return None, _("%(months)s %(year)d not published") % {
            "months": ", ".join(periods.MONTH_NAMES_NL[m - 1] for m in unpublished),
            "year": year,
        }
    incomplete = [m for m in range(1, 13) if held[m].incomplete]
    if incomplete:
        return None, _("%(months)s %(year)d incomplete") % {
            "months": ", ".join(periods.MONTH_NAMES_NL[m - 1] for m in incomplete),
            "year": year,
        }
    return float(sum(held[m].value or 0.0 for m in range(1, 13))), ""


def year_from_months_note() -> str:
    return _("sum of the 12 published months (no yearly figure published)")


@dataclass(frozen=True)
class Lineage:
    source: str
    table: str
    title: str
    batch: int
    vintage: dt.datetime
    filename: str
    status: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "table": self.table,
            "title": self.title,
            "import": self.batch,
            "vintage": self.vintage.isoformat(),
            "file": self.filename,
            "status": self.status,
        }


@dataclass
class Figure:
    area: str
    area_name: str
    measure: str
    measure_name: str
    unit: str
    period: str
    period_label: str
    value: float | None
    status: str
    lineage: list[Lineage] = field(default_factory=list)
    definition: str = ""
    components: list[Figure] = field(default_factory=list)
    note: str = ""
    kind: str = MeasureKind.EVENT_COUNT
    #: the published 95 % bounds of a survey figure
    margin: tuple[float, float] | None = None
    #: how the value was computed when it is not a published figure (empty: as published)
    computed: str = ""
    incomplete: bool = False

    @property
    def published(self) -> bool:
        return self.value is not None

    def add_note(self, text: str) -> None:
        self.note = f"{self.note}; {text}" if self.note else text

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "area": self.area,
            "area_name": self.area_name,
            "measure": self.measure,
            "measure_name": self.measure_name,
            "unit": self.unit,
            "period": self.period,
            "period_label": self.period_label,
            "value": number(self.value),
            "status": self.status,
            "kind": self.kind,
            "lineage": [item.as_dict() for item in self.lineage],
        }
        if self.margin is not None:
            data["margin"] = {"lower": number(self.margin[0]), "upper": number(self.margin[1])}
        if self.computed:
            data["computed"] = self.computed
        if self.incomplete:
            data["incomplete"] = True
        if self.definition:
            data["definition"] = self.definition
            data["components"] = [c.as_dict() for c in self.components]
        if self.note:
            data["note"] = self.note
        return data


def number(value: float | None) -> float | int | None:
    """Whole numbers as int (1245, not 1245.0); others as they are."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def visible(organisation: Organisation | None) -> Q:
    """Observations (or datasets, via ``prefix``) a member of ``organisation`` may see."""
    if organisation is None:
        return Q(owner__isnull=True)
    return Q(owner__isnull=True) | Q(owner=organisation)


def visible_observations(organisation: Organisation | None) -> QuerySet[Observation]:
    return Observation.objects.filter(visible(organisation))


def visible_measures(organisation: Organisation | None) -> QuerySet[Measure]:
    if organisation is None:
        return Measure.objects.filter(organisation__isnull=True)
    return Measure.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))


def not_bounds() -> Q:
    """Measures to offer in pickers and on pages: not the bounds of a survey measure."""
    q = Q()
    for suffix in BOUND_SUFFIXES:
        q &= ~Q(code__endswith=suffix)
    return q


def pickable_measures(organisation: Organisation | None) -> QuerySet[Measure]:
    """Visible measures without the survey bounds (they show as the margin of their measure)."""
    return visible_measures(organisation).filter(not_bounds())


def visible_datasets(organisation: Organisation | None) -> QuerySet[Dataset]:
    if organisation is None:
        return Dataset.objects.filter(organisation__isnull=True)
    return Dataset.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))


def _lineage(batch: ImportBatch, status: str) -> Lineage:
    dataset = batch.dataset
    return Lineage(
        source=dataset.source,
        table=dataset.table,
        title=dataset.title,
        batch=batch.pk,
        vintage=batch.finished_at or batch.started_at,
        filename=batch.filename,
        status=status,
    )


def _resolve(
    area_code: str, measure_code: str, organisation: Organisation | None
) -> tuple[Area, Measure]:
    area = Area.objects.filter(code=area_code.strip().upper()).first()
    if area is None:
        raise FigureNotFound(_("Unknown area %(code)s.") % {"code": area_code})
    measure = visible_measures(organisation).filter(code=measure_code.strip()).first()
    if measure is None:
        raise FigureNotFound(_("Unknown measure %(code)s.") % {"code": measure_code})
    return area, measure


def figure(
    area_code: str,
    measure_code: str,
    period_code: str,
    *,
    organisation: Organisation | None = None,
) -> Figure:
    """The value of ``measure`` for ``area`` in ``period`` with where it came from.

    Raises :class:`FigureNotFound` when the area, measure or period is unknown or nothing is held.
    A figure that exists but was not published has ``value`` None. A year held only as months is
    their sum when all twelve are published and complete (:func:`year_from_months`), marked
    ``computed``; otherwise the refusal says why.
    """
    try:
        period = periods.parse(period_code)
    except periods.PeriodError as exc:
        raise FigureNotFound(_("Unknown period %(code)s.") % {"code": period_code}) from exc
    area, measure = _resolve(area_code, measure_code, organisation)
    if measure.is_derived:
        return _derived_figure(area, measure, period, organisation)
    result = _plain_figure(area, measure, period, organisation)
    if result is None:
        raise FigureNotFound(
            _("No figure for %(measure)s in %(area)s for %(period)s.")
            % {"measure": measure.code, "area": area.code, "period": period.code}
        )
    return result


def _plain_figure(
    area: Area, measure: Measure, period: periods.Period, organisation: Organisation | None
) -> Figure | None:
    """A stored figure, or a year summed from its months; None when nothing is held."""
    obs = _observation(area, measure, period.code, organisation)
    result: Figure | None = None
    if obs is not None:
        result = _figure(area, measure, period, obs)
    elif period.kind == periods.PeriodKind.YEAR:
        result = _year_of_months(area, measure, period, organisation)
        if result is None and area.level == AreaLevel.GEMEENTE:
            result = _predecessor_figure(area, measure, period, organisation)
    if result is None:
        return None
    if measure.kind == MeasureKind.SURVEY and not measure.is_bound:
        result.margin = _margin(area, measure, period.code, organisation)
    if catalogue.is_unofficial(measure.code):
        result.add_note(unofficial_note())
    return result


def _year_of_months(
    area: Area, measure: Measure, period: periods.Period, organisation: Organisation | None
) -> Figure | None:
    year = period.start.year
    codes = [f"{year}M{m:02d}" for m in range(1, 13)]
    rows = list(
        visible_observations(organisation)
        .filter(area=area, measure=measure, period__in=codes)
        .select_related("batch__dataset")
    )
    if not rows:
        return None
    rows.sort(key=lambda o: o.owner_id is None)  # own figures first
    chosen: dict[str, Observation] = {}
    for obs in rows:
        chosen.setdefault(obs.period, obs)
    parts = [
        MonthPart(
            month=int(code[5:]),
            value=obs.value,
            incomplete=is_incomplete(periods.parse(code), obs.status, obs.batch.format),
        )
        for code, obs in chosen.items()
    ]
    value, reason = year_from_months(year, parts)
    if reason:
        raise FigureNotFound(
            _(
                "No figure for %(measure)s in %(area)s for %(period)s: no yearly figure is "
                "held and %(reason)s."
            )
            % {"measure": measure.code, "area": area.code, "period": period.code, "reason": reason}
        )
    ordered = [chosen[c] for c in codes]
    status = max((o.status for o in ordered), key=lambda s: STATUS_RANK.get(s, 3))
    lineage: list[Lineage] = []
    for obs in ordered:
        item = _lineage(obs.batch, status)
        if item not in lineage:
            lineage.append(item)
    computed = year_from_months_note()
    return Figure(
        area=area.code,
        area_name=area.name,
        measure=measure.code,
        measure_name=measure.name,
        unit=measure.unit,
        period=period.code,
        period_label=periods.label(period),
        value=value,
        status=status,
        lineage=lineage,
        note=computed,
        kind=measure.kind,
        computed=computed,
    )


def _predecessor_figure(
    area: Area, measure: Measure, period: periods.Period, organisation: Organisation | None
) -> Figure | None:
    """A year before a whole merger as the sum of the former gemeenten, when
    ``insight.predecessor_years`` (the one home of that rule) gives it; their figures are the
    components, so the lineage names every import used."""
    from regie.monitor import insight

    year = period.start.year
    series = insight.load_series(organisation, [area], [measure], years=[year])[
        (area.pk, measure.pk)
    ]
    point = next(
        (
            p
            for p in insight.predecessor_years(organisation, area, measure, series, years=[year])
            if p.year == year and p.predecessors
        ),
        None,
    )
    if point is None:
        return None
    former = {a.code: a for a in Area.objects.filter(code__in=point.predecessors)}
    parts = [
        part
        for code in point.predecessors
        if (part := _plain_figure(former[code], measure, period, organisation)) is not None
    ]
    lineage: list[Lineage] = []
    for part in parts:
        for item in part.lineage:
            if item not in lineage:
                lineage.append(item)
    return Figure(
        area=area.code,
        area_name=area.name,
        measure=measure.code,
        measure_name=measure.name,
        unit=measure.unit,
        period=period.code,
        period_label=periods.label(period),
        value=point.value,
        status=point.status,
        lineage=lineage,
        definition=" + ".join(point.predecessors),
        components=parts,
        note=point.computed,
        kind=measure.kind,
        computed=point.computed,
    )


def _margin(
    area: Area, measure: Measure, period_code: str, organisation: Organisation | None
) -> tuple[float, float] | None:
    """The published bounds (``<code>.ondergrens``/``.bovengrens``) of a survey figure."""
    codes = [f"{measure.code}{suffix}" for suffix in BOUND_SUFFIXES]
    found: dict[str, float] = {}
    rows = (
        visible_observations(organisation)
        .filter(area=area, measure__code__in=codes, period=period_code, value__isnull=False)
        .order_by("owner_id")
        .values_list("measure__code", "value", "owner_id")
    )
    for code, value, _owner in sorted(rows, key=lambda r: r[2] is None):
        if value is not None:
            found.setdefault(code, value)
    if len(found) != 2:
        return None
    low, high = found[codes[0]], found[codes[1]]
    return (min(low, high), max(low, high))


def _observation(
    area: Area, measure: Measure, period_code: str, organisation: Organisation | None
) -> Observation | None:
    rows = list(
        visible_observations(organisation)
        .filter(area=area, measure=measure, period=period_code)
        .select_related("batch__dataset")
    )
    # A gemeente's own figure comes before open data for the same cell (it chose to import it).
    rows.sort(key=lambda o: o.owner_id is None)
    return rows[0] if rows else None


def _figure(area: Area, measure: Measure, period: periods.Period, obs: Observation) -> Figure:
    incomplete = is_incomplete(period, obs.status, obs.batch.format)
    result = Figure(
        area=area.code,
        area_name=area.name,
        measure=measure.code,
        measure_name=measure.name,
        unit=measure.unit,
        period=period.code,
        period_label=periods.label(period),
        value=obs.value,
        status=obs.status,
        lineage=[_lineage(obs.batch, obs.status)],
        note="" if obs.value is not None else _("not published (not zero)"),
        kind=measure.kind,
        incomplete=incomplete,
    )
    if incomplete:
        result.add_note(incomplete_note(periods.label(period)))
    if made := table_note(obs.batch.dataset.table):
        result.add_note(made)
    return result


def _derived_figure(
    area: Area, measure: Measure, period: periods.Period, organisation: Organisation | None
) -> Figure:
    components = list(
        DerivedComponent.objects.filter(derived=measure)
        .select_related("component")
        .order_by("component__sort_order", "component__code")
    )
    parts: list[Figure] = []
    missing: list[str] = []
    for term in components:
        part = _plain_figure(area, term.component, period, organisation)
        if part is None:
            missing.append(term.component.code)
            continue
        if term.weight != 1 and part.value is not None:
            part.value = part.value * term.weight
        parts.append(part)
    definition = " + ".join(t.component.code for t in components)
    if missing:
        raise FigureNotFound(
            _(
                "%(measure)s cannot be computed for %(area)s in %(period)s: "
                "no figure for %(missing)s."
            )
            % {
                "measure": measure.code,
                "area": area.code,
                "period": period.code,
                "missing": ", ".join(missing),
            }
        )
    unpublished = [p.measure for p in parts if p.value is None]
    value = None if unpublished else sum(p.value or 0.0 for p in parts)
    status = max((p.status for p in parts), key=lambda s: STATUS_RANK.get(s, 3), default="onbekend")
    lineage: list[Lineage] = []
    for part in parts:
        for item in part.lineage:
            if item not in lineage:
                lineage.append(item)
    computed = next((p.computed for p in parts if p.computed), "")
    result = Figure(
        area=area.code,
        area_name=area.name,
        measure=measure.code,
        measure_name=measure.name,
        unit=measure.unit,
        period=period.code,
        period_label=periods.label(period),
        value=value,
        status=status,
        lineage=lineage,
        definition=definition,
        components=parts,
        note=(
            _("computed on read: %(definition)s") % {"definition": definition}
            if value is not None
            else _("not computable: %(codes)s not published") % {"codes": ", ".join(unpublished)}
        ),
        kind=measure.kind,
        computed=computed,
        incomplete=any(p.incomplete for p in parts),
    )
    if computed:
        result.add_note(computed)
    if result.incomplete:
        result.add_note(incomplete_note(periods.label(period)))
    return result


def datasets_overview(organisation: Organisation | None) -> list[dict[str, Any]]:
    """Visible datasets with their latest import and the totals of their completed imports.

    One query for the datasets (with aggregates) and one for their latest imports; checks
    (dry runs) are not imports and are left out.
    """
    done = Q(batches__state=BatchState.DONE)
    latest = (
        ImportBatch.objects.filter(dataset=OuterRef("pk"), dry_run=False)
        .order_by("-started_at", "-id")
        .values("pk")[:1]
    )
    datasets = list(
        visible_datasets(organisation)
        .annotate(
            rows=Sum("batches__rows_stored", filter=done),
            vintage=Max("batches__finished_at", filter=done),
            period_first=Min("batches__period_first", filter=done),
            period_last=Max("batches__period_last", filter=done),
            latest_id=Subquery(latest),
        )
        .order_by("source", "table")
    )
    batches = ImportBatch.objects.in_bulk([d.latest_id for d in datasets if d.latest_id])
    return [{"dataset": d, "latest": batches.get(d.latest_id)} for d in datasets]
