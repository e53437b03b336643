"""What is compared at each level of a plan: its fields, how an item is named and summarised,
and how items are matched (by key, letter, label).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from regie.policy.diff.change import Item, Section
from regie.policy.diff.display import (
    _codes,
    _date,
    _period,
    _priority_kind,
    _short,
    _target_kind,
    _year,
    _yes_no,
    show_money,
    show_number,
    show_text,
)

_Field = tuple[str, Callable[[Item], Any], Callable[[Any], str]]
"""A field: its label, how to read it from an item, how to show a value."""


def _get(*keys: str) -> Callable[[Item], Any]:
    def read(item: Item) -> Any:
        value: Any = item
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    return read


def _plan_fields() -> list[_Field]:
    return [
        (_("title"), _get("title"), show_text),
        (_("summary"), _get("summary"), show_text),
        (_("period"), lambda d: (_get("period", "start")(d), _get("period", "end")(d)), _period),
        (
            _("council decision on the scenarios"),
            _get("scenario_decision", "decided_on"),
            _date,
        ),
        (_("chosen scenarios start on"), _get("scenario_decision", "costs_start"), _date),
    ]


def _priority_fields() -> list[_Field]:
    return [
        (_("kind"), _get("kind"), _priority_kind),
        (_("title"), _get("title"), show_text),
        (_("description"), _get("description"), show_text),
        (_("aim"), _get("aim"), show_text),
    ]


def _theme_fields() -> list[_Field]:
    return [
        (_("title"), _get("title"), show_text),
        (_("description"), _get("description"), show_text),
        (_("KBV themes"), _get("kbv"), _codes),
    ]


def _goal_fields() -> list[_Field]:
    return [
        (_("aim"), _get("aim"), show_text),
        (_("KBV themes"), _get("kbv"), _codes),
    ]


def _indicator_fields() -> list[_Field]:
    return [
        (_("name"), _get("name"), show_text),
        (_("measure"), _get("measure"), show_text),
        (_("area"), _get("area"), show_text),
        (_("kind of target"), _get("target", "kind"), _target_kind),
        (_("target value"), _get("target", "value"), show_number),
        (_("trajectory: start year"), _get("target", "from", "year"), _year),
        (_("trajectory: start value"), _get("target", "from", "value"), show_number),
        (_("trajectory: goal year"), _get("target", "to", "year"), _year),
        (_("trajectory: goal value"), _get("target", "to", "value"), show_number),
        (_("baseline period"), _get("baseline", "period"), show_text),
        (_("baseline value"), _get("baseline", "value"), show_number),
        (_("decimals shown"), _get("decimals"), show_number),
    ]


def _scenario_fields() -> list[_Field]:
    return [
        (_("title"), _get("title"), show_text),
        (_("what it buys"), _get("description"), show_text),
        (_("chosen by the council"), _get("chosen"), _yes_no),
    ]


def _capacity_fields() -> list[_Field]:
    return [
        (_("extra fte"), _get("fte_extra"), show_number),
        (_("total fte"), _get("fte_total"), show_number),
        (_("€ per full year"), _get("amount"), show_money),
        (_("cap: at most € per year"), _get("cap"), show_money),
        (_("note"), _get("note"), show_text),
    ]


def _budget_fields(old: Item, new: Item) -> list[_Field]:
    def amounts(item: Item) -> dict[str, Any]:
        found = item.get("amounts") or {}
        return {str(year): amount for year, amount in found.items()}

    def amount_in(year: str) -> Callable[[Item], Any]:
        return lambda item: amounts(item).get(year)

    years = sorted(set(amounts(old)) | set(amounts(new)))
    fields: list[_Field] = [(_("note"), _get("note"), show_text)]
    fields.append((_("structural in"), _recurring_years, show_text))
    fields.extend(
        (_("amount %(year)s") % {"year": year}, amount_in(year), show_money) for year in years
    )
    return fields


def _recurring_years(item: Item) -> str | None:
    return ", ".join(str(year) for year in item.get("recurring") or []) or None


def _stated_fields() -> list[_Field]:
    return [
        (_("also for every later year of the plan"), _get("through_end"), _yes_no),
        (_("amount (€)"), _get("amount"), show_money),
        (_("note"), _get("note"), show_text),
    ]


def _label(kind: str, name: Any) -> str:
    return f"{kind}: {show_text(name)}"


def _indicator_summary(item: Item) -> str:
    target = item.get("target") or {}
    kind = target.get("kind")
    text = _target_kind(kind)
    if kind == "trajectory":
        start, end = target.get("from") or {}, target.get("to") or {}
        text = (
            f"{show_number(start.get('value'))} ({_year(start.get('year'))}) → "
            f"{show_number(end.get('value'))} ({_year(end.get('year'))})"
        )
    elif kind == "at_least":
        text = f"≥ {show_number(target.get('value'))}"
    elif kind == "at_most":
        text = f"≤ {show_number(target.get('value'))}"
    return f"{show_text(item.get('measure'))}, {show_text(item.get('area'))}: {text}"


def _capacity_summary(item: Item) -> str:
    return _("%(amount)s, %(fte)s extra fte") % {
        "amount": show_money(item.get("amount")),
        "fte": show_number(item.get("fte_extra")),
    }


def _budget_summary(item: Item) -> str:
    amounts = item.get("amounts") or {}
    return ", ".join(
        f"{year}: {show_money(amount)}"
        for year, amount in sorted(amounts.items(), key=lambda kv: str(kv[0]))
    )


@dataclass(frozen=True)
class _Level:
    section: Section
    label: Callable[[Item], str]
    summary: Callable[[Item], str]
    ordered: bool = True


def _levels() -> dict[str, _Level]:
    return {
        "priorities": _Level(
            "structure", lambda d: _label(_("Priority"), d.get("title")), lambda d: ""
        ),
        "themes": _Level("structure", lambda d: _label(_("Theme"), d.get("title")), lambda d: ""),
        "goals": _Level(
            "structure", lambda d: _label(_("Goal"), _short(d.get("aim"))), lambda d: ""
        ),
        "indicators": _Level(
            "indicators", lambda d: _label(_("Indicator"), d.get("name")), _indicator_summary
        ),
        "scenarios": _Level(
            "scenarios",
            lambda d: (
                _("Scenario %(letter)s: %(title)s")
                % {"letter": d.get("letter"), "title": show_text(d.get("title"))}
            ),
            lambda d: "",
            ordered=False,  # always in letter order
        ),
        "lines": _Level(
            "scenarios", lambda d: _label(_("Capacity line"), d.get("label")), _capacity_summary
        ),
        "budget": _Level(
            "budget", lambda d: _label(_("Budget line"), d.get("label")), _budget_summary
        ),
        "stated_figures": _Level(
            "budget",
            lambda d: _label(_("Stated figure"), f"{d.get('label')} ({d.get('year')})"),
            lambda d: show_money(d.get("amount")),
            ordered=False,  # stored in year order
        ),
    }


TREE = ("priorities", "themes", "goals", "indicators")
"""The keyed levels of the plan, from the top; an item of one level can move to another parent."""


def _identity(level: str, item: Item) -> Hashable:
    if level in TREE:
        return item.get("key")
    if level == "scenarios":
        return item.get("letter")
    if level == "stated_figures":
        return (item.get("label"), item.get("year"))
    return item.get("label")


def _children(item: Item, level: str) -> list[Item]:
    found = item.get(level)
    return [c for c in found if isinstance(c, dict)] if isinstance(found, list) else []
