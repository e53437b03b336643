"""Template helpers for the NL Design System (Utrecht) markup of forms and numbers, and the
inline explanations of words (``{% explain "toevalsmarge" %}``)."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.forms.boundfield import BoundField

from regie.core.help_texts import help_text

register = template.Library()

_WIDGET_CLASSES = {
    forms.Select: "utrecht-select utrecht-select--html-select",
    forms.CheckboxInput: "utrecht-checkbox utrecht-checkbox--html-input",
    forms.Textarea: "utrecht-textarea utrecht-textarea--html-textarea",
}


@register.inclusion_tag("includes/field.html")
def field(bound: BoundField, **attrs: Any) -> dict[str, Any]:
    """Render one form field as an Utrecht form field: label, description, error, input."""
    widget = bound.field.widget
    css = "utrecht-textbox utrecht-textbox--html-input"
    for widget_type, classes in _WIDGET_CLASSES.items():
        if isinstance(widget, widget_type):
            css = classes
    if bound.errors:
        css += " utrecht-textbox--invalid" if "textbox" in css else " utrecht-select--invalid"
    widget_attrs: dict[str, Any] = {"class": css, **attrs}
    describedby = []
    if bound.help_text:
        describedby.append(f"{bound.auto_id}-help")
    if bound.errors:
        describedby.append(f"{bound.auto_id}-error")
        widget_attrs["aria-invalid"] = "true"
    if describedby:
        widget_attrs["aria-describedby"] = " ".join(describedby)
    if bound.field.required and not isinstance(widget, forms.CheckboxInput):
        widget_attrs["required"] = True
    return {
        "bound": bound,
        "widget": bound.as_widget(attrs=widget_attrs),
        "is_checkbox": isinstance(widget, forms.CheckboxInput),
    }


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.inclusion_tag("includes/breadcrumbs.html")
def breadcrumbs(*items: Any) -> dict[str, Any]:
    """``{% breadcrumbs label1 url1 label2 url2 current %}``: label/URL pairs, then a label."""
    values = list(items)
    crumbs: list[tuple[str, str | None]] = []
    while len(values) >= 2:
        label, url = values.pop(0), values.pop(0)
        crumbs.append((str(label), str(url)))
    if values:
        crumbs.append((str(values[0]), None))
    return {"crumbs": crumbs}


@register.inclusion_tag("includes/help.html")
def explain(key: str) -> dict[str, Any]:
    """``{% explain "toevalsmarge" %}``: a disclosure (``<details>``) with the question as its
    summary and a short answer for a raadslid, from :mod:`regie.core.help_texts`. A block
    element: put it after a paragraph, heading or in a table cell, not inside a ``<p>``.
    An unknown key raises :class:`regie.core.help_texts.UnknownHelpText`."""
    text = help_text(str(key))
    return {"question": text.question, "answer": text.answer}


@register.filter
def year(value: Any) -> str:
    """A year as written, never grouped: ``{{ plan.start_year|year }}`` → "2025", not "2.025"
    (``USE_THOUSAND_SEPARATOR`` groups every int a template prints). Also for blocktranslate:
    ``{% blocktranslate with year=plan.start_year|year %}``. "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float) and float(value).is_integer():
        return str(int(value))
    return str(value)
