"""Areas with CBS codes and their population on 1 January. Open data: visible to every user."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    NL = "nl", _("Netherlands")
    PROVINCIE = "provincie", _("Province")
    POLITIE_EENHEID = "politie_eenheid", _("Politie-eenheid")
    VEILIGHEIDSREGIO = "veiligheidsregio", _("Veiligheidsregio")
    GEMEENTE = "gemeente", _("Gemeente")
    WIJK = "wijk", _("Wijk")
    BUURT = "buurt", _("Buurt")


class Area(models.Model):
    """A CBS area: NL01, PV28, RE07, VR17, GM0556, WK055601, BU05560101 (codes trimmed)."""

    code = models.CharField(_("CBS code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=AreaLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    politie_eenheid = models.ForeignKey(
        "self",
        verbose_name=_("politie-eenheid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gemeenten_in_eenheid",
        limit_choices_to={"level": AreaLevel.POLITIE_EENHEID},
    )
    veiligheidsregio = models.ForeignKey(
        "self",
        verbose_name=_("veiligheidsregio"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="gemeenten_in_regio",
        limit_choices_to={"level": AreaLevel.VEILIGHEIDSREGIO},
    )
    active = models.BooleanField(
        _("still exists"),
        default=True,
        help_text=_(
            "Off for gemeenten that have merged into another gemeente and for wijken and "
            "buurten that are not in the newest buurtindeling."
        ),
    )
    valid_from = models.DateField(
        _("valid from"),
        null=True,
        blank=True,
        help_text=_("First day of a gemeente (empty: existed before 1970 or not recorded)."),
    )
    valid_to = models.DateField(
        _("valid until"),
        null=True,
        blank=True,
        help_text=_(
            "Date of the herindeling that ended a gemeente (exclusive: it existed up to the "
            "day before). Empty while it exists."
        ),
    )
    successors = models.ManyToManyField(
        "self",
        verbose_name=_("successors"),
        symmetrical=False,
        blank=True,
        related_name="predecessors",
        help_text=_("The gemeente(n) a former gemeente went into (several for a split)."),
    )
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Population(models.Model):
    """Number of inhabitants of an area on 1 January of ``year`` (the denominator of CBS rates)."""

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="populations"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.PositiveIntegerField(_("inhabitants on 1 January"))
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("population")
        verbose_name_plural = _("population")
        ordering = ["area__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year"], name="one_population_per_area_year")
        ]

    def __str__(self) -> str:
        return f"{self.area.code} {self.year}: {self.value}"


class AreaName(models.Model):
    """The name an area had in the CBS indeling of ``year`` (buurtindeling for wijken/buurten).

    ``year`` is None for another known spelling that is not tied to a year (e.g. the RvIG
    spelling of a former gemeente, "Friesland" for Fryslân). One row per (area, year) with a
    year; the area's ``name`` is its name in the newest indeling.
    """

    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="names"
    )
    year = models.PositiveSmallIntegerField(_("indeling year"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("area name")
        verbose_name_plural = _("area names")
        ordering = ["area__code", "year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["area", "year", "name"], name="one_name_per_area_year")
        ]

    def __str__(self) -> str:
        return f"{self.area.code} {self.year or '-'}: {self.name}"
