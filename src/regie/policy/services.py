"""Every write of the policy app: plans, their structure, overrides, snapshots and versions.

Views and commands call these functions and nothing else writes. An adopted (vastgesteld) plan is
frozen: every change to it or to anything in it raises :class:`PlanFrozen`; ``new_version``
makes an editable concept copy instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import models, transaction
from django.db.models import QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from regie.core.services import ServiceError
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
    plan = plan_of(obj)
    if plan.is_frozen:
        raise PlanFrozen(
            _(
                "This plan was adopted by the council on %(date)s and cannot be changed. Make a "
                "new version to change it."
            )
            % {"date": plan.adopted_on.strftime("%d-%m-%Y") if plan.adopted_on else "?"}
        )


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
    m2m: dict[str, Iterable[models.Model]] | None = None,
    **fields: Any,
) -> None:
    """Set ``fields`` (and many-to-many ``m2m``) on an object of an editable plan and save it.

    A new plan may always be saved; anything else only while its plan is a concept.
    """
    if obj.pk is not None or not isinstance(obj, Plan):
        ensure_editable(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    for name, values in (m2m or {}).items():
        getattr(obj, name).set(list(values))


@transaction.atomic
def delete(obj: PlanItem) -> None:
    ensure_editable(obj)
    obj.delete()


@transaction.atomic
def adopt(*, plan: Plan, adopted_on: dt.date) -> Plan:
    """Record the council's adoption: the plan is frozen from now on."""
    ensure_editable(plan)
    plan.state = PlanState.ADOPTED
    plan.adopted_on = adopted_on
    plan.save(update_fields=["state", "adopted_on", "updated_at"])
    return plan


@transaction.atomic
def new_version(*, plan: Plan) -> Plan:
    """An editable concept copy of an adopted ``plan`` (overrides included), one version higher."""
    if not plan.is_frozen:
        raise ServiceError(_("This plan is still a concept: change it directly."))
    if Plan.objects.filter(predecessor=plan).exists():
        raise ServiceError(_("This plan already has a newer version."))
    data = plan_file.export_plan(plan)
    data["state"] = PlanState.CONCEPT.value
    data["adopted_on"] = None
    data["version"] = plan.version + 1
    try:
        copy = plan_file.import_plan(data, organisation=plan.organisation)
    except plan_file.PlanFileError as error:  # e.g. a measure that has since been removed
        raise ServiceError(
            _("The plan cannot be copied: %(problems)s") % {"problems": "; ".join(error.problems)}
        ) from error
    copy.predecessor = plan
    copy.save(update_fields=["predecessor"])
    return copy


@transaction.atomic
def override_status(
    *, indicator: Indicator, status: Status | None, reason: str, user: Any
) -> StatusOverride:
    """Put a person's judgement over the computed status (``None`` withdraws it). Append-only.

    Allowed on an adopted plan too: an override judges the figures, it does not change the plan.
    """
    if not reason.strip():
        raise ServiceError(_("Give the reason for the override."))
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
    if StatusSnapshot.objects.filter(plan=plan, label=label).exists():
        raise ServiceError(
            _("There is already a snapshot for %(label)s; statuses of a reporting moment are kept.")
            % {"label": label}
        )
    evaluation = status.evaluate_plan(plan)
    return StatusSnapshot.objects.create(
        plan=plan,
        label=label,
        taken_by=user if getattr(user, "is_authenticated", False) else None,
        data_version=cache.data_version(),
        payload=evaluation.as_dict(),
    )


@transaction.atomic
def choose_scenario(*, scenario: Scenario, decided_on: dt.date | None) -> Scenario:
    """Record the council's choice of ``scenario`` for its theme (one choice per theme)."""
    theme = scenario.theme
    ensure_editable(theme)
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
