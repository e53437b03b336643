"""The nightly retention run, a durable periodic job (ADR 0016)."""

from __future__ import annotations

from typing import Any

from regie.core import jobs
from regie.core.audit import acting_as


def nightly_retention() -> dict[str, Any]:
    from regie.privacy.services import run_retention

    with acting_as(None, "bewaartermijnen"):
        run = run_retention(label="bewaartermijnen (nachtelijk)")
    return {"run": run.pk, **run.counts}


jobs.periodic("privacy.retention", at="02:30")(nightly_retention)
