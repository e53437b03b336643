"""Datasets: one per table and owner (open data, or a gemeente's own figures)."""

from __future__ import annotations

from regie.core.models import Organisation
from regie.monitor.models import LOCAL_TABLE_PREFIX, Dataset


def get_or_create_dataset(
    *, table: str, source: str, title: str, organisation: Organisation | None, provenance: str = ""
) -> Dataset:
    dataset = Dataset.objects.filter(table=table, organisation=organisation).first()
    if dataset is None:
        dataset = Dataset.objects.create(
            table=table,
            source=source,
            title=title or table,
            organisation=organisation,
            provenance=provenance,
        )
    else:
        changed: list[str] = []
        if provenance and dataset.provenance != provenance:
            dataset.provenance = provenance
            changed.append("provenance")
        if title and title != dataset.title and dataset.title == dataset.table:
            dataset.title = title  # made before its file was read (a queued check): no title yet
            changed.append("title")
        if changed:
            dataset.save(update_fields=changed)
    return dataset


def local_dataset_table(organisation: Organisation) -> str:
    return f"{LOCAL_TABLE_PREFIX}{organisation.slug}"


def local_dataset(organisation: Organisation) -> Dataset:
    """The dataset of a gemeente's own figures (the template): ``lokaal:<slug>``."""
    table = local_dataset_table(organisation)
    return get_or_create_dataset(
        table=table, source="gemeente", title=table, organisation=organisation
    )
