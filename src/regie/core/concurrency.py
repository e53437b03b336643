"""Optimistic concurrency: a save or delete over someone else's change is refused at the write.

Models that people edit in forms inherit :class:`Versioned`: a ``lock_version`` that every update
raises by one. An edit form carries the version it showed (:class:`ConcurrencyFormMixin`, hidden
``edit_token``); the service that writes calls :func:`claim` inside its transaction, which is a
conditional ``UPDATE … SET lock_version = v + 1 WHERE id = … AND lock_version = v``. Of two
simultaneous saves of one version exactly one matches a row; the other gets :class:`StaleEditError`
(PostgreSQL makes the second wait for the first's row lock and then re-reads the row; SQLite
serialises write transactions). Deletes claim the version the same way.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from regie.core.errors import ServiceError

#: The field name, excluded from audit snapshots (it changes with every update).
VERSION_FIELD = "lock_version"


def stale_message() -> str:
    return gettext(
        "Someone else changed this item after you opened it. Your input has been kept; open "
        "the page again to see the new version and then enter your change again."
    )


class StaleEditError(ServiceError):
    """The object changed (or was deleted) since the form showing it was loaded."""

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or stale_message())


class Versioned(models.Model):
    """An edited model with an optimistic-lock version (raised by every update)."""

    lock_version = models.PositiveIntegerField(_("version"), default=0, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        update_fields = kwargs.get("update_fields")
        if (
            self._state.adding
            or self.pk is None
            or (update_fields is not None and not update_fields)
        ):
            super().save(*args, **kwargs)  # an insert (or Django's no-op save)
            return
        if update_fields is not None and VERSION_FIELD not in update_fields:
            kwargs["update_fields"] = [*update_fields, VERSION_FIELD]
        if getattr(self, "_version_claimed", False):
            self._version_claimed = False  # claim() already raised it in the database
            super().save(*args, **kwargs)
            return
        # An update nobody claimed still raises the stored version (not this copy's, which may
        # be stale), so that a form opened before it is refused.
        seen = self.lock_version
        self.lock_version = models.F(VERSION_FIELD) + 1
        try:
            super().save(*args, **kwargs)
        except BaseException:
            self.lock_version = seen
            raise
        self.refresh_from_db(fields=[VERSION_FIELD])


def _expected(token: Any) -> int:
    try:
        return int(str(token).strip())
    except (TypeError, ValueError):
        raise StaleEditError from None


def claim(obj: Versioned, token: Any) -> None:
    """Take ``obj`` for a write when its stored version is still ``token``; else StaleEditError.

    Call inside the transaction that then saves or deletes ``obj`` (services are atomic).
    """
    expected = _expected(token)
    updated = (
        type(obj)
        ._default_manager.filter(pk=obj.pk, lock_version=expected)
        .update(lock_version=expected + 1)
    )
    if updated != 1:
        raise StaleEditError
    obj.lock_version = expected + 1
    obj._version_claimed = True


def claim_related(obj: Versioned, token: Any) -> None:
    """Claim ``obj`` for a write that changes what belongs to it, not ``obj`` itself (a choice
    among its children, a new entry in its history, a copy of it): the version is raised as by
    :func:`claim`, and ``obj`` need not be saved."""
    claim(obj, token)
    obj._version_claimed = False


def edit_token(obj: models.Model) -> str:
    """The version an edit form sends back with its input."""
    return str(getattr(obj, VERSION_FIELD, 0))


class ConcurrencyFormMixin(forms.Form):
    """Adds the hidden ``edit_token`` (the object's version) and checks it early.

    The early check gives the form a friendly error; the service's :func:`claim` at the write is
    what makes it hold when two saves arrive at once.
    """

    # Not required: a missing token is refused below with the stale message, which says what to
    # do (the error of a required hidden field would show nowhere).
    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)
    concurrency_object: models.Model | None = None

    def set_concurrency_object(self, obj: models.Model) -> None:
        self.concurrency_object = obj
        if not self.is_bound:
            self.initial["edit_token"] = edit_token(obj)

    def check_concurrency(self) -> None:
        obj = self.concurrency_object
        if obj is None or obj.pk is None:
            return
        fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
        seen = self.cleaned_data.get("edit_token")
        if fresh is None or not seen or seen != edit_token(fresh):
            raise forms.ValidationError(stale_message(), code="stale")

    @property
    def token(self) -> str:
        """The version the user saw (for the service's :func:`claim`)."""
        return str(self.cleaned_data.get("edit_token", ""))


class CheckedForm(ConcurrencyFormMixin):
    """A form that checks the version when it has one: an edit form. A create form (no stored
    object, :func:`without_token`) has none to check."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "edit_token" in self.fields:
            self.check_concurrency()
        return cleaned


def without_token(form: forms.Form) -> forms.Form:
    """A create form: there is no stored object whose changes the token would detect."""
    form.fields.pop("edit_token", None)
    return form


class VersionForm(ConcurrencyFormMixin):
    """Only the version the page showed, for a confirmation (delete, new version): the service
    refuses it when the item changed meanwhile."""
