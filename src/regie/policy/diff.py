"""What changed between two versions of a plan, in words a council member can read.

``compare`` works on two :func:`regie.policy.plan_file.export_plan` dicts and needs no database.
Priorities, themes, goals and indicators are matched by ``key`` among their siblings; an item
whose key turns up under another parent (and nowhere else) has *moved* there. Scenarios are
matched by letter within their theme, capacity lines and budget lines by label, stated figures by
label and year. An added or removed item is one change: what it contains is implied and is not
listed item by item (except what moved in from elsewhere in the plan).

The changes come in plan order: the order of the new version, with removed items where they were
in the old one. Version, state, adoption date and status overrides are not compared: they say
how the plan came about and was judged, not what it contains.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

from django.utils.translation import gettext as _

from regie.core.formats import num

if TYPE_CHECKING:
    from regie.policy.models import Plan

ChangeKind = Literal["added", "removed", "changed", "moved"]
Section = Literal["plan", "structure", "indicators", "scenarios", "budget"]

NOTHING = "—"
"""How an empty value is shown."""
SEPARATOR = " \N{SINGLE RIGHT-POINTING ANGLE QUOTATION MARK} "
"""Between the parts of a path (a single right-pointing angle quotation mark)."""

Item = dict[str, Any]


@dataclass(frozen=True)
class Change:
    """One difference. ``path`` names the item from the plan down (empty: the plan itself).

    ``field`` is the changed field's label ("" when an item was added or removed). ``old`` and
    ``new`` are display strings: for a change or a move the value before and after; for an added
    (removed) item ``new`` (``old``) briefly describes it, often "", and the other side is "".
    """

    kind: ChangeKind
    path: tuple[str, ...]
    field: str
    old: str
    new: str
    section: Section


# --- Display --------------------------------------------------------------------------------


def _decimals(value: Any) -> int:
    try:
        exponent = Decimal(str(value)).normalize().as_tuple().exponent
    except InvalidOperation:
        return 0
    return max(0, -exponent) if isinstance(exponent, int) else 0


def show_number(value: Any) -> str:
    """A number as written (every decimal it has), in the active language's format."""
    if value is None or value == "":
        return NOTHING
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return num(number, _decimals(value))


def show_money(value: Any) -> str:
    """An amount in euros: "€ 1.785.000", "€ 1.234,50"."""
    if value is None or value == "":
        return NOTHING
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"€ {num(number, 0 if number.is_integer() else 2)}"


def show_text(value: Any) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return NOTHING
    return str(value)


def _year(value: Any) -> str:
    return NOTHING if value is None else str(value)


def _yes_no(value: Any) -> str:
    return _("yes") if value else _("no")


def _date(value: Any) -> str:
    if not value:
        return NOTHING
    try:
        return dt.date.fromisoformat(str(value)).strftime("%d-%m-%Y")
    except ValueError:
        return str(value)


def _codes(value: Any) -> str:
    return ", ".join(str(code) for code in value) if value else NOTHING


def _period(value: Any) -> str:
    start, end = value
    return f"{_year(start)}–{_year(end)}"


def _priority_kind(value: Any) -> str:
    from regie.policy.models import PriorityKind

    try:
        return str(PriorityKind(value).label)
    except ValueError:
        return show_text(value)


def _target_kind(value: Any) -> str:
    from regie.policy.models import Indicator

    field = Indicator._meta.get_field("target_kind")
    labels = {str(v): str(label) for v, label in getattr(field, "choices", None) or []}
    return labels.get(str(value), show_text(value))


def _short(text: Any, width: int = 80) -> str:
    return textwrap.shorten(str(text or ""), width=width, placeholder=" …") or NOTHING


# --- What is compared -----------------------------------------------------------------------

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


# --- Comparing ------------------------------------------------------------------------------


def _increasing(sequence: Sequence[int]) -> set[int]:
    """The values of a longest strictly increasing subsequence (those that kept their order)."""
    best: list[int] = []
    ends: list[int] = []  # index into sequence of the last value of the best run of each length
    previous: list[int] = [-1] * len(sequence)
    for index, value in enumerate(sequence):
        low, high = 0, len(ends)
        while low < high:
            middle = (low + high) // 2
            if sequence[ends[middle]] < value:
                low = middle + 1
            else:
                high = middle
        previous[index] = ends[low - 1] if low else -1
        if low == len(ends):
            ends.append(index)
        else:
            ends[low] = index
    at = ends[-1] if ends else -1
    while at >= 0:
        best.append(sequence[at])
        at = previous[at]
    return set(best)


