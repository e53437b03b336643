"""The catalogue as dictionaries for the adapters and the row reader.

:class:`CatalogueLookup` maps codes to ids, labels to measure codes and names to area codes,
each read once per import; it also names a figure's columns as the file does.
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats
from django.utils.translation import gettext as _

from regie.areas import selectors as area_selectors
from regie.areas.models import Area, AreaLevel
from regie.core.models import Organisation
from regie.monitor import catalogue, selectors
from regie.monitor.sources.base import (
    AmbiguousName,
    ReadContext,
    RowError,
    clean_label,
    is_pseudo_region,
)


def _norm(text: str) -> str:
    return clean_label(text).casefold()


#: The columns the service names in its errors, unless the adapter tells the file's own names
#: (``ReadContext.columns``: "area", "measure", "period", "value", "status" → column title).
DEFAULT_COLUMNS = {
    "area": "gebied",
    "measure": "maatstaf",
    "period": "periode",
    "value": "waarde",
    "status": "status",
}


class CatalogueLookup:
    """The catalogue as dictionaries: codes → ids, labels → codes, names → area codes."""

    def __init__(self, organisation: Organisation | None) -> None:
        self.organisation = organisation
        measures = selectors.visible_measures(organisation)
        self.measure_ids: dict[str, int] = {}
        self.derived: set[str] = set()
        self._labels: dict[tuple[str, str], str] = {}
        for code, pk, source, name, key in measures.values_list(
            "code", "id", "source", "name", "key"
        ):
            self.measure_ids[code] = pk
            if source == "derived":
                self.derived.add(code)
            for label in (name, key, f"{key} {name}"):
                self._labels.setdefault((source, _norm(label)), code)
        # Labels the catalogue states explicitly; for incident feeds they win over a key that
        # happens to match: the Misdaad-in-kaart type "Woninginbraak" is local:mik_woninginbraak,
        # not local:woninginbraak (the figure the police report to the gemeente), whose key a
        # gemeente may still write in its own template.
        self._explicit: dict[tuple[str, str], str] = {}
        for spec in catalogue.all_measures():
            for label in spec.labels:
                self._labels.setdefault((spec.source, _norm(label)), spec.code)
                if spec.code in self.measure_ids:
                    self._explicit[(spec.source, _norm(label))] = spec.code
        self._area_ids: dict[str, int] | None = None
        #: the file's own column names (see :data:`DEFAULT_COLUMNS`), set once it is read
        self.columns: dict[str, str] = {}
        self._names: area_selectors.NameIndex | None = None
        self._ceased: dict[int, dt.date] | None = None
        self._ceased_names: dict[str, tuple[str, str]] = {}
        self._pseudo_ids: set[int] | None = None
        self.postcodes: dict[str, str] = {}

    def column(self, role: str) -> str:
        """The file's name of the column of ``role`` ("area", "measure", "period" …)."""
        return self.columns.get(role) or DEFAULT_COLUMNS.get(role, role)

    @property
    def area_ids(self) -> dict[str, int]:
        if self._area_ids is None:
            self._area_ids = dict(Area.objects.values_list("code", "id"))
        return self._area_ids

    @property
    def figure_area_ids(self) -> dict[str, int]:
        """Codes → ids of the areas a figure may be for: not the pseudo-regions (should one be
        held as an area, its figures are still skipped)."""
        pseudo = self.pseudo_ids
        return {code: pk for code, pk in self.area_ids.items() if pk not in pseudo}

    @property
    def pseudo_ids(self) -> set[int]:
        if self._pseudo_ids is None:
            self._pseudo_ids = {pk for code, pk in self.area_ids.items() if is_pseudo_region(code)}
        return self._pseudo_ids

    @property
    def ceased(self) -> dict[int, dt.date]:
        """Area id → the date it ceased to exist (former gemeenten: the herindeling)."""
        if self._ceased is None:
            self._ceased = {
                pk: ended
                for pk, ended in Area.objects.filter(valid_to__isnull=False).values_list(
                    "id", "valid_to"
                )
                if ended is not None
            }
        return self._ceased

    def ceased_error(self, line: int, code: str, period: str, ended: dt.date) -> RowError:
        """The error of a figure of an area for a period after the area ceased to exist (the
        area's name and successors read once per area, not per row)."""
        if code not in self._ceased_names:
            area = Area.objects.filter(code=code).prefetch_related("successors").first()
            self._ceased_names[code] = (
                area.name if area is not None else "",
                ", ".join(f"{s.code} {s.name}" for s in sorted(area.successors.all(), key=str))
                if area is not None
                else "",
            )
        name, successors = self._ceased_names[code]
        values = {
            "area": f"{code} {name}".strip(),
            "period": period,
            "date": formats.date_format(ended, "j F Y"),
            "successors": successors,
        }
        if successors:
            message = (
                _(
                    "%(area)s no longer existed in %(period)s: on %(date)s it became part of "
                    "%(successors)s"
                )
                % values
            )
        else:
            message = _("%(area)s no longer existed in %(period)s (it ended on %(date)s)") % values
        return RowError(line, self.column("area"), code, message)

    def measure_by_label(self, source: str, label: str) -> str | None:
        text = _norm(label)
        if source == "incidents":
            explicit = self._explicit.get(("incidents", text)) or self._explicit.get(
                ("local", text)
            )
            if explicit:
                return explicit
        code = self._labels.get((source, text))
        if code is None and source in ("incidents", "local"):
            code = self._labels.get(("local", text))
        return code

    def area_by_name(
        self,
        name: str,
        level: str | None = None,
        year: int | None = None,
        *,
        within: str | None = None,
        within_only: bool = False,
    ) -> str | None:
        """The code of the area a file names (see :func:`regie.areas.selectors.name_index`);
        raises :class:`AmbiguousName` when the name fits several areas equally well."""
        if self._names is None:
            self._names = area_selectors.name_index()  # one query, once per import
        try:
            return self._names.resolve(
                name, level=level, year=year, within=within, within_only=within_only
            )
        except area_selectors.AmbiguousAreaName as exc:
            candidates = tuple(f"{code} {area_name}" for code, area_name, _level in exc.candidates)
            listed = ", ".join(
                f"{code} {area_name} ({_level_label(level_)})"
                for code, area_name, level_ in exc.candidates
            )
            raise AmbiguousName(
                _("'%(name)s' could be several areas: %(candidates)s; use the code")
                % {"name": clean_label(name), "candidates": listed},
                candidates,
            ) from exc

    def area_by_postcode(self, pc4: str) -> str | None:
        return self.postcodes.get(pc4.strip()[:4])

    def context(self, *, table: str = "") -> ReadContext:
        return ReadContext(
            table=table,
            measure_by_label=self.measure_by_label,
            area_by_name=self.area_by_name,
            area_by_postcode=self.area_by_postcode,
            # local figures of an organisation: only its own areas and measures (sources.local)
            own_gemeente=self.organisation.cbs_code if self.organisation is not None else None,
        )


def _level_label(level: str) -> str:
    try:
        return str(AreaLevel(level).label).lower()
    except ValueError:
        return level


def load_postcodes(lookup: CatalogueLookup) -> None:
    """PC4 → gemeente for the incident feeds (the demo gemeenten; see data/PROVENANCE.md)."""
    import csv

    path = catalogue.DATA / "catalogue" / "pc4_gemeente_demo.csv"
    with path.open(encoding="utf-8") as fh:
        lookup.postcodes = {row["pc4"]: row["gemeente_code"] for row in csv.DictReader(fh)}
