"""Forms of the report pages. They validate input; :mod:`regie.reports.services` writes.

Forms that change a report carry its version (:class:`regie.core.concurrency.ConcurrencyFormMixin`):
a save over someone else's change is refused with the input kept.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regie.core.concurrency import ConcurrencyFormMixin
from regie.core.errors import ServiceError
from regie.reports import services
from regie.reports.models import Report, ReportFormat, ReportKind


class _Checked(ConcurrencyFormMixin):
    """Checks the version early (a friendly message); the service's claim makes it hold."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.check_concurrency()
        return cleaned


class ReportCreateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=ReportKind.choices,
    )
    period = forms.CharField(
        label=_("Period"),
        max_length=10,
        help_text=_(
            "A year for an evaluation (2024), a half year for a raadsinformatiebrief (2024H1 or "
            "2024H2), a month for a briefing (2024-10)."
        ),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_("Left empty, a title is made from the kind and the period."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind, period = cleaned.get("kind"), cleaned.get("period")
        if kind and period:
            try:
                cleaned["period"] = services.check_period(kind, period)
            except ServiceError as error:
                self.add_error("period", str(error))
        return cleaned


class TextsForm(_Checked):
    """The adviseur's text blocks of the report's kind (:data:`services.TEXT_BLOCKS`)."""

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_concurrency_object(report)
        for key, label, help_text in services.TEXT_BLOCKS[report.kind]:
            self.fields[f"text_{key}"] = forms.CharField(
                label=label,
                help_text=help_text,
                required=False,
                max_length=services.MAX_TEXT,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 6}),
                initial=(report.texts or {}).get(key, ""),
            )

    def texts(self) -> dict[str, str]:
        return {
            name.removeprefix("text_"): value or ""
            for name, value in self.cleaned_data.items()
            if name.startswith("text_")
        }


class VersionForm(_Checked):
    """Only the version the page showed (lock the figures)."""

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_concurrency_object(report)


class BuildForm(forms.Form):
    format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices)


class SendForm(_Checked):
    sent_on = forms.DateField(
        label=_("Sent on"), help_text=_("The date the report went to the council or the driehoek.")
    )
    confirm = forms.BooleanField(
        label=_("I understand that the sent report can no longer be changed."), required=True
    )

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_concurrency_object(report)
        if not self.is_bound:
            self.initial.setdefault("sent_on", timezone.localdate())

    def clean_sent_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["sent_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("A report cannot have been sent in the future."))
        return value
