"""The forms of the professional intake (``cases:new``) and of the Meldpunt's beheer pages.

The intake is one page without JavaScript: the signal itself, then a fixed number of optional
blocks (three persons, two addresses, one organisation, two vehicles) that are skipped when left
empty, and up to three files. :class:`IntakeForms` binds them together, checks them all and builds
the :class:`~regie.cases.services.SignalIn` for the intake service.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

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
from regie.cases.models import (
    Category,
    Channel,
    Family,
    Grant,
    ReporterType,
    SubjectKind,
    SubjectRole,
    Team,
)
from regie.cases.services.categories import CategoryChange
from regie.core.concurrency import CheckedForm
from regie.core.models import Organisation, OrganisationKind
from regie.privacy import normalise

DATETIME_FORMAT = "%d-%m-%Y %H:%M"
DATETIME_INPUT_FORMATS = ["%d-%m-%Y %H:%M", "%d-%m-%Y %H.%M", "%d-%m-%Y"]
MAX_DESCRIPTION = 10_000
MAX_TEXT = 200
PERSONS, ADDRESSES, ORGANISATIONS, VEHICLES = 3, 2, 1, 2
#: Kinds of reporter the professional form offers (MMA is a channel of its own).
REPORTER_TYPES = (
    ReporterType.STAFF,
    ReporterType.ENFORCER,
    ReporterType.PARTNER,
    ReporterType.RESIDENT,
    ReporterType.ENTREPRENEUR,
    ReporterType.ANONYMOUS,
)
ANONYMOUS_TYPES = frozenset({ReporterType.ANONYMOUS, ReporterType.MMA})


def _text(label: Any, *, max_length: int = MAX_TEXT, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


def _now() -> dt.datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


# --- files ----------------------------------------------------------------------------------------


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.Field):
    """Several files under one name; the uploads as they came (checked by the form)."""

    widget = MultipleFileInput

    def clean(self, value: Any) -> list[UploadedFile]:
        if not value:
            return []
        uploads = list(value) if isinstance(value, list | tuple) else [value]
        return [u for u in uploads if u]


def checked_files(uploads: list[UploadedFile]) -> list[CleanFile]:
    """The uploads read (at most 10 MB each) and cleaned, or :class:`AttachmentRefused`."""
    if len(uploads) > MAX_FILES:
        return clean_uploads([(u.name or "", b"") for u in uploads])  # refuses: too many
    return clean_uploads([(u.name or "", read_limited(u)) for u in uploads])


# --- the address fields every block shares --------------------------------------------------------


def _postcode(value: str) -> str:
    if value and normalise.postcode(value) is None:
        raise forms.ValidationError(
            _("Enter a Dutch postcode such as 3141 AB."), code="invalid_postcode"
        )
    return value


class AddressFields(forms.Form):
    street = _text(gettext_lazy("Street"))
    house_number = _text(gettext_lazy("House number"), max_length=20)
    addition = _text(gettext_lazy("Addition"), max_length=20)
    postcode = _text(gettext_lazy("Postcode"), max_length=20)
    city = _text(gettext_lazy("Place"))

    ADDRESS = ("street", "house_number", "addition", "postcode", "city")

    def clean_postcode(self) -> str:
        return _postcode(self.cleaned_data.get("postcode", ""))

    def address_in(self) -> services.AddressIn:
        data = self.cleaned_data
        return services.AddressIn(**{name: data.get(name, "") for name in self.ADDRESS})

    @property
    def address_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.ADDRESS]


# --- the signal -----------------------------------------------------------------------------------


class SignalForm(AddressFields):
    """The signal itself: when, how, what, where and who reported it."""

    received = forms.DateTimeField(
        label=gettext_lazy("Received"),
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(format=DATETIME_FORMAT),
        help_text=gettext_lazy("Date and time as dd-mm-jjjj uu:mm, for example 03-02-2026 14:30."),
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[
            (Channel.PROFESSIONAL.value, Channel.PROFESSIONAL.label),
            (Channel.MMA.value, Channel.MMA.label),
        ],
        initial=Channel.PROFESSIONAL,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "An entry of Meld Misdaad Anoniem never has a reporter: the reporter's fields are "
            "ignored and the signal is marked “verification needed”."
        ),
    )
    category = forms.ChoiceField(label=gettext_lazy("Category"))
    description = forms.CharField(
        label=gettext_lazy("Description"),
        max_length=MAX_DESCRIPTION,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("What happened, where and when; what is known and from whom."),
    )
    reporter_type = forms.ChoiceField(
        label=gettext_lazy("Kind of reporter"),
        choices=[(t.value, t.label) for t in REPORTER_TYPES],
    )
    reporter_name = _text(gettext_lazy("Name of the reporter"))
    reporter_phone = _text(gettext_lazy("Telephone of the reporter"), max_length=40)
    reporter_email = _text(gettext_lazy("E-mail of the reporter"))
    attachments = MultipleFileField(
        label=gettext_lazy("Files"),
        required=False,
        help_text=gettext_lazy(
            "At most three photos (JPEG or PNG) or PDF files of at most 10 MB each."
        ),
    )

    REPORTER = ("reporter_type", "reporter_name", "reporter_phone", "reporter_email")

    def __init__(
        self, *args: Any, gemeente: Organisation, with_channel: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.gemeente = gemeente
        self.fields["received"].initial = _now
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", _("Choose a category")),
            *selectors.category_choices(gemeente),
        ]
        self.fields["attachments"].widget.attrs["accept"] = "image/jpeg,image/png,application/pdf"
        self.cleaned_files: list[CleanFile] = []
        if not with_channel:
            del self.fields["channel"]

    def clean_received(self) -> dt.datetime:
        value: dt.datetime = self.cleaned_data["received"]
        if value > timezone.now() + dt.timedelta(minutes=5):
            raise forms.ValidationError(
                _("A signal cannot be received in the future."), code="future"
            )
        return value

    def clean_category(self) -> Category:
        category = Category.objects.filter(
            organisation=self.gemeente, is_active=True, pk=self.cleaned_data["category"]
        ).first()
        if category is None:
            raise forms.ValidationError(_("Choose a category of this gemeente."), code="invalid")
        return category

    def clean_reporter_email(self) -> str:
        value: str = self.cleaned_data.get("reporter_email", "")
        if value and normalise.email(value) is None:
            raise forms.ValidationError(_("Enter a valid e-mail address."), code="invalid_email")
        return value

    def clean_reporter_phone(self) -> str:
        value: str = self.cleaned_data.get("reporter_phone", "")
        if value and normalise.phone(value) is None:
            raise forms.ValidationError(
                _("Enter a valid telephone number, such as 010 123 45 67."), code="invalid_phone"
            )
        return value

    def clean_attachments(self) -> list[UploadedFile]:
        uploads: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        try:
            self.cleaned_files = checked_files(uploads)
        except AttachmentRefused as refused:
            raise forms.ValidationError(str(refused), code=refused.code) from refused
        return uploads

    @property
    def is_mma(self) -> bool:
        return self.cleaned_data.get("channel") == Channel.MMA

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.is_mma:
            for name in self.REPORTER[1:]:
                data[name] = ""
            data["reporter_type"] = ReporterType.MMA
        elif data.get("reporter_type") in ANONYMOUS_TYPES and any(
            data.get(name) for name in self.REPORTER[1:]
        ):
            self.add_error(
                "reporter_name",
                forms.ValidationError(
                    _(
                        "An anonymous reporter has no name, telephone or e-mail: leave them "
                        "empty or choose another kind of reporter."
                    ),
                    code="anonymous_contact",
                ),
            )
        return data

    @property
    def reporter_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.REPORTER]


# --- subjects -------------------------------------------------------------------------------------


class SubjectBlock(AddressFields):
    """One optional block of the form; left empty, it is skipped."""

    kind: str = ""
    role_initial: str = SubjectRole.CONCERNED
    legend_text: Any = ""
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=SubjectRole.choices, required=False
    )

    def __init__(self, *args: Any, number: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.number = number
        self.fields["role"].initial = self.role_initial

    @property
    def legend(self) -> str:
        return str(self.legend_text) % {"number": self.number}

    #: A filled-in block needs one of these fields (the first gets the error).
    needs: tuple[str, ...] = ()
    needs_message: Any = ""

    def is_empty(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(value for name, value in data.items() if name != "role")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        filled = not self.errors and not self.is_empty()
        if filled and self.needs and not any(data.get(name) for name in self.needs):
            self.add_error(
                self.needs[0], forms.ValidationError(str(self.needs_message), code="incomplete")
            )
        return data

    def subject_in(self) -> services.SubjectIn:
        data = self.cleaned_data
        role = data.get("role") or self.role_initial
        return services.SubjectIn(kind=self.kind, role=role, address=self.address_in())

    @property
    def own_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if f.name not in self.ADDRESS]


class PersonBlock(SubjectBlock):
    kind = SubjectKind.PERSON
    legend_text = gettext_lazy("Person %(number)s")
    needs = ("surname", "bsn")
    needs_message = gettext_lazy("Enter at least the surname or the BSN of this person.")
    surname = _text(gettext_lazy("Surname"))
    tussenvoegsel = _text(gettext_lazy("Tussenvoegsel"), max_length=20)
    first_names = _text(gettext_lazy("First names"))
    birth_date = _text(
        gettext_lazy("Date of birth"),
        max_length=40,
        help_text=gettext_lazy("For example 03-02-1980 or 3 februari 1980."),
    )
    bsn = _text(gettext_lazy("BSN"), max_length=20)
    phone = _text(gettext_lazy("Telephone"), max_length=40)
    email = _text(gettext_lazy("E-mail"))

    field_order = ["role", "surname", "tussenvoegsel", "first_names", "birth_date", "bsn"]

    def clean_birth_date(self) -> dt.date | None:
        text = self.cleaned_data.get("birth_date", "")
        if not text:
            return None
        value = normalise.birth_date(text)
        if value is None or value > timezone.localdate():
            raise forms.ValidationError(
                _("Enter the date of birth as dd-mm-jjjj, for example 03-02-1980."),
                code="invalid_date",
            )
        return value

    def clean_bsn(self) -> str:
        value: str = self.cleaned_data.get("bsn", "")
        if value and normalise.bsn(value) is None:
            raise forms.ValidationError(
                _("This is not a valid BSN: it has nine digits and passes the eleven test."),
                code="invalid_bsn",
            )
        return value

    def clean_email(self) -> str:
        value: str = self.cleaned_data.get("email", "")
        if value and normalise.email(value) is None:
            raise forms.ValidationError(_("Enter a valid e-mail address."), code="invalid_email")
        return value

    def subject_in(self) -> services.SubjectIn:
        subject = super().subject_in()
        data = self.cleaned_data
        for name in ("surname", "tussenvoegsel", "first_names", "bsn", "phone", "email"):
            setattr(subject, name, data.get(name, ""))
        subject.birth_date = data.get("birth_date")
        return subject


class AddressBlock(SubjectBlock):
    kind = SubjectKind.ADDRESS
    role_initial = SubjectRole.LOCATION
    legend_text = gettext_lazy("Address %(number)s")
    needs = ("street", "postcode")
    needs_message = gettext_lazy("Enter at least the street or the postcode of this address.")


class OrganisationBlock(SubjectBlock):
    kind = SubjectKind.ORGANISATION
    legend_text = gettext_lazy("Organisation %(number)s")
    needs = ("organisation_name", "kvk")
    needs_message = gettext_lazy("Enter at least the name or the KvK number of this organisation.")
    organisation_name = _text(gettext_lazy("Name"))
    kvk = _text(gettext_lazy("KvK number"), max_length=20)

    field_order = ["role", "organisation_name", "kvk"]

    def clean_kvk(self) -> str:
        value: str = self.cleaned_data.get("kvk", "")
        if value and normalise.kvk(value) is None:
            raise forms.ValidationError(_("A KvK number has eight digits."), code="invalid_kvk")
        return value

    def subject_in(self) -> services.SubjectIn:
        subject = super().subject_in()
        subject.organisation_name = self.cleaned_data.get("organisation_name", "")
        subject.kvk = self.cleaned_data.get("kvk", "")
        return subject


class VehicleBlock(SubjectBlock):
    kind = SubjectKind.VEHICLE
    legend_text = gettext_lazy("Vehicle %(number)s")
    kenteken = _text(gettext_lazy("Licence plate"), max_length=20)

    field_order = ["role", "kenteken"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.ADDRESS:
            del self.fields[name]

    def address_in(self) -> services.AddressIn:
        return services.AddressIn()

    @property
    def address_fields(self) -> list[forms.BoundField]:
        return []

    def subject_in(self) -> services.SubjectIn:
        subject = super().subject_in()
        subject.kenteken = self.cleaned_data.get("kenteken", "")
        return subject


# --- the whole intake -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorLink:
    """One line of the error summary: the field's id to link to (or ""), its label, the error."""

    anchor: str
    label: str
    message: str


