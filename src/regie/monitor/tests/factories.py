"""Helpers to put figures in the test database through the import service."""

from __future__ import annotations

from typing import Any

from regie.core.models import Organisation
from regie.monitor import services
from regie.monitor.sources.base import Row, RowError, Status


def dataset(table: str = "TEST", organisation: Organisation | None = None, source: str = "CBS"):
    return services.get_or_create_dataset(
        table=table, source=source, title=f"Testtabel {table}", organisation=organisation
    )


def rows(*values: tuple[Any, ...]) -> list[Row | RowError]:
    """``(area, measure, period, value[, status])`` tuples → Rows numbered from 1."""
    result: list[Row | RowError] = []
    for line, item in enumerate(values, start=1):
        status = item[4] if len(item) > 4 else Status.DEFINITIEF
        result.append(Row(line, item[0], item[1], item[2], item[3], status))
    return result


def load(*values: tuple[Any, ...], table: str = "TEST", organisation=None, dry_run=False):
    services.load_catalogue()
    return services.import_rows(
        rows(*values),
        dataset=dataset(table, organisation),
        lookup=services.CatalogueLookup(organisation),
        fmt="test",
        filename=f"{table}.csv",
        dry_run=dry_run,
    )
