"""Every view, every role, own and other gemeente → the expected HTTP status.

The test collects every named URL of the project. A URL that is not listed in MATRIX fails the
test, so a new view cannot ship without a decision about who may see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.accounts import events
from regie.accounts.models import Role, User
from regie.accounts.permissions import ADMIN_ROLES, ALL_ROLES, EDITOR_ROLES, STAFF_ROLES
from regie.accounts.services import create_token, invite
from regie.core.models import AuditAction, Organisation
from regie.core.services import record_event
from regie.monitor.models import Dataset, ImportBatch, Measure
from regie.policy.models import (
    Goal,
    Indicator,
    Plan,
    Priority,
    Scenario,
    StatusSnapshot,
    Theme,
)
from regie.programme.models import Action, Programme
from regie.reports.models import Report, ReportBuild, ReportFile
from tests.conftest_matrix import AreaFixture

MELDPUNT_ROLES = frozenset({Role.BEHEERDER, Role.ADVISEUR, Role.HANDHAVER, Role.KETENPARTNER})
PRIVACY_ROLES = frozenset({Role.PRIVACY_OFFICER})
PUBLIC = "public"  # reachable without logging in
LOGGED_IN = "logged_in"  # any logged-in, verified user; no tenant data
SUPERUSER = "superuser"  # installation-wide pages
NOT_GET = "not_get"  # endpoints that only accept POST (checked separately)
API = "api"  # JSON API: like LOGGED_IN (open data), but anonymous gets 401/403 JSON, no redirect
ORG_API = "org_api"  # JSON API of a gemeente's own data: STAFF_ROLES there, anyone else 404
#: A page of one signal: who sees it depends on grants, reporting and sharing, not on the role
#: alone (tests/test_meldpunt_matrix.py checks every role); anonymous → login.
SIGNAL = "signal"
#: The signals API: as SIGNAL, for requests with a session or a token (test_meldpunt_matrix.py).
SIGNAL_API = "signal_api"

#: url name → PUBLIC | LOGGED_IN | SUPERUSER | NOT_GET | API | frozenset of roles allowed in own org
MATRIX: dict[str, Any] = {
    "home": LOGGED_IN,
    "set_language": PUBLIC,  # GET only redirects; POST switches the language
    "accounts:login": PUBLIC,
    "accounts:logout": NOT_GET,
    "accounts:verify": LOGGED_IN,
    "accounts:setup_2fa": LOGGED_IN,
    "accounts:profile": LOGGED_IN,
    "accounts:email_change": LOGGED_IN,
    "accounts:email_confirm": LOGGED_IN,
    "accounts:device_remove": LOGGED_IN,  # only the user's own devices (see below)
    "accounts:invitation_respond": NOT_GET,
    "accounts:invitation": PUBLIC,  # the link in the mail: its token is the key
    "accounts:password_change": LOGGED_IN,
    "accounts:password_change_done": LOGGED_IN,
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,
    "accounts:password_reset_complete": PUBLIC,
    "installatie:organisation_list": SUPERUSER,
    "installatie:account_list": SUPERUSER,
    "installatie:account_detail": SUPERUSER,
    "installatie:account_reset_2fa": SUPERUSER,
    "installatie:audit_log": SUPERUSER,
    "installatie:audit_entry": SUPERUSER,
    "areas:index": LOGGED_IN,
    "areas:detail": LOGGED_IN,
    "org_areas:overview": ALL_ROLES,
    "org_areas:gemeente_areas": ALL_ROLES,
    "beheer:member_list": ADMIN_ROLES,
    "beheer:member_detail": ADMIN_ROLES,
    "beheer:member_remove": ADMIN_ROLES,
    "beheer:invitation_cancel": ADMIN_ROLES,
    "beheer:organisation_settings": ADMIN_ROLES,
    "beheer:audit_log": ADMIN_ROLES,
    "beheer:audit_entry": ADMIN_ROLES,
    "beheer:api_token_list": ADMIN_ROLES,
    "beheer:api_token_revoke": ADMIN_ROLES,
    "monitor:dataset_list": STAFF_ROLES,
    "veiligheidsbeeld:overview": STAFF_ROLES,
    "veiligheidsbeeld:measure": STAFF_ROLES,
    "veiligheidsbeeld:waterbed": STAFF_ROLES,
    "monitor:dataset_detail": STAFF_ROLES,
    "monitor:upload": EDITOR_ROLES,
    "monitor:upload_confirm": NOT_GET,
    "monitor:upload_cancel": NOT_GET,
    "monitor:import_status": STAFF_ROLES,
    "monitor:upload_check": EDITOR_ROLES,
    "monitor:template_csv": STAFF_ROLES,
    "monitor:template_xlsx": STAFF_ROLES,
    # Own figures in the API: only with ?org= and a staff role there (test_api_urls_per_role).
    "api:area_list": API,
    "api:area_detail": API,
    "api:measure_list": API,
    "api:measure_detail": API,
    "api:observation_list": API,
    "api:figure": API,
    "api:compare": API,
    "api:waterbed": API,
    "api:schema": API,
    # A gemeente's plans in the API: staff roles of that gemeente only (test_org_api_urls_per_role).
    "api:plan_list": ORG_API,
    "api:plan_detail": ORG_API,
    "api:plan_statuses": ORG_API,
    "api:goal_detail": ORG_API,
    "api:indicator_detail": ORG_API,
    "api:programme_list": ORG_API,
    "api:programme_detail": ORG_API,
    "api:report_list": ORG_API,
    "api:report_detail": ORG_API,
    "policy:index": STAFF_ROLES,
    "policy:plan_create": EDITOR_ROLES,
    "policy:plan_import": EDITOR_ROLES,
    "policy:plan_detail": STAFF_ROLES,
    "policy:plan_edit": EDITOR_ROLES,
    "policy:plan_adopt": EDITOR_ROLES,
    "policy:plan_new_version": EDITOR_ROLES,
    "policy:plan_diff": STAFF_ROLES,
    "policy:plan_export": STAFF_ROLES,
    "policy:snapshot_list": STAFF_ROLES,
    "policy:snapshot_take": NOT_GET,
    "policy:snapshot_detail": STAFF_ROLES,
    "policy:scenarios": STAFF_ROLES,
    "policy:scenario_choose": NOT_GET,
    "policy:goal_detail": STAFF_ROLES,
    "policy:indicator_detail": STAFF_ROLES,
    "policy:indicator_override": EDITOR_ROLES,
    "policy:item_create": EDITOR_ROLES,
    "policy:item_edit": EDITOR_ROLES,
    "policy:item_delete": EDITOR_ROLES,
    "programme:index": STAFF_ROLES,
    "programme:capacity": STAFF_ROLES,
    "programme:programme_create": EDITOR_ROLES,
    "programme:programme_detail": STAFF_ROLES,
    "programme:programme_edit": EDITOR_ROLES,
    "programme:programme_adopt": EDITOR_ROLES,
    "programme:programme_next": EDITOR_ROLES,
    "programme:evaluation": STAFF_ROLES,
    "programme:evaluation_edit": EDITOR_ROLES,
    "programme:action_create": EDITOR_ROLES,
    "programme:action_detail": STAFF_ROLES,
    "programme:action_edit": EDITOR_ROLES,
    "programme:action_delete": EDITOR_ROLES,
    "programme:action_progress": EDITOR_ROLES,
    "reports:index": STAFF_ROLES,
    "reports:report_create": EDITOR_ROLES,
    "reports:report_detail": STAFF_ROLES,
    "reports:report_texts": NOT_GET,
    "reports:report_lock": NOT_GET,
    "reports:report_send": EDITOR_ROLES,
    "reports:build_request": NOT_GET,
    "reports:build_status": STAFF_ROLES,
    "reports:file_download": STAFF_ROLES,
    # The Meldpunt (issue 18): the werkvoorraad and the forms per role; a signal's own pages by
    # grant, report or share (SIGNAL).
    "cases:queue": MELDPUNT_ROLES,
    "cases:filter_save": NOT_GET,
    "cases:filter_delete": NOT_GET,
    "cases:new": frozenset({Role.BEHEERDER, Role.ADVISEUR, Role.HANDHAVER}),
    "cases:categories": ADMIN_ROLES,
    "cases:category_edit": ADMIN_ROLES,
    "cases:grants": ADMIN_ROLES,
    "cases:detail": SIGNAL,
    "cases:purpose": SIGNAL,
    "cases:attachment": SIGNAL,
    "cases:matches": SIGNAL,
    "cases:status": NOT_GET,
    "cases:share": NOT_GET,
    "cases:share_revoke": NOT_GET,
    "cases:hold": NOT_GET,
    "cases:correct": NOT_GET,
    "api:signal_list": SIGNAL_API,
    "api:signal_detail": SIGNAL_API,
    # The public form: no account (a partner organisation or unknown slug: 404).
    "melden:form": PUBLIC,
    "melden:received": PUBLIC,
    "melden:status": PUBLIC,
    # The privacy officer's pages.
    "privacy:readlog": PRIVACY_ROLES,
    "privacy:readlog_export": PRIVACY_ROLES,
    "privacy:activities": PRIVACY_ROLES,
    "privacy:retention": PRIVACY_ROLES,
    "privacy:inzage": PRIVACY_ROLES,
}

#: Beleid URLs that name a plan (or something in it) by id: another gemeente's ids are a 404.
POLICY_ID_URLS = {
    name
    for name in MATRIX
    if name.startswith("policy:")
    and name not in {"policy:index", "policy:plan_create", "policy:plan_import"}
}
#: URLs with the id of a programme or report (and what is in it): another gemeente's is a 404.
PROGRAMME_ID_URLS = {
    name
    for name in MATRIX
    if name.startswith(("programme:", "reports:"))
    and name
    not in {
        "programme:index",
        "programme:programme_create",
        "programme:capacity",
        "reports:index",
        "reports:report_create",
    }
}
ORG_PREFIXES = (
    "org_areas:",
    "cases:",
    "melden:",
    "privacy:",
    "beheer:",
    "monitor:",
    "veiligheidsbeeld:",
    "policy:",
    "programme:",
    "reports:",
)
#: List endpoints of a gemeente's own data: the list holds only what the user may read.
ORG_API_LISTS = {"api:plan_list", "api:programme_list", "api:report_list"}


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(p.url_patterns, full)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}" if namespace else p.name


def all_url_names() -> set[str]:
    return {n for n in _walk(get_resolver().url_patterns) if not n.startswith("admin:")}


def test_every_url_has_a_matrix_entry() -> None:
    assert all_url_names() == set(MATRIX), "update MATRIX for new or removed URLs"


def _kwargs(name: str, org: Organisation, target: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    pattern_keys = {
        "beheer:member_detail",
        "beheer:member_remove",
        "installatie:account_detail",
        "installatie:account_reset_2fa",
    }
    if name.startswith(ORG_PREFIXES):
        kwargs["org"] = org.slug
    kwargs.update(_meldpunt_kwargs(name, target))
    if name in PROGRAMME_ID_URLS and name.startswith("programme:"):
        kwargs["programme_id"] = target["programme"].pk
    if name.startswith("programme:action_") and name != "programme:action_create":
        kwargs["action_id"] = target["action"].pk
    if name in PROGRAMME_ID_URLS and name.startswith("reports:"):
        kwargs["report_id"] = target["report"].pk
    if name == "reports:build_status":
        kwargs["build_id"] = target["build"].pk
    if name == "reports:file_download":
        kwargs["file_id"] = target["file"].pk
    if name == "api:programme_detail":
        kwargs["pk"] = target["programme"].pk
    if name == "api:report_detail":
        kwargs["pk"] = target["report"].pk
    if name in POLICY_ID_URLS:
        kwargs["plan_id"] = target["plan"].pk
    if name == "policy:snapshot_detail":
        kwargs["snapshot_id"] = target["snapshot"].pk
    if name == "policy:scenario_choose":
        kwargs["scenario_id"] = target["scenario"].pk
    if name == "policy:goal_detail":
        kwargs["goal_id"] = target["goal"].pk
    if name in {"policy:indicator_detail", "policy:indicator_override"}:
        kwargs["indicator_id"] = target["indicator"].pk
    if name == "policy:item_create":
        kwargs["kind"] = "prioriteit"
    if name in {"policy:item_edit", "policy:item_delete"}:
        kwargs.update(kind="prioriteit", item_id=target["priority"].pk)
    if name == "monitor:dataset_detail":
        kwargs["dataset_id"] = target["batch"].dataset_id
    if name == "monitor:import_status":
        kwargs["batch_id"] = target["batch"].pk
    if name == "monitor:upload_check":
        kwargs["batch_id"] = target["check"].pk
    if name == "veiligheidsbeeld:measure":
        kwargs["code"] = "politie:1.1.1"
    if name in pattern_keys:
        kwargs["user_id"] = target["member"].pk
    if name == "beheer:audit_entry":
        kwargs["entry_id"] = target["entry"].pk
    if name == "installatie:audit_entry":
        kwargs["entry_id"] = target["account_entry"].pk
    if name in {"beheer:invitation_cancel", "accounts:invitation_respond"}:
        kwargs["invitation_id"] = target["invitation"].pk
    if name == "accounts:device_remove":
        kwargs["device_id"] = target["device"].pk
    if name == "beheer:api_token_revoke":
        kwargs["token_id"] = target["token"].pk
    if name in {"accounts:invitation", "accounts:email_confirm"}:
        kwargs["token"] = "no-such-token"
    if name in {"areas:detail", "api:area_detail"}:
        kwargs["code"] = "GM0556"
    if name == "api:measure_detail":
        kwargs["code"] = "politie:1.1.1"
    if name == "api:figure":
        kwargs.update(area="GM0556", measure="politie:1.1.1", period="2022")
    if name == "api:compare":
        kwargs.update(area="GM0556", measure="politie:1.1.1", first="2022", second="2023")
    if name in {"api:plan_detail", "api:plan_statuses"}:
        kwargs["pk"] = target["plan"].pk
    if name == "api:goal_detail":
        kwargs["pk"] = target["goal"].pk
    if name == "api:indicator_detail":
        kwargs["pk"] = target["indicator"].pk
    if name == "accounts:password_reset_confirm":
        kwargs.update(uidb64="MQ", token="set-password")
    return kwargs


def _meldpunt_kwargs(name: str, target: dict[str, Any]) -> dict[str, Any]:
    """The ids in the Meldpunt's URLs: the target's signal and what hangs off it."""
    kwargs: dict[str, Any] = {}
    if name in {
        "cases:detail",
        "cases:purpose",
        "cases:status",
        "cases:share",
        "cases:share_revoke",
        "cases:hold",
        "cases:correct",
        "cases:attachment",
        "cases:matches",
        "api:signal_detail",
    }:
        kwargs["ref"] = target["signal"].reference
    if name == "cases:share_revoke":
        kwargs["pk"] = target["share"].pk
    if name == "cases:attachment":
        kwargs["pk"] = target["attachment"].pk
    if name == "cases:correct":
        kwargs["subject"] = target["subject"].pk
    if name == "cases:matches":
        kwargs["kind"] = "person"
    if name == "cases:filter_delete":
        kwargs["pk"] = target["filter"].pk
    if name == "cases:category_edit":
        kwargs["pk"] = target["category"].pk
    return kwargs


#: Query strings of URLs that need one to answer 200 (the matrix's fixtures hold the data).
QUERY: dict[str, dict[str, str]] = {
    "api:waterbed": {
        "measure": "politie:1.1.1",
        "target": "GM0556",
        "displacement": "WK055601",
        "control": "BU05560101",
        "before": "2023M01:2023M12",
        "after": "2024M01:2024M12",
    },
}


@pytest.fixture
def world(
    maassluis: Organisation,
    alblasserdam: Organisation,
    member: Callable[[Organisation, str], User],
    areas: AreaFixture,
) -> dict[str, Any]:
    data: dict[str, Any] = {"own": maassluis, "other": alblasserdam, "users": {}}
    # The measure page needs one measure (the catalogue itself is not loaded here).
    measure = Measure.objects.get_or_create(
        code="politie:1.1.1", defaults={"source": "politie", "key": "1.1.1", "name": "Woning"}
    )[0]
    for role in Role.values:
        data["users"][role] = member(maassluis, role)
    for org, key in ((maassluis, "own_target"), (alblasserdam, "other_target")):
        target_user = member(org, Role.ADVISEUR)
        entry = record_event(
            action=AuditAction.IMPORT, user=None, label="test", organisation=org, description="x"
        )
        dataset = Dataset.objects.create(
            source="gemeente", table=f"lokaal:{org.slug}", title="x", organisation=org
        )
        batch = ImportBatch.objects.create(
            dataset=dataset, format="local", filename="x.csv", imported_by_label="test"
        )
        check = ImportBatch.objects.create(
            dataset=dataset,
            format="local",
            filename="x.csv",
            imported_by_label="test",
            dry_run=True,
            state="dry_run",
        )
        data[key] = {"member": target_user, "entry": entry, "batch": batch, "check": check}
        data[key].update(_small_plan(org, measure, areas["gm"]))
        data[key].update(_account_things(org, target_user))
        data[key].update(_meldpunt_things(org, target_user))
    return data


def _meldpunt_things(org: Organisation, target_user: User) -> dict[str, Any]:
    """A signal of ``org`` with an attachment, a share, and a saved filter of the member."""
    from regie.cases import services as cases
    from regie.cases.models import Attachment, Category, SavedFilter
    from regie.cases.tests.factories import make_signal

    signal = make_signal(org)
    partner = Organisation.objects.get_or_create(
        slug="zorgpartner-matrix", defaults={"name": "Zorgpartner", "kind": "zorgpartner"}
    )[0]
    return {
        "signal": signal,
        "subject": signal.subjects.get(),
        "attachment": Attachment.objects.create(
            signal=signal, name="foto.png", content_type="image/png", size=3, content=b"png"
        ),
        "share": cases.share(signal, organisation=partner, by=None, label="test"),
        "filter": SavedFilter.objects.create(
            organisation=org, user=target_user, name="Open", query="status=ontvangen"
        ),
        "category": Category.objects.filter(organisation=org).first(),
    }


def _account_things(org: Organisation, target_user: User) -> dict[str, Any]:
    """A security event about the member, an open invitation of ``org`` and the member's app."""
    return {
        "account_entry": events.record(AuditAction.LOGIN, account=target_user, actor=target_user),
        "invitation": invite(
            organisation=org,
            email=f"uitgenodigd@{org.slug}.example.org",
            role=Role.RAADPLEGER,
            invited_by=target_user,
            base_url="http://testserver",
        ),
        "device": TOTPDevice.objects.create(user=target_user, name="app", confirmed=True),
        "token": create_token(organisation=org, name="Koppeling", created_by=None).token,
    }


