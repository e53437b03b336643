"""Every operation of the committed OpenAPI schema, fuzzed with schemathesis against the app.

The requests go in-process to the WSGI application (no server) with the session of a
two-factor-verified adviseur of Maassluis, on the demo's figures and plans of two gemeenten
(Maassluis and Alblasserdam). No response may be a server error, and every response must
match docs/api/openapi.yaml: its status code, content type and JSON schema. Each request is
also sent without the session and with a made-up one; both must be refused (401/403).

Generated path parameters and ``?org=`` are often swapped for real ones (ids of both
gemeenten's plans, goals and indicators, CBS codes, measure codes, periods, slugs), so that the
run reaches real objects and not only 404s. A second test asks for known objects of both
gemeenten: its own come back and match the schema, the other gemeente's are 404.

Bounded for CI: a fixed seed (the same requests on every run), few examples per operation, no
deadline; about 20 seconds.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings

from conftest import verified_client
from regie.accounts.models import Role
from regie.accounts.tests.factories import MembershipFactory, UserFactory
from regie.areas.services import load_reference_data
from regie.core.models import Organisation, OrganisationKind
from regie.demo import services as demo_services
from regie.monitor.models import Observation
from regie.policy.models import Goal, Indicator, Plan
from regie.wsgi import application

SCHEMA_FILE = Path(__file__).resolve().parent.parent.parent / "docs" / "api" / "openapi.yaml"
EXAMPLES_PER_OPERATION = 15

schema = schemathesis.openapi.from_path(SCHEMA_FILE)
schema.app = application
# The same requests on every run (hypothesis' ``derandomize`` alone is overridden by a seed that
# schemathesis draws per run).
schema.config.seed = 13

#: Real values to put in generated requests, filled by the ``world`` fixture.
REAL: dict[str, list[Any]] = {}

#: The run checks for server errors, conformance to the schema (status, content type, JSON) and
#: enforced authentication. How strict the schema describes the input is not checked: a lenient
#: filter (``?limit=abc`` is ignored, as DRF's pagination does) and a well-formed but impossible
#: value (period ``0000M00``, a documented 400) are not failures.
EXCLUDED_CHECKS = [
    schemathesis.checks.negative_data_rejection,
    schemathesis.checks.positive_data_acceptance,
]


#: The session cookie's value in generated cases; the test swaps in the real session.
#: (Some cases are made when pytest collects the test, before any fixture has run.)
SESSION_PLACEHOLDER = "session-of-the-world-fixture"


@schema.auth(refresh_interval=None)
class SessionCookie:
    """The session of the verified adviseur: the API's only way in (``cookieAuth``)."""

    def get(self, case: Any, context: Any) -> str:
        return SESSION_PLACEHOLDER

    def set(self, case: Any, data: str, context: Any) -> None:
        case.cookies = {**(case.cookies or {}), django_settings.SESSION_COOKIE_NAME: data}


def _with_session(case: Any) -> Any:
    name = django_settings.SESSION_COOKIE_NAME
    if case.cookies and case.cookies.get(name) == SESSION_PLACEHOLDER:
        case.cookies[name] = REAL["session"][0]
    return case


def _pick(value: Any, options: list[Any]) -> Any:
    """Three times in four a real value chosen by ``value``, else ``value`` (crc32: no seed)."""
    digest = zlib.crc32(repr(value).encode())
    if not options or digest % 4 == 0:
        return value
    return options[digest // 4 % len(options)]


_PATH_VALUES = {
    "id": "ids",
    "area": "areas",
    "measure": "measures",
    "period": "periods",
    "first": "periods",
    "second": "periods",
}


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    for name, value in (path_parameters or {}).items():
        kind = _PATH_VALUES.get(name)
        if name == "code":
            kind = "measures" if "/measures/" in context.operation.path else "areas"
        if kind:
            path_parameters[name] = _pick(value, REAL.get(kind, []))
    return path_parameters


@schema.hook
def map_query(context: Any, query: dict[str, Any] | None) -> Any:
    for name in ("org", "measure", "area", "target", "control", "displacement"):
        if query and name in query:
            kind = {"org": "orgs", "measure": "measures"}.get(name, "areas")
            query[name] = _pick(query[name], REAL.get(kind, []))
    return query


@pytest.fixture(scope="module")
def world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """The demo's figures and plans of Maassluis and Alblasserdam; a verified adviseur of
    Maassluis (no role in Alblasserdam). Loaded once for this module, rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_data()
        orgs = {}
        for slug, name, code in (
            ("gm0556", "Maassluis", "GM0556"),
            ("gm0482", "Alblasserdam", "GM0482"),
        ):
            orgs[slug], _ = Organisation.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "kind": OrganisationKind.GEMEENTE, "cbs_code": code},
            )
        demo_services.load_figures()
        demo_services.load_plans()
        user = UserFactory()
        MembershipFactory(user=user, organisation=orgs["gm0556"], role=Role.ADVISEUR)
        session = verified_client(user).cookies[django_settings.SESSION_COOKIE_NAME].value

        def ids(org: str) -> dict[str, list[int]]:
            return {
                "plans": list(
                    Plan.objects.filter(organisation__slug=org).values_list("pk", flat=True)
                ),
                "goals": list(
                    Goal.objects.filter(theme__priority__plan__organisation__slug=org).values_list(
                        "pk", flat=True
                    )
                ),
                "indicators": list(
                    Indicator.objects.filter(
                        goal__theme__priority__plan__organisation__slug=org
                    ).values_list("pk", flat=True)
                ),
            }

        own, other = ids("gm0556"), ids("gm0482")
        REAL.update(
            session=[session],
            ids=sorted({pk for group in (own, other) for pks in group.values() for pk in pks}),
            areas=["GM0556", "GM0482", "NL01", "PV28", "WK055601", "BU05560101", "GM1680"],
            measures=[
                "cbs:T001161",
                "politie:0.0.0",
                "politie:1.2.2",
                "local:mik_woninginbraak",
                "local:cybercrime",
                "derived:hic-kern",
                "vm:onveilig_buurt_pct",
            ],
            periods=["2022", "2023", "2024M01", "2025M01", "2012M01", "2024Q1", "2023-04/2024-03"],
            orgs=["gm0556", "gm0482", "politie-onbekend"],
        )
        try:
            yield {"own": own, "other": other, "session": session}
        finally:
            REAL.clear()
            transaction.set_rollback(True)


@pytest.fixture
def in_process_wsgi() -> Iterator[None]:
    """Requests through the WSGI handler inside the test's transaction.

    The handler closes the database connection at the end of each request when it is inside a
    transaction (``close_old_connections``); Django's test client switches that off the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_conforms_to_its_schema(
    case: Any, world: dict[str, Any], in_process_wsgi: None
) -> None:
    _with_session(case).call_and_validate(excluded_checks=EXCLUDED_CHECKS)


