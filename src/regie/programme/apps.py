from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    name = "regie.programme"
    label = "programme"
    verbose_name = _("Uitvoering")

    def ready(self) -> None:
        from regie.core import audit
        from regie.programme import models

        audit.register(models.Programme, organisation=lambda o: o.organisation)
        audit.register(models.Action, organisation=lambda o: o.programme.organisation)
        audit.register(models.ProgressNote, organisation=lambda o: o.action.programme.organisation)
