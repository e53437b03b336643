"""What the waterbed page can offer a gemeente: the measures with monthly counts for it, the areas
that hold them (its own gemeente, wijken and buurten, neighbouring gemeenten and the gemeenten of
its region), the complete months of each, and default choices that give a result.

Reads only, through :mod:`regie.monitor.selectors` (the tenant filter) and
:func:`regie.monitor.selectors.load_series` (the rule of which months are incomplete), so that a
month offered here is a month :func:`insight.waterbed` accepts. What the page shows of a result
(in words, its sources, the calendar of months) is in :mod:`.waterbed_display`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.areas.models import Area, AreaLevel
from regie.core.models import Organisation
from regie.monitor import selectors
from regie.monitor.models import EVENT_COUNTS, Measure
from regie.stats import periods
from regie.stats.covid import COVID_YEARS
from regie.stats.waterbed import Window

Month = tuple[int, int]
#: The longest window offered by default: a whole year holds every season once.
DEFAULT_WINDOW_MONTHS = 12


class Group(StrEnum):
    """Where an area lies as seen from the gemeente; the order of the lists on the page."""

    GEMEENTE = "gemeente"
    WIJK = "wijk"
    BUURT = "buurt"
    NEIGHBOUR = "neighbour"
    REGION = "region"


def group_label(group: Group) -> str:
    return {
        Group.GEMEENTE: _("Own gemeente"),
        Group.WIJK: _("Wijken"),
        Group.BUURT: _("Buurten"),
        Group.NEIGHBOUR: _("Neighbouring gemeenten"),
        Group.REGION: _("Other gemeenten in the region"),
    }[group]


@dataclass(frozen=True)
class AreaMonths:
    """An area that holds monthly counts of the measure, with its complete months."""

    area: Area
    group: Group
    months: frozenset[Month]

    @property
    def code(self) -> str:
        return self.area.code

    @property
    def name(self) -> str:
        return self.area.name


@dataclass(frozen=True)
class Choice:
    """One complete set of choices for :func:`insight.waterbed`."""

    measure: Measure
    target: list[str]
    displacement: list[str]
    control: list[str]
    before: Window
    after: Window

    def as_data(self) -> dict[str, Any]:
        """The choices as the page's form takes them."""
        return {
            "measure": self.measure.code,
            "target": self.target,
            "displacement": self.displacement,
            "control": self.control,
            "control_displacement": [],
            "before_from": month_code(self.before.months[0]),
            "before_to": month_code(self.before.months[-1]),
            "after_from": month_code(self.after.months[0]),
            "after_to": month_code(self.after.months[-1]),
        }


# --- Months -----------------------------------------------------------------------------------


def month_code(month: Month) -> str:
    return f"{month[0]}M{month[1]:02d}"


def parse_month(code: str) -> Month | None:
    try:
        period = periods.parse(code)
    except periods.PeriodError:
        return None
    if period.kind != periods.PeriodKind.MONTH:
        return None
    return (period.start.year, period.start.month)


def month_label(month: Month) -> str:
    """``januari 2024``."""
    return f"{periods.MONTH_NAMES_NL[month[1] - 1]} {month[0]}"


def month_index(month: Month) -> int:
    return month[0] * 12 + month[1] - 1