def _small_plan(org: Organisation, measure: Measure, area: Any) -> dict[str, Any]:
    """A concept plan (version 2 of an adopted one) with one of everything, and a snapshot."""
    previous = Plan.objects.create(
        organisation=org,
        title="Plan",
        start_year=2023,
        end_year=2026,
        state="vastgesteld",
        adopted_on=dt.date(2023, 3, 1),
    )
    plan = Plan.objects.create(
        organisation=org,
        title="Plan",
        start_year=2023,
        end_year=2026,
        version=2,
        predecessor=previous,
    )
    priority = Priority.objects.create(plan=plan, key="p", title="P")
    theme = Theme.objects.create(priority=priority, key="t", title="T")
    scenario = Scenario.objects.create(theme=theme, letter="A", title="A")
    snapshot = StatusSnapshot.objects.create(plan=plan, label="2024H2", payload={"priorities": []})
    goal = Goal.objects.create(theme=theme, key="g", aim="G")
    indicator = Indicator.objects.create(
        goal=goal,
        key="i",
        name="I",
        measure=measure,
        area=area,
        target_kind="at_least",
        target_value=1.0,
    )
    programme = Programme.objects.create(organisation=org, plan=plan, period="2024", title="U")
    action = Action.objects.create(programme=programme, key="a", title="A", owner="O")
    report = Report.objects.create(
        organisation=org, kind="evaluatie", period="2024", title="R", plan=plan
    )
    build = ReportBuild.objects.create(report=report, format="pdf")
    stored = ReportFile.objects.create(
        report=report, format="pdf", content=b"%PDF-", sha256="0" * 64, size=5
    )
    build.file = stored
    build.save()
    return {
        "programme": programme,
        "action": action,
        "report": report,
        "build": build,
        "file": stored,
        "plan": plan,
        "priority": priority,
        "goal": goal,
        "indicator": indicator,
        "scenario": scenario,
        "snapshot": snapshot,
    }


