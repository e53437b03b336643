"""Import of a theme's goals and their indicators, with the indicators' status overrides.

An indicator's fields become an :class:`~regie.policy.targets.IndicatorSpec`, checked by the
same rules as the indicator form (:func:`regie.policy.targets.problems`), each problem named at
its key in the file; a baseline period without a value is read from the figures
(:func:`regie.policy.services.baseline_from_data`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.utils.translation import gettext as _

from regie.policy import services, targets
from regie.policy.engine import Status, TargetKind
from regie.policy.models import Goal, Indicator, StatusOverride, Theme
from regie.policy.plan_file.importer import Build
from regie.policy.plan_file.overrides import _text, _utc_second
from regie.policy.plan_file.reader import _Reader
from regie.policy.plan_file.storing import _create, in_file
from regie.policy.targets import IndicatorSpec


def goals(build: Build, titem: Any, twhere: str, theme: Theme) -> None:
    reader = build.reader
    goal_keys: set[str] = set()
    for g_index, (gwhere, gitem) in enumerate(reader.items(titem, "goals", twhere)):
        gkey = reader.text(gitem, "key", gwhere)
        if not build.unique(goal_keys, gkey, f"{gwhere}.key"):
            continue
        goal = _create(
            reader,
            gwhere,
            Goal,
            theme=theme,
            key=gkey,
            aim=reader.text(gitem, "aim", gwhere),
            position=g_index,
        )
        goal.safety_themes.set(build.tags(gitem, gwhere))
        indicator_keys: set[str] = set()
        for i_index, (iwhere, iitem) in enumerate(reader.items(gitem, "indicators", gwhere)):
            ikey = reader.text(iitem, "key", iwhere)
            if build.unique(indicator_keys, ikey, f"{iwhere}.key"):
                _indicator(build, iitem, iwhere, goal, ikey, i_index)


def _indicator(build: Build, iitem: Any, iwhere: str, goal: Goal, key: str, position: int) -> None:
    reader = build.reader
    measure, area = build.refs(iitem, iwhere)
    target = _target_fields(reader, iitem, iwhere)
    baseline = reader.get(iitem, "baseline", iwhere, dict, required=False) or {}
    base_value = reader.decimal(baseline, "value", f"{iwhere}.baseline", required=False)
    base_period = _baseline_period(reader, baseline, f"{iwhere}.baseline")
    if measure is None or area is None or target is None:
        return
    spec = IndicatorSpec.from_mapping(
        {
            **target,
            "name": reader.text(iitem, "name", iwhere),
            "measure": measure,
            "area": area,
            "baseline_period": base_period,
            "baseline_value": None if base_value is None else float(base_value),
            "decimals": _decimals(reader.get(iitem, "decimals", iwhere, int, required=False)),
        }
    )
    said = {name for name in targets.TARGET_FIELDS if _said(reader, Indicator, name, iwhere)}
    for problem in targets.problems(spec, skip=frozenset(said)):
        reader.fail(in_file(Indicator, problem.field, iwhere), problem.message)
    if spec.baseline_period and spec.baseline_value is None:
        # No value in the file: the baseline is read from the figures.
        organisation = goal.theme.priority.plan.organisation
        spec = replace(spec, baseline_value=services.baseline_from_data(organisation, spec))
    indicator = _create(
        reader, iwhere, Indicator, goal=goal, key=key, position=position, **spec.model_fields()
    )
    place = (goal.theme.priority.key, goal.theme.key, goal.key, key)
    _overrides(build, iitem, iwhere, indicator, place)


def _said(reader: _Reader, model: Any, name: str, where: str) -> bool:
    """Has a problem been reported at this field's place (or inside it) already?"""
    place = in_file(model, name, where)
    return any(p.startswith((f"{place}: ", f"{place}.")) for p in reader.problems)


def _baseline_period(reader: _Reader, baseline: Any, where: str) -> str:
    value = reader.get(baseline, "period", where, (str, int), required=False)
    if value is None:
        return ""
    try:
        return targets.baseline_period(str(value))
    except ValueError as error:
        reader.fail(f"{where}.period", str(error))
        return ""


def _decimals(value: int | None) -> int:
    """The file's decimals, or the model's default when the file leaves them out."""
    if value is None:
        default = Indicator._meta.get_field("decimals").default
        return int(default) if isinstance(default, int) else 1
    return value


def _target_fields(reader: _Reader, node: Any, where: str) -> dict[str, Any] | None:
    """The target's fields as the file holds them (their rules: :func:`targets.problems`)."""
    target = reader.get(node, "target", where, dict)
    if target is None:
        return None
    kind = reader.choice(target, "kind", f"{where}.target", [k.value for k in TargetKind])
    fields: dict[str, Any] = {"target_kind": kind}
    if kind == TargetKind.TRAJECTORY:
        for end, prefix in (("from", "start"), ("to", "end")):
            point = reader.get(target, end, f"{where}.target", dict) or {}
            fields[f"{prefix}_year"] = reader.get(point, "year", f"{where}.target.{end}", int)
            value = reader.decimal(point, "value", f"{where}.target.{end}")
            fields[f"{prefix}_value"] = None if value is None else float(value)
    elif kind in (TargetKind.AT_LEAST, TargetKind.AT_MOST):
        value = reader.decimal(target, "value", f"{where}.target")
        fields["target_value"] = None if value is None else float(value)
    return fields


def _overrides(
    build: Build,
    iitem: Any,
    iwhere: str,
    indicator: Indicator,
    place: tuple[str, str, str, str],
) -> None:
    reader = build.reader
    for owhere, oitem in reader.items(iitem, "overrides", iwhere):
        status = reader.get(oitem, "status", owhere, str, required=False) or ""
        if status and status not in {s.value for s in Status}:
            reader.fail(f"{owhere}.status", _("unknown status %(value)r") % {"value": status})
        at, when = _moment(reader, oitem, owhere)
        by = reader.get(oitem, "by", owhere, str, required=False)
        reason = reader.text(oitem, "reason", owhere)
        _create(
            reader,
            owhere,
            StatusOverride,
            indicator=indicator,
            status=status,
            **build.overrides.author_and_time(place, status, reason, by, when or at),
        )


def _moment(reader: _Reader, oitem: Any, owhere: str) -> tuple[Any, dt.datetime | None]:
    """The override's ``at`` as written and as a date and time (None: not one)."""
    at = reader.get(oitem, "at", owhere, (str, dt.datetime))
    when = at if isinstance(at, dt.datetime) else None
    if isinstance(at, str):
        try:
            when = dt.datetime.fromisoformat(at)
        except ValueError:
            reader.fail(f"{owhere}.at", _("not a date and time: %(value)r") % {"value": at})
    if when is not None:
        try:
            _utc_second(when)
        except (OverflowError, ValueError):  # year 1 or 9999 moved across a day boundary
            reader.fail(f"{owhere}.at", _("not a date and time: %(value)r") % {"value": _text(at)})
            when, at = None, ""
    return at, when
