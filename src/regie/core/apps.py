from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "regie.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from regie.core import audit, checks  # noqa: F401 - importing checks registers them
        from regie.core.models import Installation, JobWorker, Organisation, ScheduledJob

        audit.connect_signals()
        audit.register(Organisation, organisation=lambda org: org)
        audit.register(Installation)
        audit.exempt(JobWorker, reason="a worker's signs of life are bookkeeping of the job queue")
        audit.exempt(ScheduledJob, reason="the schedule of periodic jobs is bookkeeping")