ORG_URLS = sorted(n for n, spec in MATRIX.items() if isinstance(spec, frozenset))


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(Role.values))
@pytest.mark.parametrize("name", ORG_URLS)
def test_org_url_own_and_other_gemeente(
    world: dict[str, Any], login: Callable[[User], Client], role: str, name: str
) -> None:
    client = login(world["users"][role])
    own = reverse(name, kwargs=_kwargs(name, world["own"], world["own_target"]))
    other = reverse(name, kwargs=_kwargs(name, world["other"], world["other_target"]))
    expected_own = 200 if role in MATRIX[name] else 403
    assert client.get(own).status_code == expected_own, own
    # Another gemeente's pages: never shown, and not even confirmed to exist.
    assert client.get(other).status_code == 404, other


@pytest.mark.django_db
@pytest.mark.parametrize("name", ORG_URLS)
def test_other_gemeente_ids_under_own_slug_are_404(
    world: dict[str, Any], login: Callable[[User], Client], name: str
) -> None:
    """A beheerder of Maassluis cannot reach Alblasserdam's users or log lines via own URLs (nor
    the privacy officer, on the pages that are only theirs)."""
    allowed = MATRIX[name]
    role = Role.BEHEERDER if Role.BEHEERDER in allowed else sorted(allowed)[0]
    client = login(world["users"][role])
    url = reverse(name, kwargs=_kwargs(name, world["own"], world["other_target"]))
    status = client.get(url).status_code
    if (
        name
        in {
            "beheer:member_detail",
            "beheer:member_remove",
            "beheer:invitation_cancel",
            "beheer:audit_entry",
            "beheer:api_token_revoke",
            "monitor:dataset_detail",
            "monitor:import_status",
            "monitor:upload_check",
            "cases:category_edit",
        }
        | POLICY_ID_URLS
        | PROGRAMME_ID_URLS
    ):
        assert status == 404, url
    else:
        assert status == 200, url


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_anonymous(world: dict[str, Any], name: str) -> None:
    spec = MATRIX[name]
    url = reverse(name, kwargs=_kwargs(name, world["own"], world["own_target"]))
    response = Client().get(url, QUERY.get(name, {}))
    if spec == PUBLIC:
        assert response.status_code in {200, 302}, url
        if response.status_code == 302:
            assert "inloggen" not in response["Location"], url
    elif spec == NOT_GET:
        assert response.status_code == 405, url
    elif spec in (API, ORG_API, SIGNAL_API):
        assert response.status_code in {401, 403}, url
        assert not response.has_header("Location"), url  # no redirect to an HTML login
    else:
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(Role.values))
@pytest.mark.parametrize(
    "name", sorted(n for n, s in MATRIX.items() if s in (LOGGED_IN, SUPERUSER))
)
def test_non_org_urls_per_role(
    world: dict[str, Any], login: Callable[[User], Client], role: str, name: str
) -> None:
    user = world["users"][role]
    client = login(user)
    kwargs = _kwargs(name, world["own"], world["own_target"])
    if name == "accounts:device_remove":
        kwargs["device_id"] = TOTPDevice.objects.get(user=user).pk  # the user's own device
    url = reverse(name, kwargs=kwargs)
    status = client.get(url).status_code
    if MATRIX[name] == SUPERUSER:
        assert status == 403, url
    elif name in {"accounts:verify", "home"}:
        assert status == 302, url  # already verified / single organisation → redirect onwards
    else:
        assert status == 200, url  # setup_2fa: a verified session may add a device


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(Role.values))
def test_devices_and_invitations_of_other_accounts_are_404(
    world: dict[str, Any], login: Callable[[User], Client], role: str
) -> None:
    """The own account pages never reach another account's devices or invitations."""
    client = login(world["users"][role])
    for target in (world["own_target"], world["other_target"]):
        device = reverse("accounts:device_remove", kwargs={"device_id": target["device"].pk})
        assert client.get(device).status_code == 404, device
        assert client.post(device).status_code == 404, device
        answer = reverse(
            "accounts:invitation_respond", kwargs={"invitation_id": target["invitation"].pk}
        )
        assert client.post(answer, {"answer": "accept"}).status_code == 404, answer


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, s in MATRIX.items() if s == SUPERUSER))
def test_superuser_pages(world: dict[str, Any], login: Callable[[User], Client], name: str) -> None:
    admin = User.objects.create_superuser("root", "root@example.org", "Een-lang-wachtwoord-1")
    url = reverse(name, kwargs=_kwargs(name, world["own"], world["own_target"]))
    assert login(admin).get(url).status_code == 200
    assert set(ALL_ROLES) == set(Role.values)


