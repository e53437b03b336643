"""What every write of the policy app shares: the frozen-plan rule, keys, positions, saving.

An adopted (vastgesteld) plan is frozen: every change to it or to anything in it raises
:class:`PlanFrozen`. A write to something that already exists takes ``version``, the version the
user saw (the edit form's token, :func:`regie.core.concurrency.edit_token`), and claims it at the
write (:func:`regie.core.concurrency.claim`). Every write inside a plan first locks the plan's
row and reads its state again, so that nothing slips into a plan that was adopted meanwhile
(locks are taken plan first, then the item). Every object is validated by the model
(``full_clean``) before it is stored, whether it comes from a form or from a plan file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from regie.core import concurrency, formats
from regie.core.concurrency import StaleEditError
from regie.core.errors import ServiceError
from regie.policy.models import (
    BudgetLine,
    CapacityLine,
    Goal,
    Indicator,
    Plan,
    Priority,
    Scenario,
    StatedFigure,
    Theme,
)


class PlanFrozen(ServiceError):
    """The plan has been adopted by the council; changes go into a new version."""


#: Everything inside a plan that the Beleid pages create, change and delete.
PlanItem = Priority | Theme | Goal | Indicator | Scenario | CapacityLine | BudgetLine | StatedFigure


def plan_of(obj: Plan | PlanItem) -> Plan:
    if isinstance(obj, Plan):
        return obj
    if isinstance(obj, Priority | BudgetLine | StatedFigure):
        return obj.plan
    if isinstance(obj, Theme):
        return obj.priority.plan
    if isinstance(obj, Goal | Scenario):
        return obj.theme.priority.plan
    if isinstance(obj, CapacityLine):
        return obj.scenario.theme.priority.plan
    return obj.goal.theme.priority.plan


def ensure_editable(obj: Plan | PlanItem) -> None:
    """Refuse a change to an adopted plan; the plan's state is read from the database under a row
    lock (inside the caller's transaction), so an adoption that happened meanwhile counts."""
    plan = plan_of(obj)
    if plan.pk is not None:
        stored = (
            Plan.objects.select_for_update()
            .filter(pk=plan.pk)
            .values_list("state", "adopted_on")
            .first()
        )
        if stored is None:
            raise StaleEditError
        plan.state, plan.adopted_on = stored
    if plan.is_frozen:
        raise PlanFrozen(
            _(
                "This plan was adopted by the council on %(date)s and cannot be changed. Make a "
                "new version to change it."
            )
            % {"date": formats.date(plan.adopted_on) if plan.adopted_on else "?"}
        )


#: The foreign key from each item to the item (or plan) it goes under.
PARENT: dict[type[models.Model], tuple[str, type[models.Model]]] = {
    Priority: ("plan_id", Plan),
    BudgetLine: ("plan_id", Plan),
    StatedFigure: ("plan_id", Plan),
    Theme: ("priority_id", Priority),
    Goal: ("theme_id", Theme),
    Scenario: ("theme_id", Theme),
    Indicator: ("goal_id", Goal),
    CapacityLine: ("scenario_id", Scenario),
}


def _parent_exists(obj: PlanItem) -> bool:
    """Is the item a new one goes under still there (not deleted while the form was open)?"""
    attname, model = PARENT[type(obj)]
    return model._default_manager.filter(pk=getattr(obj, attname)).exists()


def siblings_of(obj: PlanItem) -> QuerySet[Any]:
    """The items under the same parent as ``obj`` (``obj`` itself included once stored)."""
    attname, _model = PARENT[type(obj)]
    return type(obj)._default_manager.filter(**{attname: getattr(obj, attname)})


def free_key(siblings: QuerySet[Any], text: str, *, exclude: int | None = None) -> str:
    """A key for ``text`` not yet used among ``siblings`` (``veilig-wonen``, ``veilig-wonen-2``)."""
    base = slugify(text)[:50].strip("-") or "item"
    taken = set(siblings.exclude(pk=exclude).values_list("key", flat=True))
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


def next_position(siblings: QuerySet[Any]) -> int:
    """The position after the last of ``siblings`` (0 for the first)."""
    highest = siblings.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else int(highest) + 1


def place(obj: PlanItem, *, key: str | None, key_text: str, position: int | None) -> None:
    """Give ``obj`` its key and position among its siblings: the one asked for, else a key made
    from ``key_text`` and (for a new item) the place after the last one."""
    siblings = siblings_of(obj)
    if hasattr(obj, "key"):
        obj.key = key or free_key(siblings, key_text, exclude=obj.pk)
    if hasattr(obj, "position"):
        if position is None:
            position = obj.position if obj.pk else next_position(siblings)
        obj.position = position


@transaction.atomic
def save(
    obj: Plan | PlanItem,
    *,
    version: str | None = None,
    m2m: dict[str, Iterable[models.Model]] | None = None,
    **fields: Any,
) -> None:
    """Set ``fields`` (and many-to-many ``m2m``) on an object of an editable plan and save it.

    A new plan may always be saved; anything else only while its plan is a concept. An object
    that exists is saved only when it is still at ``version`` (else :class:`StaleEditError`).
    """
    if obj.pk is not None and version is None:
        raise TypeError("Saving an existing object needs the version the user saw.")
    if obj.pk is not None or not isinstance(obj, Plan):
        ensure_editable(obj)
    if obj.pk is None and not isinstance(obj, Plan) and not _parent_exists(obj):
        raise StaleEditError(
            _("The item this one goes under has been deleted meanwhile; nothing was added.")
        )
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    if obj.pk is not None:
        concurrency.claim(obj, version)
    obj.save()
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(list(values))


@transaction.atomic
def delete(obj: PlanItem, *, version: str) -> None:
    """Delete an item of a concept plan (with everything under it) if it is still at ``version``."""
    ensure_editable(obj)
    concurrency.claim(obj, version)
    obj.delete()


_M = TypeVar("_M", bound=models.Model)


def create_checked(model: type[_M], fields: dict[str, Any], *, unchecked: Iterable[str] = ()) -> _M:
    """Create a new object of a plan being built (a plan file's): validated by the model like
    every other write, then stored. Raises Django's ``ValidationError`` (nothing stored).

    ``unchecked`` names fields the caller already found wrong and replaced (not said twice).
    Related objects are the caller's own lookups, so they are not looked up again.
    """
    obj = model(**fields)
    skip = set(unchecked)
    related = {name for name, value in fields.items() if isinstance(value, models.Model)}
    # a relation the database allows to be empty (an override made by the system, no user) is
    # not a blank the user left: ``blank`` is about forms
    related |= {
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and f.null and fields.get(f.name, fields.get(f.attname)) is None
    }
    errors: dict[str, list[Any]] = {}
    checks: tuple[Callable[[], None], ...] = (
        lambda: obj.clean_fields(exclude=skip | related),  # related: the caller's own lookups
        obj.clean,
        lambda: obj.validate_unique(exclude=skip),
        lambda: obj.validate_constraints(exclude=skip),
    )
    for check in checks:
        try:
            check()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    obj.save(force_insert=True)
    return obj
