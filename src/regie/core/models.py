"""Tenants (organisations) and the append-only audit log."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.core.concurrency import Versioned


class OrganisationKind(models.TextChoices):
    GEMEENTE = "gemeente", _("Gemeente")
    POLITIE = "politie", _("Police")
    OM = "om", _("Public Prosecution Service")
    ZORGPARTNER = "zorgpartner", _("Care partner")
    WONINGCORPORATIE = "woningcorporatie", _("Housing association")
    RIEC = "riec", _("RIEC")
    ZVH = "zvh", _("Zorg- en Veiligheidshuis")
    HANDHAVING = "handhaving", _("Enforcement")
    JONGERENWERK = "jongerenwerk", _("Youth work")
    VEILIGHEIDSREGIO = "veiligheidsregio", _("Veiligheidsregio")


class Organisation(Versioned):
    """A tenant (a gemeente) or a partner organisation beside it.

    A gemeente is tied to its CBS area code (``GM0556``); its own data is never visible to users
    of another organisation. Partner organisations have no area code.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("short name"),
        max_length=50,
        unique=True,
        help_text=_("Used in web addresses, for example gm0556."),
    )
    kind = models.CharField(_("type"), max_length=30, choices=OrganisationKind.choices)
    cbs_code = models.CharField(
        _("CBS area code"),
        max_length=10,
        blank=True,
        help_text=_("Only for gemeenten, for example GM0556."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["cbs_code"],
                condition=~models.Q(cbs_code=""),
                name="organisation_unique_cbs_code",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="gemeente") & ~models.Q(cbs_code=""))
                | (~models.Q(kind="gemeente") & models.Q(cbs_code="")),
                name="organisation_cbs_code_only_for_gemeente",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_gemeente(self) -> bool:
        return self.kind == OrganisationKind.GEMEENTE


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    READ = "read", _("viewed")
    LOGIN = "login", _("logged in")
    LOGOUT = "logout", _("logged out")
    LOGIN_FAILED = "login_failed", _("login failed")
    IMPORT = "import", _("imported")
    # Security events (ADR 0011): each with the client address.
    VERIFIED = "verified", _("passed the second factor")
    VERIFY_FAILED = "verify_failed", _("second factor failed")
    LOCKOUT = "lockout", _("login slowed down")
    PASSWORD_CHANGE = "password_change", _("password changed")
    PASSWORD_RESET = "password_reset", _("password reset")
    RESET_REQUESTED = "reset_requested", _("password reset requested")
    EMAIL_CHANGE = "email_change", _("email address changed")
    DEVICE_ADDED = "device_added", _("2FA device added")
    DEVICE_REMOVED = "device_removed", _("2FA device removed")
    ROLE_CHANGE = "role_change", _("role changed")
    INVITATION = "invitation", _("invited")
    LINK_CONSENT = "link_consent", _("accepted an invitation")
    TOKEN_USE = "token_use", _("API token used")


#: Actions that are about an account's security (shown to installation beheer and, for their
#: members, to an organisation's beheerders).
SECURITY_ACTIONS: frozenset[str] = frozenset(
    {
        AuditAction.LOGIN,
        AuditAction.LOGOUT,
        AuditAction.LOGIN_FAILED,
        AuditAction.VERIFIED,
        AuditAction.VERIFY_FAILED,
        AuditAction.LOCKOUT,
        AuditAction.PASSWORD_CHANGE,
        AuditAction.PASSWORD_RESET,
        AuditAction.RESET_REQUESTED,
        AuditAction.EMAIL_CHANGE,
        AuditAction.DEVICE_ADDED,
        AuditAction.DEVICE_REMOVED,
        AuditAction.ROLE_CHANGE,
        AuditAction.INVITATION,
        AuditAction.LINK_CONSENT,
        AuditAction.TOKEN_USE,
    }
)


class Installation(models.Model):
    """Facts about this database as a whole (one row at most).

    ``is_demo`` is set by ``regie demo`` when it builds the demo in an empty database; only such a
    database may be erased with ``regie demo --reset`` (its audit log included).
    """

    is_demo = models.BooleanField(_("demo installation"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("installation")
        verbose_name_plural = _("installation")

    def __str__(self) -> str:
        return str(_("demo installation") if self.is_demo else _("installation"))


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit entry."""


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries cannot be removed")


class AuditEntry(models.Model):
    """One append-only line in the audit log: who did what to which object, and when."""

    timestamp = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_entries",
    )
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=100, db_index=True)
    object_id = models.CharField(_("id"), max_length=64, blank=True)
    object_repr = models.CharField(_("description"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    #: Entries of one action (a request, a command, a service call) share a group; entries
    #: written outside any (and those from before groups existed) have none.
    group = models.UUIDField(_("action group"), null=True, blank=True, db_index=True)

    objects: ClassVar[AuditEntryQuerySet] = AuditEntryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-timestamp", "-id"]
        indexes = [models.Index(fields=["organisation", "-timestamp"])]

    def __str__(self) -> str:
        return (
            f"{self.timestamp:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries cannot be removed")

    @property
    def changes(self) -> list[tuple[str, Any, Any]]:
        """Fields whose value differs between ``before`` and ``after``: (field, old, new)."""
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]


class JobWorker(models.Model):
    """A running ``regie worker`` process and its last sign of life (regie.core.jobs).

    A job left running by a worker that stopped saying it is alive is queued again.
    """

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    seen_at = models.DateTimeField(_("last sign of life"))
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)

    class Meta:
        verbose_name = _("job worker")
        verbose_name_plural = _("job workers")

    def __str__(self) -> str:
        return self.worker_id


class ScheduledJob(models.Model):
    """When a periodic job (regie.core.jobs.periodic) is next due and when it was last queued.

    One row per job (unique name), locked while a worker queues a due run: several workers queue
    each run once.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    next_run_at = models.DateTimeField(_("next run"))
    last_run_at = models.DateTimeField(_("last queued"), null=True, blank=True)
    last_task_id = models.CharField(_("last task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
