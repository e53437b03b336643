"""Storing what a plan file holds: each value checked against its column, each object validated
by the model through the services (one write path), every problem at its place in the file.
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _

from regie.policy import services
from regie.policy.models import (
    BudgetLine,
    Indicator,
    Plan,
)
from regie.policy.plan_file.reader import _Reader

#: Model fields whose key in the file differs from the field name ("": the place itself).
_FILE_KEYS: dict[tuple[type[models.Model], str], str] = {
    (Plan, "start_year"): "period.start",
    (Plan, "end_year"): "period.end",
    (Plan, "decision_date"): "scenario_decision.decided_on",
    (Plan, "costs_start"): "scenario_decision.costs_start",
    (Indicator, "target_kind"): "target.kind",
    (Indicator, "start_year"): "target.from.year",
    (Indicator, "end_year"): "target.to.year",
    (Indicator, "start_value"): "target.from.value",
    (Indicator, "end_value"): "target.to.value",
    (Indicator, "target_value"): "target.value",
    (Indicator, "baseline_value"): "baseline.value",
    (Indicator, "baseline_period"): "baseline.period",
    (BudgetLine, "year"): "",
    (BudgetLine, "amount"): "",
}
_INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


def _fits(model_field: models.Field[Any, Any], value: Any) -> tuple[str, Any] | None:
    """What is wrong with ``value`` for ``model_field`` (and a value that fits instead), or None.

    What a database refuses or cannot hold: text longer than the column, a whole number outside
    the column's range (the narrowest of the databases: PostgreSQL's), an amount with more digits
    than the column, a number that is not finite.
    """
    if isinstance(value, str):
        limit = getattr(model_field, "max_length", None)
        if limit is not None and len(value) > limit:
            return _("longer than %(count)d characters") % {"count": limit}, value[:limit]
        return None
    if isinstance(value, bool) or value is None:
        return None
    bounds = _INTEGER_RANGES.get(model_field.get_internal_type())
    if bounds is not None and isinstance(value, int):
        low, high = bounds
        if not low <= value <= high:
            message = _("must be a whole number from %(low)s to %(high)s") % {
                "low": low,
                "high": high,
            }
            return message, _replacement(model_field, low)
    if isinstance(model_field, models.DecimalField) and isinstance(value, Decimal):
        whole = (model_field.max_digits or 0) - (model_field.decimal_places or 0)
        if value and value.adjusted() >= whole:
            message = _("too large: at most %(digits)d digits before the decimal point") % {
                "digits": whole
            }
            return message, _replacement(model_field, Decimal(0))
    if isinstance(value, float) and not math.isfinite(value):
        return _("not a finite number"), _replacement(model_field, 0.0)
    return None


def _replacement(model_field: models.Field[Any, Any], otherwise: Any) -> Any:
    """A value ``model_field`` holds, in place of one it cannot (the import fails anyway)."""
    if model_field.null:
        return None
    return model_field.get_default() if model_field.has_default() else otherwise


_M = TypeVar("_M", bound=models.Model)


def in_file(model: type[models.Model], name: str, where: str) -> str:
    """The place in the file of ``model``'s field ``name`` of the object at ``where``."""
    key = _FILE_KEYS.get((model, name), name)
    return f"{where}.{key}" if key else where


def _create(reader: _Reader, where: str, model: type[_M], **fields: Any) -> _M:
    """Create the object through the services (validated by the model, like every write), with
    a problem at its place for each value the database could not store (which is then replaced,
    so that the rest is still checked) and for each rule of the model it breaks."""
    replaced: set[str] = set()
    for name, value in list(fields.items()):
        model_field = model._meta.get_field(name)
        if not isinstance(model_field, models.Field):  # pragma: no cover - concrete fields only
            continue
        wrong = _fits(model_field, value)
        if wrong is not None:
            message, fields[name] = wrong
            replaced.add(name)
            reader.fail(in_file(model, name, where), message)
    try:
        return services.create_checked(model, fields, unchecked=replaced)
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            place = where if name == NON_FIELD_ERRORS else in_file(model, name, where)
            if not any(p.startswith(f"{place}: ") for p in reader.problems):  # said already
                for message in messages:
                    reader.fail(place, message)
    # The import fails; store it anyway (as the database can) so that the rest is still checked.
    return model._default_manager.create(**fields)
