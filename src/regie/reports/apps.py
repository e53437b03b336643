from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "regie.reports"
    label = "reports"
    verbose_name = _("Rapportage")

    def ready(self) -> None:
        from regie.core import audit
        from regie.reports import models

        audit.register(models.Report, organisation=lambda o: o.organisation, exclude=("snapshot",))
        audit.register(
            models.ReportFile, organisation=lambda o: o.report.organisation, exclude=("content",)
        )
        audit.exempt(
            models.ReportBuild,
            reason="a job's own progress record; the file it makes (ReportFile) is audited",
        )
