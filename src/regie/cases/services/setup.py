"""A gemeente's Meldpunt on first use: the preloaded category tree (beheerders change it)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from regie.cases.models import Category, Family
from regie.core.models import Organisation

DEFAULT_TREE = (
    (
        _("Zorg & veiligheid"),
        Family.ZORG,
        (
            _("Onbegrepen gedrag"),
            _("Huiselijk geweld"),
            _("Jeugd en hoog-risicojongeren"),
            _("Woonoverlast"),
            _("Radicalisering"),
        ),
    ),
    (
        _("Ondermijning"),
        Family.ONDERMIJNING,
        (
            _("Drugs en hennep"),
            _("Witwassen"),
            _("Vastgoed"),
            _("Malafide bedrijvigheid"),
            _("Mensenhandel en uitbuiting"),
            pgettext_lazy("category", "Other"),
        ),
    ),
    (
        _("Cyber"),
        Family.CYBER,
        (_("Online ordeverstoring"), _("Gedigitaliseerde criminaliteit")),
    ),
    (_("Maatschappelijke onrust"), Family.ONRUST, ()),
    (pgettext_lazy("category", "Other"), Family.OVERIG, ()),
)


@transaction.atomic
def ensure_categories(organisation: Organisation) -> int:
    """Create the default tree when the gemeente has no category yet; the number created."""
    if Category.objects.filter(organisation=organisation).exists():
        return 0
    created = 0
    for order, (name, family, children) in enumerate(DEFAULT_TREE):
        main = Category.objects.create(
            organisation=organisation, name=str(name), family=family, order=order
        )
        created += 1
        for sub_order, child in enumerate(children):
            Category.objects.create(
                organisation=organisation,
                parent=main,
                name=str(child),
                family=family,
                order=sub_order,
            )
            created += 1
    return created
