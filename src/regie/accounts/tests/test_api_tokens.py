"""API tokens (ADR 0017): the rules of the services, the door of the API (401/403, audit of
each use, hash at rest), the Beheer page over HTTP and the ``regie token`` command.

New messages are compared through gettext (Dutch once the catalogue is compiled)."""

from __future__ import annotations

import datetime as dt
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from regie.accounts import services
from regie.accounts.api_auth import ApiTokenAuthentication, TokenScope
from regie.accounts.models import ApiToken, ApiTokenScope, Role
from regie.accounts.services import api_tokens
from regie.accounts.tests.factories import PASSWORD
from regie.core.errors import ServiceError
from regie.core.models import AuditAction, AuditEntry

pytestmark = pytest.mark.django_db

AREAS = reverse("api:area_list")
PLANS = reverse("api:plan_list")


def shown_once() -> str:
    """The page's hint that the secret is shown once, in the active language."""
    return _(
        "Copy the token now and keep it somewhere safe, such as a password manager or the secret "
        "store of the program that uses it. It is shown only this once: Veiligheidsregie keeps "
        "only a fingerprint of it. Lost it? Revoke it and create a new one."
    )


def bearer(secret: str, keyword: str = "Bearer") -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"{keyword} {secret}"}


@pytest.fixture
def org_token(maassluis: Any) -> api_tokens.NewToken:
    return services.create_token(organisation=maassluis, name="Datakoppeling", created_by=None)


# --- Services -----------------------------------------------------------------------------------


def test_secret_is_random_prefixed_and_only_its_hash_is_stored(maassluis: Any) -> None:
    first = services.create_token(organisation=maassluis, name="A", created_by=None)
    second = services.create_token(organisation=maassluis, name="B", created_by=None)
    assert first.secret.startswith("regie_")
    assert len(first.secret) >= len("regie_") + 43  # 32 random bytes, URL-safe base64
    assert first.secret != second.secret
    token = ApiToken.objects.get(pk=first.token.pk)
    assert token.secret_hash == api_tokens.secret_hash(first.secret)
    assert first.secret not in token.secret_hash
    # Nowhere in the database: not in the token's table, not in the audit log.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        assert first.secret not in repr(cursor.fetchall())
    logged = repr(list(AuditEntry.objects.values()))
    assert first.secret not in logged
    assert token.secret_hash not in logged  # redacted in the create entry


def test_validity_defaults_to_90_days_and_is_at_most_a_year(maassluis: Any) -> None:
    token = services.create_token(organisation=maassluis, name="A", created_by=None).token
    days = (token.expires_at - timezone.now()).days
    assert days in (89, 90)
    year = services.create_token(organisation=maassluis, name="B", created_by=None, days=365)
    assert year.token.expires_at > timezone.now() + dt.timedelta(days=364)
    for days in (0, 366, -1):
        with pytest.raises(ServiceError):
            services.create_token(organisation=maassluis, name="C", created_by=None, days=days)


def test_personal_token_needs_a_role_in_the_organisation(
    maassluis: Any, alblasserdam: Any, member: Any
) -> None:
    user = member(alblasserdam, Role.BEHEERDER)
    with pytest.raises(ServiceError, match=re.escape(user.username)):
        services.create_token(organisation=maassluis, name="A", created_by=user, user=user)
    with pytest.raises(ServiceError):
        services.create_token(organisation=maassluis, name="  ", created_by=None)


def test_create_and_revoke_are_audited_for_the_organisation(maassluis: Any, member: Any) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    created = services.create_token(organisation=maassluis, name="Koppeling", created_by=admin)
    services.revoke_token(token=created.token, revoked_by=admin)
    entries = AuditEntry.objects.filter(
        object_type="accounts.ApiToken", object_id=str(created.token.pk), organisation=maassluis
    )
    assert list(entries.order_by("id").values_list("action", flat=True)) == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
    ]
    revoked = entries.get(action=AuditAction.UPDATE)
    assert revoked.before["revoked_at"] is None
    assert revoked.after["revoked_at"]


# --- The door of the API ------------------------------------------------------------------------


