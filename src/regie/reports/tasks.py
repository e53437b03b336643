"""Building a report file as a durable background job (ADR 0016).

:func:`queue_build` stores a :class:`ReportBuild` (queued) and its job in one transaction; a
``regie worker`` runs :func:`build_report` on the ``reports`` queue (beside checks, never behind
an import), which renders from the report's locked snapshot, stores the file and writes its
progress on the build row for the page to poll. A job whose worker died is run again by
:func:`regie.core.jobs.recover_abandoned`: building twice stores a second identical file, never
a wrong one.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import TaskContext, task

from regie.core import jobs
from regie.core.audit import acting_as
from regie.reports.models import BuildState, Report, ReportBuild

logger = logging.getLogger(__name__)


def queue_build(report: Report, fmt: str, *, user: Any = None) -> ReportBuild:
    by = user if getattr(user, "is_authenticated", False) else None

    def make() -> ReportBuild:
        build = ReportBuild.objects.create(report=report, format=fmt, requested_by=by)
        result = build_report.using(backend=jobs.backend()).enqueue(build_id=build.pk)
        ReportBuild.objects.filter(pk=build.pk).update(task_id=str(result.id)[:64])
        return build

    if not jobs.is_durable():
        build = make()  # ran already (eager): read what it stored
        build.refresh_from_db()
        return build
    with transaction.atomic():
        return make()


def _progress(build_id: int) -> Any:
    def report(percent: int, step: str) -> None:
        ReportBuild.objects.filter(pk=build_id).update(
            progress=max(0, min(100, int(percent))), step=step[:200]
        )

    return report


@task(queue_name=jobs.REPORTS_QUEUE, takes_context=True)
def build_report(context: TaskContext, *, build_id: int) -> str:
    """The job: render the build's report in its format and store the file."""
    from regie.reports import services

    build = ReportBuild.objects.select_related("report__organisation").filter(pk=build_id).first()
    if build is None:
        return "build gone"
    if build.state == BuildState.DONE:
        return "done before"
    ReportBuild.objects.filter(pk=build_id).update(
        state=BuildState.RUNNING, progress=1, step=_("Starting"), error=""
    )
    user = None
    if build.requested_by_id:
        user = get_user_model().objects.filter(pk=build.requested_by_id).first()
    try:
        with acting_as(user, _("report build")):
            stored = services.build_now(
                build.report, build.format, user=user, progress=_progress(build_id)
            )
    except services.ServiceError as error:
        ReportBuild.objects.filter(pk=build_id).update(
            state=BuildState.FAILED, error=str(error), finished_at=timezone.now()
        )
        return "refused"
    except Exception:
        logger.exception("report build %s failed", build_id)
        ReportBuild.objects.filter(pk=build_id).update(
            state=BuildState.FAILED,
            error=_("Building the file failed; the error has been logged. Try again."),
            finished_at=timezone.now(),
        )
        raise
    ReportBuild.objects.filter(pk=build_id).update(
        state=BuildState.DONE,
        progress=100,
        step=_("Ready"),
        file=stored,
        finished_at=timezone.now(),
    )
    return f"file {stored.pk}"