@pytest.fixture
def api_figures(world: dict[str, Any]) -> None:
    """Open figures (years and months) and one own figure of each gemeente, for the API URLs."""
    from regie.monitor.tests.factories import load

    load(
        ("GM0556", "politie:1.1.1", "2022", 40.0),
        ("GM0556", "politie:1.1.1", "2023", 45.0),
        table="OPEN",
    )
    # Monthly counts for the waterbed URL (QUERY): three areas, two years without COVID.
    load(
        *[
            (area, "politie:1.1.1", f"{year}M{month:02d}", float(month % 4))
            for area in ("GM0556", "WK055601", "BU05560101")
            for year in (2023, 2024)
            for month in range(1, 13)
        ],
        table="MONTHS",
    )
    load(("GM0556", "politie:1.1.1", "2021", 31.0), table="OWN", organisation=world["own"])
    load(("GM0556", "politie:1.1.1", "2021", 99.0), table="OWN", organisation=world["other"])


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(Role.values))
@pytest.mark.parametrize("name", sorted(n for n, s in MATRIX.items() if s == API))
def test_api_urls_per_role(
    world: dict[str, Any],
    api_figures: None,
    login: Callable[[User], Client],
    role: str,
    name: str,
) -> None:
    """Open data for every role; own figures (?org=) for staff roles; another gemeente's: 404."""
    client = login(world["users"][role])
    url = reverse(name, kwargs=_kwargs(name, world["own"], world["own_target"]))
    query = QUERY.get(name, {})
    assert client.get(url, query).status_code == 200, url
    expected = 200 if role in STAFF_ROLES else 404
    if name in {"api:figure", "api:compare"}:
        # 2021 is held only as an own figure of each gemeente.
        period = {"period": "2021"} if name == "api:figure" else {"first": "2021", "second": "2022"}
        own = reverse(name, kwargs={**_kwargs(name, world["own"], {}), **period})
        assert client.get(own).status_code == 404, own
        assert client.get(own, {"org": world["own"].slug}).status_code == expected, own
        assert client.get(own, {"org": world["other"].slug}).status_code == 404, own
    if name == "api:waterbed":
        assert client.get(url, {**query, "org": world["own"].slug}).status_code == expected
        assert client.get(url, {**query, "org": world["other"].slug}).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(Role.values))
