"""Forms of the privacy officer's pages: the read-log filter and the inzage request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.privacy import normalise, selectors
from regie.privacy import services as privacy
from regie.privacy.inzage_document import DEFAULT_PURPOSE
from regie.privacy.models import Surface


class DutchDateField(forms.Field):
    """A date as people in the Netherlands write it: 3-2-2026, 03-02-2026, 3 februari 2026
    (day first; also ISO 2026-02-03, which a browser's date picker sends)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("For example 03-02-2026."))
        kwargs.setdefault("widget", forms.TextInput(attrs={"maxlength": 40}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        text = str(value or "").strip()[:40]
        if not text:
            return None
        found = normalise.birth_date(text)
        if found is None:
            raise forms.ValidationError(
                _("Write the date as day-month-year, for example 03-02-2026."), code="invalid"
            )
        return found


def _activity_choices(organisation: Organisation) -> list[tuple[str, str]]:
    return [(a.code, a.name) for a in privacy.activities(organisation)]


class ReadLogFilterForm(forms.Form):
    date_from = DutchDateField(label=_("From"), required=False)
    date_to = DutchDateField(label=_("Up to and including"), required=False)
    user = forms.CharField(label=_("User (user name)"), required=False, max_length=150)
    object_ref = forms.CharField(
        label=_("Object (reference)"),
        required=False,
        max_length=60,
        help_text=_("For example GM0556-2026-00012."),
    )
    activity = forms.ChoiceField(label=_("Processing activity"), required=False)
    surface = forms.ChoiceField(
        label=_("Surface"), required=False, choices=[("", _("All surfaces")), *Surface.choices]
    )
    operation = forms.ChoiceField(label=_("Operation"), required=False)

    def __init__(
        self, *args: Any, organisation: Organisation, operations: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        activity: Any = self.fields["activity"]
        activity.choices = [("", _("All activities")), *_activity_choices(organisation)]
        operation: Any = self.fields["operation"]
        operation.choices = [
            ("", _("All operations")),
            *((o, selectors.label("operation", o)) for o in operations),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


class Format:
    JSON = "json"
    PDF = "pdf"


class InzageForm(forms.Form):
    """Whom an inzage is about: a BSN, or surname (+ tussenvoegsel), first names and date of
    birth; why; and as what."""

    bsn = forms.CharField(label=_("BSN"), required=False, max_length=20)
    surname = forms.CharField(label=_("Surname"), required=False, max_length=200)
    tussenvoegsel = forms.CharField(label=_("Tussenvoegsel"), required=False, max_length=40)
    first_names = forms.CharField(label=_("First names"), required=False, max_length=200)
    birth_date = forms.CharField(
        label=_("Date of birth"),
        required=False,
        max_length=40,
        help_text=_("For example 03-02-1980."),
    )
    purpose = forms.ChoiceField(label=_("Purpose"))
    fmt = forms.ChoiceField(
        label=_("Download as"),
        choices=[(Format.PDF, _("PDF")), (Format.JSON, _("JSON"))],
        initial=Format.PDF,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        purpose: Any = self.fields["purpose"]
        purpose.choices = _activity_choices(organisation)
        purpose.initial = DEFAULT_PURPOSE
        self.identity: privacy.Identity | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        try:
            self.identity = privacy.Identity.of(
                bsn=data.get("bsn"),
                surname=data.get("surname"),
                tussenvoegsel=data.get("tussenvoegsel"),
                first_names=data.get("first_names"),
                birth_date=data.get("birth_date"),
            )
        except ServiceError as error:
            raise forms.ValidationError(str(error), code="identity") from error
        return data
