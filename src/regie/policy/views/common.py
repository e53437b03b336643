"""What the Beleid pages share: the plan of the URL's organisation, the page context, and
turning a service's refusal into a form error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms as django_forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _

from regie.accounts.permissions import EDITOR_ROLES
from regie.core.concurrency import ConcurrencyFormMixin
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.policy import services
from regie.policy.models import (
    Plan,
)

# --- lookups ------------------------------------------------------------------------------------

_T = TypeVar("_T")


def plan_in(organisation: Organisation, plan_id: int) -> Plan:
    """The plan ``plan_id`` of ``organisation``; 404 for another organisation's plan."""
    return get_object_or_404(
        Plan.objects.select_related("organisation", "predecessor"),
        pk=plan_id,
        organisation=organisation,
    )


def can_edit(request: HttpRequest, plan: Plan | None = None) -> bool:
    """May the user change this plan now (an editor role, and the plan is not adopted)?"""
    role = getattr(request, "role", None)
    return role in EDITOR_ROLES and (plan is None or not plan.is_frozen)


def _successor(plan: Plan) -> Plan | None:
    return Plan.objects.filter(predecessor=plan).first()


def plan_context(request: HttpRequest, organisation: Organisation, plan: Plan) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "plan": plan,
        "can_edit": can_edit(request, plan),
        "is_editor": can_edit(request),
        "nav": "beleid",
    }


def _frozen(request: HttpRequest, plan: Plan) -> HttpResponse:
    messages.error(
        request,
        _(
            "This plan was adopted by the council and cannot be changed. Make a new version "
            "to change it."
        ),
    )
    return redirect("policy:plan_detail", org=plan.organisation.slug, plan_id=plan.pk)


def form_write(form: django_forms.Form, write: Callable[[], _T]) -> _T | None:
    """Run a service's ``write``; its result, or None when it refused: the refusal becomes a form
    error (on the field it names, else on the form) and the input is kept."""
    try:
        return write()
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, problems in error.error_dict.items():
                target = name if name in form.fields else None
                for problem in problems:
                    form.add_error(target, problem)
        else:
            form.add_error(None, error)
        return None
    except ServiceError as error:
        form.add_error(None, str(error))
        return None


def _saved(form: django_forms.Form, obj: Plan, fields: dict[str, Any]) -> bool:
    """Save a plan through the services; a refusal becomes a form error (the input is kept).

    An existing plan is saved only at the version the form showed (``form.token``).
    """
    version = form.token if obj.pk is not None and isinstance(form, ConcurrencyFormMixin) else None

    def write() -> Plan:
        services.save(obj, version=version, **fields)
        return obj

    return form_write(form, write) is not None
