"""The uitvoeringsprogramma: per plan year (or half year) the actions tied to the plan's goals.

A programme belongs to one plan of one gemeente and one period: a year (``2024``) or a half year
(``2024H1``). Adopted by the college on a date it is frozen for what was *decided* (which actions,
their goals, owner, planning and budget); what happens during the year stays editable: an action's
status, its realised spending, its result and lessons, and progress notes per reporting moment
(append-only). A new year starts from the open actions of the last (:mod:`services`).

Effort (inspanning: the status of the actions) is kept apart from effect (the status of the
indicators, :mod:`regie.policy.status`); :mod:`regie.programme.effort` rolls effort up per goal and
never mixes the two into one light.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from regie.core.concurrency import Versioned
from regie.core.models import AppendOnlyError, Organisation
from regie.policy.models import CapacityLine, Goal, Plan

#: ``2024`` (a year) or ``2024H1`` / ``2024H2`` (a half year).
PERIOD_PATTERN = re.compile(r"^(?P<year>\d{4})(?:H(?P<half>[12]))?$")


class ProgrammeState(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    ADOPTED = "vastgesteld", _("Adopted by the college")


class ActionStatus(models.TextChoices):
    NOT_STARTED = "niet_gestart", pgettext_lazy("action status", "Not started")
    RUNNING = "loopt", pgettext_lazy("action status", "Running")
    DONE = "gereed", pgettext_lazy("action status", "Done")
    DELAYED = "vertraagd", pgettext_lazy("action status", "Delayed")
    DROPPED = "vervallen", pgettext_lazy("action status", "Dropped")


#: Statuses of an action that is still open: a new year's programme starts from these.
OPEN_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.RUNNING, ActionStatus.DELAYED)


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of ``2024`` or ``2024H1``; ValueError for anything else."""
    match = PERIOD_PATTERN.match(period)
    if match is None:
        raise ValueError(period)
    year = int(match["year"])
    if match["half"] == "1":
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    if match["half"] == "2":
        return dt.date(year, 7, 1), dt.date(year, 12, 31)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


class Programme(Versioned):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("gemeente"),
        on_delete=models.PROTECT,
        related_name="programmes",
    )
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="programmes"
    )
    period = models.CharField(
        _("period"),
        max_length=6,
        help_text=_("A year (2024) or a half year (2024H1, 2024H2)."),
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=ProgrammeState.choices, default=ProgrammeState.CONCEPT
    )
    adopted_on = models.DateField(_("adopted by the college on"), null=True, blank=True)
    predecessor = models.ForeignKey(
        "self",
        verbose_name=_("previous programme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
    )
    evaluation_summary = models.TextField(_("evaluation: what came of it"), blank=True)
    evaluation_proposals = models.TextField(
        _("evaluation: proposals for the next programme"), blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("uitvoeringsprogramma")
        verbose_name_plural = _("uitvoeringsprogramma's")
        ordering = ["organisation", "-period", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period"], name="one_programme_per_period"),
            models.CheckConstraint(
                condition=~models.Q(state=ProgrammeState.ADOPTED)
                | models.Q(adopted_on__isnull=False),
                name="adopted_programme_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"

    @property
    def is_frozen(self) -> bool:
        return self.state == ProgrammeState.ADOPTED

    @property
    def year(self) -> int:
        return int(self.period[:4])

    @property
    def is_half_year(self) -> bool:
        return "H" in self.period

    @property
    def bounds(self) -> tuple[dt.date, dt.date]:
        return period_bounds(self.period)


class Action(Versioned):
    """One action of the programme: what, tied to which goals, who, when, at what cost, how far."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="actions"
    )
    key = models.SlugField(_("key"), max_length=60)
    title = models.CharField(pgettext_lazy("programme", "action"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    goals = models.ManyToManyField(Goal, verbose_name=_("goals"), blank=True, related_name="+")
    owner = models.CharField(
        _("owner"), max_length=200, help_text=_("The team or partner organisation that leads.")
    )
    partners = models.CharField(_("partners"), max_length=300, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    quarters = models.CharField(
        _("quarters"),
        max_length=4,
        blank=True,
        help_text=_("The quarters of the year in which the action runs, e.g. 12 for Q1 and Q2."),
    )
    budget = models.DecimalField(
        _("budget (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    capacity_line = models.ForeignKey(
        CapacityLine,
        verbose_name=_("paid from scenario line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    spent = models.DecimalField(
        _("spent (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    result = models.TextField(_("result"), blank=True)
    lessons = models.TextField(_("lessons"), blank=True)
    carried_from = models.ForeignKey(
        "self",
        verbose_name=_("continued from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("programme", "action")
        verbose_name_plural = _("actions")
        ordering = ["programme", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "key"], name="action_key_unique"),
            models.CheckConstraint(
                condition=models.Q(end__isnull=True)
                | models.Q(start__isnull=True)
                | models.Q(end__gte=models.F("start")),
                name="action_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class ProgressNote(models.Model):
    """What was reported about an action at a reporting moment. Append-only."""

    action = models.ForeignKey(
        Action,
        verbose_name=pgettext_lazy("programme", "action"),
        on_delete=models.CASCADE,
        related_name="notes",
    )
    moment = models.CharField(_("reporting moment"), max_length=20)
    status = models.CharField(_("status"), max_length=20, choices=ActionStatus.choices)
    spent = models.DecimalField(
        _("spent so far (€)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    text = models.TextField(_("progress"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")
        ordering = ["action", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.moment}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("a progress note is kept as it was written")
        super().save(*args, **kwargs)
