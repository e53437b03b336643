from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitorConfig(AppConfig):
    name = "regie.monitor"
    label = "monitor"
    verbose_name = _("Veiligheidsbeeld")

    def ready(self) -> None:
        from regie.core import audit
        from regie.monitor import checks, models  # noqa: F401 - checks registers itself

        audit.register(models.Measure, organisation=lambda m: m.organisation)
        audit.register(models.DerivedComponent, organisation=lambda c: c.derived.organisation)
        audit.register(models.Dataset, organisation=lambda d: d.organisation)
        audit.register(models.ImportBatch, organisation=lambda b: b.dataset.organisation)
        # Series, periods and revisions are written in bulk by the import service, which records
        # one audit event per import; registering them keeps single edits (shell, tests) audited
        # too. Observations are a read-only view over the series (ADR 0010).
        audit.register(models.Series, organisation=lambda s: s.owner, redact=("points",))
        audit.register(models.Period)
        audit.register(models.Observation, organisation=lambda o: o.owner)
        audit.register(models.Revision, organisation=lambda r: r.owner)
