"""Council reports and briefings, built from a locked snapshot.

A :class:`Report` is a raadsinformatiebrief (half-yearly), an evaluatie (yearly) or a briefing
(driehoek/DVO) of one gemeente for one period. Its ``snapshot`` holds every number the documents
show (status momentopname, figures with their vintage, actions, budget, capacity), taken once by
:func:`regie.reports.services.lock`: builders read only the snapshot and the adviseur's text blocks,
so a rebuild gives the same numbers whatever has been imported since. A report marked *verzonden*
is frozen: its files (:class:`ReportFile`, append-only, with their SHA-256) stay as sent.
A build of a file runs as a durable job (:class:`ReportBuild` is its progress record).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.core.concurrency import Versioned
from regie.core.models import AppendOnlyError, Organisation
from regie.policy.models import Plan, StatusSnapshot
from regie.programme.models import Programme


class ReportKind(models.TextChoices):
    RAADSINFORMATIEBRIEF = "raadsinformatiebrief", _("Raadsinformatiebrief")
    EVALUATIE = "evaluatie", _("Evaluatie")
    BRIEFING = "briefing", _("Briefing driehoek")


class ReportState(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    SENT = "verzonden", _("Sent")


class ReportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "Word"
    XLSX = "xlsx", "Excel"


class Report(Versioned):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ReportKind.choices)
    period = models.CharField(
        _("period"),
        max_length=10,
        help_text=_("A year (2024), a half year (2024H1) or, for a briefing, a month (2024-10)."),
    )
    title = models.CharField(_("title"), max_length=200)
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("uitvoeringsprogramma"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    texts = models.JSONField(_("text blocks"), default=dict, blank=True)
    snapshot = models.JSONField(_("locked snapshot"), null=True, blank=True)
    snapshot_taken_at = models.DateTimeField(_("snapshot taken"), null=True, blank=True)
    status_snapshot = models.ForeignKey(
        StatusSnapshot,
        verbose_name=_("status snapshot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=20, choices=ReportState.choices, default=ReportState.CONCEPT
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["organisation", "-period", "kind", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "period"], name="one_report_per_kind_and_period"
            ),
            models.CheckConstraint(
                condition=~models.Q(state=ReportState.SENT)
                | (models.Q(sent_on__isnull=False) & models.Q(snapshot__isnull=False)),
                name="sent_report_has_date_and_snapshot",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_frozen(self) -> bool:
        return self.state == ReportState.SENT


class ReportFile(models.Model):
    """A built document, kept with its hash. Append-only: a rebuild adds a row."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="files"
    )
    format = models.CharField(_("format"), max_length=10, choices=ReportFormat.choices)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sent = models.BooleanField(_("as sent"), default=False)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    built_at = models.DateTimeField(_("built"), auto_now_add=True)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["report", "format", "-built_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report} ({self.format})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("a built report file is kept as it was built")
        super().save(*args, **kwargs)


class BuildState(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Building")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportBuild(models.Model):
    """The progress of one durable build job (one format of one report)."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="builds"
    )
    format = models.CharField(_("format"), max_length=10, choices=ReportFormat.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=BuildState.choices, default=BuildState.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=200, blank=True)
    task_id = models.CharField(_("job"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    file = models.ForeignKey(
        ReportFile,
        verbose_name=_("file"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("report build")
        verbose_name_plural = _("report builds")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report} ({self.format}, {self.state})"