def _blocks(cls: type[SubjectBlock], count: int, prefix: str, data: Any) -> list[SubjectBlock]:
    return [cls(data, prefix=f"{prefix}{n}", number=n) for n in range(1, count + 1)]


class IntakeForms:
    """The signal form with its subject blocks: checked together, one :class:`SignalIn`."""

    def __init__(
        self,
        data: Any | None,
        files: Any | None,
        *,
        gemeente: Organisation,
        with_channel: bool,
        reporter_type: str,
    ) -> None:
        self.gemeente = gemeente
        self.signal = SignalForm(
            data,
            files,
            gemeente=gemeente,
            with_channel=with_channel,
            initial={"reporter_type": reporter_type},
        )
        self.persons = _blocks(PersonBlock, PERSONS, "persoon", data)
        self.addresses = _blocks(AddressBlock, ADDRESSES, "adres", data)
        self.organisations = _blocks(OrganisationBlock, ORGANISATIONS, "organisatie", data)
        self.vehicles = _blocks(VehicleBlock, VEHICLES, "voertuig", data)
        self.sent_files = bool(files and files.getlist("attachments"))

    @property
    def blocks(self) -> list[SubjectBlock]:
        return [*self.persons, *self.addresses, *self.organisations, *self.vehicles]

    def all_forms(self) -> list[forms.Form]:
        return [self.signal, *self.blocks]

    def is_valid(self) -> bool:
        results = [form.is_valid() for form in self.all_forms()]  # every form checked
        return all(results)

    @property
    def is_bound(self) -> bool:
        return self.signal.is_bound

    def add_error(self, message: str) -> None:
        self.signal.add_error(None, message)

    def error_links(self) -> Iterator[ErrorLink]:
        for form in self.all_forms():
            legend = getattr(form, "legend", "")
            for name, errors in form.errors.items():
                for message in errors:
                    if name == NON_FIELD_ERRORS:
                        yield ErrorLink("", str(legend), str(message))
                        continue
                    bound = form[name]
                    label = f"{legend}: {bound.label}" if legend else str(bound.label)
                    anchor = bound.id_for_label or bound.auto_id
                    yield ErrorLink(str(anchor), label, str(message))

    def signal_in(self, *, reporting_organisation: Organisation | None) -> services.SignalIn:
        data = self.signal.cleaned_data
        return services.SignalIn(
            organisation=self.gemeente,
            channel=data.get("channel") or Channel.PROFESSIONAL,
            category=data["category"],
            description=data["description"],
            received_at=data["received"],
            location=self.signal.address_in(),
            reporter_type=data["reporter_type"],
            reporter_name=data.get("reporter_name", ""),
            reporter_phone=data.get("reporter_phone", ""),
            reporter_email=data.get("reporter_email", ""),
            reporting_organisation=reporting_organisation,
            subjects=[b.subject_in() for b in self.blocks if not b.is_empty()],
            files=self.signal.cleaned_files,
        )


