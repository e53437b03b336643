from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VeiligheidsbeeldConfig(AppConfig):
    """The veiligheidsbeeld pages: overview, measure pages and the waterbed (no models).

    They read the figures store (:mod:`regie.monitor`) through its selectors and insight only.
    """

    name = "regie.veiligheidsbeeld"
    label = "veiligheidsbeeld"
    verbose_name = _("Veiligheidsbeeld")