def test_organisation_token_reads_the_api_and_each_use_is_audited(
    maassluis: Any, org_token: api_tokens.NewToken
) -> None:
    client = Client()
    for keyword in ("Bearer", "Token", "bearer"):
        response = client.get(AREAS, **bearer(org_token.secret, keyword))
        assert response.status_code == 200, response.content
    uses = AuditEntry.objects.filter(action=AuditAction.TOKEN_USE, organisation=maassluis)
    assert uses.count() == 3
    use = uses.first()
    assert use is not None
    assert use.object_id == str(org_token.token.pk)
    assert use.actor is None
    assert use.actor_label == "API-token Datakoppeling"
    assert use.object_repr == "Datakoppeling: GET /api/v1/areas/"
    assert org_token.secret not in repr(list(uses.values()))
    org_token.token.refresh_from_db()
    assert org_token.token.last_used_at is not None


def test_personal_token_acts_as_its_user(maassluis: Any, member: Any) -> None:
    user = member(maassluis, Role.RAADPLEGER)
    created = services.create_token(
        organisation=maassluis, name="Mijn script", created_by=user, user=user
    )
    assert Client().get(AREAS, **bearer(created.secret)).status_code == 200
    use = AuditEntry.objects.get(action=AuditAction.TOKEN_USE)
    assert use.actor == user
    # The account is switched off: the token stops working with it.
    user.is_active = False
    user.save()
    assert Client().get(AREAS, **bearer(created.secret)).status_code == 401


def _assert_refused(response: Any) -> None:
    assert response.status_code == 401, response.content
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["detail"] == str(ApiTokenAuthentication.refused)


