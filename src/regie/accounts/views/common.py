"""Helpers shared by the accounts views."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from regie.accounts import audit_display, known_device, selectors, throttle
from regie.accounts.forms import AuditFilterForm
from regie.core.audit import client_address
from regie.core.models import AuditEntry


def purpose_members() -> str:
    """The purpose of showing users' names and addresses to beheer (the read log)."""
    return _("managing users and roles")


def purpose_audit() -> str:
    return _("checking the audit log")


def next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


def complete_login(request: HttpRequest, response: HttpResponse, user: Any) -> HttpResponse:
    """The login is complete (password and, where the account has one, the second factor):
    this browser and this client address become known to the account (ADR 0004)."""
    known_device.remember(request, response, user)
    throttle.remember_address(user, client_address(request))
    return response


def base_url(request: HttpRequest) -> str:
    """Scheme and host of this site, for links in mails."""
    return request.build_absolute_uri("/").rstrip("/")


#: Actions (groups of entries) per page of the audit log.
AUDIT_PAGE_SIZE = 25


def audit_page(
    request: HttpRequest,
    select: Callable[..., QuerySet[AuditEntry]],
    url_for: Callable[[AuditEntry], str],
    context: dict[str, Any],
) -> HttpResponse:
    """The audit log with its filters; ``select(**filters)`` gives the entries. The entries of
    one action (a request, a command) are one item, newest first, paged."""
    form = AuditFilterForm(request.GET or None)
    filters = selectors.audit_filters(form.cleaned_data if form.is_valid() else {})
    entries = select(**filters)
    page = Paginator(selectors.audit_groups(entries), AUDIT_PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    keys = [row["key"] for row in page.object_list]
    groups = audit_display.groups(
        keys,
        selectors.audit_group_rows(entries, keys, limit=audit_display.GROUP_LIST_LIMIT),
        url_for,
    )
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(
        request,
        "accounts/audit_log.html",
        {
            **context,
            "form": form,
            "filtered": form.is_valid() and any(form.cleaned_data.values()),
            "page": page,
            "groups": groups,
            "query": query.urlencode(),
        },
    )


def audit_entry_page(
    request: HttpRequest,
    entry: AuditEntry,
    context: dict[str, Any],
    *,
    visible: QuerySet[AuditEntry],
    url_for: Callable[[AuditEntry], str],
) -> HttpResponse:
    """One entry in words, its changes, and the other entries of the same action that this
    audience may see (``visible``)."""
    same_action: list[audit_display.Line] = []
    more = 0
    if entry.group is not None:
        others = visible.filter(group=entry.group).exclude(pk=entry.pk).order_by("timestamp", "id")
        more = max(0, others.count() - audit_display.GROUP_LIST_LIMIT)
        same_action = [
            audit_display.Line(e, audit_display.sentence(e), url_for(e))
            for e in others[: audit_display.GROUP_LIST_LIMIT]
        ]
    return render(
        request,
        "accounts/audit_entry.html",
        {
            **context,
            "entry": entry,
            "kind": audit_display.type_label(entry.object_type),
            "sentence": audit_display.sentence(entry),
            "changes": audit_display.changes(entry),
            "same_action": same_action,
            "same_action_more": more,
        },
    )
