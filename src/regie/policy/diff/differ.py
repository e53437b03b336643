"""Matching two versions of a plan item by item and walking them in plan order."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from regie.policy.diff.change import SEPARATOR, Change, ChangeKind, Item, Section
from regie.policy.diff.levels import (
    TREE,
    _budget_fields,
    _capacity_fields,
    _children,
    _Field,
    _goal_fields,
    _identity,
    _indicator_fields,
    _Level,
    _levels,
    _plan_fields,
    _priority_fields,
    _scenario_fields,
    _stated_fields,
    _theme_fields,
)

if TYPE_CHECKING:
    from regie.policy.models import Plan


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
