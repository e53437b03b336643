from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from regie.accounts.models import Role
from regie.core.concurrency import ConcurrencyFormMixin
from regie.core.models import AuditAction, OrganisationKind


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token: str = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("The code consists of digits only."))
        return token


class NewMemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The user receives a link at this address to set a password."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class RoleForm(ConcurrencyFormMixin):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.check_concurrency()
        return cleaned


class UserDetailsForm(ConcurrencyFormMixin):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email address"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.check_concurrency()
        return cleaned


class OrganisationForm(ConcurrencyFormMixin):
    name = forms.CharField(label=_("Name"), max_length=200)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.check_concurrency()
        return cleaned


class NewOrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=50,
        help_text=_(
            "Lower-case letters, digits and hyphens; for a gemeente its CBS code (gm0556)."
        ),
    )
    kind = forms.ChoiceField(label=_("Type"), choices=OrganisationKind.choices)
    cbs_code = forms.RegexField(
        label=_("CBS area code"),
        regex=r"^GM\d{4}$",
        required=False,
        help_text=_("Only for a gemeente, for example GM0556."),
        error_messages={"invalid": _("A gemeente code is GM followed by four digits.")},
    )


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("User"), required=False)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("All actions")), *AuditAction.choices],
    )
    object_type = forms.CharField(label=_("Object type"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Up to and including"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
