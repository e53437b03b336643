"""The forms of the werkvoorraad and the signal page: filters, saved filters, the purpose of a
read, and the handling of a signal (status, sharing, legal hold, correction)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from regie.accounts.models import User
from regie.cases import queue
from regie.cases.models import Category, Channel, Family, Outcome, Status, Subject, Team
from regie.cases.services.handling import CORRECTABLE, MAX_REASON
from regie.core.concurrency import VersionForm
from regie.core.models import Organisation
from regie.privacy import normalise
from regie.privacy.models import ProcessingActivity

_RADIO = "utrecht-radio-button utrecht-radio-button--html-input"
_ALL = ("", gettext_lazy("All"))


def _labelled(values: Iterable[str], labels: Any) -> list[tuple[str, str]]:
    return [(v, str(labels(v).label)) for v in values]


class QueueFilterForm(forms.Form):
    """The werkvoorraad's filters (GET); the names are those of the query string."""

    zoek = forms.CharField(
        label=gettext_lazy("Reference"), required=False, max_length=queue.MAX_REFERENCE
    )
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    familie = forms.ChoiceField(label=gettext_lazy("Family"), required=False)
    categorie = forms.ChoiceField(label=gettext_lazy("Category"), required=False)
    team = forms.ChoiceField(label=gettext_lazy("Team"), required=False)
    kanaal = forms.ChoiceField(label=gettext_lazy("Channel"), required=False)
    van = forms.CharField(
        label=gettext_lazy("Received from"),
        required=False,
        help_text=gettext_lazy("dd-mm-jjjj"),
        max_length=10,
    )
    tot = forms.CharField(
        label=gettext_lazy("Received up to"),
        required=False,
        help_text=gettext_lazy("dd-mm-jjjj"),
        max_length=10,
    )
    te_laat = forms.BooleanField(label=gettext_lazy("Only overdue signals"), required=False)
    volgorde = forms.ChoiceField(
        label=gettext_lazy("Order"),
        required=False,
        choices=[
            (queue.ORDER_NEWEST, gettext_lazy("Newest first")),
            (queue.ORDER_DEADLINE, gettext_lazy("By deadline")),
        ],
    )

    def __init__(
        self,
        *args: Any,
        families: Iterable[str],
        categories: Sequence[Category],
        teams: Sequence[Team],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["status"].choices = [_ALL, *_labelled(Status.values, Status)]
        fields["kanaal"].choices = [_ALL, *_labelled(Channel.values, Channel)]
        fields["categorie"].choices = [_ALL, *((str(c.pk), str(c)) for c in categories)]
        fields["team"].choices = [_ALL, *((str(t.pk), t.name) for t in teams)]
        mine = [f for f in Family.values if f in set(families)]
        fields["familie"].choices = [_ALL, *_labelled(mine, Family)]
        if len(mine) < 2:
            del fields["familie"]
        if not teams:
            del fields["team"]

    def _day(self, name: str) -> str:
        text = str(self.cleaned_data.get(name) or "").strip()
        if text and queue.parse_date(text) is None:
            raise forms.ValidationError(_("Enter a date as dd-mm-jjjj."), code="date")
        return text

    def clean_van(self) -> str:
        return self._day("van")

    def clean_tot(self) -> str:
        return self._day("tot")


class SaveFilterForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the filter"), max_length=queue.MAX_NAME)
    query = forms.CharField(widget=forms.HiddenInput, required=False, max_length=queue.MAX_QUERY)


class PurposeForm(forms.Form):
    """Why the user opens the signal: one of the gemeente's processing activities."""

    activity = forms.ChoiceField(
        label=gettext_lazy("Purpose"), widget=forms.RadioSelect(attrs={"class": _RADIO})
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=2000)

    def __init__(self, *args: Any, activities: Sequence[ProcessingActivity], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.activities = list(activities)
        field: Any = self.fields["activity"]
        field.choices = [(a.code, a.name) for a in self.activities]

    def options(self) -> list[tuple[Any, ProcessingActivity]]:
        """Each radio button with its processing activity (name and purpose)."""
        return list(zip(self["activity"], self.activities, strict=False))


class StatusForm(VersionForm):
    """The next status; closing needs an outcome and a reason (the service checks)."""

    status = forms.ChoiceField(label=gettext_lazy("New status"))
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        required=False,
        help_text=gettext_lazy("Needed when the signal is closed."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Needed when the signal is closed."),
    )

    def __init__(self, *args: Any, next_statuses: Sequence[str], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_status_%s")
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["status"].choices = _labelled(next_statuses, Status)
        fields["outcome"].choices = [("", "–"), *_labelled(Outcome.values, Outcome)]


class _UserChoice(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


class ShareForm(forms.Form):
    """A partner organisation, or one handhaver of the gemeente."""

    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Partner organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="–",
    )
    user = _UserChoice(
        label=gettext_lazy("Or a handhaver of the gemeente"),
        queryset=User.objects.none(),
        required=False,
        empty_label="–",
    )

    def __init__(
        self,
        *args: Any,
        organisations: QuerySet[Organisation],
        users: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("auto_id", "id_share_%s")
        super().__init__(*args, **kwargs)
        fields: dict[str, Any] = self.fields
        fields["organisation"].queryset = organisations
        fields["user"].queryset = users


class HoldForm(forms.Form):
    """Put or lift the legal hold (``on``), with the reason."""

    on = forms.TypedChoiceField(
        choices=[("1", "1"), ("0", "0")],
        coerce=lambda v: v == "1",
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_hold_%s")
        super().__init__(*args, **kwargs)


def field_label(model: Any, name: str) -> str:
    """The (translated) label of a model field."""
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def correctable_label(name: str) -> str:
    return field_label(Subject, name)


class CorrectForm(forms.Form):
    """One field of one subject, its new value and the reason (AVG art. 16)."""

    field = forms.ChoiceField(label=gettext_lazy("Field"))
    value = forms.CharField(
        label=gettext_lazy("New value"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Dates as dd-mm-jjjj. Leave empty to remove the value."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["field"]
        field.choices = [(name, correctable_label(name)) for name in CORRECTABLE]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("field") == "birth_date":
            cleaned["value"] = self._birth_date(str(cleaned.get("value") or ""))
        return cleaned

    def _birth_date(self, text: str) -> dt.date | None:
        if not text.strip():
            return None
        day = normalise.birth_date(text)
        if day is None:
            self.add_error("value", _("Enter a date of birth as dd-mm-jjjj."))
        return day
