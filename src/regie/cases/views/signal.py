"""The signal page and its handling: purpose first, every showing logged, writes POST-only
through the handling services.

A signal is looked up only through :func:`regie.cases.selectors.signal_for` (404 when the user
may not see it). Personal data is shown only after the user gave a purpose for this signal in
this session (:mod:`regie.cases.reads`); every showing writes a read-log entry naming the fields
it showed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms as django_forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from regie.accounts.models import Role, User
from regie.accounts.permissions import org_view
from regie.cases import queue, reads, selectors, services
from regie.cases.forms import CorrectForm, HoldForm, PurposeForm, ShareForm, StatusForm, field_label
from regie.cases.models import (
    Attachment,
    Dimension,
    Outcome,
    Signal,
    SignalEvent,
    SignalShare,
    Status,
    Subject,
    SubjectKind,
    SubjectRole,
)
from regie.cases.services.handling import NEXT
from regie.cases.views.queue import NAV, QUEUE_ROLES
from regie.core import formats
from regie.core.errors import ServiceError
from regie.core.models import Organisation, OrganisationKind
from regie.privacy import normalise
from regie.privacy import services as privacy
from regie.privacy.models import ProcessingActivity

#: Who reads a signal they may see (selectors decides which).
VIEW_ROLES = QUEUE_ROLES
#: Who handles it: gemeente staff with the signal's family (handhaver, ketenpartner read only).
EDIT_ROLES = selectors.FAMILY_ROLES


# --- what the page shows (no writes) -----------------------------------------------------------

#: The identifier kinds of the blind indexes (:mod:`regie.cases.keys`), in the page's order.
KINDS = ("person", "bsn", "address", "bag", "kvk", "kenteken", "phone", "email")

#: The fields of a subject the page shows (when filled), in this order.
SUBJECT_FIELDS = (
    "surname",
    "tussenvoegsel",
    "first_names",
    "birth_date",
    "bsn",
    "organisation_name",
    "kvk",
    "street",
    "house_number",
    "addition",
    "postcode",
    "city",
    "bag_id",
    "kenteken",
    "phone",
    "email",
)


def kind_label(kind: str) -> str:
    labels = {
        "person": _("Person"),
        "bsn": _("BSN"),
        "address": _("Address"),
        "bag": _("Address (BAG)"),
        "kvk": _("Organisation (KvK)"),
        "kenteken": _("Vehicle (licence plate)"),
        "phone": _("Telephone"),
        "email": _("E-mail"),
    }
    return labels.get(kind, kind)


def _choice(enum: Any, value: str) -> str:
    return str(enum(value).label) if value in enum.values else value


def _postcode(value: str) -> str:
    """A postcode as written in the Netherlands ("3141 AB"); anything else as it is."""
    found = normalise.postcode(value)
    return f"{found[:4]} {found[4:]}" if found else value


def _text(value: Any) -> str:
    if isinstance(value, dt.date):
        return formats.date(value)
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Line:
    label: str
    value: str


@dataclass(frozen=True)
class SubjectView:
    subject: Subject
    kind: str
    role: str
    lines: list[Line]


@dataclass(frozen=True)
class HitView:
    kind: str
    label: str
    count: int


@dataclass(frozen=True)
class EventView:
    event: SignalEvent
    what: str
    change: str


@dataclass
class Page:
    """What the signal page shows, and the personal fields among it (for the read log)."""

    subjects: list[SubjectView]
    attachments: list[Attachment]
    hits: list[HitView]
    events: list[EventView]
    shares: list[SignalShare]
    contact: list[Line]
    contact_state: str
    location: list[Line]
    fields: list[str] = field(default_factory=list)
    #: Hermeldingen are for gemeente staff entitled by family only (never partners, handhavers).
    show_hits: bool = True


def _subject_view(subject: Subject) -> SubjectView:
    lines = []
    for name in SUBJECT_FIELDS:
        value = _text(getattr(subject, name))
        if name == "postcode":
            value = _postcode(value)
        if value:
            lines.append(Line(field_label(Subject, name), value))
    return SubjectView(
        subject, _choice(SubjectKind, subject.kind), _choice(SubjectRole, subject.role), lines
    )


def _location(signal: Signal) -> list[Line]:
    street = " ".join(p for p in (signal.street, signal.house_number, signal.addition) if p)
    place = " ".join(p for p in (_postcode(signal.postcode), signal.city) if p)
    lines = [
        Line(_("Address"), street),
        Line(_("Postcode and place"), place),
        Line(_("BAG id"), signal.bag_id or ""),
        Line(_("Wijk"), signal.wijk.name if signal.wijk else ""),
        Line(_("Buurt"), signal.buurt.name if signal.buurt else ""),
    ]
    return [line for line in lines if line.value]


def _event_change(event: SignalEvent) -> str:
    old, new = event.old, event.new
    dim = event.dimension
    if dim == Dimension.STATUS:
        old, new = _choice(Status, old), _choice(Status, new)
    elif dim == Dimension.OUTCOME:
        old, new = _choice(Outcome, old), _choice(Outcome, new)
    elif dim == Dimension.SHARING:
        if new:
            return _("shared with %(who)s") % {"who": new}
        return _("sharing with %(who)s revoked") % {"who": old}
    elif dim == Dimension.LEGAL_HOLD:
        return _("on") if new == "true" else _("off")
    elif dim == Dimension.REPORTER:
        return _("the reporter's contact details were removed")
    elif dim == Dimension.CORRECTION:
        label = field_label(Subject, event.field) if event.field else ""
        old, new = event.old_value or "–", event.new_value or "–"
        if event.field == "birth_date":
            old, new = (_dutch_date(v) for v in (old, new))
        return _("%(field)s: %(old)s → %(new)s") % {"field": label, "old": old, "new": new}
    return f"{old} → {new}" if old else new


def _events(signal: Signal) -> list[EventView]:
    rows = SignalEvent.objects.filter(signal=signal).order_by("at", "pk")
    return [EventView(e, _choice(Dimension, e.dimension), _event_change(e)) for e in rows]


def _contact(signal: Signal, may_see: bool) -> tuple[str, list[Line]]:
    """How the reporter's contact details show: removed (retention), masked (no grant: not even
    whether there are any), none, or shown."""
    if signal.reporter_anonymised_at:
        return "removed", []
    if not may_see:
        return "masked", []
    values = [
        Line(field_label(Signal, name), getattr(signal, name) or "")
        for name in reads.REPORTER_FIELDS
    ]
    if not any(line.value for line in values):
        return "none", []
    return "shown", values


def _dutch_date(value: str) -> str:
    """An ISO date of the history as dd-mm-jjjj (anything else as it is)."""
    try:
        return formats.date(dt.date.fromisoformat(value))
    except ValueError:
        return value


def page_of(signal: Signal, *, may_see_contact: bool, may_see_hits: bool = True) -> Page:
    kinds = list(SubjectKind.values)
    rows = sorted(signal.subjects.all(), key=lambda s: (_index(kinds, s.kind), s.pk))
    subjects = [_subject_view(s) for s in rows]
    attachments = list(Attachment.objects.filter(signal=signal).defer("content").order_by("pk"))
    hits = (
        [
            HitView(h.kind, kind_label(h.kind), h.count)
            for h in sorted(selectors.hermeldingen(signal), key=lambda h: _kind_order(h.kind))
        ]
        if may_see_hits
        else []
    )
    state, contact = _contact(signal, may_see_contact)
    shown = Page(
        subjects=subjects,
        attachments=attachments,
        hits=hits,
        show_hits=may_see_hits,
        events=_events(signal),
        shares=list(
            signal.shares.filter(revoked_at__isnull=True).select_related("organisation", "user")
        ),
        contact=contact,
        contact_state=state,
        location=_location(signal),
    )
    shown.fields = _fields(signal, shown)
    return shown


def _index(values: list[str] | tuple[str, ...], value: str) -> int:
    return values.index(value) if value in values else len(values)


def _kind_order(kind: str) -> int:
    return _index(KINDS, kind)


def _fields(signal: Signal, shown: Page) -> list[str]:
    """The personal fields the page shows (the read log's ``fields``)."""
    present = {
        "description": bool(signal.description),
        "location": bool(shown.location),
        "subjects": bool(shown.subjects),
        "attachments": bool(shown.attachments),
        "history": True,
        "outcome_reason": bool(signal.outcome_reason),
        "legal_hold_reason": bool(signal.legal_hold_reason),
        "hermeldingen": bool(shown.hits),
    }
    names = [name for name, shows in present.items() if shows]
    names += [
        name
        for name in reads.REPORTER_FIELDS
        if shown.contact_state == "shown" and getattr(signal, name)
    ]
    return names


@dataclass(frozen=True)
class Matches:
    """The other signals sharing one identifier kind: the visible ones, and a count of the rest."""

    visible: list[Signal]
    hidden: int
    total: int


def matches_of(signal: Signal, kind: str, *, visible: QuerySet[Signal]) -> Matches:
    hit = next((h for h in selectors.hermeldingen(signal) if h.kind == kind), None)
    references = list(hit.references) if hit else []
    shown = list(
        visible.filter(reference__in=references)
        .select_related("category", "category__parent")
        .order_by("-received_at", "-pk")
    )
    return Matches(visible=shown, hidden=len(references) - len(shown), total=len(references))


# --- lookups ------------------------------------------------------------------------------------


def _signal(request: HttpRequest, organisation: Organisation, ref: str) -> Signal:
    role = getattr(request, "role", None)
    signal = selectors.signal_for(request.user, organisation, role, ref)
    if signal is None:
        raise Http404(_("There is no such signal, or you may not see it."))
    return signal


def _detail_url(organisation: Organisation, signal: Signal) -> str:
    return reverse("cases:detail", kwargs={"org": organisation.slug, "ref": signal.reference})


def _to_detail(organisation: Organisation, signal: Signal) -> HttpResponse:
    return redirect(_detail_url(organisation, signal))


def _ask_purpose(request: HttpRequest, organisation: Organisation, signal: Signal) -> HttpResponse:
    url = reverse("cases:purpose", kwargs={"org": organisation.slug, "ref": signal.reference})
    target = (
        request.get_full_path() if request.method == "GET" else _detail_url(organisation, signal)
    )
    return redirect(f"{url}?{urlencode({'next': target})}")


def _reader(request: HttpRequest, organisation: Organisation) -> privacy.Reader:
    return privacy.reader_for(request, organisation.name)


def _label(request: HttpRequest) -> str:
    return str(request.user.get_username())


def _safe_next(request: HttpRequest, target: str) -> str | None:
    """``target`` when it is a path of this site (never another host or scheme)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ch.isspace() or not ch.isprintable() for ch in target):
        return None
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else None


# --- the purpose ---------------------------------------------------------------------------------


@org_view(VIEW_ROLES)
@require_http_methods(["GET", "POST"])
def purpose(request: HttpRequest, organisation: Organisation, ref: str) -> HttpResponse:
    signal = _signal(request, organisation, ref)
    activities = privacy.activities(signal.organisation)
    current = reads.purpose_of(request, signal)
    initial = {"next": request.GET.get("next", ""), "activity": current.code if current else ""}
    form = PurposeForm(request.POST or None, activities=activities, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            chosen = privacy.activity(signal.organisation, form.cleaned_data["activity"])
        except ServiceError as error:
            form.add_error("activity", str(error))
        else:
            reads.remember(request, signal, chosen)
            target = _safe_next(request, str(form.cleaned_data.get("next") or ""))
            return redirect(target or _detail_url(organisation, signal))
    return render(
        request,
        "cases/purpose.html",
        {"organisation": organisation, "signal": signal, "form": form, "nav": NAV},
    )


# --- the page -----------------------------------------------------------------------------------


def _partners() -> QuerySet[Organisation]:
    return Organisation.objects.filter(is_active=True).exclude(kind=OrganisationKind.GEMEENTE)


def _handhavers(signal: Signal) -> QuerySet[User]:
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation_id=signal.organisation_id,
            memberships__role=Role.HANDHAVER,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def _forms(signal: Signal, bound: dict[str, Any]) -> dict[str, Any]:
    """The handling forms of the page, a bound one (with its errors) where given."""
    status_form = bound.get("status_form")
    if status_form is None:
        status_form = StatusForm(next_statuses=NEXT.get(signal.status, ()))
        status_form.set_concurrency_object(signal)
    correct_forms = {s.pk: CorrectForm(prefix=f"s{s.pk}") for s in signal.subjects.all()}
    correct_forms.update(bound.get("correct_forms", {}))
    return {
        "status_form": status_form,
        "share_form": bound.get("share_form")
        or ShareForm(organisations=_partners(), users=_handhavers(signal)),
        "hold_form": bound.get("hold_form")
        or HoldForm(initial={"on": "0" if signal.legal_hold else "1"}),
        "correct_forms": correct_forms,
    }


def _only_own_sharing(page: Page, user: Any, organisation: Organisation) -> None:
    """A partner or handhaver sees that the signal was shared with them, never with whom else
    (another recipient, a zorgpartner say, would itself tell something about the person)."""
    page.shares = [
        s
        for s in page.shares
        if (s.organisation_id == organisation.pk and not organisation.is_gemeente)
        or (s.user_id is not None and s.user_id == user.pk)
    ]
    page.events = [e for e in page.events if e.event.dimension != Dimension.SHARING]


def _show(
    request: HttpRequest,
    organisation: Organisation,
    signal: Signal,
    bound: dict[str, Any] | None = None,
) -> HttpResponse:
    """The signal page (with a form's errors): a purpose first, then logged and shown."""
    activity = reads.purpose_of(request, signal)
    if activity is None:
        return _ask_purpose(request, organisation, signal)
    role = getattr(request, "role", None)
    page = page_of(
        signal,
        may_see_contact=selectors.may_see_contact(request.user, organisation, role),
        may_see_hits=organisation.is_gemeente and role in selectors.FAMILY_ROLES,
    )
    if not (organisation.is_gemeente and role in selectors.FAMILY_ROLES):
        _only_own_sharing(page, request.user, organisation)
    reads.log_signal_read(
        reader=_reader(request, organisation),
        signal=signal,
        activity=activity,
        surface="page",
        operation="signal.detail",
        fields=page.fields,
    )
    can_edit = role in EDIT_ROLES
    return render(
        request,
        "cases/signal.html",
        {
            "organisation": organisation,
            "nav": NAV,
            "signal": signal,
            "page": page,
            "activity": activity,
            "can_edit": can_edit,
            "overdue_days": queue.overdue_days(signal, timezone.localdate()),
            "is_partner": not organisation.is_gemeente,
            "purpose_url": reverse(
                "cases:purpose", kwargs={"org": organisation.slug, "ref": signal.reference}
            ),
            **(_forms(signal, bound or {}) if can_edit else {}),
        },
    )


@org_view(VIEW_ROLES)
@require_http_methods(["GET"])
def detail(request: HttpRequest, organisation: Organisation, ref: str) -> HttpResponse:
    return _show(request, organisation, _signal(request, organisation, ref))


# --- handling (POST only) ----------------------------------------------------------------------


def _write(form: django_forms.Form, write: Callable[[], Any]) -> bool:
    """Run a service; its refusal becomes the form's error (the input is kept)."""
    try:
        write()
    except ServiceError as error:
        form.add_error(None, str(error))
        return False
    return True


@require_POST
@org_view(EDIT_ROLES)
def status(request: HttpRequest, organisation: Organisation, ref: str) -> HttpResponse:
    signal = _signal(request, organisation, ref)
    form = StatusForm(request.POST, next_statuses=NEXT.get(signal.status, ()))
    form.concurrency_object = signal
    if form.is_valid() and _write(
        form,
        lambda: services.change_status(
            signal,
            status=form.cleaned_data["status"],
            outcome=form.cleaned_data.get("outcome") or "",
            reason=form.cleaned_data.get("reason") or "",
            by=request.user,
            label=_label(request),
            token=form.token,
        ),
    ):
        messages.success(request, _("The status of the signal has been changed."))
        return _to_detail(organisation, signal)
    return _show(request, organisation, signal, {"status_form": form})


@require_POST
@org_view(EDIT_ROLES)
def share(request: HttpRequest, organisation: Organisation, ref: str) -> HttpResponse:
    signal = _signal(request, organisation, ref)
    form = ShareForm(request.POST, organisations=_partners(), users=_handhavers(signal))
    if form.is_valid() and _write(
        form,
        lambda: services.share(
            signal,
            organisation=form.cleaned_data.get("organisation"),
            user=form.cleaned_data.get("user"),
            by=request.user,
            label=_label(request),
        ),
    ):
        messages.success(request, _("The signal has been shared."))
        return _to_detail(organisation, signal)
    return _show(request, organisation, signal, {"share_form": form})


@require_POST
@org_view(EDIT_ROLES)
def revoke(request: HttpRequest, organisation: Organisation, ref: str, pk: int) -> HttpResponse:
    signal = _signal(request, organisation, ref)
    row = SignalShare.objects.filter(signal=signal, pk=pk).select_related("signal").first()
    if row is None:
        raise Http404
    services.revoke_share(row, by=request.user, label=_label(request))
    messages.success(request, _("The sharing has been revoked."))
    return _to_detail(organisation, signal)


@require_POST
@org_view(EDIT_ROLES)
def legal_hold(request: HttpRequest, organisation: Organisation, ref: str) -> HttpResponse:
    signal = _signal(request, organisation, ref)
    form = HoldForm(request.POST)
    if form.is_valid() and _write(
        form,
        lambda: services.set_legal_hold(
            signal,
            on=form.cleaned_data["on"],
            reason=form.cleaned_data.get("reason") or "",
            by=request.user,
            label=_label(request),
        ),
    ):
        if form.cleaned_data["on"]:
            messages.success(request, _("The legal hold is on: retention skips this signal."))
        else:
            messages.success(request, _("The legal hold has been lifted."))
        return _to_detail(organisation, signal)
    return _show(request, organisation, signal, {"hold_form": form})


@require_POST
@org_view(EDIT_ROLES)
def correct(
    request: HttpRequest, organisation: Organisation, ref: str, subject: int
) -> HttpResponse:
    signal = _signal(request, organisation, ref)
    item = signal.subjects.filter(pk=subject).first()
    if item is None:
        raise Http404
    form = CorrectForm(request.POST, prefix=f"s{item.pk}")
    if form.is_valid() and _write(
        form,
        lambda: services.correct_subject(
            item,
            field=form.cleaned_data["field"],
            value=form.cleaned_data.get("value"),
            reason=form.cleaned_data["reason"],
            by=request.user,
            label=_label(request),
        ),
    ):
        messages.success(
            request, _("The correction has been saved; the old value is kept in the history.")
        )
        return _to_detail(organisation, signal)
    return _show(request, organisation, signal, {"correct_forms": {item.pk: form}})


# --- attachment and hermeldingen ----------------------------------------------------------------

_UNSAFE = re.compile(r"[^\w.\- ]+")


def safe_filename(name: str, fallback: str) -> str:
    """A file name without path, control or quoting characters; ``fallback`` when none is left."""
    base = unicodedata.normalize("NFKC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" ._")[:120]
    return cleaned or fallback


def _activity_or_redirect(
    request: HttpRequest, organisation: Organisation, signal: Signal
) -> ProcessingActivity | HttpResponse:
    activity = reads.purpose_of(request, signal)
    return _ask_purpose(request, organisation, signal) if activity is None else activity


@org_view(VIEW_ROLES)
@require_http_methods(["GET"])
def attachment(request: HttpRequest, organisation: Organisation, ref: str, pk: int) -> HttpResponse:
    signal = _signal(request, organisation, ref)
    item = Attachment.objects.filter(signal=signal, pk=pk).first()
    if item is None:
        raise Http404
    activity = _activity_or_redirect(request, organisation, signal)
    if isinstance(activity, HttpResponse):
        return activity
    reads.log_signal_read(
        reader=_reader(request, organisation),
        signal=signal,
        activity=activity,
        surface="page",
        operation="signal.attachment",
        fields=["attachments"],
    )
    response = HttpResponse(bytes(item.content or b""), content_type=item.content_type)
    filename = safe_filename(str(item.name or ""), f"bijlage-{item.pk}")
    response["Content-Disposition"] = (
        content_disposition_header(True, filename) or f'attachment; filename="{filename}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response


@org_view(VIEW_ROLES)
@require_http_methods(["GET"])
def matches(request: HttpRequest, organisation: Organisation, ref: str, kind: str) -> HttpResponse:
    if kind not in KINDS:
        raise Http404
    role = getattr(request, "role", None)
    if not organisation.is_gemeente or role not in selectors.FAMILY_ROLES:
        raise Http404  # hermeldingen are for gemeente staff entitled by family only
    signal = _signal(request, organisation, ref)
    activity = _activity_or_redirect(request, organisation, signal)
    if isinstance(activity, HttpResponse):
        return activity
    found = matches_of(
        signal, kind, visible=selectors.visible_signals(request.user, organisation, role)
    )
    reads.log_signal_read(
        reader=_reader(request, organisation),
        signal=signal,
        activity=activity,
        surface="page",
        operation="signal.matches",
        fields=[f"hermeldingen:{kind}"],
    )
    return render(
        request,
        "cases/signal_matches.html",
        {
            "organisation": organisation,
            "nav": NAV,
            "signal": signal,
            "kind": kind,
            "kind_label": kind_label(kind),
            "found": found,
            "activity": activity,
        },
    )
