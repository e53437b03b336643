from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Builds the demo installation (Maassluis and Alblasserdam). Sits on top of every app."""

    name = "regie.demo"
    label = "demo"
    verbose_name = _("Demo")

    def ready(self) -> None:
        from regie.demo import checks  # noqa: F401 - registers the deploy check of demo accounts
