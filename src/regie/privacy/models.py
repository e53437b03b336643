"""Processing activities (the purposes a read of personal data may have), the read log, the
retention runs with their tombstones, and the progress of a key rotation."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regie.core.models import AppendOnlyError, Organisation


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("this log is append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("this log is append-only")


class AppendOnly(models.Model):
    """Rows are written once: no update, no delete through the ORM."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("this log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("this log is append-only")


class ProcessingActivity(models.Model):
    """A verwerkingsactiviteit of the gemeente's register: why personal data is read.

    Every read of personal data names one (the *purpose* of the read log).
    """

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="processing_activities",
    )
    code = models.SlugField(_("code"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"))
    legal_basis = models.TextField(_("legal basis"))
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("processing activity")
        verbose_name_plural = _("processing activities")
        ordering = ["organisation", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="activity_code_per_org")
        ]

    def __str__(self) -> str:
        return self.name


class Surface(models.TextChoices):
    PAGE = "page", _("page")
    API = "api", _("API")
    EXPORT = "export", _("export")
    COMMAND = "command", _("command")


class ReadLogEntry(AppendOnly):
    """One read of personal data, with the fields of the *Logboek Dataverwerkingen* standard.

    ``trace_id``/``span_id`` tie the entries of one request or command together;
    ``processing_activity_*`` and ``legal_basis`` say why; ``data_subjects`` holds pseudonyms
    (blind index digests of the persons concerned), never an identifier.
    """

    trace_id = models.CharField(_("trace id"), max_length=32, db_index=True)
    span_id = models.CharField(_("span id"), max_length=16)
    operation = models.CharField(_("operation"), max_length=80)
    surface = models.CharField(_("surface"), max_length=10, choices=Surface.choices)
    status = models.CharField(_("status"), max_length=10, default="ok")
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # accounts are deactivated, never deleted (as the audit log)
        related_name="+",
    )
    actor_label = models.CharField(_("by"), max_length=150)
    actor_organisation = models.CharField(_("organisation of the reader"), max_length=200)
    processing_activity = models.ForeignKey(
        ProcessingActivity,
        verbose_name=_("processing activity"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    processing_activity_code = models.CharField(_("processing activity code"), max_length=60)
    legal_basis = models.TextField(_("legal basis"))
    object_type = models.CharField(_("object type"), max_length=60)
    object_ref = models.CharField(_("object"), max_length=60, db_index=True)
    fields = models.JSONField(_("fields"), default=list)
    data_subjects = models.JSONField(_("data subjects (pseudonyms)"), default=list)
    data_subject_id_type = models.CharField(
        _("type of data subject id"), max_length=40, default="blind-index"
    )

    class Meta:
        base_manager_name = "objects"  # deletes and updates through Django refuse too
        verbose_name = _("read log entry")
        verbose_name_plural = _("read log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-at"], name="readlog_org_at")]

    def __str__(self) -> str:
        return f"{self.object_ref} ({self.operation})"


class RetentionRun(models.Model):
    """One run of the retention job (nightly, or ``regie retention run``)."""

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    today = models.DateField(_("as of"))
    dry_run = models.BooleanField(_("dry run"), default=False)
    actor_label = models.CharField(_("by"), max_length=150)
    counts = models.JSONField(_("counts"), default=dict)
    #: The counts per gemeente (``{organisation pk: {count: n}}``): each privacy officer sees
    #: only their own.
    per_organisation = models.JSONField(_("counts per organisation"), default=dict)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.today} ({self.started_at:%Y-%m-%d %H:%M})"


class Tombstone(AppendOnly):
    """What remains of a destroyed record: enough for statistics and accountability, no
    personal data."""

    uid = models.UUIDField(_("id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    object_type = models.CharField(_("object type"), max_length=60)
    object_ref = models.CharField(_("object"), max_length=60, db_index=True)
    category = models.CharField(_("category"), max_length=200)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=60, blank=True)
    action = models.CharField(_("what was done"), max_length=40)
    reason = models.TextField(_("reason"))
    policy = models.TextField(_("retention rule"))
    run = models.ForeignKey(
        RetentionRun, verbose_name=_("run"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        base_manager_name = "objects"
        verbose_name = _("tombstone")
        verbose_name_plural = _("tombstones")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.object_ref} ({self.action})"


class KeyRotation(models.Model):
    """Progress of ``regie keys rotate`` per model: the last primary key done (resumable)."""

    model_label = models.CharField(_("model"), max_length=100)
    target_key = models.CharField(_("key"), max_length=32)
    last_pk = models.BigIntegerField(_("last done"), default=0)
    rewritten = models.BigIntegerField(_("values re-encrypted"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("key rotation")
        verbose_name_plural = _("key rotations")
        constraints = [
            models.UniqueConstraint(fields=["model_label", "target_key"], name="rotation_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.model_label} → {self.target_key}"
