"""The measures catalogue: the shipped measures and a gemeente's derived measures (sums)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.monitor import catalogue
from regie.monitor.models import DerivedComponent, Measure


@transaction.atomic
def load_catalogue() -> int:
    """Create or update every catalogue measure and derived definition; returns how many changed."""
    specs = catalogue.all_measures()
    existing = {m.code: m for m in Measure.objects.all()}
    changed = 0
    for spec in specs:
        values = {
            "source": spec.source,
            "key": spec.key,
            "name": spec.name,
            "description": spec.description,
            "unit": spec.unit,
            "kind": spec.kind,
            "is_rollup": spec.is_rollup,
            "category": spec.category,
            "sort_order": spec.sort_order,
            "parent": existing.get(spec.parent) if spec.parent else None,
        }
        measure = existing.get(spec.code)
        if measure is None:
            measure = Measure(code=spec.code, **values)
        elif all(getattr(measure, k) == v for k, v in values.items()):
            continue
        else:
            for k, v in values.items():
                setattr(measure, k, v)
        measure.save()
        existing[spec.code] = measure
        changed += 1
    for spec in specs:
        if spec.components:
            derived = existing[spec.code]
            wanted = {existing[c].pk for c in spec.components}
            have = set(
                DerivedComponent.objects.filter(derived=derived).values_list(
                    "component_id", flat=True
                )
            )
            for pk in wanted - have:
                DerivedComponent.objects.create(derived=derived, component_id=pk)
            DerivedComponent.objects.filter(
                derived=derived, component_id__in=have - wanted
            ).delete()
    return changed


@transaction.atomic
def define_derived_measure(
    *,
    key: str,
    name: str,
    components: list[str],
    description: str = "",
    organisation: Organisation | None = None,
) -> Measure:
    """Define (or redefine) ``derived:<key>`` as the sum of ``components`` (measure codes)."""
    found = {m.code: m for m in Measure.objects.filter(code__in=components)}
    missing = [c for c in components if c not in found]
    if missing:
        raise ServiceError(_("Unknown measures: %(codes)s") % {"codes": ", ".join(missing)})
    if any(m.is_derived for m in found.values()):
        raise ServiceError(_("A derived measure cannot contain another derived measure."))
    for measure in found.values():
        ancestor = measure.parent
        while ancestor is not None:
            if ancestor.code in found:
                raise ServiceError(
                    _("%(total)s already contains %(part)s: adding both would count it twice.")
                    % {"total": ancestor.code, "part": measure.code}
                )
            ancestor = ancestor.parent
    units = {m.unit for m in found.values()}
    if len(units) > 1:
        raise ServiceError(_("All components of a sum must have the same unit."))
    measure, _created = Measure.objects.update_or_create(
        code=f"derived:{key}",
        defaults={
            "source": "derived",
            "key": key,
            "name": name,
            "description": description,
            "unit": units.pop() if units else "count",
            "organisation": organisation,
        },
    )
    DerivedComponent.objects.filter(derived=measure).exclude(
        component__code__in=components
    ).delete()
    for code in components:
        DerivedComponent.objects.get_or_create(derived=measure, component=found[code])
    return measure