@pytest.mark.parametrize("name", sorted(n for n, s in MATRIX.items() if s == ORG_API))
def test_org_api_urls_per_role(
    world: dict[str, Any], login: Callable[[User], Client], role: str, name: str
) -> None:
    """Own plans for staff roles (404 for other roles); another gemeente's: 404 for everyone."""
    client = login(world["users"][role])
    expected = 200 if role in STAFF_ROLES else 404
    own = reverse(name, kwargs=_kwargs(name, world["own"], world["own_target"]))
    other = reverse(name, kwargs=_kwargs(name, world["other"], world["other_target"]))
    if name in ORG_API_LISTS:
        # Without ?org= the list holds only what the user may read; with it, as for an item.
        response = client.get(own)
        assert response.status_code == 200, own
        ids = {item["id"] for item in response.json()["results"]}
        target = world["own_target"]
        own_items = {
            "api:plan_list": {target["plan"].pk, target["plan"].predecessor_id},
            "api:programme_list": {target["programme"].pk},
            "api:report_list": {target["report"].pk},
        }[name]
        assert ids == (own_items if expected == 200 else set()), own
        assert client.get(own, {"org": world["own"].slug}).status_code == expected, own
        assert client.get(own, {"org": world["other"].slug}).status_code == 404, own
    else:
        assert client.get(own).status_code == expected, own
        # Another gemeente's plan: never shown, and not even confirmed to exist.
        assert client.get(other).status_code == 404, other


def test_the_menu_offers_a_place_only_to_the_roles_its_page_admits() -> None:
    """accounts.navigation lists, per place of the menu, the roles that see it: exactly the
    roles this matrix (and the view's decorator) admits to its page."""
    from regie.accounts import navigation

    for place in navigation.places():
        admitted = MATRIX[place.url_name]
        if place.superuser_only:
            assert admitted == SUPERUSER, place.key
        elif place.roles is None:
            assert admitted == LOGGED_IN, place.key
        else:
            assert frozenset(admitted) == place.roles, place.key
