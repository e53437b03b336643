"""The integral safety plan as data: plan → priorities → themes → goals → indicators.

A plan belongs to one gemeente. A *vastgesteld* (adopted) plan is frozen: a change makes a new
version (a concept copy with ``predecessor`` set). Indicator statuses are computed on read by
:mod:`regie.policy.engine`; what is stored is only what people decide: manual overrides (with a
reason, append-only) and status snapshots per reporting moment (so a report can be reproduced).
Scenarios A/B/C per theme carry capacity lines (fte and € per year); the council's choice, its
start date and caps give the yearly costs (:mod:`regie.policy.costs`).

Everything people edit or delete in a form is :class:`~regie.core.concurrency.Versioned`: the
services claim the version the form showed at the write, so of two simultaneous saves one wins
and the other is told. Status overrides and snapshots are append-only and carry no version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from regie.areas.models import Area
from regie.core.concurrency import Versioned
from regie.core.models import Organisation
from regie.monitor.models import Measure
from regie.policy.engine import Status, TargetKind


class PlanState(models.TextChoices):
    CONCEPT = "concept", _("Concept")
    ADOPTED = "vastgesteld", _("Adopted by the council")


class PriorityKind(models.TextChoices):
    PRIORITY = "prioriteit", _("Priority")
    ATTENTION = "aandachtspunt", _("Point of attention")
    OTHER = "overig", _("Other themes (cooperation)")


class SafetyField(models.Model):
    """A veiligheidsveld of the Kernbeleid Veiligheid (KBV), preloaded."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("safety field (KBV)")
        verbose_name_plural = _("safety fields (KBV)")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class SafetyTheme(models.Model):
    """A theme within a KBV veiligheidsveld (``1.1`` Veilige woon- en leefomgeving …)."""

    field = models.ForeignKey(
        SafetyField, verbose_name=_("safety field"), on_delete=models.CASCADE, related_name="themes"
    )
    code = models.CharField(_("code"), max_length=10, unique=True)
    name = models.CharField(_("name"), max_length=160)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("safety theme (KBV)")
        verbose_name_plural = _("safety themes (KBV)")
        ordering = ["field__position", "position"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Plan(Versioned):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("gemeente"), on_delete=models.PROTECT, related_name="plans"
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    state = models.CharField(
        _("state"), max_length=20, choices=PlanState.choices, default=PlanState.CONCEPT
    )
    adopted_on = models.DateField(_("adopted by the council on"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    predecessor = models.OneToOneField(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="successor",
    )
    costs_start = models.DateField(
        _("chosen scenarios start on"),
        null=True,
        blank=True,
        help_text=_("The first year counts from this month (pro rata)."),
    )
    decision_date = models.DateField(_("council decision on the scenarios"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["organisation", "-start_year", "-version"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")), name="plan_years_in_order"
            ),
            models.CheckConstraint(
                condition=~models.Q(state=PlanState.ADOPTED) | models.Q(adopted_on__isnull=False),
                name="adopted_plan_has_date",
            ),
        ]

    def __str__(self) -> str:
        return _("%(title)s (%(start)s–%(end)s, version %(version)s)") % {
            "title": self.title,
            "start": self.start_year,
            "end": self.end_year,
            "version": self.version,
        }

    @property
    def is_frozen(self) -> bool:
        return self.state == PlanState.ADOPTED

    @property
    def years(self) -> list[int]:
        return list(range(self.start_year, self.end_year + 1))


class Priority(Versioned):
    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="priorities"
    )
    key = models.SlugField(_("key"), max_length=60)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PriorityKind.choices, default=PriorityKind.PRIORITY
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    aim = models.TextField(_("aim"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        ordering = ["plan", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="priority_key_unique_in_plan")
        ]

    def __str__(self) -> str:
        return self.title


class Theme(Versioned):
    priority = models.ForeignKey(
        Priority, verbose_name=_("priority"), on_delete=models.CASCADE, related_name="themes"
    )
    key = models.SlugField(_("key"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    safety_themes = models.ManyToManyField(
        SafetyTheme, verbose_name=_("KBV themes"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["priority", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "key"], name="theme_key_unique_in_priority")
        ]

    def __str__(self) -> str:
        return self.title


class Goal(Versioned):
    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.CASCADE, related_name="goals"
    )
    key = models.SlugField(_("key"), max_length=60)
    aim = models.CharField(_("aim"), max_length=300)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    safety_themes = models.ManyToManyField(
        SafetyTheme, verbose_name=_("KBV themes"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["theme", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "key"], name="goal_key_unique_in_theme")
        ]

    def __str__(self) -> str:
        return self.aim


class Indicator(Versioned):
    """A goal's measurable indicator: a measure for an area with a baseline and a target."""

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.CASCADE, related_name="indicators"
    )
    key = models.SlugField(_("key"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    measure = models.ForeignKey(
        Measure, verbose_name=_("measure"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+"
    )
    target_kind = models.CharField(
        _("kind of target"),
        max_length=20,
        choices=[
            (TargetKind.AT_LEAST.value, _("At least a value (≥)")),
            (TargetKind.AT_MOST.value, _("At most a value (≤)")),
            (TargetKind.NOT_UP.value, _("Decrease or stay equal (against the baseline)")),
            (TargetKind.NOT_DOWN.value, _("Increase or stay equal (against the baseline)")),
            (TargetKind.TRAJECTORY.value, _("Trajectory from a start value to a goal value")),
        ],
    )
    target_value = models.FloatField(_("target value"), null=True, blank=True)
    baseline_period = models.CharField(_("baseline period"), max_length=30, blank=True)
    baseline_value = models.FloatField(_("baseline value"), null=True, blank=True)
    start_year = models.PositiveSmallIntegerField(
        _("trajectory: start year"), null=True, blank=True
    )
    start_value = models.FloatField(_("trajectory: start value"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("trajectory: goal year"), null=True, blank=True)
    end_value = models.FloatField(_("trajectory: goal value"), null=True, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimals shown"), default=1)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["goal", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["goal", "key"], name="indicator_key_unique_in_goal")
        ]

    def __str__(self) -> str:
        return self.name


class StatusOverride(models.Model):
    """A person's judgement over the computed status, with a reason. Append-only.

    The newest row of an indicator counts; a row with an empty ``status`` withdraws the override.
    """

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="overrides"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        blank=True,
        choices=[(s.value, s.value) for s in Status],
    )
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A default, not auto_now_add: a plan file keeps the time an override was made.
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("status override")
        verbose_name_plural = _("status overrides")
        ordering = ["indicator", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.status or '–'}"


class StatusSnapshot(models.Model):
    """Every status of a plan at a reporting moment, frozen (a report can be reproduced)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="snapshots"
    )
    label = models.CharField(_("reporting moment"), max_length=40)
    taken_at = models.DateTimeField(_("taken"), auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data_version = models.CharField(_("data version"), max_length=200, blank=True)
    payload = models.JSONField(_("statuses"))

    class Meta:
        verbose_name = _("status snapshot")
        verbose_name_plural = _("status snapshots")
        ordering = ["plan", "-taken_at"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "label"], name="one_snapshot_per_moment")
        ]

    def __str__(self) -> str:
        return self.label


class Scenario(Versioned):
    """Scenario A, B or C of a theme: what it buys and its capacity lines."""

    theme = models.ForeignKey(
        Theme, verbose_name=_("theme"), on_delete=models.CASCADE, related_name="scenarios"
    )
    letter = models.CharField(_("scenario"), max_length=2)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what it buys"), blank=True)
    chosen = models.BooleanField(_("chosen by the council"), default=False)

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["theme", "letter"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "letter"], name="scenario_letter_unique"),
            models.UniqueConstraint(
                fields=["theme"], condition=models.Q(chosen=True), name="one_chosen_scenario"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter}: {self.title}"


class CapacityLine(Versioned):
    scenario = models.ForeignKey(
        Scenario, verbose_name=_("scenario"), on_delete=models.CASCADE, related_name="lines"
    )
    label = models.CharField(_("line"), max_length=200)
    fte_extra = models.DecimalField(_("extra fte"), max_digits=6, decimal_places=2, default=0)
    fte_total = models.DecimalField(
        _("total fte"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    amount = models.DecimalField(_("€ per full year"), max_digits=12, decimal_places=2)
    cap = models.DecimalField(
        _("cap: at most € per year"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("capacity line")
        verbose_name_plural = _("capacity lines")
        ordering = ["scenario", "position", "pk"]

    def __str__(self) -> str:
        return self.label


class BudgetLine(Versioned):
    """The current budget: one line per year (before the chosen scenarios)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    label = models.CharField(_("line"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    recurring = models.BooleanField(
        _("structural"),
        default=False,
        help_text=_(
            "Structureel: the amount counts in this year and every later plan year (a line of "
            "a year before the plan in every plan year). Incidenteel: in its own year only."
        ),
    )
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["plan", "position", "label", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "label", "year"], name="budget_line_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.year}"


class StatedFigure(Versioned):
    """A number the plan text states (e.g. the cost in 2024), checked against the computation."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="stated_figures"
    )
    label = models.CharField(_("what"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    through_end = models.BooleanField(
        _("also for every later year of the plan"),
        default=False,
        help_text=_("For amounts stated as 'from 2025 on'."),
    )
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("stated figure")
        verbose_name_plural = _("stated figures")
        ordering = ["plan", "year", "label"]

    def __str__(self) -> str:
        return f"{self.label} {self.year}"
