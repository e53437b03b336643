"""Optimistic concurrency for edit forms: refuse a save when the object changed meanwhile."""

from __future__ import annotations

import hashlib
import json

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from regie.core.audit import snapshot


def edit_token(obj: models.Model) -> str:
    """A fingerprint of the object's audited state, sent with an edit form."""
    data = json.dumps(snapshot(obj), sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()[:32]


class ConcurrencyFormMixin(forms.Form):
    """Adds a hidden ``edit_token``; fails validation when the object changed since loading."""

    edit_token = forms.CharField(widget=forms.HiddenInput, required=True)
    concurrency_object: models.Model | None = None

    def set_concurrency_object(self, obj: models.Model) -> None:
        self.concurrency_object = obj
        if not self.is_bound:
            self.initial["edit_token"] = edit_token(obj)

    def check_concurrency(self) -> None:
        obj = self.concurrency_object
        if obj is None or obj.pk is None:
            return
        fresh = type(obj)._default_manager.get(pk=obj.pk)
        if self.cleaned_data.get("edit_token") != edit_token(fresh):
            raise forms.ValidationError(
                _(
                    "Someone else changed this item after you opened it. Your input has been "
                    "kept; open the page again to see the new version and then enter your "
                    "change again."
                ),
                code="stale",
            )
