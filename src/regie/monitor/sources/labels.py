"""Measure labels of files: today's catalogue labels, labels of earlier table editions, and the
nearest known label for an unknown one.

Labels of earlier editions of the supported tables (CBS and the police renamed crime types over
the years, e.g. "1.4.1 Zedenmisdrijf" → "1.4.1 Zedendelicten") are mapped to today's measure
codes by ``data/editions/soort_misdrijf_edities.csv``; every line there names its source.
Plain Python (no Django): the catalogue module reads its CSV files only.
"""

from __future__ import annotations

import csv
import difflib
import functools
import re
from collections.abc import Callable
from pathlib import Path

from regie.monitor.sources.base import clean_label, gettext_noop

EDITIONS = Path(__file__).resolve().parent.parent / "data" / "editions"
EDITIONS_FILE = EDITIONS / "soort_misdrijf_edities.csv"

#: a row error for a label no measure has, with the nearest known label
UNKNOWN_LABEL_SUGGESTION = gettext_noop("unknown crime type; did you mean %(suggestion)r?")
UNKNOWN_LABEL = gettext_noop("unknown label: no %(source)s measure has this label")

_PREFIX = re.compile(r"^\s*(?:\d+(?:\.\d+)*|[A-Z]{1,3}\d+)\s+")


def _norm(text: str) -> str:
    return clean_label(text).casefold()


@functools.cache
def edition_labels() -> dict[tuple[str, str], str]:
    """(source, label casefolded) → measure code, from the editions file."""
    out: dict[tuple[str, str], str] = {}
    if not EDITIONS_FILE.exists():
        return out
    with EDITIONS_FILE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            source = (row.get("source") or "").strip()
            label = row.get("old_label") or ""
            code = (row.get("measure") or "").strip()
            if source and label.strip() and code:
                out.setdefault((source, _norm(label)), code)
    return out


@functools.cache
def known_labels(source: str) -> tuple[str, ...]:
    """The labels the catalogue knows for ``source`` (for suggestions)."""
    from regie.monitor import catalogue

    labels: list[str] = []
    for spec in catalogue.all_measures():
        if spec.source != source:
            continue
        for label in (*spec.labels, spec.name):
            if label and label not in labels:
                labels.append(label)
    return tuple(labels)


class MeasureLabels:
    """Label → measure code for one source, with a cache: the catalogue (``measure_by_label``)
    first, then the labels of earlier editions, then the label without a code prefix."""

    def __init__(self, measure_by_label: Callable[[str, str], str | None], source: str) -> None:
        self._lookup = measure_by_label
        self.source = source
        self._cache: dict[str, str | None] = {}

    def __call__(self, label: str) -> str | None:
        key = clean_label(label)
        if key not in self._cache:
            self._cache[key] = self._resolve(key)
        return self._cache[key]

    def _resolve(self, label: str) -> str | None:
        if not label:
            return None
        code = self._lookup(self.source, label)
        if code:
            return code
        edition = edition_labels().get((self.source, _norm(label)))
        if edition:
            return edition
        bare = _PREFIX.sub("", label)
        if bare != label:
            return self._lookup(self.source, bare) or edition_labels().get(
                (self.source, _norm(bare))
            )
        return None

    def suggestion(self, label: str) -> str:
        """The known label nearest to ``label`` ("" when none is near)."""
        candidates = known_labels(self.source)
        lowered = {c.casefold(): c for c in candidates}
        found = difflib.get_close_matches(clean_label(label).casefold(), lowered, n=1, cutoff=0.6)
        return lowered[found[0]] if found else ""
