"""Template tags of the Beleid pages: a status as a light with its word (never colour alone)."""

from __future__ import annotations

from typing import Any

from django import template

from regie.core.formats import num
from regie.policy.engine import Status, status_label

register = template.Library()


@register.inclusion_tag("policy/_status.html")
def status_light(status: Any, label: str = "") -> dict[str, Any]:
    """``status`` as a coloured shape plus its word; ``label`` overrides the word."""
    try:
        code = Status(str(status))
    except ValueError:
        return {"status": "", "label": label or str(status)}
    return {"status": code.value, "label": label or status_label(code)}


@register.filter
def figure(value: Any, decimals: Any = None) -> str:
    """A number in the active language's format; "–" when there is none."""
    if value is None or value == "":
        return "–"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return num(number, None if decimals in (None, "") else int(decimals))
