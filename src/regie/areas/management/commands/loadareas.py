from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from regie.areas import services
from regie.core import audit


class Command(BaseCommand):
    help = (
        "Load or refresh the areas shipped with Veiligheidsregie: NL, provincies, "
        "politie-eenheden, veiligheidsregio's, the gemeenten since 2000 (former ones with their "
        "successors), every wijk and buurt of the buurtindelingen held (2023, 2024), their names "
        "per indeling year, and population on 1 January. Safe to run repeatedly."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with audit.acting_as(None, "regie loadareas"):
            report = services.load_reference_data()
        self.stdout.write(_("Done: %(report)s.") % {"report": report})
