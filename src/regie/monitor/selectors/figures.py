"""What a figure is (:class:`Figure` with its :class:`Lineage`) and the one home of the rules
every read of figures follows: one figure (:mod:`.lineage`), series (:mod:`.series`) and sums of
areas (:mod:`.areas`) all use them.

Open data (no owner) is visible to everyone; a gemeente's own figures only to its members, and
its own figure comes before open data for the same cell (:func:`own_first`). Pass the
organisation the user acts for (or None for open data only). Derived measures are computed on
read from their components (:func:`derived_terms`, :func:`derived_value`) and are never stored.
A year held only as months follows :func:`year_from_months`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from regie.core.models import Organisation
from regie.monitor.models import (
    BOUND_SUFFIXES,
    Dataset,
    DerivedComponent,
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


# --- Rules shared by every read (one figure in :mod:`.lineage`, series in :mod:`.series`) -----

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
    :func:`figure` and ``Series.years``), so "the figure of 2022" is one number.
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


def visible_observations(organisation: Organisation | None) -> QuerySet[Observation]:
    return Observation.objects.visible_to(organisation)


def visible_measures(organisation: Organisation | None) -> QuerySet[Measure]:
    return Measure.objects.visible_to(organisation)


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
    return Dataset.objects.visible_to(organisation)


# --- The one home of the derived-measure and own-before-open rules ----------------------------


def derived_terms(measures: Sequence[Measure]) -> dict[int, list[tuple[Measure, float]]]:
    """The terms (component, weight) of every derived measure among ``measures``, in the order
    of the catalogue, in one query: what a derived measure is made of."""
    terms: dict[int, list[tuple[Measure, float]]] = {m.pk: [] for m in measures if m.is_derived}
    if terms:
        for term in (
            DerivedComponent.objects.filter(derived__in=list(terms))
            .select_related("component")
            .order_by("component__sort_order", "component__code")
        ):
            terms[term.derived_id].append((term.component, term.weight))
    return terms


def derived_value(values: Sequence[float | None], weights: Sequence[float]) -> float | None:
    """A derived measure's value from its components' values of one period: the weighted sum,
    or None (not published) when any component is not published. A missing component (no
    figure at all) is the caller's refusal, never a zero."""
    if any(v is None for v in values):
        return None
    return float(sum((v or 0.0) * w for v, w in zip(values, weights, strict=True)))


def own_first(owner_id: int | None) -> bool:
    """Sort key: a gemeente's own figure comes before open data for the same cell (it chose to
    import it). ``sorted(rows, key=lambda r: own_first(r.owner_id))`` puts own rows first."""
    return owner_id is None
