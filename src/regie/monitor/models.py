"""Measures, observations and their lineage (dataset, import batch, revisions).

A figure is ``area × measure × period → value``. Every value carries its publication status and
the import batch (vintage) it came from; a newer vintage replaces the value and leaves a
:class:`Revision`. Open data (CBS, politie) has no owner and is visible to everyone; a gemeente's
own figures are owned by that gemeente and visible only to its members.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.areas.models import Area
from regie.core.models import AppendOnlyError, Organisation

_M = TypeVar("_M", bound=models.Model)


def open_or_own(field: str, organisation: Organisation | Iterable[int] | None) -> models.Q:
    """The one tenant rule of the figures store: open data (no owner in ``field``) is visible to
    everyone; a gemeente's own rows only to (those acting for) that gemeente. ``organisation``
    may be several organisations' ids (an API user who is a member of more than one)."""
    open_data = models.Q(**{f"{field}__isnull": True})
    if organisation is None:
        return open_data
    if isinstance(organisation, Organisation):
        return open_data | models.Q(**{field: organisation})
    return open_data | models.Q(**{f"{field}_id__in": list(organisation)})


class TenantQuerySet(models.QuerySet[_M]):
    """``Model.objects.visible_to(organisation)``: rows that organisation may read."""

    #: the field that names the owning organisation (None: open data)
    tenant_field = "organisation"

    def visible_to(self, organisation: Organisation | Iterable[int] | None) -> TenantQuerySet[_M]:
        return self.filter(open_or_own(self.tenant_field, organisation))


class OwnerQuerySet(TenantQuerySet[_M]):
    tenant_field = "owner"


class Source(models.TextChoices):
    POLITIE = "politie", _("Police (crime)")
    OVERLAST = "overlast", _("Police (nuisance)")
    CBS = "cbs", _("CBS")
    VM = "vm", _("Veiligheidsmonitor")
    LOCAL = "local", _("Local figures")
    DERIVED = "derived", _("Derived")


class Unit(models.TextChoices):
    COUNT = "count", _("number")
    PERCENT = "percent", _("percentage")
    GRADE = "grade_1_10", _("grade (1–10)")
    RATE = "per_1000", _("per 1,000 inhabitants")
    EURO = "euro", _("euro")


class MeasureKind(models.TextChoices):
    """What kind of number a measure is: it decides which statistics apply (DOMAIN §5).

    Event counts (crimes, meldingen, incidents in a period) are Poisson: exact intervals and
    tests apply. Stocks (a register count at a moment) and amounts (hours, euros) have no chance
    margin: a fall is a fall. Survey percentages carry the bounds the source publishes. Other
    percentages and ratios have no margin unless the source gives one.
    """

    EVENT_COUNT = "event_count", _("count of events")
    STOCK = "stock", _("stock (count at a moment)")
    AMOUNT = "amount", _("amount (hours, euros)")
    SURVEY = "survey_pct", _("survey outcome")
    RATIO = "ratio", _("percentage or ratio")


#: Documents the kind of a measure (a plain string in the schema: "kind" names other enums too).
KIND_HELP = _(
    "Kind of figure, one of event_count, stock, amount, survey_pct, ratio: chance margins and "
    "tests apply to counts of events only; stocks and amounts have none; survey outcomes carry "
    "the published margin."
)


def is_event_count(unit: str, kind: str) -> bool:
    """The one rule of "is this a count of events": its unit is a count and its kind an event
    count (a stock or an amount is counted but has no chance margin; ADR 0015). For a measure
    use ``measure.is_event_count``; for a query, :data:`EVENT_COUNTS`."""
    return unit == Unit.COUNT and kind == MeasureKind.EVENT_COUNT


#: :func:`is_event_count` as a query filter on measures.
EVENT_COUNTS = models.Q(unit=Unit.COUNT, kind=MeasureKind.EVENT_COUNT)


def summed_over_gemeenten(measure: Measure) -> bool:
    """Whether a region without a figure of ``measure`` gets the sum of its gemeenten: counts
    of open data only (a gemeente's own measure exists in that gemeente only)."""
    return measure.organisation_id is None and measure.unit == Unit.COUNT


def default_kind(unit: str) -> str:
    """The kind a measure gets from its unit when nothing else says (own measures)."""
    return {
        Unit.COUNT.value: MeasureKind.EVENT_COUNT.value,
        Unit.EURO.value: MeasureKind.AMOUNT.value,
    }.get(unit, MeasureKind.RATIO.value)


#: Suffixes of the measures that hold the published 95 % bounds of a survey measure (CONTRACT I3).
BOUND_SUFFIXES = (".ondergrens", ".bovengrens")


class ObservationStatus(models.TextChoices):
    DEFINITIEF = "definitief", _("final")
    VOORLOPIG = "voorlopig", _("provisional")
    NADER_VOORLOPIG = "nader_voorlopig", _("revised provisional")
    ONBEKEND = "onbekend", _("status not stated")


