from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from regie.accounts.audit_display import type_choices
from regie.accounts.models import ApiTokenScope, Role
from regie.accounts.reauth import check_password, throttled_message
from regie.accounts.services import api_tokens
from regie.accounts.services.two_factor import verify_current_code
from regie.core.concurrency import ConcurrencyFormMixin
from regie.core.models import AuditAction, OrganisationKind


class LoginForm(auth_forms.AuthenticationForm):
    """Django's login form; an attempt refused by the slow-down says so, without the exact wait."""

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "regie_login_wait", None):
                raise ValidationError(throttled_message(), code="throttled") from None
            raise


def _password_field(label: Any = None) -> forms.CharField:
    return forms.CharField(
        label=label or _("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


def _code_field(label: Any, *, autofocus: bool = False) -> forms.CharField:
    attrs = {"autocomplete": "one-time-code", "inputmode": "numeric"}
    if autofocus:
        attrs["autofocus"] = "autofocus"
    return forms.CharField(
        label=label, min_length=6, max_length=8, widget=forms.TextInput(attrs=attrs)
    )


def _digits(value: str) -> str:
    token = value.replace(" ", "")
    if not token.isdigit():
        raise forms.ValidationError(_("The code consists of digits only."))
    return token


class ReauthMixin:
    """A form that asks for the current password of ``user`` (through the login throttle)."""

    request: HttpRequest
    user: Any
    purpose: str = ""
    cleaned_data: dict[str, Any]

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        error = check_password(self.request, self.user, password, purpose=self.purpose)
        if error:
            raise forms.ValidationError(error)
        return password


class EnrolForm(ReauthMixin, forms.Form):
    """Confirm a new authenticator app with its first code.

    A further app (the account has one already) needs the current password and a current code of
    an existing app; a first app needs the password unless it was given in this session minutes
    ago (the login itself); after installation beheer cleared the second factor, also the
    enrolment code that installation beheer handed over.
    """

    field_order = ["password", "current_code", "enrolment_code", "token"]

    def __init__(
        self,
        *args: Any,
        request: HttpRequest,
        user: Any,
        ask_password: bool,
        ask_current_code: bool,
        ask_enrolment_code: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.purpose = gettext("current password when adding an authenticator app")
        if ask_password:
            self.fields["password"] = _password_field()
        if ask_current_code:
            self.fields["current_code"] = _code_field(_("Code from an app you already have"))
        if ask_enrolment_code:
            self.fields["enrolment_code"] = forms.CharField(
                label=_("Enrolment code"),
                max_length=40,
                help_text=_(
                    "The code that the installation's beheer gave you after clearing your "
                    "verification."
                ),
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
        # Beside a code from an app the user already has, say which app this code comes from.
        label = (
            _("Code from the new app (after scanning)")
            if ask_current_code
            else _("Code from your authenticator app")
        )
        self.fields["token"] = _code_field(label, autofocus=True)
        self.order_fields(self.field_order)

    def clean_current_code(self) -> str:
        token = _digits(self.cleaned_data["current_code"])
        if self.errors.get("password"):
            return token  # the password first: no code check for a wrong one
        if not verify_current_code(user=self.user, token=token):
            raise forms.ValidationError(
                _(
                    "This code is incorrect or has expired. Use the current code of an app you "
                    "already have."
                )
            )
        return token

    def clean_token(self) -> str:
        return _digits(self.cleaned_data["token"])


class DeviceRemoveForm(ReauthMixin, forms.Form):
    """Removing an app asks the current password and a current code of one of the apps."""

    password = _password_field()
    current_code = _code_field(_("Code from one of your authenticator apps"))

    def __init__(self, *args: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.purpose = gettext("current password when removing an authenticator app")

    def clean_current_code(self) -> str:
        token = _digits(self.cleaned_data["current_code"])
        if self.errors.get("password"):
            return token
        if not verify_current_code(user=self.user, token=token):
            raise forms.ValidationError(
                _(
                    "This code is incorrect or has expired. Use the current code of one of your "
                    "apps."
                )
            )
        return token


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, with the old password checked through the login throttle and audited."""

    def __init__(self, user: Any, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        password: str = self.cleaned_data["old_password"]
        error = check_password(
            self.request,
            self.user,
            password,
            purpose=gettext("current password when changing the password"),
        )
        if error:
            raise ValidationError(error, code="password_incorrect")
        return password


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
    # Least privilege by default: no role is chosen until the beheerder chooses one.
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("Choose a role")), *Role.choices],
        help_text=_(
            "Beheerder: manages roles and can change everything. Adviseur (OOV): keeps the "
            "figures and the policy up to date. Raadpleger: reads the veiligheidsbeeld and the "
            "policy, changes nothing. Handhaver and Ketenpartner: see the wijken and buurten "
            "and open data only."
        ),
        error_messages={"required": _("Choose the role this person gets.")},
    )


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


class EmailChangeForm(ReauthMixin, forms.Form):
    email = forms.EmailField(
        label=_("New email address"),
        help_text=_("We send a link to this address; the change takes effect when you open it."),
    )
    password = _password_field()

    def __init__(self, *args: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.purpose = gettext("current password when changing the email address")


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


#: Who an API token acts as (the management page): the organisation, or the beheerder in person.
TOKEN_OWNER_ORGANISATION = "organisation"  # noqa: S105 - a choice, no secret
TOKEN_OWNER_ME = "me"  # noqa: S105 - a choice, no secret


class ApiTokenForm(ReauthMixin, forms.Form):
    """A new API token of the organisation (ADR 0017). It asks for the current password: a
    session alone (a stolen one) must not mint a key that outlives it."""

    purpose = "api-token"

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = request.user

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. “Dashboard of the region”."),
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ChoiceField(
        label=_("Acts as"),
        choices=[
            (TOKEN_OWNER_ORGANISATION, _("The organisation (a machine, not a person)")),
            (TOKEN_OWNER_ME, _("Me (personal token, with my role in this organisation)")),
        ],
        initial=TOKEN_OWNER_ORGANISATION,
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=ApiTokenScope.choices,
        initial=ApiTokenScope.READ,
        help_text=_("The API is read-only for now: choose read."),
    )
    days = forms.IntegerField(
        label=_("Valid for (days)"),
        min_value=1,
        max_value=api_tokens.MAX_DAYS,
        initial=api_tokens.DEFAULT_DAYS,
        help_text=_("At most 365 days; after that the token no longer works."),
    )
    password = _password_field()
