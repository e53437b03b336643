"""The werkvoorraad: the signals a user may see, filtered, with saved filters. No personal data."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from regie.accounts.models import Role
from regie.accounts.permissions import org_view
from regie.cases import queue, selectors
from regie.cases.forms import QueueFilterForm, SaveFilterForm
from regie.cases.models import Category, Status, Team
from regie.core.errors import ServiceError
from regie.core.models import Organisation

#: Who has a werkvoorraad: gemeente staff by family grant, handhavers, ketenpartners.
QUEUE_ROLES = frozenset({Role.BEHEERDER, Role.ADVISEUR, Role.HANDHAVER, Role.KETENPARTNER})
NAV = "meldpunt"


def _role(request: HttpRequest) -> str | None:
    return getattr(request, "role", None)


def _queue_url(organisation: Organisation, query: str = "") -> str:
    url = reverse("cases:queue", kwargs={"org": organisation.slug})
    return f"{url}?{query}" if query else url


def _page_query(flt: queue.QueueFilter, page: int) -> str:
    params = flt.params()
    if page > 1:
        params.append(("pagina", str(page)))
    return urlencode(params)


def _status_links(
    organisation: Organisation, flt: queue.QueueFilter, counts: dict[str, int]
) -> list[dict[str, Any]]:
    links = []
    for value in Status.values:
        target = replace(flt, status="" if flt.status == value else value)
        links.append(
            {
                "value": value,
                "label": str(Status(value).label),
                "count": queue.count_label(counts[value]),
                "url": _queue_url(organisation, target.query()),
                "current": flt.status == value,
            }
        )
    return links


def _category_key(c: Category) -> tuple[int, str, int, int, str]:
    """Main categories in their order, each followed by its subcategories."""
    main = c.parent or c
    return (main.order, main.name, 0 if c.parent is None else 1, c.order, c.name)


def _filter_form(
    data: QueryDict, organisation: Organisation, choices: queue.Choices
) -> QueueFilterForm:
    categories = list(Category.objects.filter(pk__in=choices.categories).select_related("parent"))
    categories.sort(key=_category_key)
    teams = list(Team.objects.filter(pk__in=choices.teams).order_by("name"))
    form = QueueFilterForm(
        data if any(k in data for k in queue.PARAMS) else None,
        families=choices.families,
        categories=categories,
        teams=teams,
    )
    if form.is_bound:
        form.is_valid()
    return form


def _render(
    request: HttpRequest,
    organisation: Organisation,
    data: QueryDict,
    save_form: SaveFilterForm | None = None,
) -> HttpResponse:
    role = _role(request)
    visible = selectors.visible_signals(request.user, organisation, role)
    families = selectors.families_of(request.user, organisation, role)
    choices = queue.choices_for(organisation, families, visible)
    parsed = queue.parse(data, choices)
    flt = parsed.filter
    today = timezone.localdate()
    filtered = queue.apply(visible, flt, today=today)
    counts = queue.status_counts(queue.apply(visible, flt, today=today, with_status=False))
    paginator = queue.CappedPaginator(
        queue.ordered(queue.listing(filtered), flt.order), queue.PAGE_SIZE
    )
    page = paginator.get_page(data.get("pagina"))
    if save_form is None:
        save_form = SaveFilterForm(initial={"query": flt.query()})
    return render(
        request,
        "cases/queue.html",
        {
            "organisation": organisation,
            "nav": NAV,
            "form": _filter_form(data, organisation, choices),
            "filter": flt,
            "query": flt.query(),
            "page": page,
            "rows": queue.rows_of(
                page.object_list,
                today,
                with_hermelding=organisation.is_gemeente and role in selectors.FAMILY_ROLES,
            ),
            "status_links": _status_links(organisation, flt, counts),
            "total": sum(counts.values()),
            "saved": queue.saved_filters(request.user, organisation),
            "save_form": save_form,
            "clear_url": _queue_url(organisation),
            "previous_query": _page_query(flt, page.number - 1) if page.has_previous() else "",
            "next_query": _page_query(flt, page.number + 1) if page.has_next() else "",
            "is_partner": not organisation.is_gemeente,
            "invalid": parsed.invalid,
            "may_report": role
            in (
                {Role.BEHEERDER, Role.ADVISEUR, Role.HANDHAVER}
                if organisation.is_gemeente
                else {Role.KETENPARTNER}
            ),
            "may_setup": organisation.is_gemeente and role == Role.BEHEERDER,
        },
    )


@org_view(QUEUE_ROLES)
@require_GET
def werkvoorraad(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    return _render(request, organisation, request.GET)


@require_POST
@org_view(QUEUE_ROLES)
def save_filter(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    form = SaveFilterForm(request.POST)
    query = str(request.POST.get("query", ""))[: queue.MAX_QUERY * 2]
    if form.is_valid():
        role = _role(request)
        visible = selectors.visible_signals(request.user, organisation, role)
        families = selectors.families_of(request.user, organisation, role)
        flt = queue.parse(query, queue.choices_for(organisation, families, visible)).filter
        try:
            saved = queue.save_filter(
                request.user, organisation, name=form.cleaned_data["name"], query=flt.query()
            )
        except ServiceError as error:
            form.add_error("name", str(error))
        else:
            messages.success(
                request, _("The filter “%(name)s” has been saved.") % {"name": saved.name}
            )
            return redirect(_queue_url(organisation, saved.query))
    return _render(request, organisation, QueryDict(query), save_form=form)


@require_POST
@org_view(QUEUE_ROLES)
def delete_filter(request: HttpRequest, organisation: Organisation, pk: int) -> HttpResponse:
    saved = queue.own_filter(request.user, organisation, pk)
    if saved is None:
        raise Http404
    name = saved.name
    queue.delete_filter(saved)
    messages.success(request, _("The filter “%(name)s” has been deleted.") % {"name": name})
    return redirect(_queue_url(organisation))
