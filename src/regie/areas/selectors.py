"""Reads of areas and population that views and other apps use."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Max, OuterRef, Q, QuerySet, Subquery

from regie.areas.models import Area, AreaLevel, AreaName, Population
from regie.core.models import Organisation


def area_of_organisation(organisation: Organisation) -> Area | None:
    """The CBS area of a gemeente organisation (None for partner organisations)."""
    if not organisation.cbs_code:
        return None
    return (
        Area.objects.select_related("parent", "politie_eenheid", "veiligheidsregio")
        .filter(code=organisation.cbs_code)
        .first()
    )


def with_latest_population(qs: QuerySet[Area]) -> QuerySet[Area]:
    """Annotate ``population_value`` and ``population_year`` (latest year) in one query."""
    latest = Population.objects.filter(area=OuterRef("pk")).order_by("-year")
    return qs.annotate(
        population_value=Subquery(latest.values("value")[:1]),
        population_year=Subquery(latest.values("year")[:1]),
    )


def children(area: Area) -> QuerySet[Area]:
    """The areas directly under ``area``: existing ones first, then former ones, by code."""
    return with_latest_population(area.children.all()).order_by("-active", "code")


def population_series(area: Area) -> QuerySet[Population]:
    return area.populations.order_by("year")


def ancestors(area: Area) -> list[Area]:
    """The chain from NL down to (not including) ``area``."""
    chain: list[Area] = []
    node = area.parent
    while node is not None and len(chain) < 10:
        chain.append(node)
        node = node.parent
    return list(reversed(chain))


def wijken_with_buurten(gemeente: Area) -> list[tuple[Area, list[Area]]]:
    """Every wijk of the gemeente's newest buurtindeling with its buurten (two queries).

    Wijken and buurten that only an older indeling has (``active`` off) are left out.
    """
    wijken = list(
        with_latest_population(gemeente.children.filter(level=AreaLevel.WIJK, active=True))
    )
    buurten = with_latest_population(
        Area.objects.filter(level=AreaLevel.BUURT, active=True, parent__parent=gemeente)
    ).order_by("code")
    by_wijk: dict[int, list[Area]] = {w.pk: [] for w in wijken}
    for buurt in buurten:
        if buurt.parent_id is not None:
            by_wijk.setdefault(buurt.parent_id, []).append(buurt)
    return [(w, by_wijk.get(w.pk, [])) for w in sorted(wijken, key=lambda a: a.code)]


def newest_buurtindeling() -> int | None:
    """The newest buurtindeling year held (e.g. 2024), None without wijken and buurten."""
    years = AreaName.objects.filter(
        area__level__in=[AreaLevel.WIJK, AreaLevel.BUURT], year__isnull=False
    )
    newest: int | None = years.aggregate(newest=Max("year"))["newest"]
    return newest


def indeling_years(area: Area) -> list[int]:
    """The CBS indeling years in which the area occurs under its code (buurtindeling for a
    wijk or buurt), from the names held per year."""
    years = area.names.filter(year__isnull=False).values_list("year", flat=True).distinct()
    return sorted(year for year in years if year is not None)


def names_per_year(area: Area) -> list[tuple[int, str]]:
    """(year, name) for the indeling years whose name differs from the current one."""
    rows = area.names.filter(year__isnull=False).order_by("year", "name")
    per_year: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        if row.year is not None:
            per_year[row.year].append(row.name)
    return [
        (year, max(names, key=len))  # the full name, not the 40-character StatLine title
        for year, names in sorted(per_year.items())
        if area.name not in names
    ]


AREA_STATUS_CURRENT = "bestaand"
AREA_STATUS_FORMER = "opgeheven"
AREA_STATUS_ALL = "alle"


def areas_by_level(
    level: str, *, search: str = "", status: str = AREA_STATUS_CURRENT
) -> QuerySet[Area]:
    """Areas of one level, by name; ``search`` matches name or code; ``status`` picks existing
    (default), former or all areas."""
    qs = Area.objects.filter(level=level)
    if status == AREA_STATUS_CURRENT:
        qs = qs.filter(active=True)
    elif status == AREA_STATUS_FORMER:
        qs = qs.filter(active=False)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    qs = qs.select_related("parent", "parent__parent").prefetch_related("successors")
    return with_latest_population(qs).order_by("name", "code")


# --------------------------------------------------------------------------------------------
# History: former gemeenten and their predecessors (CONTRACT I2)


@dataclass(frozen=True)
class Predecessor:
    """A former gemeente that went wholly into a gemeente on ``valid_to`` (the herindeling)."""

    code: str
    name: str
    valid_to: date


def _successor_map() -> dict[int, list[int]]:
    """Area id -> ids of its successors (one query)."""
    links: dict[int, list[int]] = defaultdict(list)
    through = Area.successors.through
    for from_id, to_id in through.objects.values_list("from_area_id", "to_area_id"):
        links[from_id].append(to_id)
    return links


def merged_predecessors(area: Area) -> list[Predecessor]:
    """The former gemeenten that went wholly into ``area``, recursively, oldest herindeling first.

    A predecessor counts only when ``area`` is its *only* successor: a gemeente split over
    several (Haaren 2021: Oisterwijk, Vught, Boxtel and Tilburg) is not part of any of them as a
    whole, and nor are its own predecessors. Two queries.
    """
    successors = _successor_map()
    whole_into: dict[int, list[int]] = defaultdict(list)
    for from_id, to_ids in successors.items():
        if len(to_ids) == 1:
            whole_into[to_ids[0]].append(from_id)
    found: set[int] = set()
    todo = [area.pk]
    while todo:
        current = todo.pop()
        for pred in whole_into.get(current, []):
            if pred not in found and pred != area.pk:
                found.add(pred)
                todo.append(pred)
    if not found:
        return []
    rows = Area.objects.filter(pk__in=found).values_list("code", "name", "valid_to")
    result = [Predecessor(code, name, valid_to) for code, name, valid_to in rows if valid_to]
    return sorted(result, key=lambda p: (p.valid_to, p.code))


def predecessors_with_successors(area: Area) -> list[tuple[Area, list[Area]]]:
    """Direct predecessors of ``area`` with all their successors (to show splits), by date."""
    preds = area.predecessors.prefetch_related("successors").order_by("valid_to", "code")
    return [(p, sorted(p.successors.all(), key=lambda a: a.code)) for p in preds]


# --------------------------------------------------------------------------------------------
# Name resolution (CONTRACT I1)


class AmbiguousAreaName(LookupError):
    """A name that fits several areas equally well; ``candidates`` lists (code, name, level)."""

    def __init__(self, name: str, candidates: list[tuple[str, str, str]]) -> None:
        self.name = name
        self.candidates = candidates
        listed = ", ".join(f"{code} {label} ({level})" for code, label, level in candidates)
        super().__init__(f"{name!r} fits several areas: {listed}")


# StatLine label suffixes that say the level: "Utrecht (PV)", "Amsterdam (RE)",
# "Utrecht (gemeente)".
_LEVEL_SUFFIXES = {
    "pv": AreaLevel.PROVINCIE,
    "provincie": AreaLevel.PROVINCIE,
    "re": AreaLevel.POLITIE_EENHEID,
    "politie-eenheid": AreaLevel.POLITIE_EENHEID,
    "regionale eenheid": AreaLevel.POLITIE_EENHEID,
    "vr": AreaLevel.VEILIGHEIDSREGIO,
    "veiligheidsregio": AreaLevel.VEILIGHEIDSREGIO,
    "gemeente": AreaLevel.GEMEENTE,
    "gm": AreaLevel.GEMEENTE,
    "wijk": AreaLevel.WIJK,
    "buurt": AreaLevel.BUURT,
}
_SUFFIX_RE = re.compile(r"^(?P<base>.*\S)\s*\((?P<suffix>[^()]+)\)$")
_WIJK_PREFIX_RE = re.compile(r"^wijk \d\d\s+", re.IGNORECASE)
_HIGH_LEVELS = frozenset(
    {
        AreaLevel.NL,
        AreaLevel.PROVINCIE,
        AreaLevel.POLITIE_EENHEID,
        AreaLevel.VEILIGHEIDSREGIO,
        AreaLevel.GEMEENTE,
    }
)


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").split()).casefold()


@dataclass
class _Entry:
    code: str
    name: str  # current name
    level: str
    valid_from: date | None
    valid_to: date | None
    years: set[int | None] = field(default_factory=set)  # years the looked-up name is attested

    def exists_in(self, year: int) -> bool:
        if self.valid_from is not None and self.valid_from > date(year, 12, 31):
            return False
        return self.valid_to is None or self.valid_to > date(year, 1, 1)


class NameIndex:
    """Area names (current, per indeling year, other spellings) -> areas; see :func:`name_index`."""

    def __init__(self, newest_year: int | None) -> None:
        self._by_name: dict[str, dict[str, _Entry]] = defaultdict(dict)
        self._wijk_short: dict[str, dict[str, _Entry]] = defaultdict(dict)
        self._newest_year = newest_year

    def add(self, key: str, entry: _Entry, year: int | None) -> None:
        self._add(self._by_name, key, entry, year)
        if entry.level == AreaLevel.WIJK and _WIJK_PREFIX_RE.match(key.strip()):
            # "Wijk 00 Annen" is also looked for as "Annen", after the full labels.
            self._add(self._wijk_short, _WIJK_PREFIX_RE.sub("", key.strip()), entry, year)

    @staticmethod
    def _add(into: dict[str, dict[str, _Entry]], key: str, entry: _Entry, year: int | None) -> None:
        bucket = into[_norm(key)]
        known = bucket.get(entry.code)
        if known is None:
            known = _Entry(entry.code, entry.name, entry.level, entry.valid_from, entry.valid_to)
            bucket[entry.code] = known
        known.years.add(year)

    def _lookup(self, name: str) -> list[_Entry]:
        return list(self._by_name.get(_norm(name), {}).values())

    def candidates(self, name: str, level: str | None = None) -> list[_Entry]:
        """Every area the name may mean, before preferences (level filter applied)."""
        text = name.strip()
        found = self._lookup(text)
        match = _SUFFIX_RE.match(text)
        suffix_level = _LEVEL_SUFFIXES.get(_norm(match.group("suffix"))) if match else None
        if match and suffix_level is not None:
            # "Utrecht (PV)": the suffix names the level; the full text may also be a real name.
            found = [
                e for e in found + self._lookup(match.group("base")) if e.level == suffix_level
            ]
            if level is not None and level != suffix_level:
                return []
        if level is not None:
            found = [e for e in found if e.level == level]
        if not found and level in (None, AreaLevel.WIJK) and suffix_level in (None, AreaLevel.WIJK):
            found = list(self._wijk_short.get(_norm(text), {}).values())
        unique: dict[str, _Entry] = {}
        for entry in found:
            if entry.code in unique:
                unique[entry.code].years |= entry.years
            else:
                unique[entry.code] = entry
        return list(unique.values())

    def resolve(
        self,
        name: str,
        level: str | None = None,
        year: int | None = None,
        *,
        within: str | None = None,
        within_only: bool = False,
    ) -> str | None:
        """The code of the area ``name`` means, None when unknown; AmbiguousAreaName on a tie.

        ``within`` (a gemeente code, GM0556) is the gemeente the name is read in: the
        gemeente of the rows above in a StatLine list of wijken and buurten, or the own
        gemeente of local figures. Its own areas come first. With ``within_only`` (local
        figures: only own areas are accepted anyway) they win outright; otherwise an own wijk
        or buurt that shares its name with another gemeente ("Hoorn" on Terschelling) is a
        real tie, reported with both.

        Then, in order: the level the caller or the label's suffix asks for; with no level:
        gemeente-or-higher over wijk/buurt (a buurt never captures a gemeente's name); with
        ``year``: areas that existed in that year, then names attested in that year's
        indeling; without ``year``: areas that still exist. What is left after these steps and
        is more than one area is a real tie.
        """
        found = self.candidates(name, level)
        if len(found) <= 1:
            return found[0].code if found else None
        if within:
            number = within.strip().upper()[2:6]
            inside = [
                e for e in found if e.code[:2] in ("GM", "WK", "BU") and e.code[2:6] == number
            ]
            elsewhere = [e for e in found if e.level in _HIGH_LEVELS and e not in inside]
            if inside and (within_only or not elsewhere):
                found = inside
            elif inside:
                # an own wijk/buurt against another gemeente of that name: keep both (no
                # gemeente-over-buurt preference below), a real tie
                raise AmbiguousAreaName(
                    name, sorted((e.code, e.name, e.level) for e in inside + elsewhere)
                )
        if len(found) == 1:
            return found[0].code
        if level is None:
            found = _prefer(found, lambda e: e.level in _HIGH_LEVELS)
        if year is not None:
            found = _prefer(found, lambda e: e.exists_in(year))
            found = _prefer(found, lambda e: self._attested(e, year))
        else:
            found = _prefer(found, lambda e: e.valid_to is None)
        if len(found) == 1:
            return found[0].code
        candidates = sorted((e.code, e.name, e.level) for e in found)
        raise AmbiguousAreaName(name, candidates)

    def _attested(self, entry: _Entry, year: int) -> bool:
        if year in entry.years:
            return True
        # The current name stands for the newest indeling and the years after it.
        return None in entry.years and (self._newest_year is None or year >= self._newest_year)


def _prefer(entries: list[_Entry], test: Callable[[_Entry], bool]) -> list[_Entry]:
    kept = [e for e in entries if test(e)]
    return kept or entries


def name_index() -> NameIndex:
    """Every area under every name it is known by, for name resolution in imports (one query).

    Names: the current name (``Area.name``), the name in each indeling year held
    (:class:`~regie.areas.models.AreaName`), other spellings (AreaName without year) and, for
    wijken, the name without its "Wijk 00 " prefix is tried when the full label is unknown.
    """
    rows = Area.objects.values_list(
        "code", "name", "level", "valid_from", "valid_to", "names__name", "names__year"
    )
    entries: dict[str, _Entry] = {}
    pending: list[tuple[str, str, int | None]] = []
    newest = None
    for code, current, level, valid_from, valid_to, other, year in rows:
        if code not in entries:
            entries[code] = _Entry(code, current, level, valid_from, valid_to)
        if other is not None:
            pending.append((code, other, year))
            if year is not None and level in (AreaLevel.WIJK, AreaLevel.BUURT):
                newest = year if newest is None else max(newest, year)
    index = NameIndex(newest)
    dated = {(code, _norm(other)) for code, other, year in pending if year is not None}
    for entry in entries.values():
        # The current name without a year stands for "now", unless an indeling dates it (a
        # buurt of 2023 only keeps its 2023 name and never claims a 2024 name).
        if (entry.code, _norm(entry.name)) not in dated:
            index.add(entry.name, entry, None)
    for code, other, year in pending:
        index.add(other, entries[code], year)
    return index
