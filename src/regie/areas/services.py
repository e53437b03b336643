"""Loading the area reference data (codes, names, hierarchy, population) shipped in ``data/``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from regie.areas import reference_data
from regie.areas.models import Area, AreaName, Population
from regie.core.models import AuditAction
from regie.core.services import record_event


@dataclass(frozen=True)
class LoadReport:
    areas_created: int
    areas_updated: int
    populations_created: int
    populations_updated: int
    populations_removed: int = 0

    def __str__(self) -> str:
        return _(
            "areas: %(areas_created)s new, %(areas_updated)s changed; "
            "population: %(populations_created)s new, %(populations_updated)s changed, "
            "%(populations_removed)s removed"
        ) % {
            "areas_created": self.areas_created,
            "areas_updated": self.areas_updated,
            "populations_created": self.populations_created,
            "populations_updated": self.populations_updated,
            "populations_removed": self.populations_removed,
        }


_AREA_FIELDS = ("name", "level", "active", "source", "valid_from", "valid_to")
_LINK_FIELDS = ("parent", "politie_eenheid", "veiligheidsregio")
_LINK_IDS = tuple(f"{name}_id" for name in _LINK_FIELDS)


@transaction.atomic
def load_reference_data() -> LoadReport:
    """Create or update every area and population figure from the shipped files (idempotent)."""
    records = reference_data.load_areas()
    # Stored values as plain tuples (no model instances for 18,000 unchanged rows).
    columns = ("id", "code", *_AREA_FIELDS, *_LINK_IDS)
    existing = {row[1]: row for row in Area.objects.values_list(*columns)}
    ids = {code: row[0] for code, row in existing.items()}
    created: list[str] = []
    to_update: list[Area] = []
    # Level by level (parents first), so a new area gets its links when it is inserted and the
    # ids of a level are known before its children: no second pass over 18,000 rows.
    for level in reference_data.LEVELS:
        batch: list[tuple[object, ...]] = []
        for rec in records:
            if rec.level != level:
                continue
            values = (
                rec.name,
                rec.level,
                rec.active,
                rec.source,
                rec.valid_from,
                rec.valid_to,
                ids[rec.parent] if rec.parent else None,
                ids[rec.politie_eenheid] if rec.politie_eenheid else None,
                ids[rec.veiligheidsregio] if rec.veiligheidsregio else None,
            )
            row = existing.get(rec.code)
            if row is None:
                batch.append((rec.code, *values))
            elif row[2:] != values:
                to_update.append(
                    Area(id=row[0], code=rec.code, **dict(zip(columns[2:], values, strict=True)))
                )
        if batch:
            _insert(Area, list(columns[1:]), batch)
            ids.update(Area.objects.filter(level=level).values_list("code", "id"))
            created.extend(str(row[0]) for row in batch)
    Area.objects.bulk_update(to_update, [*_AREA_FIELDS, *_LINK_FIELDS], batch_size=500)
    changed_history = _load_successors(records, ids) | _load_names(records, ids)
    new_codes = set(created)

    pop_created, pop_updated, pop_removed = _load_population(ids)

    report = LoadReport(
        areas_created=len(created),
        areas_updated=len({a.code for a in to_update} | (changed_history - new_codes)),
        populations_created=pop_created,
        populations_updated=pop_updated,
        populations_removed=pop_removed,
    )
    if created or to_update or changed_history or pop_created or pop_updated or pop_removed:
        record_event(
            action=AuditAction.IMPORT,
            user=None,
            label="gebiedenlader",
            description=_("Areas and population loaded (%(report)s)") % {"report": report},
        )
    return report


def _load_population(ids: dict[str, int]) -> tuple[int, int, int]:
    """Create, update and remove population figures; how many of each."""
    pop_existing = {
        (area_id, year): (pk, value, source)
        for pk, area_id, year, value, source in Population.objects.values_list(
            "id", "area_id", "year", "value", "source"
        )
    }
    pop_create: list[tuple[int, int, int, str]] = []
    pop_update: list[Population] = []
    pop_wanted: set[tuple[int, int]] = set()
    for prec in reference_data.load_population():
        area_id = ids.get(prec.code)
        if area_id is None:
            continue
        pop_wanted.add((area_id, prec.year))
        pop = pop_existing.get((area_id, prec.year))
        if pop is None:
            pop_create.append((area_id, prec.year, prec.value, prec.source))
        elif pop[1:] != (prec.value, prec.source):
            pop_update.append(
                Population(
                    id=pop[0], area_id=area_id, year=prec.year, value=prec.value, source=prec.source
                )
            )
    _insert(Population, ["area_id", "year", "value", "source"], pop_create)
    Population.objects.bulk_update(pop_update, ["value", "source"], batch_size=1000)
    # A figure the data no longer gives (e.g. a year whose boundaries turned out to differ)
    # is removed rather than kept with an outdated claim.
    pop_stale = [p[0] for key, p in pop_existing.items() if key not in pop_wanted]
    for start in range(0, len(pop_stale), 500):
        Population.objects.filter(pk__in=pop_stale[start : start + 500]).delete()
    return len(pop_create), len(pop_update), len(pop_stale)


def _load_successors(records: list[reference_data.AreaRecord], ids: dict[str, int]) -> set[str]:
    """Set every former gemeente's successors; returns the codes whose successors changed."""
    through = Area.successors.through
    wanted = {(ids[rec.code], ids[successor]) for rec in records for successor in rec.successors}
    existing = {
        (from_id, to_id): pk
        for pk, from_id, to_id in through.objects.values_list("pk", "from_area_id", "to_area_id")
    }
    stale = [pk for pair, pk in existing.items() if pair not in wanted]
    new = sorted(wanted - set(existing))
    for start in range(0, len(stale), 500):
        through.objects.filter(pk__in=stale[start : start + 500]).delete()
    through.objects.bulk_create(
        [through(from_area_id=f, to_area_id=t) for f, t in new], batch_size=1000
    )
    codes = {pk: code for code, pk in ids.items()}
    changed = {f for f, _t in new} | {pair[0] for pair in existing if pair not in wanted}
    return {codes[pk] for pk in changed if pk in codes}


