"""Drawing a report's charts (vl-convert) a few at a time: the slow part of every build.

vl-convert releases the GIL while it renders, so a small thread pool roughly halves the time of
a report with many charts. Only the drawing runs in the pool: results come back in document
order and ``progress`` is called from the calling thread (it may write the build's progress to
the database, which must stay on the caller's connection).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Final, TypeVar

from django.utils.translation import gettext as _

from regie.reports.render.cells import Progress, step

T = TypeVar("T")
MAX_WORKERS: Final = 4


def drawn(
    specs: list[dict[str, Any]],
    draw: Callable[[dict[str, Any]], T],
    *,
    progress: Progress | None = None,
    start: int = 5,
    end: int = 60,
) -> Generator[T, None, None]:
    """``draw(spec)`` for every spec, yielded in order; progress from ``start`` to ``end`` %."""
    total = len(specs)
    if not total:
        return
    workers = max(1, min(MAX_WORKERS, os.cpu_count() or 1, total))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="report-chart") as pool:
        futures: list[Future[T]] = [pool.submit(draw, spec) for spec in specs]
        try:
            for number, future in enumerate(futures, start=1):
                step(
                    progress,
                    start + (end - start) * (number - 1) // total,
                    _("Drawing chart %(number)s of %(total)s") % {"number": number, "total": total},
                )
                yield future.result()
        finally:
            for future in futures:
                future.cancel()
