"""Pro rata, caps, rounding, unique labels, the chosen lines and the budget that counts per year."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from regie.policy.costs.types import _CONTEXT, _ONE, _TWELVE, _ZERO, BudgetLine, CapMode, CostLine


def budget_in(budget: Sequence[BudgetLine], year: int) -> list[BudgetLine]:
    """The lines of ``budget`` that count in ``year`` — the one rule for the budget table, the
    calculator and the command. Per label: its lines of ``year`` itself, and — unless one of
    those is structural — its structural lines of the latest earlier year that has one. So an
    incidental amount adds to a structural one, and a later structural line of the same label
    replaces the earlier one (two structural amounts of one item never add up)."""
    by_label: dict[str, list[BudgetLine]] = {}
    for line in budget:
        by_label.setdefault(line.label, []).append(line)
    counted: list[BudgetLine] = []
    for lines in by_label.values():
        own = [line for line in lines if line.year == year]
        counted.extend(own)
        if any(line.recurring for line in own):
            continue
        earlier = [line.year for line in lines if line.recurring and line.year < year]
        if earlier:
            latest = max(earlier)
            counted.extend(line for line in lines if line.year == latest and line.recurring)
    return counted


def _whole(amount: Decimal) -> Decimal:
    return amount.quantize(_ONE, rounding=ROUND_HALF_UP)


def _months(year: int, start: date) -> int:
    if year < start.year:
        return 0
    if year > start.year:
        return 12
    return 13 - start.month


def pro_rata(amount: Decimal, year: int, start: date) -> tuple[Decimal, int]:
    """The part of a full-year amount that falls in ``year`` when spending starts on ``start``.

    Counts whole months and the start month fully (2024-04-01 and 2024-04-20 both give 9 months
    in 2024): 0 before the start year, 12 after it. Returns (amount × months / 12, months),
    unrounded.
    """
    months = _months(year, start)
    with localcontext(_CONTEXT):
        return amount * months / _TWELVE, months


def _capped(amount: Decimal, cap: Decimal | None, months: int, mode: CapMode) -> Decimal:
    """One line-year after pro rata and its cap, in whole euros."""
    with localcontext(_CONTEXT):
        if cap is None:
            value = amount * months / _TWELVE
        elif mode == "prorate":
            value = min(amount, cap) * months / _TWELVE
        else:
            value = min(amount * months / _TWELVE, cap)
    return _whole(value)


def unique_labels(labels: Sequence[str], contexts: Sequence[str]) -> list[str]:
    """``labels`` made unique (lines are keyed by label): a repeated label gets its context.

    "Formatie" in two themes becomes "Formatie (Team veiligheid)" and "Formatie (Handhaving)" when
    the contexts are the themes' titles; a label that is still repeated gets a number, "(2)".
    A label that occurs once stays as it is.
    """
    counts = Counter(labels)
    seen: set[str] = set()
    found: list[str] = []
    for label, context in zip(labels, contexts, strict=True):
        name = label if counts[label] == 1 else f"{label} ({context})"
        base, number = name, 2
        while name in seen:
            name, number = f"{base} ({number})", number + 1
        seen.add(name)
        found.append(name)
    return found


def _check_lines(lines: Sequence[CostLine]) -> None:
    seen: set[str] = set()
    for line in lines:
        if line.label in seen:
            raise ValueError(f"two cost lines are labelled {line.label!r}")
        seen.add(line.label)
        if line.cap is not None and line.cap < 0:
            raise ValueError(f"cost line {line.label!r} has a negative cap")


def choose(lines: Iterable[CostLine], choice: Mapping[str, str]) -> tuple[CostLine, ...]:
    """The lines of the chosen scenario per theme, e.g. ``{"team-veiligheid": "B"}``.

    Lines of themes not in ``choice`` are left out; a chosen scenario without lines is an error.
    """
    chosen = tuple(line for line in lines if choice.get(line.theme) == line.scenario)
    for theme, scenario in choice.items():
        if not any(line.theme == theme for line in chosen):
            raise ValueError(f"no cost lines for scenario {scenario!r} of theme {theme!r}")
    return chosen


def _budget(budget: Sequence[BudgetLine], years: Sequence[int]) -> dict[int, Decimal]:
    """The current budget per plan year: each line in every year it counts in."""
    return {year: sum((line.amount for line in budget_in(budget, year)), _ZERO) for year in years}
