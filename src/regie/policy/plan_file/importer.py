"""Import: a new plan from a plan file's data, in one transaction.

Every field is checked and every problem collected with its place in the file before anything
counts; each object is stored through :func:`regie.policy.services.create_checked` (validated by
the model, like every other write) and an indicator's target by the rules of
:mod:`regie.policy.targets`. On any problem nothing is stored.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext as _

from regie.areas.models import Area
from regie.core.models import Organisation
from regie.monitor.models import Measure
from regie.monitor.selectors import visible_measures
from regie.policy.models import (
    BudgetLine,
    CapacityLine,
    Plan,
    PlanState,
    Priority,
    PriorityKind,
    SafetyTheme,
    Scenario,
    StatedFigure,
    Theme,
)
from regie.policy.plan_file.common import PlanFileError
from regie.policy.plan_file.overrides import _Overrides
from regie.policy.plan_file.reader import _Reader
from regie.policy.plan_file.storing import _create

logger = logging.getLogger(__name__)


@dataclass
class Build:
    """What reading one file shares: the reader with its problems and the lookups."""

    reader: _Reader
    organisation: Organisation | None
    measures: dict[str, Measure]
    kbv: dict[str, SafetyTheme]
    overrides: _Overrides
    areas: dict[str, Area] = field(default_factory=dict)

    def unique(self, seen: set[str], key: str, where: str) -> bool:
        """Is ``key`` new among ``seen`` (then it is added)? A key used twice is a problem."""
        if key in seen:
            self.reader.fail(where, _("%(key)r is used twice") % {"key": key})
            return False
        seen.add(key)
        return True

    def refs(self, node: Any, where: str) -> tuple[Measure | None, Area | None]:
        """The measure and the area an indicator names (None: unknown, which is a problem)."""
        reader = self.reader
        code = reader.text(node, "measure", where)
        measure = self.measures.get(code)
        if code and measure is None:
            reader.fail(f"{where}.measure", _("unknown measure %(code)r") % {"code": code})
        area_code = reader.text(node, "area", where)
        if area_code and area_code not in self.areas:
            found = Area.objects.filter(code=area_code).first()
            if found is None:
                reader.fail(f"{where}.area", _("unknown area %(code)r") % {"code": area_code})
            else:
                self.areas[area_code] = found
        return measure, self.areas.get(area_code)

    def tags(self, node: Any, where: str) -> list[SafetyTheme]:
        tags: list[SafetyTheme] = []
        for code in self.reader.get(node, "kbv", where, list, required=False) or []:
            found = self.kbv.get(str(code))
            if found is None:
                self.reader.fail(f"{where}.kbv", _("unknown KBV theme %(code)r") % {"code": code})
            else:
                tags.append(found)
        return tags


def import_plan(
    data: dict[str, Any],
    *,
    organisation: Organisation | None = None,
    user: Any = None,
    predecessor: Plan | None = None,
) -> Plan:
    """Create a new plan from ``data`` in one transaction (nothing is stored on any problem).

    ``organisation`` must match the file's gemeente when given (the CLI passes none and uses the
    file's; the browser passes the user's organisation). ``user`` is who imports (none: the
    system); status overrides the file cannot vouch for are theirs (see :class:`_Overrides`).
    ``predecessor`` makes the plan the next version of that plan (:func:`services.new_version`).
    """
    reader = _Reader()
    found = _organisation(reader, data, organisation)
    build = Build(
        reader=reader,
        organisation=found,
        # Only measures the gemeente may see: another gemeente's own measures are not found.
        measures={m.code: m for m in visible_measures(found)},
        kbv={t.code: t for t in SafetyTheme.objects.all()},
        overrides=_Overrides(found, user),
    )
    reader.get(data, "format", "plan", str)  # checked by parse()
    try:
        with transaction.atomic():
            plan = _build(build, data, predecessor)
            if not reader.problems:
                reader.unknown_keys()
            if reader.problems:
                transaction.set_rollback(True)
                raise PlanFileError(reader.problems)
    except PlanFileError:
        raise
    except (
        ValueError,
        TypeError,
        OverflowError,
        ArithmeticError,
        DataError,
        IntegrityError,
    ) as exc:
        # A value the checks above let through and the database refused: still the file's
        # problem, at the place read last (everything was rolled back). No file values logged.
        logger.warning("plan file value at %s not stored: %s", reader.last, type(exc).__name__)
        problem = _("this value cannot be stored; check it")
        raise PlanFileError([*reader.problems, f"{reader.last}: {problem}"]) from exc
    return plan


def _organisation(
    reader: _Reader, data: dict[str, Any], organisation: Organisation | None
) -> Organisation | None:
    code = reader.text(data, "gemeente", "plan")
    found = Organisation.objects.filter(cbs_code=code).first() if code else None
    if code and found is None:
        reader.fail("plan.gemeente", _("no organisation with code %(code)r") % {"code": code})
    if organisation is not None and found is not None and found.pk != organisation.pk:
        reader.fail(
            "plan.gemeente",
            _("the file is a plan of %(code)s, not of %(name)s")
            % {"code": code, "name": organisation.name},
        )
    return found


def _build(build: Build, data: dict[str, Any], predecessor: Plan | None) -> Plan:
    reader = build.reader
    period = reader.get(data, "period", "plan", dict) or {}
    start = reader.get(period, "start", "plan.period", int)
    end = reader.get(period, "end", "plan.period", int)
    if isinstance(start, int) and isinstance(end, int) and end < start:
        reader.fail("plan.period", _("the last year comes before the first"))
    state = reader.choice(data, "state", "plan", [s.value for s in PlanState], PlanState.CONCEPT)
    adopted_on = reader.date(data, "adopted_on", "plan")
    if state == PlanState.ADOPTED and adopted_on is None:
        reader.fail("plan.adopted_on", _("an adopted plan needs the date of the council decision"))
    decision = reader.get(data, "scenario_decision", "plan", dict, required=False) or {}
    version = reader.get(data, "version", "plan", int, required=False) or 1
    if reader.problems or build.organisation is None:
        # Without a valid head nothing below can be stored; still check the rest for problems.
        _check_children(build, data)
        return Plan()
    plan = _create(
        reader,
        "plan",
        Plan,
        organisation=build.organisation,
        title=reader.text(data, "title", "plan"),
        summary=reader.text(data, "summary", "plan", required=False),
        start_year=start,
        end_year=end,
        state=state,
        adopted_on=adopted_on,
        version=version,
        decision_date=reader.date(decision, "decided_on", "plan.scenario_decision"),
        costs_start=reader.date(decision, "costs_start", "plan.scenario_decision"),
        predecessor=predecessor,
    )
    _priorities(build, data, plan)
    _budget(build, data, plan)
    _stated_figures(build, data, plan)
    return plan


def _check_children(build: Build, data: dict[str, Any]) -> None:
    items = build.reader.items
    for where, item in items(data, "priorities", "plan"):
        for twhere, theme in items(item, "themes", where):
            for gwhere, goal in items(theme, "goals", twhere):
                for iwhere, indicator in items(goal, "indicators", gwhere):
                    build.refs(indicator, iwhere)


def _priorities(build: Build, data: dict[str, Any], plan: Plan) -> None:
    from regie.policy.plan_file.indicators import goals

    reader = build.reader
    seen: set[str] = set()
    for p_index, (where, item) in enumerate(reader.items(data, "priorities", "plan")):
        key = reader.text(item, "key", where)
        if not build.unique(seen, key, f"{where}.key"):
            continue
        priority = _create(
            reader,
            where,
            Priority,
            plan=plan,
            key=key,
            kind=reader.choice(
                item, "kind", where, [k.value for k in PriorityKind], PriorityKind.PRIORITY
            ),
            title=reader.text(item, "title", where),
            description=reader.text(item, "description", where, required=False),
            aim=reader.text(item, "aim", where, required=False),
            position=p_index,
        )
        theme_keys: set[str] = set()
        for t_index, (twhere, titem) in enumerate(reader.items(item, "themes", where)):
            tkey = reader.text(titem, "key", twhere)
            if not build.unique(theme_keys, tkey, f"{twhere}.key"):
                continue
            theme = _create(
                reader,
                twhere,
                Theme,
                priority=priority,
                key=tkey,
                title=reader.text(titem, "title", twhere),
                description=reader.text(titem, "description", twhere, required=False),
                position=t_index,
            )
            theme.safety_themes.set(build.tags(titem, twhere))
            goals(build, titem, twhere, theme)
            _scenarios(build, titem, twhere, theme)


def _budget(build: Build, data: dict[str, Any], plan: Plan) -> None:
    reader = build.reader
    for position, (where, item) in enumerate(reader.items(data, "budget", "plan")):
        label = reader.text(item, "label", where)
        amounts = reader.get(item, "amounts", where, dict) or {}
        recurring = _recurring_years(reader, item, where, amounts)
        for b_index, (year, amount) in enumerate(
            sorted(amounts.items(), key=lambda kv: str(kv[0]))
        ):
            value = reader.decimal({"amount": amount}, "amount", f"{where}.amounts.{year}")
            if not isinstance(year, int) or isinstance(year, bool):
                reader.fail(
                    f"{where}.amounts", _("year %(year)r is not a whole number") % {"year": year}
                )
                continue
            if value is not None:
                _create(
                    reader,
                    f"{where}.amounts.{year}",
                    BudgetLine,
                    plan=plan,
                    label=label,
                    year=year,
                    recurring=year in recurring,
                    amount=value,
                    note=reader.text(item, "note", where, required=False) if b_index == 0 else "",
                    position=position,
                )


def _stated_figures(build: Build, data: dict[str, Any], plan: Plan) -> None:
    reader = build.reader
    for where, item in reader.items(data, "stated_figures", "plan"):
        amount = reader.decimal(item, "amount", where)
        year = reader.get(item, "year", where, int)
        if amount is not None and year is not None:
            _create(
                reader,
                where,
                StatedFigure,
                plan=plan,
                label=reader.text(item, "label", where),
                year=year,
                through_end=bool(reader.get(item, "through_end", where, bool, required=False)),
                amount=amount,
                note=reader.text(item, "note", where, required=False),
            )


def _recurring_years(reader: _Reader, item: Any, where: str, amounts: dict[Any, Any]) -> set[int]:
    """The years of a budget item whose amount is structural (``recurring: [2025]``)."""
    years = reader.get(item, "recurring", where, list, required=False) or []
    found: set[int] = set()
    for year in years:
        if not isinstance(year, int) or isinstance(year, bool) or year not in amounts:
            reader.fail(
                f"{where}.recurring",
                _("%(year)r is not a year of this line's amounts") % {"year": year},
            )
            continue
        found.add(year)
    return found


def _scenarios(build: Build, titem: Any, twhere: str, theme: Theme) -> None:
    reader = build.reader
    letters: set[str] = set()
    chosen = 0
    for swhere, sitem in reader.items(titem, "scenarios", twhere):
        letter = reader.text(sitem, "letter", swhere)
        if not build.unique(letters, letter, f"{swhere}.letter"):
            continue
        is_chosen = bool(reader.get(sitem, "chosen", swhere, bool, required=False))
        chosen += is_chosen
        if chosen > 1 and is_chosen:
            reader.fail(f"{swhere}.chosen", _("only one scenario of a theme can be chosen"))
            is_chosen = False
        scenario = _create(
            reader,
            swhere,
            Scenario,
            theme=theme,
            letter=letter,
            title=reader.text(sitem, "title", swhere),
            description=reader.text(sitem, "description", swhere, required=False),
            chosen=is_chosen,
        )
        _capacity_lines(reader, sitem, swhere, scenario)


def _capacity_lines(reader: _Reader, sitem: Any, swhere: str, scenario: Scenario) -> None:
    for l_index, (lwhere, litem) in enumerate(reader.items(sitem, "lines", swhere)):
        amount = reader.decimal(litem, "amount", lwhere)
        if amount is None:
            continue
        _create(
            reader,
            lwhere,
            CapacityLine,
            scenario=scenario,
            label=reader.text(litem, "label", lwhere),
            fte_extra=reader.decimal(litem, "fte_extra", lwhere, required=False) or Decimal(0),
            fte_total=reader.decimal(litem, "fte_total", lwhere, required=False),
            amount=amount,
            cap=reader.decimal(litem, "cap", lwhere, required=False),
            note=reader.text(litem, "note", lwhere, required=False),
            position=l_index,
        )
