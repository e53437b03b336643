from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "regie.areas"
    label = "areas"
    verbose_name = _("Areas")

    def ready(self) -> None:
        from regie.areas.models import Area, AreaName, Population
        from regie.core import audit

        audit.register(Area)
        audit.register(Population)
        audit.register(AreaName)