def _load_names(records: list[reference_data.AreaRecord], ids: dict[str, int]) -> set[str]:
    """Names per indeling year and other spellings; returns the codes whose names changed."""
    wanted: dict[tuple[int, int | None, str], str] = {}
    for rec in records:
        for year, name, source in rec.names:
            wanted[(ids[rec.code], year, name)] = source
    existing = {
        (area_id, year, name): (pk, source)
        for pk, area_id, year, name, source in AreaName.objects.values_list(
            "id", "area_id", "year", "name", "source"
        )
    }
    stale = [row[0] for key, row in existing.items() if key not in wanted]
    changed: set[int] = {key[0] for key in existing if key not in wanted}
    to_create: list[tuple[int, int | None, str, str]] = []
    to_update: list[AreaName] = []
    for key, source in wanted.items():
        row = existing.get(key)
        if row is None:
            to_create.append((key[0], key[1], key[2], source))
            changed.add(key[0])
        elif row[1] != source:
            to_update.append(
                AreaName(id=row[0], area_id=key[0], year=key[1], name=key[2], source=source)
            )
            changed.add(key[0])
    for start in range(0, len(stale), 500):
        AreaName.objects.filter(pk__in=stale[start : start + 500]).delete()
    _insert(AreaName, ["area_id", "year", "name", "source"], to_create)
    AreaName.objects.bulk_update(to_update, ["source"], batch_size=1000)
    codes = {pk: code for code, pk in ids.items()}
    return {codes[pk] for pk in changed if pk in codes}


def _insert(model: type[models.Model], columns: list[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT plain rows with one prepared statement (``executemany``).

    For the tens of thousands of names and figures of a first load: ``bulk_create`` builds every
    row through the ORM, which took most of the load's time. The rows are simple values (no
    defaults, no signals: the load records one audit event itself).
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    fields = {field.attname: field for field in model._meta.concrete_fields}
    table = quote(model._meta.db_table)
    names = ", ".join(quote(fields[column].column) for column in columns)
    marks = ", ".join(["%s"] * len(columns))
    # Values as the database backend stores them (dates, booleans), as the ORM would.
    prepared = {
        i: fields[column]
        for i, column in enumerate(columns)
        if fields[column].get_internal_type() in ("DateField", "BooleanField")
    }
    params = [
        [
            prepared[i].get_db_prep_save(value, connection) if i in prepared else value
            for i, value in enumerate(row)
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", params)  # noqa: S608