class _Differ:
    def __init__(self, old: Item, new: Item) -> None:
        self.old, self.new = old, new
        self.levels = _levels()
        self.partner: dict[int, Item] = {}  # id(old item) → the same item in the new plan
        self.origin: dict[int, Item] = {}  # id(new item) → the same item in the old plan
        self.old_paths: dict[int, tuple[str, ...]] = {}
        self.changes: list[Change] = []
        self._match_tree()
        self._old_paths(old, (), 0)

    # Matching

    def _pair(self, old: Item, new: Item) -> None:
        self.partner[id(old)] = new
        self.origin[id(new)] = old

    def _match_tree(self) -> None:
        """Match the tree level by level: by key under matched parents, then moved items."""
        pairs: list[tuple[Item, Item]] = [(self.old, self.new)]
        only_old: list[Item] = []
        only_new: list[Item] = []
        for level in TREE:
            next_pairs: list[tuple[Item, Item]] = []
            lone_old = [c for parent in only_old for c in _children(parent, level)]
            lone_new = [c for parent in only_new for c in _children(parent, level)]
            for old_parent, new_parent in pairs:
                by_key = {c.get("key"): c for c in _children(new_parent, level)}
                for child in _children(old_parent, level):
                    partner = by_key.pop(child.get("key"), None)
                    if partner is None:
                        lone_old.append(child)
                    else:
                        self._pair(child, partner)
                        next_pairs.append((child, partner))
                lone_new.extend(by_key.values())
            # A key that left one parent and arrived under another, once each: moved.
            old_count = Counter(c.get("key") for c in lone_old)
            new_by_key = {c.get("key"): c for c in lone_new}
            new_count = Counter(c.get("key") for c in lone_new)
            only_old, only_new = [], []
            for child in lone_old:
                key = child.get("key")
                if old_count[key] == 1 and new_count[key] == 1:
                    self._pair(child, new_by_key[key])
                    next_pairs.append((child, new_by_key[key]))
                else:
                    only_old.append(child)
            only_new = [c for c in lone_new if id(c) not in self.origin]
            pairs = next_pairs

    def _match_list(self, level: str, old_items: list[Item], new_items: list[Item]) -> None:
        """Match by identity; the n-th of equal identities with the n-th."""
        seen: Counter[Hashable] = Counter()
        keyed: dict[tuple[Hashable, int], Item] = {}
        for item in new_items:
            identity = _identity(level, item)
            keyed[(identity, seen[identity])] = item
            seen[identity] += 1
        seen.clear()
        for item in old_items:
            identity = _identity(level, item)
            found = keyed.get((identity, seen[identity]))
            seen[identity] += 1
            if found is not None:
                self._pair(item, found)

    def _old_paths(self, item: Item, path: tuple[str, ...], depth: int) -> None:
        if depth == len(TREE):
            return
        level = TREE[depth]
        for child in _children(item, level):
            child_path = (*path, self.levels[level].label(child))
            self.old_paths[id(child)] = child_path
            self._old_paths(child, child_path, depth + 1)

    # Walking

    def add(self, kind: ChangeKind, section: Section, path: tuple[str, ...], **text: str) -> None:
        self.changes.append(
            Change(
                kind=kind,
                path=path,
                field=text.get("field", ""),
                old=text.get("old", ""),
                new=text.get("new", ""),
                section=section,
            )
        )

    def fields(
        self, section: Section, path: tuple[str, ...], old: Item, new: Item, fields: list[_Field]
    ) -> None:
        for label, read, show in fields:
            before, after = read(old), read(new)
            # Values that show the same ("" and None, 7.3 and 7.30) are no change to a reader.
            if before != after and show(before) != show(after):
                self.add("changed", section, path, field=label, old=show(before), new=show(after))

    def run(self) -> list[Change]:
        self.fields("plan", (), self.old, self.new, _plan_fields())
        self.siblings("priorities", self.old, self.new, ())
        self.siblings("budget", self.old, self.new, ())
        self.siblings("stated_figures", self.old, self.new, ())
        return self.changes

    def siblings(
        self, level: str, old_parent: Item | None, new_parent: Item, path: tuple[str, ...]
    ) -> None:
        """Compare the ``level`` children of two matched parents (``old_parent`` None: added)."""
        spec = self.levels[level]
        old_items = _children(old_parent, level) if old_parent is not None else []
        new_items = _children(new_parent, level)
        if level not in TREE:
            self._match_list(level, old_items, new_items)
        old_index = {id(item): index for index, item in enumerate(old_items)}
        new_index = {id(item): index for index, item in enumerate(new_items)}
        kept = [
            new_index[id(partner)]
            for partner in (self.partner.get(id(item)) for item in old_items)
            if partner is not None and id(partner) in new_index
        ]
        in_order = _increasing(kept) if spec.ordered else set(kept)
        removed_after: dict[int | None, list[Item]] = defaultdict(list)
        anchor: int | None = None
        for item in old_items:
            partner = self.partner.get(id(item))
            if partner is None:
                removed_after[anchor].append(item)
            elif id(partner) in new_index:
                anchor = id(partner)
            # else: it moved elsewhere and is reported there
        self._removed(spec, path, removed_after[None])
        for index, item in enumerate(new_items):
            label = spec.label(item)
            item_path = (*path, label)
            origin = self.origin.get(id(item))
            if origin is None:
                if old_parent is not None:
                    self.add("added", spec.section, item_path, new=spec.summary(item))
                self.inside(level, None, item, item_path)
            else:
                if id(origin) not in old_index:
                    self.add(
                        "moved",
                        spec.section,
                        item_path,
                        field=_("place"),
                        old=SEPARATOR.join(self.old_paths.get(id(origin), ())[:-1]) or _("Plan"),
                        new=SEPARATOR.join(path) or _("Plan"),
                    )
                elif index not in in_order:
                    self.add(
                        "moved",
                        spec.section,
                        item_path,
                        field=_("order"),
                        old=str(old_index[id(origin)] + 1),
                        new=str(index + 1),
                    )
                self.fields(
                    spec.section, item_path, origin, item, self._fields(level, origin, item)
                )
                self.inside(level, origin, item, item_path)
            self._removed(spec, path, removed_after.get(id(item), []))

    def _removed(self, spec: _Level, path: tuple[str, ...], items: list[Item]) -> None:
        for item in items:
            self.add("removed", spec.section, (*path, spec.label(item)), old=spec.summary(item))

    def _fields(self, level: str, old: Item, new: Item) -> list[_Field]:
        if level == "budget":
            return _budget_fields(old, new)
        return {
            "priorities": _priority_fields,
            "themes": _theme_fields,
            "goals": _goal_fields,
            "indicators": _indicator_fields,
            "scenarios": _scenario_fields,
            "lines": _capacity_fields,
            "stated_figures": _stated_fields,
        }[level]()

    def inside(self, level: str, old: Item | None, new: Item, path: tuple[str, ...]) -> None:
        """The children of a matched item; of an added one (``old`` None) only what moved in."""
        if level in TREE and level != TREE[-1]:
            self.siblings(TREE[TREE.index(level) + 1], old, new, path)
        if old is None:
            return
        if level == "themes":
            self.siblings("scenarios", old, new, path)
        elif level == "scenarios":
            self.siblings("lines", old, new, path)


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every difference from ``old`` to ``new`` (two :func:`plan_file.export_plan` dicts)."""
    return _Differ(old, new).run()


def plan_changes(plan: Plan) -> list[Change] | None:
    """What changed in ``plan`` since its previous version; None when it has none."""
    from regie.policy.plan_file import export_plan

    predecessor = plan.predecessor
    if predecessor is None:
        return None
    return compare(export_plan(predecessor), export_plan(plan))


# --- Text -----------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def describe(change: Change) -> str:
    """One readable line: what happened, where, and (for a change) from what to what."""
    words = {
        "added": _("Added"),
        "removed": _("Removed"),
        "changed": _("Changed"),
        "moved": _("Moved"),
    }
    where = SEPARATOR.join(change.path) or _("Plan")
    text = f"{words[change.kind]}: {where}"
    if change.field:
        text += f" — {change.field}: {change.old} → {change.new}"
    elif change.new or change.old:
        text += f" ({change.new or change.old})"
    return _one_line(text)


def as_text(changes: Sequence[Change]) -> str:
    """The changes one per line, in plan order; a short message when there are none."""
    if not changes:
        return _("No differences with the previous version.")
    return "\n".join(describe(change) for change in changes)