# --- Known objects of both gemeenten ----------------------------------------------------------


def _call(
    path: str, world: dict[str, Any], query: dict[str, Any] | None = None, **params: Any
) -> Any:
    case = schema[path]["GET"].Case(
        path_parameters=params or None,
        query=query,
        cookies={django_settings.SESSION_COOKIE_NAME: world["session"]},
    )
    return case.call_and_validate(excluded_checks=EXCLUDED_CHECKS)


@pytest.mark.django_db
def test_own_objects_conform_and_another_gemeentes_are_404(
    world: dict[str, Any], in_process_wsgi: None
) -> None:
    own, other = world["own"], world["other"]
    assert all(own.values()), "the demo plan of Maassluis has goals and indicators"
    assert all(other.values()), "the demo plan of Alblasserdam has goals and indicators"
    for path, key in (
        ("/api/v1/plans/{id}/", "plans"),
        ("/api/v1/plans/{id}/statuses/", "plans"),
        ("/api/v1/goals/{id}/", "goals"),
        ("/api/v1/indicators/{id}/", "indicators"),
    ):
        for pk in own[key]:
            assert _call(path, world, id=pk).status_code == 200, (path, pk)
        for pk in other[key]:
            assert _call(path, world, id=pk).status_code == 404, (path, pk)

    plans = _call("/api/v1/plans/", world).json()["results"]
    assert {plan["organisation"] for plan in plans} == {"gm0556"}
    assert _call("/api/v1/plans/", world, query={"org": "gm0482"}).status_code == 404

    figure = "/api/v1/figures/{area}/{measure}/{period}/"
    own_figure = {"area": "GM0556", "measure": "local:mik_woninginbraak", "period": "2024M01"}
    assert _call(figure, world, query={"org": "gm0556"}, **own_figure).status_code == 200
    assert _call(figure, world, query={"org": "gm0482"}, **own_figure).status_code == 404
    other_figure = {"area": "GM0482", "measure": "local:cybercrime", "period": "2022"}
    assert _call(figure, world, query={"org": "gm0482"}, **other_figure).status_code == 404
    assert _call(figure, world, **other_figure).status_code == 404
    open_figure = {"area": "GM0556", "measure": "cbs:T001161", "period": "2022"}
    assert _call(figure, world, query={"per": 1000}, **open_figure).status_code == 200

    compare = "/api/v1/compare/{area}/{measure}/{first}/{second}/"
    periods = {"first": "2024M01", "second": "2025M01"}
    own_compare = {"area": "GM0556", "measure": "local:mik_woninginbraak", **periods}
    assert _call(compare, world, query={"org": "gm0556"}, **own_compare).status_code == 200
    assert _call(compare, world, query={"org": "gm0482"}, **own_compare).status_code == 404

    # Alblasserdam's own figures exist, but only its open data is listed.
    assert Observation.objects.filter(area__code="GM0482", owner__slug="gm0482").exists()
    rows = _call("/api/v1/observations/", world, query={"area": "GM0482"}).json()["results"]
    assert rows, "open data of Alblasserdam"
    assert {row["owner"] for row in rows} == {None}
    own_rows = _call("/api/v1/observations/", world, query={"area": "GM0556"}).json()["results"]
    assert "gm0556" in {row["owner"] for row in own_rows}

    waterbed = {
        "measure": "politie:0.0.0",
        "target": "GM0556",
        "displacement": "GM0482",
        "control": "PV28",
        "before": "2023M01:2023M06",
        "after": "2024M01:2024M06",
    }
    assert _call("/api/v1/waterbed/", world, query={**waterbed, "org": "gm0482"}).status_code == 404

    # An address under the API that no endpoint matches answers JSON too (the schema says so).
    assert _call("/api/v1/plans/{id}/", world, id="eerste").json()["code"] == "not_found"

    assert _call("/api/v1/areas/{code}/", world, code="GM0556").status_code == 200
    assert _call("/api/v1/measures/{code}/", world, code="derived:hic-kern").status_code == 200
