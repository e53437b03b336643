"""The indicators of a plan: their target, baseline and status history.

:func:`add_indicator` and :func:`update_indicator` are the one write of an indicator; the form,
the plan file and the API's callers give an :class:`~regie.policy.targets.IndicatorSpec` and the
rules of :mod:`regie.policy.targets` are checked here as well as in their input.
:func:`baseline_from_data` is the one place a baseline is read from the figures.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from regie.core.concurrency import StaleEditError
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.policy import targets
from regie.policy.engine import Status
from regie.policy.models import Goal, Indicator, StatusOverride
from regie.policy.services.plans import store_item
from regie.policy.targets import IndicatorSpec


def baseline_from_data(organisation: Organisation, spec: IndicatorSpec) -> float | None:
    """The figure of the spec's measure for its area in its baseline period, or None (no period,
    no such figure)."""
    if not spec.baseline_period or spec.measure is None or spec.area is None:
        return None
    from regie.policy.status import value_in_data

    return value_in_data(organisation, spec.area, spec.measure, spec.baseline_period)


def no_baseline_in_data(period: str) -> str:
    return _(
        "There is no figure for %(period)s of this measure and area in the data; "
        "enter the baseline value."
    ) % {"period": period}


def complete(organisation: Organisation, spec: IndicatorSpec) -> IndicatorSpec:
    """The spec with only what its kind uses and, when it names a baseline period without a
    value, the baseline read from the figures; :class:`ValidationError` (by field) for a target
    that breaks a rule of :mod:`regie.policy.targets` or a baseline not in the data."""
    spec = spec.kept()
    found = targets.problems(spec)
    if found:
        raise ValidationError({p.field: [p.message] for p in found})
    if spec.baseline_period and spec.baseline_value is None:
        value = baseline_from_data(organisation, spec)
        if value is None:
            raise ValidationError({"baseline_value": [no_baseline_in_data(spec.baseline_period)]})
        spec = replace(spec, baseline_value=value)
    return spec


def add_indicator(
    goal: Goal,
    spec: IndicatorSpec,
    *,
    key: str | None = None,
    position: int | None = None,
) -> Indicator:
    """A new indicator of ``goal`` (a concept plan's); see :func:`complete` for the rules."""
    organisation = goal.theme.priority.plan.organisation
    spec = complete(organisation, spec)
    indicator = Indicator(goal=goal)
    store_item(indicator, spec.model_fields(), key=key, key_text=spec.name, position=position)
    return indicator


def update_indicator(
    indicator: Indicator,
    spec: IndicatorSpec,
    *,
    version: str,
    key: str | None = None,
    position: int | None = None,
) -> Indicator:
    """Change an indicator of a concept plan, if it is still at ``version``."""
    organisation = indicator.goal.theme.priority.plan.organisation
    spec = complete(organisation, spec)
    store_item(
        indicator,
        spec.model_fields(),
        version=version,
        key=key,
        key_text=spec.name,
        position=position,
    )
    return indicator


def set_target(indicator: Indicator, *, version: str, **target: Any) -> Indicator:
    """Change only the target fields (:data:`targets.TARGET_FIELDS`) of an indicator."""
    unknown = set(target) - set(targets.TARGET_FIELDS)
    if unknown:
        raise TypeError(f"not a target field: {sorted(unknown)}")
    current = IndicatorSpec.from_mapping(
        {name: getattr(indicator, name) for name in IndicatorSpec.field_names()}
    )
    return update_indicator(
        indicator, replace(current, **target), version=version, key=indicator.key
    )


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
