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

from regie.areas.models import Area
from regie.core.models import Organisation
from regie.monitor import periods
from regie.monitor.models import (
    BatchState,
    Dataset,
    DerivedComponent,
    ImportBatch,
    Measure,
    Observation,
    ObservationStatus,
)

#: Worst status wins when figures are combined: unknown > provisional > revised provisional > final
STATUS_RANK: dict[str, int] = {
    ObservationStatus.DEFINITIEF.value: 0,
    ObservationStatus.NADER_VOORLOPIG.value: 1,
    ObservationStatus.VOORLOPIG.value: 2,
    ObservationStatus.ONBEKEND.value: 3,
}


class FigureNotFound(LookupError):
    """The area, measure or period is unknown, or there is no figure for it."""


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

    @property
    def published(self) -> bool:
        return self.value is not None

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
            "lineage": [item.as_dict() for item in self.lineage],
        }
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
    A figure that exists but was not published has ``value`` None.
    """
    try:
        period = periods.parse(period_code)
    except periods.PeriodError as exc:
        raise FigureNotFound(_("Unknown period %(code)s.") % {"code": period_code}) from exc
    area, measure = _resolve(area_code, measure_code, organisation)
    if measure.is_derived:
        return _derived_figure(area, measure, period, organisation)
    obs = _observation(area, measure, period.code, organisation)
    if obs is None:
        raise FigureNotFound(
            _("No figure for %(measure)s in %(area)s for %(period)s.")
            % {"measure": measure.code, "area": area.code, "period": period.code}
        )
    return _figure(area, measure, period, obs)


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
    return Figure(
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
    )


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
        obs = _observation(area, term.component, period.code, organisation)
        if obs is None:
            missing.append(term.component.code)
            continue
        part = _figure(area, term.component, period, obs)
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
        definition=definition,
        components=parts,
        note=(
            _("computed on read: %(definition)s") % {"definition": definition}
            if value is not None
            else _("not computable: %(codes)s not published") % {"codes": ", ".join(unpublished)}
        ),
    )


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
