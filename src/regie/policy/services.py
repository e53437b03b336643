"""Every write of the policy app: plans, their structure, overrides, snapshots and versions.

Views and commands call these functions and nothing else writes. An adopted (vastgesteld) plan is
frozen: every change to it or to anything in it raises :class:`PlanFrozen`; ``new_version``
makes an editable concept copy instead.

A write to something that already exists takes ``version``, the version the user saw (the edit
form's token, :func:`regie.core.concurrency.edit_token`), and claims it at the write
(:func:`regie.core.concurrency.claim`): of two people saving or deleting one item at once, one
succeeds and the other gets :class:`~regie.core.concurrency.StaleEditError`. Every write inside a
plan first locks the plan's row and reads its state again, so that nothing slips into a plan
that was adopted meanwhile (locks are taken plan first, then the item).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from regie.core import concurrency
from regie.core.concurrency import StaleEditError
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.policy import plan_file
from regie.policy.engine import Status
from regie.policy.models import (
    BudgetLine,
    CapacityLine,
    Goal,
    Indicator,
    Plan,
    PlanState,
    Priority,
    Scenario,
    StatedFigure,
    StatusOverride,
    StatusSnapshot,
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
            % {"date": plan.adopted_on.strftime("%d-%m-%Y") if plan.adopted_on else "?"}
        )


#: The foreign key from each item to the item (or plan) it goes under.
_PARENT: dict[type[models.Model], tuple[str, type[models.Model]]] = {
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
    attname, model = _PARENT[type(obj)]
    return model._default_manager.filter(pk=getattr(obj, attname)).exists()


def free_key(siblings: QuerySet[Any], text: str, *, exclude: int | None = None) -> str:
    """A key for ``text`` not yet used among ``siblings`` (``veilig-wonen``, ``veilig-wonen-2``)."""
    base = slugify(text)[:50].strip("-") or "item"
    taken = set(siblings.exclude(pk=exclude).values_list("key", flat=True))
    key, number = base, 2
    while key in taken:
        key, number = f"{base}-{number}", number + 1
    return key


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


def import_plan(*, text: str, organisation: Organisation | None = None, user: Any = None) -> Plan:
    """Read a plan file as a new plan (:func:`plan_file.parse` bounds it; nothing is stored on any
    problem, :class:`plan_file.PlanFileError` lists them). Without ``organisation`` the file's
    gemeente is used (the command line); ``user`` is who imports (none: the system)."""
    return plan_file.import_plan(plan_file.parse(text), organisation=organisation, user=user)


@transaction.atomic
def adopt(*, plan: Plan, adopted_on: dt.date, version: str) -> Plan:
    """Record the council's adoption: the plan is frozen from now on.

    ``version`` is the plan's version the user saw: a change made meanwhile is not adopted unseen.
    """
    ensure_editable(plan)
    concurrency.claim(plan, version)
    plan.state = PlanState.ADOPTED
    plan.adopted_on = adopted_on
    plan.save(update_fields=["state", "adopted_on", "updated_at"])
    return plan


@transaction.atomic
def new_version(*, plan: Plan, version: str) -> Plan:
    """An editable concept copy of an adopted ``plan`` (overrides included), one version higher.

    ``version`` is the plan's version the user saw; of two people making the copy at once, one
    makes it and the other is told the plan already has a newer version.
    """
    if not plan.is_frozen:
        raise ServiceError(_("This plan is still a concept: change it directly."))
    try:
        concurrency.claim_related(plan, version)
    except StaleEditError:
        if Plan.objects.filter(predecessor=plan).exists():
            raise ServiceError(_("This plan already has a newer version.")) from None
        raise
    if Plan.objects.filter(predecessor=plan).exists():
        raise ServiceError(_("This plan already has a newer version."))
    data = plan_file.export_plan(plan)
    data["state"] = PlanState.CONCEPT.value
    data["adopted_on"] = None
    data["version"] = plan.version + 1
    try:
        copy = plan_file.import_plan(data, organisation=plan.organisation, predecessor=plan)
    except plan_file.PlanFileError as error:  # e.g. a measure that has since been removed
        raise ServiceError(
            _("The plan cannot be copied: %(problems)s") % {"problems": "; ".join(error.problems)}
        ) from error
    return copy


def history_version(indicator: Indicator) -> str:
    """The version of an indicator's status history: its newest override (``0``: none yet)."""
    newest = (
        StatusOverride.objects.filter(indicator=indicator)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    return str(newest or 0)


def _stale_history() -> str:
    return _(
        "Someone else recorded a status for this indicator after you opened this page. Your "
        "input has been kept; look at the history again and then record your judgement."
    )


@transaction.atomic
def override_status(
    *, indicator: Indicator, status: Status | None, reason: str, user: Any, version: str
) -> StatusOverride:
    """Put a person's judgement over the computed status (``None`` withdraws it). Append-only.

    Allowed on an adopted plan too: an override judges the figures, it does not change the plan.
    ``version`` is the :func:`history_version` the user saw: a judgement recorded meanwhile by
    someone else is not overruled unseen (the indicator's row is locked while checking).
    """
    if not reason.strip():
        raise ServiceError(_("Give the reason for the override."))
    if not Indicator.objects.select_for_update().filter(pk=indicator.pk).exists():
        raise StaleEditError
    if str(version).strip() != history_version(indicator):
        raise StaleEditError(_stale_history())
    return StatusOverride.objects.create(
        indicator=indicator,
        status=status.value if status else "",
        reason=reason.strip(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )


@transaction.atomic
def take_snapshot(*, plan: Plan, label: str, user: Any) -> StatusSnapshot:
    """Freeze every status of the plan under ``label`` (e.g. ``2024H2``), once per label."""
    from regie.monitor import cache
    from regie.policy import status

    label = label.strip()
    if not label:
        raise ServiceError(_("Give the reporting moment, for example 2024H2."))
    taken = ServiceError(
        _("There is already a snapshot for %(label)s; statuses of a reporting moment are kept.")
        % {"label": label}
    )
    if StatusSnapshot.objects.filter(plan=plan, label=label).exists():
        raise taken
    evaluation = status.evaluate_plan(plan)
    try:
        with transaction.atomic():  # two people taking the same moment at once: one keeps it
            return StatusSnapshot.objects.create(
                plan=plan,
                label=label,
                taken_by=user if getattr(user, "is_authenticated", False) else None,
                data_version=cache.data_version(),
                payload=evaluation.as_dict(),
            )
    except IntegrityError:
        raise taken from None


def choice_version(theme: Theme) -> str:
    """The version of a theme's scenario choice: the chosen scenario (``0``: none yet)."""
    chosen = Scenario.objects.filter(theme=theme, chosen=True).values_list("pk", flat=True).first()
    return str(chosen or 0)


@transaction.atomic
def choose_scenario(*, scenario: Scenario, decided_on: dt.date | None, version: str) -> Scenario:
    """Record the council's choice of ``scenario`` for its theme (one choice per theme).

    ``version`` is the :func:`choice_version` of the theme the user saw: of two people recording
    different choices at once, the second is told (the theme's row is locked while checking).
    """
    theme = scenario.theme
    ensure_editable(theme)
    if not Theme.objects.select_for_update().filter(pk=theme.pk).exists():
        raise StaleEditError
    if not Scenario.objects.filter(pk=scenario.pk, theme=theme).exists():
        raise StaleEditError(_("This scenario has been deleted meanwhile."))
    if str(version).strip() != choice_version(theme):
        raise StaleEditError(
            _(
                "Someone else recorded a choice for this theme after you opened this page. Look "
                "at the scenarios again and then record the council's choice."
            )
        )
    for other in Scenario.objects.filter(theme=theme, chosen=True).exclude(pk=scenario.pk):
        other.chosen = False
        other.save(update_fields=["chosen"])  # one by one, so that the audit log sees it
    scenario.chosen = True
    scenario.save(update_fields=["chosen"])
    if decided_on is not None:
        plan = theme.priority.plan
        plan.decision_date = decided_on
        plan.save(update_fields=["decision_date", "updated_at"])
    return scenario


@transaction.atomic
def load_kbv_taxonomy() -> None:
    """Load the KBV veiligheidsvelden and themes (idempotent).

    Migration ``policy/0002`` loads them into a new database; a database erased by
    ``regie demo --reset`` (Django's ``flush``) has lost them, and the demo's plans name them.
    The list lives in that migration only: one home for it.
    """
    from django.apps import apps

    migration = importlib.import_module("regie.policy.migrations.0002_kbv_taxonomy")
    migration.load(apps, None)