def _model_choice(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


class GemeenteForm(forms.Form):
    """Step 1 of a ketenpartner's report: the gemeente it goes to."""

    gemeente = forms.ModelChoiceField(
        label=gettext_lazy("Gemeente"),
        queryset=Organisation.objects.none(),
        to_field_name="slug",
        empty_label=gettext_lazy("Choose a gemeente"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "gemeente").queryset = Organisation.objects.filter(
            kind=OrganisationKind.GEMEENTE, is_active=True
        ).order_by("name")


# --- beheer: categories, teams, grants ------------------------------------------------------------


def _team_field(organisation: Organisation) -> forms.ModelChoiceField[Any]:
    return forms.ModelChoiceField(
        label=gettext_lazy("Team"),
        queryset=Team.objects.filter(organisation=organisation),
        required=False,
        empty_label=pgettext_lazy("no team", "(none)"),
        help_text=gettext_lazy(
            "The team that handles its signals (a subcategory without a team "
            "follows its main category)."
        ),
    )


def _mains(organisation: Organisation, exclude: int | None = None) -> Any:
    rows = Category.objects.filter(organisation=organisation, parent__isnull=True)
    return rows.exclude(pk=exclude) if exclude else rows


class MainCategoryForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    family = forms.ChoiceField(label=gettext_lazy("Family"), choices=Family.choices)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"] = _team_field(organisation)


class SubCategoryForm(forms.Form):
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Main category"), queryset=Category.objects.none()
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = _model_choice(self, "parent")
        parent.queryset = _mains(organisation).filter(is_active=True)
        parent.empty_label = _("Choose a main category")
        self.fields["team"] = _team_field(organisation)


class TeamForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the team"), max_length=100)


class CategoryEditForm(CheckedForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Main category"),
        queryset=Category.objects.none(),
        required=False,
        help_text=gettext_lazy("Empty: this is a main category."),
    )
    family = forms.ChoiceField(
        label=gettext_lazy("Family"),
        choices=Family.choices,
        help_text=gettext_lazy("A subcategory always has the family of its main category."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("In use"), required=False)

    def __init__(self, *args: Any, category: Category, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent = _model_choice(self, "parent")
        parent.queryset = _mains(category.organisation, exclude=category.pk)
        parent.empty_label = _("(none: a main category)")
        self.fields["team"] = _team_field(category.organisation)
        self.order_fields(["name", "parent", "family", "team", "is_active"])
        self.set_concurrency_object(category)

    def change(self) -> CategoryChange:
        data = self.cleaned_data
        return CategoryChange(
            name=data["name"],
            parent=data.get("parent"),
            family=data["family"],
            team=data.get("team"),
            is_active=bool(data.get("is_active")),
        )


class GrantsForm(forms.Form):
    """One row of checkboxes (the grants) per member who can hold them."""

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members
        initial = kwargs.get("initial") or {}
        for user in members:
            self.fields[f"user_{user.pk}"] = forms.MultipleChoiceField(
                label=str(user.get_full_name() or user.get_username()),
                choices=Grant.choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            # The grants as the page showed them: a row changed meanwhile by someone else is
            # refused, not overwritten (a revoked grant never comes back from a stale page).
            self.fields[f"shown_{user.pk}"] = forms.CharField(
                required=False,
                widget=forms.HiddenInput,
                initial="|" + ",".join(sorted(initial.get(f"user_{user.pk}", []))),
            )

    def table(self) -> dict[Any, list[str]]:
        return {user: self.cleaned_data.get(f"user_{user.pk}", []) for user in self.members}

    def shown(self) -> dict[Any, list[str] | None]:
        """Per member the grants the page showed; None for a member not on the page then."""
        found: dict[Any, list[str] | None] = {}
        for user in self.members:
            text = self.cleaned_data.get(f"shown_{user.pk}") or ""
            found[user] = [g for g in text[1:].split(",") if g] if text.startswith("|") else None
        return found
