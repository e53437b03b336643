from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from regie.accounts.audit_display import type_choices
from regie.accounts.models import Role
from regie.core.concurrency import ConcurrencyFormMixin
from regie.core.models import AuditAction, OrganisationKind


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form; an attempt refused by the slow-down says how long to wait."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            wait = getattr(self.request, "regie_login_wait", None)
            if wait:
                raise ValidationError(
                    ngettext(
                        "Too many failed attempts for this account. Wait %(seconds)d more "
                        "second and try again.",
                        "Too many failed attempts for this account. Wait %(seconds)d more "
                        "seconds and try again.",
                        wait,
                    )
                    % {"seconds": wait},
                    code="throttled",
                ) from None
            raise


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


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_(
            "The person receives an invitation at this address and accepts it with an "
            "existing account or a new one."
        ),
    )
    # The least privilege unless the beheerder chooses otherwise.
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.RAADPLEGER)


class RoleForm(ConcurrencyFormMixin):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.check_concurrency()
        return cleaned


class RemoveMembershipForm(ConcurrencyFormMixin):
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


class NameForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)


class EmailChangeForm(forms.Form):
    email = forms.EmailField(
        label=_("New email address"),
        help_text=_("We send a link to this address; the change takes effect when you open it."),
    )
    password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class AccountForm(forms.Form):
    """Installation beheer changes an account's name or address."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("The old address receives a notice of the change."),
    )


class NewAccountForm(forms.Form):
    """The invited person creates an account from the invitation's link."""

    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("You log in with this name. Letters, digits and @ . + - _ only."),
        validators=[UnicodeUsernameValidator()],
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least twelve characters that you do not use anywhere else."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords are not the same."))
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
    object_type = forms.ChoiceField(label=_("Kind"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Up to and including"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["object_type"]
        field.choices = [("", _("All kinds")), *type_choices()]
