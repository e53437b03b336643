"""One figure with its lineage: the value of a measure for an area in a period, where it came
from, and — for a derived measure, a year summed from its months or from former gemeenten — the
figures it was computed from. Always tenant-filtered, following the rules of :mod:`.figures`.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from regie.areas.models import Area, AreaLevel
from regie.core.models import Organisation
from regie.monitor import catalogue
from regie.monitor.models import (
    BOUND_SUFFIXES,
    ImportBatch,
    Measure,
    MeasureKind,
    Observation,
)
from regie.monitor.selectors.figures import (
    STATUS_RANK,
    Figure,
    FigureNotFound,
    Lineage,
    MonthPart,
    derived_terms,
    derived_value,
    incomplete_note,
    is_incomplete,
    own_first,
    table_note,
    unofficial_note,
    visible_measures,
    visible_observations,
    year_from_months,
    year_from_months_note,
)
from regie.stats import periods


def _identity(area: Area, measure: Measure, period: periods.Period) -> dict[str, Any]:
    """What every figure says it is: the area, measure and period, with their names."""
    return {
        "area": area.code,
        "area_name": area.name,
        "measure": measure.code,
        "measure_name": measure.name,
        "unit": measure.unit,
        "period": period.code,
        "period_label": periods.label(period),
    }


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
    rows.sort(key=lambda o: own_first(o.owner_id))  # own figures first
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
        **_identity(area, measure, period),
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
    ``areas.predecessor_years`` (the one home of that rule) gives it; their figures are the
    components, so the lineage names every import used."""
    from regie.monitor.selectors import areas
    from regie.monitor.selectors import series as series_reads

    year = period.start.year
    series = series_reads.load_series(organisation, [area], [measure], years=[year])[
        (area.pk, measure.pk)
    ]
    point = next(
        (
            p
            for p in areas.predecessor_years(organisation, area, measure, series, years=[year])
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
        **_identity(area, measure, period),
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
    for code, value, _owner in sorted(rows, key=lambda r: own_first(r[2])):
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
    rows.sort(key=lambda o: own_first(o.owner_id))
    return rows[0] if rows else None


def _figure(area: Area, measure: Measure, period: periods.Period, obs: Observation) -> Figure:
    incomplete = is_incomplete(period, obs.status, obs.batch.format)
    result = Figure(
        **_identity(area, measure, period),
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
    terms = derived_terms([measure])[measure.pk]
    parts: list[Figure] = []
    missing: list[str] = []
    for component, _weight in terms:
        part = _plain_figure(area, component, period, organisation)
        if part is None:
            missing.append(component.code)
            continue
        parts.append(part)
    definition = " + ".join(c.code for c, _w in terms)
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
    value = derived_value([p.value for p in parts], [w for _c, w in terms])
    for part, (_component, weight) in zip(parts, terms, strict=True):
        if weight != 1 and part.value is not None:
            part.value = part.value * weight  # each part as it counts in the sum
    status = max((p.status for p in parts), key=lambda s: STATUS_RANK.get(s, 3), default="onbekend")
    lineage: list[Lineage] = []
    for part in parts:
        for item in part.lineage:
            if item not in lineage:
                lineage.append(item)
    computed = next((p.computed for p in parts if p.computed), "")
    result = Figure(
        **_identity(area, measure, period),
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
