"""Loading the area reference data (codes, names, hierarchy, population) shipped in ``data/``."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from regie.areas import reference_data
from regie.areas.models import Area, Population
from regie.core.models import AuditAction
from regie.core.services import record_event


@dataclass(frozen=True)
class LoadReport:
    areas_created: int
    areas_updated: int
    populations_created: int
    populations_updated: int

    def __str__(self) -> str:
        return _(
            "areas: %(areas_created)s new, %(areas_updated)s changed; "
            "population: %(populations_created)s new, %(populations_updated)s changed"
        ) % {
            "areas_created": self.areas_created,
            "areas_updated": self.areas_updated,
            "populations_created": self.populations_created,
            "populations_updated": self.populations_updated,
        }


_AREA_FIELDS = ("name", "level", "active", "source")
_LINK_FIELDS = ("parent", "politie_eenheid", "veiligheidsregio")


@transaction.atomic
def load_reference_data() -> LoadReport:
    """Create or update every area and population figure from the shipped files (idempotent)."""
    records = reference_data.load_areas()
    existing = {a.code: a for a in Area.objects.all()}
    to_create: list[Area] = []
    to_update: list[Area] = []
    for rec in records:
        area = existing.get(rec.code)
        values = {"name": rec.name, "level": rec.level, "active": rec.active, "source": rec.source}
        if area is None:
            to_create.append(Area(code=rec.code, **values))
        elif any(getattr(area, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(area, k, v)
            to_update.append(area)
    Area.objects.bulk_create(to_create, batch_size=500)
    Area.objects.bulk_update(to_update, list(_AREA_FIELDS), batch_size=500)

    ids = dict(Area.objects.values_list("code", "id"))
    links = {a.code: a for a in Area.objects.only("id", "code", *[f"{f}_id" for f in _LINK_FIELDS])}
    relinked: list[Area] = []
    for rec in records:
        area = links[rec.code]
        wanted = {
            "parent_id": ids.get(rec.parent) if rec.parent else None,
            "politie_eenheid_id": ids.get(rec.politie_eenheid) if rec.politie_eenheid else None,
            "veiligheidsregio_id": ids.get(rec.veiligheidsregio) if rec.veiligheidsregio else None,
        }
        if any(getattr(area, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(area, k, v)
            relinked.append(area)
    Area.objects.bulk_update(relinked, list(_LINK_FIELDS), batch_size=500)

    pop_existing = {(p.area_id, p.year): p for p in Population.objects.all()}
    pop_create: list[Population] = []
    pop_update: list[Population] = []
    for prec in reference_data.load_population():
        area_id = ids.get(prec.code)
        if area_id is None:
            continue
        pop = pop_existing.get((area_id, prec.year))
        if pop is None:
            pop_create.append(
                Population(area_id=area_id, year=prec.year, value=prec.value, source=prec.source)
            )
        elif pop.value != prec.value or pop.source != prec.source:
            pop.value, pop.source = prec.value, prec.source
            pop_update.append(pop)
    Population.objects.bulk_create(pop_create, batch_size=1000)
    Population.objects.bulk_update(pop_update, ["value", "source"], batch_size=1000)

    report = LoadReport(
        areas_created=len(to_create),
        areas_updated=len({a.code for a in to_update} | {a.code for a in relinked}),
        populations_created=len(pop_create),
        populations_updated=len(pop_update),
    )
    if to_create or to_update or relinked or pop_create or pop_update:
        record_event(
            action=AuditAction.IMPORT,
            user=None,
            label="gebiedenlader",
            description=_("Areas and population loaded (%(report)s)") % {"report": report},
        )
    return report
