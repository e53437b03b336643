"""Database checks of the monitor: ``regie check --database default``.

The observation table has no foreign-key constraints in the database (ADR 0007); this check
does their work set-wise, one query per key, and reports orphans instead of failing an import.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections

from regie.monitor.models import Observation

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
        if Observation._meta.db_table not in connections[alias].introspection.table_names():
            continue
        for key in _KEYS:
            orphans = orphan_count(key, alias)
            if orphans:
                messages.append(
                    Error(
                        f"{orphans} observation(s) refer to a missing {key}.",
                        hint="Restore the missing rows or remove these observations.",
                        obj=f"{Observation._meta.db_table}.{key}_id ({alias})",
                        id="monitor.E001",
                    )
                )
    return messages


def orphan_count(key: str, alias: str = "default") -> int:
    """How many observations refer to a missing row through foreign key ``key``."""
    field = Observation._meta.get_field(key)
    target = field.related_model._meta  # type: ignore[union-attr]
    table = Observation._meta.db_table
    column = field.column  # type: ignore[union-attr]
    with connections[alias].cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} o "  # noqa: S608 - names from the model, not input
            f"LEFT JOIN {target.db_table} t ON t.{target.pk.column} = o.{column} "
            f"WHERE o.{column} IS NOT NULL AND t.{target.pk.column} IS NULL"
        )
        row = cursor.fetchone()
    return int(row[0]) if row else 0