def test_unknown_revoked_and_expired_tokens_get_401(
    maassluis: Any, org_token: api_tokens.NewToken
) -> None:
    client = Client()
    _assert_refused(client.get(AREAS, **bearer("regie_" + "x" * 43)))
    _assert_refused(client.get(AREAS, **bearer("geen-token")))

    expired = services.create_token(organisation=maassluis, name="Oud", created_by=None)
    ApiToken.objects.filter(pk=expired.token.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    _assert_refused(client.get(AREAS, **bearer(expired.secret)))

    assert client.get(AREAS, **bearer(org_token.secret)).status_code == 200
    services.revoke_token(token=org_token.token, revoked_by=None)
    _assert_refused(client.get(AREAS, **bearer(org_token.secret)))
    # Refused tokens are no use: only the one good request was recorded.
    assert AuditEntry.objects.filter(action=AuditAction.TOKEN_USE).count() == 1


def test_token_of_an_inactive_organisation_gets_401(
    maassluis: Any, org_token: api_tokens.NewToken
) -> None:
    maassluis.is_active = False
    maassluis.save()
    _assert_refused(Client().get(AREAS, **bearer(org_token.secret)))


def test_read_token_may_not_write_and_no_token_may_write_a_read_only_api(
    maassluis: Any, org_token: api_tokens.NewToken
) -> None:
    # The API has no write endpoints yet: every unsafe method is refused with 403, for a read
    # token with the token's own reason.
    response = Client().post(AREAS, {}, content_type="application/json", **bearer(org_token.secret))
    assert response.status_code == 403
    assert response.json()["detail"] == str(TokenScope.message)
    write = services.create_token(
        organisation=maassluis, name="Schrijf", created_by=None, scope=ApiTokenScope.WRITE
    )
    response = Client().post(AREAS, {}, content_type="application/json", **bearer(write.secret))
    assert response.status_code == 403
    assert "alleen-lezen" in response.json()["detail"]


def test_sessions_without_a_token_are_answered_as_before(maassluis: Any) -> None:
    response = Client().get(AREAS)
    assert response.status_code == 403  # no session: 403 as before tokens, no challenge
    assert not response.has_header("WWW-Authenticate")


def test_unknown_api_addresses_answer_json_404(org_token: api_tokens.NewToken) -> None:
    client = Client()
    for method in ("get", "post", "put", "delete", "patch"):
        for url in ("/api/", "/api/v2/plans/", "/api/v1/bestaat-niet/", "/api/beheer/"):
            response = getattr(client, method)(url, **bearer(org_token.secret))
            assert response.status_code == 404, (method, url, response.status_code)
            assert response.json() == {"detail": "Niet gevonden.", "code": "not_found"}
            response = getattr(client, method)(url)  # anonymous: no login redirect either
            assert response.status_code == 404, (method, url)
            assert response["Content-Type"].startswith("application/json")
    # A known endpoint without its trailing slash is sent on, as before.
    response = client.get("/api/v1/areas", **bearer(org_token.secret))
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/areas/"


# --- The Beheer page ----------------------------------------------------------------------------


def tokens_url(org: Any) -> str:
    return reverse("beheer:api_token_list", kwargs={"org": org.slug})


def test_beheerder_creates_lists_and_revokes_a_token(
    maassluis: Any, member: Any, login: Any
) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    client = login(admin)
    page = client.get(tokens_url(maassluis))
    assert page.status_code == 200
    assert _("This organisation has no API tokens.") in page.content.decode()

    response = client.post(
        tokens_url(maassluis),
        {
            "name": "Dashboard regio",
            "owner": "organisation",
            "scope": "read",
            "days": "30",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    found = re.search(r'value="(regie_[A-Za-z0-9_-]+)"', html)
    assert found is not None, html
    secret = found.group(1)
    assert shown_once() in html
    token = ApiToken.objects.get(name="Dashboard regio")
    assert (token.organisation, token.user, token.created_by) == (maassluis, None, admin)
    assert (token.expires_at - timezone.now()).days in (29, 30)
    # Shown once: the list never shows it again.
    again = client.get(tokens_url(maassluis)).content.decode()
    assert "Dashboard regio" in again
    assert secret not in again
    assert ">actief<" in again

    assert Client().get(AREAS, **bearer(secret)).status_code == 200
    assert f">{_('never')}<" not in client.get(tokens_url(maassluis)).content.decode()

    revoke = reverse(
        "beheer:api_token_revoke", kwargs={"org": maassluis.slug, "token_id": token.pk}
    )
    confirm = client.get(revoke)
    assert confirm.status_code == 200
    assert _("Yes, revoke the token") in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # the question changes nothing
    assert client.post(revoke).status_code == 302
    token.refresh_from_db()
    assert token.revoked_by == admin
    assert token.revoked_at is not None
    assert Client().get(AREAS, **bearer(secret)).status_code == 401
    when = timezone.localtime(token.revoked_at).strftime("%Y")
    assert when in client.get(tokens_url(maassluis)).content.decode()
    assert ">actief<" not in client.get(tokens_url(maassluis)).content.decode()


def test_beheerder_makes_a_personal_token_for_themself(
    maassluis: Any, member: Any, login: Any
) -> None:
    admin = member(maassluis, Role.BEHEERDER)
    response = login(admin).post(
        tokens_url(maassluis),
        {"name": "Eigen", "owner": "me", "scope": "read", "days": "90", "password": PASSWORD},
    )
    assert response.status_code == 200
    assert ApiToken.objects.get(name="Eigen").user == admin


def test_a_token_needs_the_current_password(maassluis: Any, member: Any, login: Any) -> None:
    """A session alone (a stolen one) does not mint a key that outlives it."""
    client = login(member(maassluis, Role.BEHEERDER))
    form = {"name": "Sleutel", "owner": "organisation", "scope": "read", "days": "30"}
    for password in ("", "niet-het-wachtwoord"):
        response = client.post(tokens_url(maassluis), {**form, "password": password})
        assert response.status_code == 200
        assert 'value="regie_' not in response.content.decode()
    assert not ApiToken.objects.exists()
    assert 'value="Sleutel"' in response.content.decode()  # what was typed is kept


def test_the_form_refuses_more_than_a_year(maassluis: Any, member: Any, login: Any) -> None:
    client = login(member(maassluis, Role.BEHEERDER))
    response = client.post(
        tokens_url(maassluis),
        {
            "name": "Lang",
            "owner": "organisation",
            "scope": "read",
            "days": "400",
            "password": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert not ApiToken.objects.exists()
    assert 'value="regie_' not in response.content.decode()


def test_only_the_organisations_beheerder_manages_its_tokens(
    maassluis: Any, alblasserdam: Any, member: Any, login: Any, org_token: api_tokens.NewToken
) -> None:
    revoke = reverse(
        "beheer:api_token_revoke", kwargs={"org": maassluis.slug, "token_id": org_token.token.pk}
    )
    adviseur = login(member(maassluis, Role.ADVISEUR))
    assert adviseur.get(tokens_url(maassluis)).status_code == 403
    assert adviseur.post(tokens_url(maassluis), {"name": "x", "days": "9"}).status_code == 403
    assert adviseur.post(revoke).status_code == 403
    other_admin = login(member(alblasserdam, Role.BEHEERDER))
    assert other_admin.get(tokens_url(maassluis)).status_code == 404
    assert other_admin.post(revoke).status_code == 404
    # Under its own organisation's address the other beheerder cannot reach the token either.
    own_address = reverse(
        "beheer:api_token_revoke",
        kwargs={"org": alblasserdam.slug, "token_id": org_token.token.pk},
    )
    assert other_admin.post(own_address).status_code == 404
    assert "Datakoppeling" not in other_admin.get(tokens_url(alblasserdam)).content.decode()
    org_token.token.refresh_from_db()
    assert org_token.token.revoked_at is None
    assert ApiToken.objects.count() == 1


# --- regie token --------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue()


def test_token_command_creates_lists_and_revokes(maassluis: Any, member: Any) -> None:
    user = member(maassluis, Role.ADVISEUR)
    out = run("create", "--org", "gm0556", "--name", "Koppeling", "--expires-days", "10")
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("regie_")
    assert "Koppeling" in out
    assert "Maassluis" in out
    token = ApiToken.objects.get(name="Koppeling")
    assert token.user is None
    assert token.scope == ApiTokenScope.READ
    assert (token.expires_at - timezone.now()).days in (9, 10)
    create = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="accounts.ApiToken")
    assert create.actor_label == "regie token"

    personal = run("create", "--org", "gm0556", "--name", "Eigen", "--user", user.username)
    assert ApiToken.objects.get(name="Eigen").user == user
    assert personal.strip().splitlines()[-1] != secret

    listing = run("list", "--org", "gm0556")
    assert "Koppeling" in listing
    assert "Eigen" in listing
    assert "actief" in listing
    assert secret not in listing

    assert "Koppeling" in run("revoke", str(token.pk))
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert run("revoke", str(token.pk)).strip() == _(
        "API token %(id)s “%(name)s” was already revoked."
    ) % {"id": token.pk, "name": "Koppeling"}
    assert _("revoked") in run("list", "--org", "gm0556")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("create", "--org", "bestaat-niet", "--name", "x"), "Onbekende organisatie bestaat-niet"),
        (("create", "--org", "gm0556", "--name", "x", "--user", "niemand"), "niemand"),
        (("create", "--org", "gm0556", "--name", "x", "--expires-days", "400"), "365"),
        (("list", "--org", "bestaat-niet"), "Onbekende organisatie bestaat-niet"),
        (("revoke", "9999"), "9999"),
    ],
)
def test_token_command_errors_are_clear(
    maassluis: Any, args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not ApiToken.objects.exists()


# --- A personal token ends with the ways into its account ---------------------------------------


@pytest.mark.parametrize("ending", ["password_change", "password_reset", "two_factor_reset"])
def test_a_personal_token_ends_when_the_password_or_second_factor_changes(
    maassluis: Any, member: Any, ending: str
) -> None:
    from regie.accounts.services import passwords, two_factor

    adviseur = member(maassluis, Role.ADVISEUR)
    new = api_tokens.create_token(
        organisation=maassluis, name="Script", created_by=adviseur, user=adviseur
    )
    assert Client().get(AREAS, **bearer(new.secret)).status_code == 200
    if ending == "password_change":
        passwords.record_password_change(user=adviseur)
    elif ending == "password_reset":
        passwords.record_password_reset(user=adviseur)
    else:
        two_factor.reset_two_factor(user=adviseur)
    assert Client().get(AREAS, **bearer(new.secret)).status_code == 401
    assert ApiToken.objects.get(pk=new.token.pk).revoked_at is not None


def test_a_personal_token_ends_with_its_users_role_in_the_organisation(
    maassluis: Any, member: Any
) -> None:
    from regie.accounts.models import Membership

    adviseur = member(maassluis, Role.ADVISEUR)
    new = api_tokens.create_token(
        organisation=maassluis, name="Script", created_by=adviseur, user=adviseur
    )
    assert Client().get(AREAS, **bearer(new.secret)).status_code == 200
    Membership.objects.filter(user=adviseur, organisation=maassluis).delete()
    assert Client().get(AREAS, **bearer(new.secret)).status_code == 401


def test_a_token_is_throttled_so_a_loop_cannot_flood_the_audit_log(
    org_token: api_tokens.NewToken, settings: Any
) -> None:
    from django.core.cache import cache

    from regie.accounts.api_auth import TokenRateThrottle

    cache.clear()
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "token": "3/minute"}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TokenRateThrottle, "THROTTLE_RATES", rates)
        answers = [Client().get(AREAS, **bearer(org_token.secret)).status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    uses = AuditEntry.objects.filter(action=AuditAction.TOKEN_USE).count()
    assert uses == 3  # the refused request is not a use
