"""Area codes and names of a file → canonical area codes (:class:`AreaLookup`), shared by the
formats that give areas by name (``local``, ``statline-csv``, ``incidents``)."""

from __future__ import annotations

import re

from regie.monitor.sources.base import (
    AmbiguousName,
    Note,
    ReadContext,
    canonical_area,
    clean_label,
    gettext_noop,
    lookup_area_name,
)

AMBIGUOUS_AREA = gettext_noop(
    "area name is ambiguous (a wijk and a buurt share it); use the area code instead"
)
UNKNOWN_AREA = gettext_noop("unknown area name")
AREA_EMPTY = gettext_noop("area is empty")
AREA_CODE = re.compile(
    r"^(GM\d{4}|WK\d{6}|BU\d{8}|NL0[01]|PV\d{2}|LD\d{2}|RE\d{2}|VR\d{2})$", re.IGNORECASE
)


_CANDIDATE_CODE = re.compile(
    r"\b(GM\d{4}|WK\d{6}|BU\d{8}|NL0[01]|PV\d{2}|LD\d{2}|RE\d{2}|VR\d{2})\b", re.IGNORECASE
)


class AreaLookup:
    """Area code or name → code, with a cache; returns ``(code, error message)``.

    ``level`` (the region level of the column, when the table says it) and ``year`` (the
    period's year) are passed to ``context.area_by_name`` (see :func:`lookup_area_name`). An
    ambiguous name gives the look-up's own message (it lists the candidates) and, once per
    name, a note.
    """

    def __init__(self, context: ReadContext, *, within_only: str | None = None) -> None:
        self._context = context
        #: local figures: the own gemeente (GM0556), whose areas win over same-named areas
        #: elsewhere ("Binnenstad" in Maassluis' own figures); only own areas are accepted
        self._within_only = within_only or None
        self._cache: dict[
            tuple[str, str | None, int | None, str | None], tuple[str | None, str]
        ] = {}
        #: the candidate codes of the ambiguous names met so far (name → codes)
        self.candidates: dict[str, tuple[str, ...]] = {}

    def __call__(
        self,
        text: str,
        level: str | None = None,
        year: int | None = None,
        within: str | None = None,
    ) -> tuple[str | None, str]:
        """``within``: the gemeente (GM0556) the name is read in, when the file says it (see
        ``areas.selectors.NameIndex.resolve``)."""
        key = (clean_label(text), level, year, self._within_only or within)
        if key not in self._cache:
            if len(self._cache) > 100_000:
                self._cache.clear()
            self._cache[key] = self._resolve(*key)
        return self._cache[key]

    def _resolve(
        self, key: str, level: str | None, year: int | None, within: str | None
    ) -> tuple[str | None, str]:
        if not key:
            return None, AREA_EMPTY
        if AREA_CODE.match(key):
            return canonical_area(key), ""
        try:
            code = lookup_area_name(
                self._context,
                key,
                level,
                year,
                within=within,
                within_only=self._within_only is not None,
            )
        except AmbiguousName as exc:
            self.candidates[key] = tuple(
                match[0].upper()
                for match in (_CANDIDATE_CODE.search(str(c)) for c in exc.candidates)
                if match
            )
            detail = str(exc)
            informative = bool(detail) and detail != key
            if not any(getattr(n, "params", {}).get("name") == key for n in self._noted()):
                if informative:
                    note = Note(
                        gettext_noop("ambiguous area name %(name)r: %(detail)s"),
                        name=key,
                        detail=detail,
                    )
                else:
                    note = Note(gettext_noop("ambiguous area name %(name)r"), name=key)
                self._context.notes.append(note)
            # the look-up's message names the candidates (already in the user's language)
            return None, detail if informative else AMBIGUOUS_AREA
        if code is None:
            return None, UNKNOWN_AREA
        return canonical_area(code), ""

    def _noted(self) -> list[Note]:
        return [n for n in self._context.notes if isinstance(n, Note)]
