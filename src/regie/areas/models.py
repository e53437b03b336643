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
        help_text=_("Off for gemeenten that have merged into another gemeente."),
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
