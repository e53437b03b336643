"""Results computed from the figures, kept until the figures change.

A veiligheidsbeeld page reads every figure of a gemeente and, for regions without a published
figure, every figure of the region's gemeenten (tens of thousands of monthly rows with national
data loaded). Those results only change when figures, measures or populations change, so they are
kept in Django's cache under a key that contains the **data version**: one cheap query over the
tables that can change a figure (import batches, measures and their parts, populations). Any
import — from the browser, the CLI or another server process — gives a new version, so a page
never shows figures older than the database. ``REGIE_CACHE_SECONDS`` bounds how long an entry
lives (edits that change a row in place without a new import are seen after that time).
"""

from __future__ import annotations

from django.db import connection

from regie.areas.models import Population
from regie.core.cache import remember as remember  # re-exported for the pages of this data
from regie.monitor.models import DerivedComponent, ImportBatch, Measure


def data_version() -> str:
    """A fingerprint of everything a figure depends on, in one query."""
    batch = ImportBatch._meta.db_table
    measure = Measure._meta.db_table
    part = DerivedComponent._meta.db_table
    population = Population._meta.db_table
    sql = (
        f"SELECT (SELECT MAX(id) FROM {batch}), (SELECT COUNT(*) FROM {batch}),"  # noqa: S608 - table names from models
        f" (SELECT MAX(finished_at) FROM {batch}),"
        f" (SELECT MAX(id) FROM {measure}), (SELECT COUNT(*) FROM {measure}),"
        f" (SELECT MAX(id) FROM {part}), (SELECT COUNT(*) FROM {part}),"
        f" (SELECT MAX(id) FROM {population}), (SELECT COUNT(*) FROM {population})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return "|".join(str(value) for value in row)
