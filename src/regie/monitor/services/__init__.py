"""Writes of the monitor: the measures catalogue and the one import service every format uses.

:func:`import_file` reads a file with the adapter of its format and hands the rows to
:func:`import_rows`, which validates every row, and stores all of them or none (one transaction):

- a row whose area, measure or period is unknown, or that repeats another row's area × measure ×
  period, is *rejected* with its row, column and value; one rejected row rejects the whole file;
- a row of a pseudo-region (Buitenland, "niet in te delen", GM0999 …) and a row without any
  value are *skipped* (:class:`~regie.monitor.sources.base.Skip`): counted per reason, never an
  error; a file with nothing but skipped rows holds no figures;
- a new value is *stored*; the same value again is *unchanged*; a different value, or another
  known status (voorlopig → definitief), for a figure already held is *revised*: the point is
  replaced and a :class:`Revision` keeps the old one. A file that does not say the status
  (``onbekend``) never changes a known status: the same value is unchanged, a new value keeps
  the status held; a known status for a value held with status ``onbekend`` is filled in
  without a revision;
- the report counts file rows (a wide row with seven values is one row) and values, and groups
  the problems by kind: a count and the first examples of each (:class:`ErrorLog`);
- ``dry_run`` compares instead of writing: the report says what would happen, and nothing but
  the batch row is written.

Figures are stored one row per series (ADR 0010): points are held per area × measure and
merged into their series in one go every :data:`FLUSH_POINTS` points, so memory stays flat for
files of millions of rows. Files an adapter can read as columns go through :mod:`regie.monitor.bulk`
first, which checks each distinct code once; anything unusual sends them to the row reader.

Reading and checking happen outside any transaction; the write is one short transaction at the
end (SQLite takes its write lock at the start of every transaction: a file being read must not
hold it, or every other user's login waits for it). The row reader's first pass keeps the checked
points (in memory, and in a temporary file beyond :data:`FLUSH_POINTS`), and the write merges them.
A check and an import hold no transaction while they read; :mod:`regie.monitor.batches` records
who runs a batch and its signs of life, and waits when the database is locked.

This package is the surface other apps use (``from regie.monitor import services``); its
modules, in the order they depend on each other:

- :mod:`.reports`: what an import reports (:class:`ImportReport`, :class:`ErrorLog`,
  :class:`SkipLog`) and the error groups a batch keeps;
- :mod:`.texts`: the report's problems and notes in the user's language;
- :mod:`.measures` and :mod:`.datasets`: the catalogue of measures, derived measures, datasets;
- :mod:`.lookup`: the catalogue as dictionaries for the adapters (:class:`CatalogueLookup`);
- :mod:`.writes`: the set-based writer that merges points into their series;
- :mod:`.rows`: the row reader, which checks every row and hands it to the writer;
- :mod:`.imports`: :func:`import_rows`, the batch around the check and the one short write;
- :mod:`.files`: :func:`import_file` and :func:`import_from_api`, which read and hand over.

A test that replaces a name looked up while an import runs patches the module that looks it
up (``rows.CHUNK``, ``rows.FLUSH_POINTS``, ``files.CatalogueLookup``), not this package.
"""

from django.utils.translation import gettext as _

from regie.monitor.services.datasets import (
    get_or_create_dataset,
    local_dataset,
    local_dataset_table,
)
from regie.monitor.services.files import (
    file_sha256,
    import_file,
    import_from_api,
    load_demo_figures,
)
from regie.monitor.services.imports import import_rows
from regie.monitor.services.lookup import DEFAULT_COLUMNS, CatalogueLookup, load_postcodes
from regie.monitor.services.measures import define_derived_measure, load_catalogue
from regie.monitor.services.reports import (
    CEASED_AREA,
    EXAMPLES_PER_KIND,
    MAX_ERROR_KINDS,
    MAX_ERRORS,
    OTHER_PROBLEMS,
    REPEATED_ROW,
    SKIP_EXAMPLES,
    ErrorGroup,
    ErrorLog,
    ImportReport,
    SkipLog,
    count_text,
    error_groups_of,
    keep_errors,
)
from regie.monitor.services.rows import CHUNK, FLUSH_POINTS
from regie.monitor.services.texts import failure_note, format_error_text, note_text
from regie.monitor.services.writes import UNKNOWN, Point, _SeriesWriter

__all__ = [
    "CEASED_AREA",
    "CHUNK",
    "DEFAULT_COLUMNS",
    "EXAMPLES_PER_KIND",
    "FLUSH_POINTS",
    "MAX_ERRORS",
    "MAX_ERROR_KINDS",
    "OTHER_PROBLEMS",
    "REPEATED_ROW",
    "SKIP_EXAMPLES",
    "UNKNOWN",
    "CatalogueLookup",
    "ErrorGroup",
    "ErrorLog",
    "ImportReport",
    "Point",
    "SkipLog",
    "_",
    "_SeriesWriter",
    "count_text",
    "define_derived_measure",
    "error_groups_of",
    "failure_note",
    "file_sha256",
    "format_error_text",
    "get_or_create_dataset",
    "import_file",
    "import_from_api",
    "import_rows",
    "keep_errors",
    "load_catalogue",
    "load_demo_figures",
    "load_postcodes",
    "local_dataset",
    "local_dataset_table",
    "note_text",
]