def from_index(index: int) -> Month:
    return (index // 12, index % 12 + 1)


def window(first: Month, last: Month) -> Window:
    """The window from the first day of ``first`` to the last day of ``last``."""
    start = periods.parse(month_code(first)).start
    end = periods.parse(month_code(last)).end
    return Window(start, end)


def month_ranges(months: Iterable[Month]) -> str:
    """Months as runs for people: ``juli 2023 – september 2023, december 2023``."""
    indexes = sorted({month_index(m) for m in months})
    runs: list[tuple[int, int]] = []
    for index in indexes:
        if runs and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return ", ".join(
        month_label(from_index(a))
        if a == b
        else f"{month_label(from_index(a))} – {month_label(from_index(b))}"
        for a, b in runs
    )


# --- Measures and areas -----------------------------------------------------------------------


def own_areas(gemeente: Area) -> list[Area]:
    """The gemeente with its wijken and buurten."""
    return [
        gemeente,
        *Area.objects.filter(
            Q(parent=gemeente, level=AreaLevel.WIJK)
            | Q(parent__parent=gemeente, level=AreaLevel.BUURT)
        ),
    ]


def measures(organisation: Organisation, gemeente: Area) -> list[Measure]:
    """Counts of events with monthly figures for the gemeente or one of its wijken or buurten
    that ``organisation`` may see, in catalogue order (derived measures are not offered)."""
    ids = (
        selectors.visible_observations(organisation)
        .filter(
            period_kind=periods.PeriodKind.MONTH,
            area_id__in=[a.pk for a in own_areas(gemeente)],
        )
        .values_list("measure_id", flat=True)
        .distinct()
    )
    return list(
        selectors.pickable_measures(organisation)
        .filter(EVENT_COUNTS, pk__in=set(ids))
        .exclude(source="derived")
        .order_by("source", "sort_order", "code")
    )


@functools.cache
def _shapes() -> dict[str, tuple[frozenset[tuple[float, float]], tuple[float, float]]]:
    """Per gemeente code its boundary points (rounded) and their mean, from the shipped
    gemeente boundaries (CBS 2022)."""

    shapes: dict[str, tuple[frozenset[tuple[float, float]], tuple[float, float]]] = {}
    for feature in selectors.gemeente_boundaries().get("features", []):
        code = feature.get("properties", {}).get("statcode")
        geometry = feature.get("geometry") or {}
        coordinates = geometry.get("coordinates") or []
        polygons = coordinates if geometry.get("type") == "MultiPolygon" else [coordinates]
        points = [
            (round(float(x), 5), round(float(y), 5))
            for polygon in polygons
            for ring in polygon
            for x, y, *_rest in ring
        ]
        if code and points:
            mean = (
                math.fsum(p[0] for p in points) / len(points),
                math.fsum(p[1] for p in points) / len(points),
            )
            shapes[str(code)] = (frozenset(points), mean)
    return shapes


def neighbours(gemeente: Area) -> set[str]:
    """Codes of the gemeenten that share a boundary point with ``gemeente`` in the shipped
    boundaries (empty when the gemeente has none there)."""
    shapes = _shapes()
    own = shapes.get(gemeente.code)
    if own is None:
        return set()
    return {
        code for code, (points, _m) in shapes.items() if code != gemeente.code and points & own[0]
    }


def _distance(gemeente: Area, other: Area) -> float:
    shapes = _shapes()
    a, b = shapes.get(gemeente.code), shapes.get(other.code)
    if a is None or b is None:
        return math.inf
    return math.dist(a[1], b[1])


def _region_gemeenten(gemeente: Area) -> list[Area]:
    """Active gemeenten in the same politie-eenheid or veiligheidsregio, and the neighbours."""
    q = Q(code__in=neighbours(gemeente))
    if gemeente.politie_eenheid_id:
        q |= Q(politie_eenheid_id=gemeente.politie_eenheid_id)
    if gemeente.veiligheidsregio_id:
        q |= Q(veiligheidsregio_id=gemeente.veiligheidsregio_id)
    return list(
        Area.objects.filter(q, level=AreaLevel.GEMEENTE, active=True).exclude(pk=gemeente.pk)
    )


def areas_with_months(
    organisation: Organisation, gemeente: Area, measure: Measure
) -> list[AreaMonths]:
    """The areas near the gemeente that hold complete monthly counts of ``measure`` visible to
    ``organisation``: the gemeente, its wijken and buurten, neighbouring gemeenten (nearest
    first) and the other gemeenten of its politie-eenheid and veiligheidsregio."""
    nearby = own_areas(gemeente) + _region_gemeenten(gemeente)
    held = set(
        selectors.visible_observations(organisation)
        .filter(
            measure=measure,
            period_kind=periods.PeriodKind.MONTH,
            area_id__in=[a.pk for a in nearby],
        )
        .values_list("area_id", flat=True)
        .distinct()
    )
    areas = [a for a in nearby if a.pk in held]
    if not areas:
        return []
    series = selectors.load_series(organisation, areas, [measure])
    close = neighbours(gemeente)
    found: list[AreaMonths] = []
    for area in areas:
        months = frozenset(
            (p.year, p.month or 0)
            for p in series[(area.pk, measure.pk)].months()
            if p.value is not None and not p.incomplete
        )
        if not months:
            continue
        if area.pk == gemeente.pk:
            group = Group.GEMEENTE
        elif area.level == AreaLevel.WIJK:
            group = Group.WIJK
        elif area.level == AreaLevel.BUURT:
            group = Group.BUURT
        elif area.code in close:
            group = Group.NEIGHBOUR
        else:
            group = Group.REGION
        found.append(AreaMonths(area, group, months))
    order = list(Group)
    found.sort(
        key=lambda a: (
            order.index(a.group),
            _distance(gemeente, a.area) if a.group in (Group.NEIGHBOUR, Group.REGION) else 0.0,
            a.area.name,
            a.code,
        )
    )
    return found


def offered_months(areas: Sequence[AreaMonths]) -> list[Month]:
    """Months that at least one of the areas holds complete, without the COVID years (they are
    never used in a displacement analysis)."""
    held = set().union(*(a.months for a in areas)) if areas else set()
    return sorted(m for m in held if m[0] not in COVID_YEARS)


def common_months(areas: Iterable[AreaMonths]) -> set[Month]:
    """Months that every one of ``areas`` holds complete."""
    sets = [set(a.months) for a in areas]
    return set.intersection(*sets) if sets else set()


# --- Defaults ---------------------------------------------------------------------------------


def default_windows(months: set[Month]) -> tuple[Window, Window] | None:
    """The latest pair of windows of equal length, a year apart, whose months are all in
    ``months`` (COVID years left out): twelve months when possible, else the longest."""
    usable = {month_index(m) for m in months if m[0] not in COVID_YEARS}
    for length in range(DEFAULT_WINDOW_MONTHS, 0, -1):
        for end in sorted(usable, reverse=True):
            after = range(end - length + 1, end + 1)
            before = range(end - length + 1 - 12, end + 1 - 12)
            if all(i in usable for i in after) and all(i in usable for i in before):
                return (
                    window(from_index(before[0]), from_index(before[-1])),
                    window(from_index(after[0]), from_index(after[-1])),
                )
    return None


def default_roles(
    gemeente: Area, areas: Sequence[AreaMonths]
) -> tuple[AreaMonths, AreaMonths, AreaMonths] | None:
    """Target, displacement and control area: the gemeente itself (or its first wijk or buurt
    with figures), the nearest neighbouring area of the same level, and the nearest area of that
    level that is not a neighbour (or the next one). None when fewer than three areas of one
    level hold figures."""
    own = [a for a in areas if a.group in (Group.GEMEENTE, Group.WIJK, Group.BUURT)]
    for target in own:
        others = [a for a in areas if a is not target and a.area.level == target.area.level]
        if len(others) < 2:
            continue
        if target.group == Group.GEMEENTE:
            displacement = next((a for a in others if a.group == Group.NEIGHBOUR), others[0])
        else:
            displacement = others[0]
        rest = [a for a in others if a is not displacement]
        control = next((a for a in rest if a.group != Group.NEIGHBOUR), rest[0])
        return target, displacement, control
    return None


def default_choice(
    organisation: Organisation,
    gemeente: Area,
    measure: Measure,
    areas: Sequence[AreaMonths] | None = None,
) -> Choice | None:
    """Choices for ``measure`` that give a result with the figures held: see
    :func:`default_roles` and :func:`default_windows`."""
    if areas is None:
        areas = areas_with_months(organisation, gemeente, measure)
    roles = default_roles(gemeente, areas)
    if roles is None:
        return None
    windows = default_windows(common_months(roles))
    if windows is None:
        return None
    target, displacement, control = roles
    return Choice(
        measure=measure,
        target=[target.code],
        displacement=[displacement.code],
        control=[control.code],
        before=windows[0],
        after=windows[1],
    )


def first_default(
    organisation: Organisation, gemeente: Area, candidates: Sequence[Measure]
) -> Choice | None:
    """The default choice of the first measure (catalogue order) that has one."""
    for measure in candidates:
        choice = default_choice(organisation, gemeente, measure)
        if choice is not None:
            return choice
    return None


# --- Words for the form ----------------------------------------------------------------------


def missing_months_message(area: AreaMonths, missing: Iterable[Month]) -> str:
    months = list(missing)
    return ngettext(
        "%(area)s has no complete figure for %(months)s.",
        "%(area)s has no complete figures for %(months)s.",
        len(months),
    ) % {"area": area.name, "months": month_ranges(months)}
