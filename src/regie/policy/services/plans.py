"""The plan aggregate: a plan with its priorities, themes, goals and indicators.

Views, forms, the plan file import and the ``plan`` command write a plan and what is in it
through these functions (indicators through :mod:`.indicators`); nothing else writes.
``new_version`` makes an editable concept copy of an adopted plan.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from regie.core import concurrency
from regie.core.concurrency import StaleEditError
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.policy import plan_file
from regie.policy.models import Plan, PlanState, StatusSnapshot
from regie.policy.services.base import PlanItem, ensure_editable, place, save


def store_item(
    obj: PlanItem,
    fields: dict[str, Any],
    *,
    version: str | None = None,
    key: str | None = None,
    key_text: str = "",
    position: int | None = None,
    m2m: dict[str, Iterable[models.Model]] | None = None,
) -> PlanItem:
    """Add (``obj`` not stored yet, its parent set) or change an item of a concept plan.

    The item gets ``key`` (else one made from ``key_text``, free among its siblings) and
    ``position`` (else its place so far, or after the last sibling); see :func:`.base.place`.
    """
    with transaction.atomic():
        for name, value in fields.items():
            setattr(obj, name, value)
        place(obj, key=key, key_text=key_text, position=position)
        save(obj, version=version, m2m=m2m)
    return obj


def move(obj: PlanItem, *, position: int, version: str) -> PlanItem:
    """Put an item at ``position`` among its siblings (lower numbers come first)."""
    return store_item(obj, {}, version=version, key=getattr(obj, "key", None), position=position)


def import_plan(*, text: str, organisation: Organisation | None = None, user: Any = None) -> Plan:
    """Read a plan file as a new plan (:func:`plan_file.parse` bounds it; nothing is stored on any
    problem, :class:`plan_file.PlanFileError` lists them). Without ``organisation`` the file's
    gemeente is used (the command line); ``user`` is who imports (none: the system)."""
    return plan_file.import_plan(plan_file.parse(text), organisation=organisation, user=user)


def import_demo_plans() -> list[Plan]:
    """The shipped demo plans (``policy/demo/*.yaml``), each imported unless its gemeente has a
    plan of that title already (idempotent)."""
    imported: list[Plan] = []
    for path in sorted(plan_file.DEMO_DIR.glob("*.yaml")):
        data = plan_file.parse(path.read_text(encoding="utf-8"))
        exists = Plan.objects.filter(
            organisation__cbs_code=data["gemeente"], title=data["title"]
        ).exists()
        if not exists:
            imported.append(plan_file.import_plan(data))
    return imported


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


@transaction.atomic
def take_snapshot(*, plan: Plan, label: str, user: Any) -> StatusSnapshot:
    """Freeze every status of the plan under ``label`` (e.g. ``2024H2``), once per label."""
    from regie.monitor import selectors
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
                data_version=selectors.data_version(),
                payload=evaluation.as_dict(),
            )
    except IntegrityError:
        raise taken from None


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
