"""Database checks of the monitor: ``regie check --database default``.

The series table has no foreign-key constraints in the database (ADR 0007), and the import of
each figure is a number inside its series' points (ADR 0010); this check does the work of those
keys set-wise, one query per key, and reports orphans instead of failing an import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections, models

from regie.monitor.models import Observation, Series

_KEYS = ("area", "measure", "batch", "owner")


@register(Tags.database)
def observation_references(
    app_configs: Sequence[Any] | None = None,
    databases: Iterable[str] | None = None,
    **kwargs: Any,
) -> list[CheckMessage]:
    """monitor.E001: every observation's area, measure, import and owner exist."""
    messages: list[CheckMessage] = []
    for alias in databases or ():
        # `migrate` runs the database checks before it creates the tables.
        if Series._meta.db_table not in connections[alias].introspection.table_names():
            continue
        for key in _KEYS:
            orphans = orphan_count(key, alias)
            if orphans:
                messages.append(
                    Error(
                        f"{orphans} {'figure(s)' if key == 'batch' else 'series'} refer to a "
                        f"missing {key}.",
                        hint="Restore the missing rows or remove these figures.",
                        obj=f"{_table(key)}.{key}_id ({alias})",
                        id="monitor.E001",
                    )
                )
    return messages


def _model(key: str) -> type[models.Model]:
    # Area, measure and owner are columns of a series; the import of each figure is inside the
    # series' points, which the observation view unpacks.
    return Observation if key == "batch" else Series


def _table(key: str) -> str:
    return _model(key)._meta.db_table


def orphan_count(key: str, alias: str = "default") -> int:
    """How many series (figures, for ``batch``) refer to a missing row through ``key``."""
    model = _model(key)
    field = model._meta.get_field(key)
    target = field.related_model._meta  # type: ignore[union-attr]
    table = model._meta.db_table
    column = field.column  # type: ignore[union-attr]
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} o "  # noqa: S608 - names from the model, not input
            f"LEFT JOIN {target.db_table} t ON t.{target.pk.column} = o.{column} "
            f"WHERE o.{column} IS NOT NULL AND t.{target.pk.column} IS NULL"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0
