"""The datasets a member may see, with their latest import and the totals of their imports."""

from __future__ import annotations

from typing import Any

from django.db.models import Max, Min, OuterRef, Q, Subquery, Sum

from regie.core.models import Organisation
from regie.monitor.models import BatchState, ImportBatch
from regie.monitor.selectors.figures import visible_datasets


def datasets_overview(organisation: Organisation | None) -> list[dict[str, Any]]:
    """Visible datasets with their latest import and the totals of their completed imports.

    One query for the datasets (with aggregates) and one for their latest imports; checks
    (dry runs) are not imports and are left out.
    """
    done = Q(batches__state=BatchState.DONE)
    latest = (
        ImportBatch.objects.filter(dataset=OuterRef("pk"), dry_run=False)
        .order_by("-started_at", "-id")
        .values("pk")[:1]
    )
    datasets = list(
        visible_datasets(organisation)
        .annotate(
            rows=Sum("batches__rows_stored", filter=done),
            vintage=Max("batches__finished_at", filter=done),
            period_first=Min("batches__period_first", filter=done),
            period_last=Max("batches__period_last", filter=done),
            latest_id=Subquery(latest),
        )
        .order_by("source", "table")
    )
    batches = ImportBatch.objects.in_bulk([d.latest_id for d in datasets if d.latest_id])
    return [{"dataset": d, "latest": batches.get(d.latest_id)} for d in datasets]
