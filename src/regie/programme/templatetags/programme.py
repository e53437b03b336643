"""Template helpers of the uitvoeringsprogramma pages: amounts, days, quarters, and effort and
effect as two separately named statuses (never one light)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _

from regie.core import formats
from regie.policy import selectors as policy_selectors
from regie.programme import selectors

register = template.Library()


@register.filter
def euro(value: Decimal | float | int | None) -> str:
    """``€ 12.000,50``; "–" when there is none."""
    return formats.money(value)


@register.filter
def day(value: Any) -> str:
    """06-12-2026; "–" when there is none."""
    return formats.date(value)


@register.filter
def quarters(value: str | None) -> str:
    """``"12"`` → "Q1–Q2" (Dutch "K1–K2"), ``"13"`` → "Q1, Q3"; "" when none."""
    return selectors.quarters_text(value)


@register.inclusion_tag("programme/_effect.html")
def effect(node: Any, explain: bool = False) -> dict[str, Any]:
    """The effect of a goal: the status of its indicators (policy's light and word)."""
    if node is None:
        return {"value": "", "label": "", "explanation": ""}
    if not getattr(node, "statuses", True):  # a goal without indicators: nothing to judge
        return {"value": "", "label": _("no indicator"), "explanation": ""}
    value = getattr(node.status, "value", str(node.status))
    return {
        "value": value,
        "label": policy_selectors.status_label(value),
        "explanation": node.explanation if explain else "",
    }


@register.inclusion_tag("programme/_effort.html")
def effort(summary: Any, explain: bool = False) -> dict[str, Any]:
    """The effort towards a goal: how far its actions are (a word, no light)."""
    return {
        "value": summary.effort.value,
        "label": summary.label,
        "explanation": summary.explanation if explain else "",
    }


@register.inclusion_tag("programme/_action_status.html")
def action_status(action: Any) -> dict[str, Any]:
    return {"value": action.status, "label": action.get_status_display()}