class Measure(models.Model):
    """What is counted or measured: ``politie:1.1.1``, ``cbs:T001161``, ``local:huisverboden``."""

    code = models.CharField(_("code"), max_length=80, unique=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, db_index=True)
    key = models.CharField(_("key in the source"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("definition"), blank=True)
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, default=Unit.COUNT)
    kind = models.CharField(
        _("kind of figure"),
        max_length=20,
        choices=MeasureKind.choices,
        default=MeasureKind.EVENT_COUNT,
        help_text=_(
            "Decides which statistics apply: chance margins and tests only for counts of events."
        ),
    )
    is_rollup = models.BooleanField(
        _("roll-up"),
        default=False,
        help_text=_("A total of other measures (0.0.0, T001161, a CBS parent): never add it up."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("defined by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="measures",
        help_text=_("Empty for the shared catalogue; a gemeente's own measures are private."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    objects = TenantQuerySet["Measure"].as_manager()

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["source", "sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The catalogue states the kind of every catalogue measure; it wins over the default.
        from regie.monitor.catalogue import kind_of

        catalogue_kind = kind_of(self.code) if self.organisation_id is None else None
        if catalogue_kind:
            self.kind = catalogue_kind
        elif self._state.adding and self.kind == MeasureKind.EVENT_COUNT:
            self.kind = default_kind(self.unit)
        super().save(*args, **kwargs)

    @property
    def is_derived(self) -> bool:
        return self.source == Source.DERIVED

    @property
    def is_bound(self) -> bool:
        """A published survey bound (``vm:<key>.ondergrens``): not a measure to pick or show."""
        return self.code.endswith(BOUND_SUFFIXES)

    @property
    def is_event_count(self) -> bool:
        """Counts of events: Poisson intervals, tests, trends and rates apply
        (:func:`is_event_count`)."""
        return is_event_count(self.unit, self.kind)


class DerivedComponent(models.Model):
    """One term of a derived measure: ``derived:hic-kern`` = politie 1.1.1 + 1.4.6 + 1.4.7."""

    derived = models.ForeignKey(
        Measure,
        verbose_name=_("derived measure"),
        on_delete=models.CASCADE,
        related_name="components",
        limit_choices_to={"source": Source.DERIVED},
    )
    component = models.ForeignKey(
        Measure, verbose_name=_("component"), on_delete=models.PROTECT, related_name="+"
    )
    weight = models.SmallIntegerField(_("weight"), default=1)

    class Meta:
        verbose_name = _("component of a derived measure")
        verbose_name_plural = _("components of derived measures")
        ordering = ["derived", "component__code"]
        constraints = [
            models.UniqueConstraint(fields=["derived", "component"], name="one_term_per_component")
        ]

    def __str__(self) -> str:
        return f"{self.derived.code} ∋ {self.component.code}"


#: The table code of a gemeente's own figures: ``lokaal:<organisation slug>``.
LOCAL_TABLE_PREFIX = "lokaal:"


def table_label(table: str) -> str:
    """A dataset's table as people read it: a published table by its code (``83648NED``), a
    gemeente's own figures in words (never the code ``lokaal:gm0556``)."""
    if table.startswith(LOCAL_TABLE_PREFIX):
        return str(_("own figures of the gemeente"))
    return table


class Dataset(models.Model):
    """A published table (``83648NED``) or a gemeente's own series of figures."""

    source = models.CharField(_("source"), max_length=100)  # "CBS", "Politie", "Gemeente …"
    table = models.CharField(_("table"), max_length=100)
    title = models.CharField(_("title"), max_length=300)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="datasets",
        help_text=_("Empty for open data, visible to everyone."),
    )
    provenance = models.TextField(_("provenance"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = TenantQuerySet["Dataset"].as_manager()

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        ordering = ["source", "table"]
        constraints = [
            models.UniqueConstraint(
                fields=["table"],
                condition=models.Q(organisation__isnull=True),
                name="one_open_dataset_per_table",
            ),
            models.UniqueConstraint(
                fields=["organisation", "table"],
                condition=models.Q(organisation__isnull=False),
                name="one_own_dataset_per_table",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.label}"

    @property
    def label(self) -> str:
        return table_label(self.table)


class BatchState(models.TextChoices):
    QUEUED = "queued", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("imported")
    DRY_RUN = "dry_run", _("checked (nothing stored)")
    REJECTED = "rejected", _("rejected (nothing stored)")
    FAILED = "failed", _("failed (nothing stored)")


class ImportBatch(models.Model):
    """One import of one file (a vintage): what was read, stored, revised and rejected."""

    dataset = models.ForeignKey(
        Dataset, verbose_name=_("dataset"), on_delete=models.PROTECT, related_name="batches"
    )
    format = models.CharField(_("format"), max_length=30)
    filename = models.CharField(_("file"), max_length=300)
    sha256 = models.CharField(_("checksum"), max_length=64, blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=BatchState.choices, default=BatchState.QUEUED
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    imported_by_label = models.CharField(_("imported by"), max_length=200)
    dry_run = models.BooleanField(
        _("check only"),
        default=False,
        help_text=_("A check of a file (dry run): nothing was or will be stored."),
    )
    progress = models.PositiveIntegerField(_("rows processed"), default=0)
    #: The rows the job expects to process (an import: the rows its check read), when known.
    progress_total = models.PositiveIntegerField(_("rows to process"), null=True, blank=True)
    #: The job (regie.core.jobs, django-tasks) that runs this batch; empty when run directly.
    task_id = models.CharField(_("job"), max_length=64, blank=True)
    #: The process that queued or runs the import (host name and process id) and when it last
    #: said it was alive: a batch whose process is gone is marked failed (services).
    worker_host = models.CharField(_("worker host"), max_length=255, blank=True)
    worker_pid = models.PositiveIntegerField(_("worker process"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_stored = models.PositiveIntegerField(_("new"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rows_revised = models.PositiveIntegerField(_("revised"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rejected"), default=0)
    period_first = models.DateField(_("first period starts"), null=True, blank=True)
    period_last = models.DateField(_("last period ends"), null=True, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    notes = models.JSONField(_("notes"), default=list, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.dataset} {self.filename} ({self.started_at:%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.state not in (BatchState.QUEUED, BatchState.RUNNING)


class Period(models.Model):
    """A period code with its dates: the observation view joins it (one row per distinct code)."""

    code = models.CharField(_("period"), max_length=20, unique=True)
    start_date = models.DateField(_("period starts"))
    end_date = models.DateField(_("period ends"))
    kind = models.CharField(_("kind of period"), max_length=10)

    class Meta:
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        ordering = ["start_date", "end_date"]

    def __str__(self) -> str:
        return self.code


class FigureKeys(models.Model):
    """Area, measure and owner of a series and of each of its figures (abstract).

    No database foreign keys and no index per key (ADR 0007): the unique indexes of the series
    lead with measure and owner; ``monitor.E001`` finds orphans set-wise.
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.PROTECT, db_index=False, db_constraint=False
    )
    measure = models.ForeignKey(
        Measure,
        verbose_name=_("measure"),
        on_delete=models.PROTECT,
        db_index=False,
        db_constraint=False,
    )
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        abstract = True


class Series(FigureKeys):
    """Every stored figure of one area × measure (× owner), in one row (ADR 0010).

    ``points`` is a JSON array of ``[period, value, status, import id]``, one per period, ordered
    by period: a national file of 3.7 million figures is some 20,000 rows. Only the import
    service writes series; everything else reads figures one by one through
    :class:`Observation`, a database view that unpacks them.
    """

    points = models.JSONField(_("figures"), default=list)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["measure", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "area"],
                condition=models.Q(owner__isnull=True),
                name="one_open_series",
            ),
            models.UniqueConstraint(
                fields=["owner", "measure", "area"],
                condition=models.Q(owner__isnull=False),
                name="one_own_series",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.measure_id}: {len(self.points)}"


class Observation(FigureKeys):
    """A value for area × measure × period, with its status and the vintage it came from.

    Read-only: a database view over :class:`Series` (one row per point; migration 0005 creates
    it per database). ``id`` is the series id × 100,000 plus the point's place in the series.
    """

    period = models.CharField(_("period"), max_length=20)
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    period_kind = models.CharField(_("kind of period"), max_length=10)
    value = models.FloatField(_("value"), null=True, blank=True)  # null: not published
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ObservationStatus.choices,
        default=ObservationStatus.ONBEKEND,
    )
    batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("import"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    objects = OwnerQuerySet["Observation"].as_manager()

    class Meta:
        managed = False
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        ordering = ["measure", "area", "period_start"]

    def __str__(self) -> str:
        return f"{self.area_id} {self.measure_id} {self.period}: {self.value}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        raise AppendOnlyError("observations are written by the import service (Series)")

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("observations are written by the import service (Series)")


class RevisionQuerySet(models.QuerySet["Revision"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("revisions cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("revisions cannot be removed")


class Revision(models.Model):
    """Append-only: a newer vintage changed a published value (or its status)."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import"), on_delete=models.PROTECT, related_name="revisions"
    )
    previous_batch = models.ForeignKey(
        ImportBatch,
        verbose_name=_("previous import"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT)
    measure = models.ForeignKey(Measure, verbose_name=_("measure"), on_delete=models.PROTECT)
    period = models.CharField(_("period"), max_length=20)
    owner = models.ForeignKey(
        Organisation,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    old_value = models.FloatField(_("old value"), null=True, blank=True)
    new_value = models.FloatField(_("new value"), null=True, blank=True)
    old_status = models.CharField(_("old status"), max_length=20)
    new_status = models.CharField(_("new status"), max_length=20)

    objects = RevisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        ordering = ["batch", "measure", "area", "period"]

    def __str__(self) -> str:
        return (
            f"{self.area_id} {self.measure_id} {self.period}: {self.old_value} → {self.new_value}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("revisions cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("revisions cannot be removed")
