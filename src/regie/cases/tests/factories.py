"""Test data for the Meldpunt: categories, grants and signals made through the intake service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from regie.accounts.models import Membership, Role, User
from regie.cases import services
from regie.cases.models import AccessGrant, Category, Channel, Grant, ReporterType, Signal
from regie.core.models import Organisation


def category(organisation: Organisation, name: str = "Woonoverlast") -> Category:
    services.ensure_categories(organisation)
    return Category.objects.get(organisation=organisation, name=name)


def grant(user: User, organisation: Organisation, *grants: str) -> None:
    """Give ``user`` the grants (default: every family and the reporters' contact data)."""
    for code in grants or tuple(Grant.values):
        AccessGrant.objects.get_or_create(organisation=organisation, user=user, grant=code)
    if hasattr(user, "_regie_case_grants"):
        del user._regie_case_grants


def person(
    surname: str = "Vries",
    tussenvoegsel: str = "de",
    first_names: str = "Jan",
    birth_date: dt.date | None = dt.date(1980, 2, 3),
    **extra: Any,
) -> services.SubjectIn:
    return services.SubjectIn(
        kind="persoon",
        surname=surname,
        tussenvoegsel=tussenvoegsel,
        first_names=first_names,
        birth_date=birth_date,
        **extra,
    )


def make_signal(
    organisation: Organisation,
    *,
    category_name: str = "Woonoverlast",
    description: str = "Verzonnen omschrijving van overlast",
    subjects: list[services.SubjectIn] | None = None,
    channel: str = Channel.PROFESSIONAL,
    reporter_type: str = ReporterType.STAFF,
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_email: str = "",
    received_at: dt.datetime | None = None,
    by: Any = None,
    reporting_organisation: Organisation | None = None,
    location: services.AddressIn | None = None,
) -> Signal:
    data = services.SignalIn(
        organisation=organisation,
        channel=channel,
        category=category(organisation, category_name),
        description=description,
        received_at=received_at,
        reporter_type=reporter_type,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
        reporter_email=reporter_email,
        reporting_organisation=reporting_organisation,
        subjects=[person()] if subjects is None else subjects,
        location=location or services.AddressIn(),
    )
    return services.receive(data, by=by, label="test").signal


def member(user: User, organisation: Organisation, role: str = Role.ADVISEUR) -> None:
    Membership.objects.get_or_create(user=user, organisation=organisation, defaults={"role": role})
