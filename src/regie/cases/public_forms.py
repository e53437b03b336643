"""The forms of the public Meldpunt (``/melden/<gemeente>/``): a signal and a status lookup.

Plain HTML forms that work without JavaScript. Attachments are read with a size bound and
checked by content (:mod:`regie.cases.attachments`); a refused file refuses the whole form, so
nothing is stored, and the typed text comes back (the browser never keeps chosen files).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from regie.cases import selectors, services
from regie.cases.attachments import (
    MAX_FILES,
    AttachmentRefused,
    CleanFile,
    clean_uploads,
    read_limited,
)
from regie.cases.models import Category, Channel, Family, ReporterType
from regie.core.models import Organisation
from regie.privacy import normalise

MAX_DESCRIPTION = 5000
MAX_SHORT = 200
#: The category choice "Don't know": the signal goes to the main category of the family Overig.
UNKNOWN = "weet_ik_niet"
ANONYMOUS = "anoniem"
WITH_NAME = "met_naam"
#: Name of the honeypot field: people never see it, a robot fills it in.
HONEYPOT = "website"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero to :data:`MAX_FILES` files in one ``<input type="file" multiple>``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"})
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        return [item for item in items if item]


def main_categories(organisation: Organisation) -> list[Category]:
    services.ensure_categories(organisation)
    return [c for c in selectors.categories(organisation) if c.parent_id is None]


def unknown_category(mains: list[Category]) -> Category | None:
    """Where "Don't know" goes: the main category Overig (else the last main category)."""
    other = [c for c in mains if c.family == Family.OVERIG]
    chosen = other or mains[-1:]
    return chosen[0] if chosen else None


class PublicSignalForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("What do you want to report?"),
        max_length=MAX_DESCRIPTION,
        help_text=gettext_lazy(
            "Describe what you saw or know: what happened, who was involved and what worries "
            "you. At most 5,000 characters."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": gettext_lazy("Describe what you want to report.")},
    )
    category = forms.ChoiceField(
        label=gettext_lazy("What is it about?"),
        widget=forms.RadioSelect,
        initial=UNKNOWN,
    )
    street = forms.CharField(label=gettext_lazy("Street"), max_length=MAX_SHORT, required=False)
    house_number = forms.CharField(
        label=gettext_lazy("House number"), max_length=20, required=False
    )
    postcode = forms.CharField(label=gettext_lazy("Postcode"), max_length=10, required=False)
    city = forms.CharField(label=gettext_lazy("Place"), max_length=MAX_SHORT, required=False)
    seen_on = forms.DateField(
        label=gettext_lazy("Date of what you saw"),
        required=False,
        help_text=gettext_lazy("For example 31-01-2026 (dd-mm-jjjj)."),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Photos or documents"),
        required=False,
        help_text=gettext_lazy(
            "At most 3 files: photos (JPEG or PNG) or PDF documents of at most 10 MB each. We "
            "remove the hidden data from photos, such as the place where they were taken."
        ),
    )
    contact = forms.ChoiceField(
        label=gettext_lazy("Do you want to report anonymously?"),
        widget=forms.RadioSelect,
        choices=[
            (ANONYMOUS, gettext_lazy("Yes, anonymously (we cannot contact you)")),
            (WITH_NAME, gettext_lazy("No, with my name and contact details")),
        ],
        initial=ANONYMOUS,
    )
    reporter_type = forms.ChoiceField(
        label=gettext_lazy("You report as"),
        widget=forms.RadioSelect,
        choices=[
            (ReporterType.RESIDENT.value, gettext_lazy("Resident")),
            (ReporterType.ENTREPRENEUR.value, gettext_lazy("Entrepreneur")),
        ],
        initial=ReporterType.RESIDENT.value,
        required=False,
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=MAX_SHORT, required=False)
    phone = forms.CharField(label=gettext_lazy("Telephone number"), max_length=30, required=False)
    email = forms.EmailField(
        label=gettext_lazy("E-mail address"), max_length=MAX_SHORT, required=False
    )
    website = forms.CharField(
        label=pgettext_lazy("honeypot field", "Leave this field empty"), required=False
    )

    def __init__(self, organisation: Organisation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.mains = main_categories(organisation)
        choices = [(str(c.pk), c.name) for c in self.mains]
        choices.append((UNKNOWN, _("I don't know")))
        category_field = self.fields["category"]
        if isinstance(category_field, forms.ChoiceField):
            category_field.choices = choices
        self.clean_files_list: list[CleanFile] = []

    @property
    def is_trap_filled(self) -> bool:
        """The honeypot was filled in: a robot (the answer looks like success; nothing stored)."""
        return bool(self.data.get(HONEYPOT, "").strip()) if self.is_bound else False

    @property
    def had_files(self) -> bool:
        return self.is_bound and any(self.files.getlist("attachments"))

    def error_summary(self) -> list[dict[str, str]]:
        """The errors for the summary at the top: each with a link to its field."""
        items: list[dict[str, str]] = []
        for name, errors in self.errors.items():
            if name == NON_FIELD_ERRORS:
                items.extend({"href": "", "label": "", "message": str(e)} for e in errors)
                continue
            bound = self[name]
            radio = isinstance(bound.field.widget, forms.RadioSelect)
            href = f"#{bound.auto_id}_0" if radio else f"#{bound.auto_id}"
            for error in errors:
                label = str(bound.label).rstrip("?: ")
                items.append({"href": href, "label": label, "message": str(error)})
        return items

    def chosen_category(self) -> Category:
        value = self.cleaned_data["category"]
        if value == UNKNOWN:
            found = unknown_category(self.mains)
        else:
            found = next((c for c in self.mains if str(c.pk) == value), None)
        if found is None:  # pragma: no cover - a gemeente without any active category
            raise forms.ValidationError(_("Choose what it is about."))
        return found

    def clean_seen_on(self) -> dt.date | None:
        value: dt.date | None = self.cleaned_data.get("seen_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."), code="future")
        return value

    def clean_postcode(self) -> str:
        value = str(self.cleaned_data.get("postcode") or "").strip()
        if value and normalise.postcode(value) is None:
            raise forms.ValidationError(
                _("Enter a postcode of four digits and two letters, for example 3141 AB."),
                code="postcode",
            )
        return value

    def clean_phone(self) -> str:
        value = str(self.cleaned_data.get("phone") or "").strip()
        if value and normalise.phone(value) is None:
            raise forms.ValidationError(
                _("Enter a telephone number, for example 06 12345678."), code="phone"
            )
        return value

    def clean_attachments(self) -> list[UploadedFile]:
        uploads: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(
                _("You can add at most %(max)d files; you chose %(count)d.")
                % {"max": MAX_FILES, "count": len(uploads)},
                code="too_many",
            )
        try:
            read = [(upload.name or "", read_limited(upload)) for upload in uploads]
            self.clean_files_list = clean_uploads(read)
        except AttachmentRefused as refused:
            raise forms.ValidationError(str(refused), code=refused.code) from refused
        return uploads

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("contact") == WITH_NAME:
            self._check_with_name(data)
        elif data.get("contact") == ANONYMOUS:
            for name in ("name", "phone", "email"):
                if data.get(name):
                    self.add_error(
                        name,
                        forms.ValidationError(
                            _(
                                "You chose to report anonymously. Leave this field empty, or "
                                "choose to report with your name."
                            ),
                            code="anonymous",
                        ),
                    )
        return data

    def _check_with_name(self, data: dict[str, Any]) -> None:
        if not data.get("name"):
            self.add_error("name", forms.ValidationError(_("Enter your name."), code="required"))
        reachable = data.get("phone") or data.get("email")
        if not reachable and "phone" not in self.errors and "email" not in self.errors:
            self.add_error(
                "phone",
                forms.ValidationError(
                    _("Enter a telephone number or an e-mail address, so we can contact you."),
                    code="required",
                ),
            )
        if data.get("reporter_type") not in (ReporterType.RESIDENT, ReporterType.ENTREPRENEUR):
            self.add_error(
                "reporter_type",
                forms.ValidationError(
                    _("Choose whether you report as a resident or an entrepreneur."),
                    code="required",
                ),
            )

    def signal_in(self) -> services.SignalIn:
        """What the form says, for :func:`regie.cases.services.receive` (after validation)."""
        data = self.cleaned_data
        description = str(data["description"]).strip()
        if data.get("seen_on"):
            line = _("Date seen: %(date)s") % {"date": data["seen_on"].strftime("%d-%m-%Y")}
            description = f"{description}\n\n{line}"
        named = data.get("contact") == WITH_NAME
        return services.SignalIn(
            organisation=self.organisation,
            channel=Channel.PUBLIC,
            category=self.chosen_category(),
            description=description,
            location=services.AddressIn(
                street=data.get("street", ""),
                house_number=data.get("house_number", ""),
                postcode=data.get("postcode", ""),
                city=data.get("city", ""),
            ),
            reporter_type=data["reporter_type"] if named else ReporterType.ANONYMOUS,
            reporter_name=data.get("name", "") if named else "",
            reporter_phone=data.get("phone", "") if named else "",
            reporter_email=data.get("email", "") if named else "",
            files=list(self.clean_files_list),
        )


class StatusForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Your code"),
        max_length=40,
        help_text=gettext_lazy("The code you received after sending, for example ABCD-EFGH-JKMN."),
    )
