"""Users and their role per organisation."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.core.models import Organisation


class Role(models.TextChoices):
    BEHEERDER = "beheerder", _("Beheerder")
    ADVISEUR = "adviseur", _("Adviseur (OOV)")
    RAADPLEGER = "raadpleger", _("Raadpleger")
    HANDHAVER = "handhaver", _("Handhaver")
    KETENPARTNER = "ketenpartner", _("Ketenpartner")


class User(AbstractUser):
    """A person who logs in. Roles are per organisation (:class:`Membership`)."""

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        full = self.get_full_name()
        return full or self.username


class Membership(models.Model):
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
