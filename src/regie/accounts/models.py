"""Users, their role per organisation, invitations to an organisation, e-mail changes waiting for
confirmation, enrolment codes after a 2FA reset, and the login throttle."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regie.accounts.events import UNKNOWN_NAME
from regie.core.concurrency import Versioned
from regie.core.models import Organisation


class Role(models.TextChoices):
    BEHEERDER = "beheerder", _("Beheerder")
    ADVISEUR = "adviseur", _("Adviseur (OOV)")
    RAADPLEGER = "raadpleger", _("Raadpleger")
    HANDHAVER = "handhaver", _("Handhaver")
    KETENPARTNER = "ketenpartner", _("Ketenpartner")
    PRIVACY_OFFICER = "privacy_officer", _("Functionaris gegevensbescherming")


class User(AbstractUser):
    """A person who logs in. Roles are per organisation (:class:`Membership`).

    The account itself (name, e-mail, password, 2FA devices) belongs to no organisation: only the
    person or the installation's beheer changes it (ADR 0011).
    """

    #: Part of the known-device cookie's signature (ADR 0004): a new value makes every such
    #: cookie of the account worthless (after installation beheer cleared the second factor).
    security_stamp = models.CharField(
        _("security stamp"), max_length=64, blank=True, default="", editable=False
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        full = self.get_full_name()
        return full or self.username


class Membership(Versioned):
    """The role a user has in one organisation."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        verbose_name = _("role in organisation")
        verbose_name_plural = _("roles in organisations")
        ordering = ["organisation__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_role_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user}, {self.organisation} ({self.get_role_display()})"


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self, at: dt.datetime | None = None) -> InvitationQuerySet:
        """Invitations that can still be accepted: not answered, not cancelled, not expired."""
        return self.filter(
            accepted_at__isnull=True,
            declined_at__isnull=True,
            cancelled_at__isnull=True,
            expires_at__gt=at or timezone.now(),
        )


class Invitation(models.Model):
    """An invitation to take a role in an organisation, sent by e-mail.

    Only the hash of the link's token is stored. The invited person accepts with an account of
    their own (existing or created from the link); nobody else can attach an account to an
    organisation.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="invitations",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    email = models.EmailField(_("email address"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("valid until"))
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    declined_at = models.DateTimeField(_("declined at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects: ClassVar[InvitationQuerySet] = InvitationQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"{self.email}, {self.organisation} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.declined_at is None
            and self.cancelled_at is None
            and self.expires_at > timezone.now()
        )


class EmailChange(models.Model):
    """A new e-mail address waiting for its owner to open the confirmation link.

    Only the hash of the link's random token is stored, so the link shows neither address.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    new_email = models.EmailField(_("new email address"))
    old_email = models.EmailField(_("old email address"), blank=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("email address change")
        verbose_name_plural = _("email address changes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return str(self.user)


class EnrolmentCode(models.Model):
    """The one-time code that installation beheer hands over after clearing an account's second
    factor: without it the password alone cannot enrol an app (ADR 0011). Stored hashed."""

    user = models.OneToOneField(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    code_hash = models.CharField(_("code hash"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("valid until"))
    failures = models.PositiveIntegerField(_("wrong codes"), default=0)

    class Meta:
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")

    def __str__(self) -> str:
        return str(self.user)


class ThrottleScope(models.TextChoices):
    """What a :class:`LoginThrottle` row counts (ADR 0004)."""

    ACCOUNT = "account", _("username, from any address")
    ADDRESS = "address", _("client address, over any usernames")
    KNOWN_ADDRESS = "known_address", _("account, from an address it logged in from before")
    DEVICE = "device", _("account, on a device it logged in on before")


class LoginThrottle(models.Model):
    """Failed password logins counted in one scope (ADR 0004).

    ``account`` rows are keyed by a keyed hash of the attempted username (case-folded), whether or
    not an account has it, so that the slow-down does not tell an attacker which names exist and
    no typed text is kept. ``address`` rows are keyed by a keyed hash of the client address;
    ``known_address`` and ``device`` rows by the account and a hash of the address or the device
    cookie's number. Not in the audit log: each
    failure and slow-down is an event of its own.
    """

    scope = models.CharField(
        _("scope"), max_length=20, choices=ThrottleScope.choices, default=ThrottleScope.ACCOUNT
    )
    key = models.CharField(_("key"), max_length=150)
    user = models.ForeignKey(
        User, verbose_name=_("user"), null=True, blank=True, on_delete=models.CASCADE
    )
    failures = models.PositiveIntegerField(_("failures in this window"), default=0)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt allowed at"), null=True, blank=True)
    unseen_failures = models.PositiveIntegerField(_("failures since the last login"), default=0)
    unseen_since = models.DateTimeField(_("first failure since the last login"), null=True)
    notified_at = models.DateTimeField(_("owner notified at"), null=True, blank=True)
    refusal_logged_at = models.DateTimeField(_("refusal recorded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("login throttle")
        verbose_name_plural = _("login throttles")
        indexes = [models.Index(fields=["last_failure_at"])]
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="one_throttle_per_scope_key")
        ]

    def __str__(self) -> str:
        # Never the attempted text: people type passwords in the name field.
        return self.user.get_username() if self.user is not None else UNKNOWN_NAME


class KnownAddress(models.Model):
    """A client address (as a keyed hash) from which an account completed a login.

    Attempts from such an address have their own slow-down, apart from the account's shared one,
    so that an attacker elsewhere cannot take the owner's turn (ADR 0004).
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    digest = models.CharField(_("address hash"), max_length=64)
    last_login_at = models.DateTimeField(_("last login"))

    class Meta:
        verbose_name = _("known address")
        verbose_name_plural = _("known addresses")
        constraints = [models.UniqueConstraint(fields=["user", "digest"], name="one_known_address")]

    def __str__(self) -> str:
        return str(self.user)


class ApiTokenScope(models.TextChoices):
    """What an :class:`ApiToken` may do: read, or also write (where the API allows writing)."""

    READ = "read", _("read")
    WRITE = "write", _("read and write")


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self, at: dt.datetime | None = None) -> ApiTokenQuerySet:
        """Tokens that open the API: not revoked, not expired, of an active organisation."""
        return self.filter(
            revoked_at__isnull=True,
            expires_at__gt=at or timezone.now(),
            organisation__is_active=True,
        )


class ApiToken(models.Model):
    """A key for machines to the JSON API, scoped to exactly one organisation (ADR 0017).

    With ``user`` it is a personal token: it acts with that user's role in the organisation,
    never more (and only while the user is active). Without it the token acts as a machine of the
    organisation (a raadpleger for a read token, an adviseur for a write token). Only the SHA-256
    of the secret is stored; the secret is shown once, when the token is created.
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
    )
    user = models.ForeignKey(
        User,
        verbose_name=_("personal token of"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    scope = models.CharField(
        _("scope"), max_length=10, choices=ApiTokenScope.choices, default=ApiTokenScope.READ
    )
    secret_hash = models.CharField(_("secret hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        User,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects: ClassVar[ApiTokenQuerySet] = ApiTokenQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired and self.organisation.is_active
