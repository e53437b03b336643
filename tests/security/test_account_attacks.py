"""Attacks on accounts found by the security review (issue 13), each reproduced and refused.

1. Account takeover across gemeenten: a beheerder of one gemeente found any account by name, gave
   it a role, changed its e-mail, removed its 2FA devices, had a reset link sent to the new
   address and logged in as that person (ADR 0011).
2. 2FA bypass: a session that passed only the password enrolled a device of its own.
3. Lock-out turned against a user: failures locked a username for everyone behind the proxy
   (ADR 0004).
4. Security events without client address, invisible to everyone.
5. Unlimited reset mails; sensitive pages cacheable; no Permissions-Policy.

Addresses below are documentation ranges (RFC 5737) in request headers only; nothing is sent.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.backends import ModelBackend
from django.core import mail
from django.core.exceptions import NON_FIELD_ERRORS
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from regie.accounts import events, throttle
from regie.accounts.models import Invitation, Membership, Role, User
from regie.accounts.services import passwords as password_services
from regie.accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory
from regie.core.concurrency import edit_token
from regie.core.models import AuditAction, AuditEntry, Organisation

pytestmark = pytest.mark.django_db

PROXY = "192.0.2.1"
ATTACKERS = ["203.0.113.1", "203.0.113.2", "203.0.113.3"]
OWNER = "198.51.100.7"
NEW_PASSWORD = "Een-zelfgekozen-wachtwoord-9"


# --- Helpers ---------------------------------------------------------------------------------


def code_for(device: TOTPDevice) -> str:
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(6)


def password_login(
    client: Client, username: str, password: str = PASSWORD, address: str | None = None
) -> Any:
    extra = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address} if address else {}
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, **extra
    )


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def was_throttled(response: Any) -> bool:
    form = response.context["form"] if response.context else None
    return bool(form is not None and form.has_error(NON_FIELD_ERRORS, "throttled"))


class Clock:
    """The clock of the login throttle and the reset-mail limit, moved by hand."""

    def __init__(self) -> None:
        self.now = timezone.now()

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(throttle, "now", fake)
    monkeypatch.setattr(password_services, "now", fake)
    return fake


def with_device(user: User) -> TOTPDevice:
    device: TOTPDevice = TOTPDevice.objects.create(user=user, name="telefoon", confirmed=True)
    return device


@pytest.fixture
def victim(alblasserdam: Organisation) -> User:
    """A beheerder of Alblasserdam with an authenticator app."""
    user: User = UserFactory(username="slachtoffer", email="slachtoffer@alblasserdam.example")
    MembershipFactory(user=user, organisation=alblasserdam, role=Role.BEHEERDER)
    with_device(user)
    return user


@pytest.fixture
def attacker(maassluis: Organisation, member: Callable[..., User]) -> User:
    """A beheerder of Maassluis who wants the victim's account."""
    user = member(maassluis, Role.BEHEERDER)
    user.email = "boef@example.org"
    user.save()
    return user


@pytest.fixture
def root() -> User:
    user = User.objects.create_superuser("root", "root@example.org", "Een-lang-wachtwoord-1")
    with_device(user)
    return user


def member_list(org: Organisation) -> str:
    return reverse("beheer:member_list", kwargs={"org": org.slug})


def add_member_form(username: str, email: str, role: str = Role.BEHEERDER) -> dict[str, str]:
    """What the old "Lid toevoegen" form took (a username) plus the invitation's fields."""
    return {"username": username, "email": email, "role": role, "first_name": "", "last_name": ""}


def success_message(response: Any) -> str:
    messages = [str(m) for m in response.context["messages"]] if response.context else []
    return " ".join(messages)


# --- 1. Account takeover across gemeenten ---------------------------------------------------


def test_a_beheerder_cannot_take_an_outside_account_by_name(
    maassluis: Organisation, attacker: User, victim: User, root: User, login: Any
) -> None:
    client = login(attacker)
    for username in (victim.username, "ROOT", victim.username.upper()):
        client.post(member_list(maassluis), add_member_form(username, "boef@example.org"))
    assert not Membership.objects.filter(user=victim, organisation=maassluis).exists()
    assert not Membership.objects.filter(user=root, organisation=maassluis).exists()
    # Inviting the victim's own address gives no role either: only the victim can accept.
    client.post(member_list(maassluis), add_member_form("", victim.email))
    assert not Membership.objects.filter(user=victim, organisation=maassluis).exists()
    invitation = Invitation.objects.get(email=victim.email)
    assert invitation.is_pending
    assert [m.to for m in mail.outbox if victim.email in m.to] == [[victim.email]]


def test_the_beheerder_page_does_not_tell_whether_an_account_exists(
    maassluis: Organisation, attacker: User, victim: User, login: Any
) -> None:
    client = login(attacker)
    known = client.post(
        member_list(maassluis), add_member_form(victim.username, victim.email), follow=True
    )
    unknown = client.post(
        member_list(maassluis),
        add_member_form("niemand", "niemand@example.org"),
        follow=True,
    )
    assert known.redirect_chain == unknown.redirect_chain
    said_known = success_message(known).replace(victim.email, "ADRES")
    said_unknown = success_message(unknown).replace("niemand@example.org", "ADRES")
    assert said_known == said_unknown
    assert said_known
    assert victim.username not in said_known


def test_a_beheerder_cannot_change_a_members_email_address(
    maassluis: Organisation, attacker: User, victim: User, login: Any
) -> None:
    # The victim legitimately works for both gemeenten.
    MembershipFactory(user=victim, organisation=maassluis, role=Role.ADVISEUR)
    client = login(attacker)
    url = reverse("beheer:member_detail", kwargs={"org": maassluis.slug, "user_id": victim.pk})
    client.post(
        url,
        {
            "form": "details",
            "first_name": "Over",
            "last_name": "Genomen",
            "email": "boef@example.org",
            "edit_token": edit_token(victim),
        },
    )
    victim.refresh_from_db()
    assert victim.email == "slachtoffer@alblasserdam.example"
    assert victim.first_name != "Over"
    assert 'name="email"' not in client.get(url).content.decode()


def test_a_beheerder_cannot_remove_a_members_authenticator_app(
    maassluis: Organisation, attacker: User, victim: User, login: Any
) -> None:
    MembershipFactory(user=victim, organisation=maassluis, role=Role.ADVISEUR)
    client = login(attacker)
    # The old "reset two-factor authentication" address of the gemeente's Beheer pages.
    response = client.post(f"/{maassluis.slug}/beheer/gebruikers/{victim.pk}/verificatie-wissen/")
    assert response.status_code == 404
    assert TOTPDevice.objects.filter(user=victim, confirmed=True).count() == 1


def test_no_reset_link_reaches_the_beheerder_and_no_login_as_the_member(
    maassluis: Organisation, attacker: User, victim: User, login: Any
) -> None:
    """The whole chain: role by name, e-mail change, 2FA removal, reset link, login."""
    MembershipFactory(user=victim, organisation=maassluis, role=Role.ADVISEUR)
    client = login(attacker)
    client.post(member_list(maassluis), add_member_form(victim.username, "boef@example.org"))
    detail = reverse("beheer:member_detail", kwargs={"org": maassluis.slug, "user_id": victim.pk})
    client.post(
        detail,
        {
            "form": "details",
            "first_name": "",
            "last_name": "",
            "email": "boef@example.org",
            "edit_token": edit_token(victim),
        },
    )
    client.post(f"/{maassluis.slug}/beheer/gebruikers/{victim.pk}/verificatie-wissen/")
    mail.outbox.clear()
    Client().post(reverse("accounts:password_reset"), {"email": "boef@example.org"})
    links = [m for m in mail.outbox if victim.username in m.body]
    assert links == [], "a reset link for the victim reached the beheerder"
    stranger = Client()
    assert password_login(stranger, victim.username, NEW_PASSWORD).status_code == 200
    assert not logged_in(stranger)


def test_the_account_itself_changes_its_address_and_the_old_address_is_told(
    victim: User, login: Any
) -> None:
    client = login(victim)
    response = client.post(
        reverse("accounts:email_change"), {"email": "nieuw@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.email == "slachtoffer@alblasserdam.example"  # not before confirmation
    (confirm,) = mail.outbox
    assert confirm.to == ["nieuw@example.org"]
    link = re.search(r"https?://[^/]+(/\S+)", confirm.body)
    assert link is not None
    # Another account cannot use the link.
    other = login(UserFactory())
    other.post(link.group(1))
    victim.refresh_from_db()
    assert victim.email == "slachtoffer@alblasserdam.example"
    assert client.post(link.group(1)).status_code == 302
    victim.refresh_from_db()
    assert victim.email == "nieuw@example.org"
    assert mail.outbox[-1].to == ["slachtoffer@alblasserdam.example"]
    assert "nieuw@example.org" in mail.outbox[-1].body
    assert AuditEntry.objects.filter(
        action=AuditAction.EMAIL_CHANGE, object_id=str(victim.pk)
    ).exists()


def test_an_address_change_needs_the_current_password(victim: User, login: Any) -> None:
    client = login(victim)
    response = client.post(
        reverse("accounts:email_change"), {"email": "boef@example.org", "password": "fout"}
    )
    assert response.status_code == 200
    assert not mail.outbox


def test_installation_beheer_clears_a_lost_second_factor_and_it_is_audited(
    victim: User, root: User, attacker: User, login: Any
) -> None:
    url = reverse("installatie:account_reset_2fa", kwargs={"user_id": victim.pk})
    assert login(attacker).post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=victim).exists()
    assert login(root).post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=victim).exists()
    entry = AuditEntry.objects.get(action=AuditAction.DEVICE_REMOVED, object_id=str(victim.pk))
    assert entry.actor == root
    # Installation beheer may correct an address too (the old address is told).
    detail = reverse("installatie:account_detail", kwargs={"user_id": victim.pk})
    login(root).post(detail, {"first_name": "A", "last_name": "B", "email": "juist@example.org"})
    victim.refresh_from_db()
    assert victim.email == "juist@example.org"
    assert mail.outbox[-1].to == ["slachtoffer@alblasserdam.example"]


def test_an_invited_account_accepts_on_its_profile_page(
    maassluis: Organisation, attacker: User, victim: User, login: Any
) -> None:
    login(attacker).post(member_list(maassluis), {"email": victim.email, "role": Role.ADVISEUR})
    invitation = Invitation.objects.get(email=victim.email)
    client = login(victim)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert "Maassluis" in profile
    # Someone else with the invitation's number cannot answer it.
    respond = reverse("accounts:invitation_respond", kwargs={"invitation_id": invitation.pk})
    assert login(attacker).post(respond, {"answer": "accept"}).status_code == 404
    before = client.session.session_key
    response = client.post(respond, {"answer": "accept"})
    assert response.status_code == 302
    assert Membership.objects.get(user=victim, organisation=maassluis).role == Role.ADVISEUR
    assert client.session.session_key != before
    entry = AuditEntry.objects.get(action=AuditAction.LINK_CONSENT, object_id=str(victim.pk))
    assert entry.organisation == maassluis


def test_an_invitation_can_be_declined(
    maassluis: Organisation, attacker: User, victim: User, login: Any
) -> None:
    login(attacker).post(member_list(maassluis), {"email": victim.email, "role": Role.ADVISEUR})
    invitation = Invitation.objects.get(email=victim.email)
    respond = reverse("accounts:invitation_respond", kwargs={"invitation_id": invitation.pk})
    login(victim).post(respond, {"answer": "decline"})
    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    assert not Membership.objects.filter(user=victim, organisation=maassluis).exists()


# --- 2. Second factor -------------------------------------------------------------------------


def test_a_password_only_session_cannot_enrol_a_device(
    maassluis: Organisation, victim: User
) -> None:
    MembershipFactory(user=victim, organisation=maassluis, role=Role.ADVISEUR)
    client = Client()
    assert password_login(client, victim.username).status_code == 302
    response = client.get(reverse("accounts:setup_2fa"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:verify"))
    rogue = TOTPDevice.objects.filter(user=victim, confirmed=False).first()
    token = code_for(rogue) if rogue is not None else "123456"
    response = client.post(reverse("accounts:setup_2fa"), {"token": token})
    assert response["Location"].startswith(reverse("accounts:verify"))
    assert TOTPDevice.objects.filter(user=victim, confirmed=True).count() == 1
    overview = client.get(reverse("org_areas:overview", kwargs={"org": maassluis.slug}))
    assert overview["Location"].startswith(reverse("accounts:verify"))


def test_a_verified_session_may_add_a_device(victim: User, login: Any) -> None:
    client = login(victim)
    page = client.get(reverse("accounts:setup_2fa"))
    assert page.status_code == 200
    secret = re.search(r'class="regie-secret">([A-Z2-7]+)<', page.content.decode())
    assert secret is not None
    before = client.session.session_key
    code = str(totp(base64.b32decode(secret.group(1)))).zfill(6)
    assert client.post(reverse("accounts:setup_2fa"), {"token": code}).status_code == 302
    assert TOTPDevice.objects.filter(user=victim, confirmed=True).count() == 3  # + test device
    assert client.session.session_key != before
    assert AuditEntry.objects.filter(
        action=AuditAction.DEVICE_ADDED, object_id=str(victim.pk)
    ).exists()


def test_the_owner_removes_an_own_device_but_not_the_last(victim: User, login: Any) -> None:
    client = login(victim)
    devices = list(TOTPDevice.objects.filter(user=victim, confirmed=True))
    first = reverse("accounts:device_remove", kwargs={"device_id": devices[0].pk})
    assert client.post(first).status_code == 302
    second = reverse("accounts:device_remove", kwargs={"device_id": devices[1].pk})
    assert client.post(second).status_code == 200  # refused: the role requires an app
    assert TOTPDevice.objects.filter(user=victim, confirmed=True).count() == 1
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.DEVICE_REMOVED, object_id=str(victim.pk)
        ).count()
        == 1
    )


def test_a_new_session_key_after_the_second_factor(victim: User) -> None:
    client = Client()
    password_login(client, victim.username)
    before = client.session.session_key
    device = TOTPDevice.objects.get(user=victim)
    assert client.post(reverse("accounts:verify"), {"token": code_for(device)}).status_code == 302
    assert client.session.session_key != before
    assert AuditEntry.objects.filter(action=AuditAction.VERIFIED, actor=victim).exists()


def test_a_new_session_key_after_first_enrolment(maassluis: Organisation) -> None:
    user: User = UserFactory()
    MembershipFactory(user=user, organisation=maassluis, role=Role.ADVISEUR)
    client = Client()
    password_login(client, user.username)
    page = client.get(reverse("accounts:setup_2fa")).content.decode()
    secret = re.search(r'class="regie-secret">([A-Z2-7]+)<', page)
    assert secret is not None
    before = client.session.session_key
    code = str(totp(base64.b32decode(secret.group(1)))).zfill(6)
    assert client.post(reverse("accounts:setup_2fa"), {"token": code}).status_code == 302
    assert client.session.session_key != before


def test_a_new_session_key_after_a_password_change(victim: User, login: Any) -> None:
    client = login(victim)
    before = client.session.session_key
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.session.session_key != before
    assert AuditEntry.objects.filter(action=AuditAction.PASSWORD_CHANGE, actor=victim).exists()


def test_a_new_session_key_after_a_password_reset(victim: User) -> None:
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": victim.email})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    before = client.session.session_key
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.session.session_key != before
    assert AuditEntry.objects.filter(
        action=AuditAction.PASSWORD_RESET, object_id=str(victim.pk)
    ).exists()


# --- 3. Lock-out turned against a user ------------------------------------------------------


def test_attackers_on_many_addresses_cannot_lock_the_owner_out(
    settings: Any, clock: Clock, victim: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.REGIE_PROXY_COUNT = 1
    checked: list[str] = []
    original = ModelBackend.authenticate

    def spy(self: Any, request: Any, username: Any = None, password: Any = None, **kw: Any) -> Any:
        checked.append(str(password))
        return original(self, request, username=username, password=password, **kw)

    monkeypatch.setattr(ModelBackend, "authenticate", spy)
    attacker = Client()
    for attempt in range(settings.REGIE_LOCKOUT_FAILURES):
        response = password_login(attacker, victim.username, "fout", ATTACKERS[attempt % 3])
        assert response.status_code == 200
        assert not was_throttled(response)
    # Slowed down: the next try waits, whatever the password; it is not even compared.
    checked.clear()
    response = password_login(attacker, victim.username, PASSWORD, ATTACKERS[2])
    assert was_throttled(response)
    assert not logged_in(attacker)
    assert checked == []
    # The owner, at the same moment from another address, is asked to wait too …
    owner = Client()
    response = password_login(owner, victim.username, PASSWORD, OWNER)
    assert was_throttled(response)
    assert re.search(r"\b[12]\b", str(response.context["form"].non_field_errors()))
    # … and gets in once the wait is over: slowed down, never locked out.
    clock.advance(seconds=settings.REGIE_LOGIN_MAX_DELAY_SECONDS)
    response = password_login(owner, victim.username, PASSWORD, OWNER)
    assert response.status_code == 302
    assert logged_in(owner)
    # After the login the owner is told about the failed attempts.
    page = owner.get(response["Location"], follow=True)
    notices = [str(m) for m in page.context["messages"]]
    assert any(str(settings.REGIE_LOCKOUT_FAILURES) in n for n in notices), notices
    lockouts = AuditEntry.objects.filter(action=AuditAction.LOCKOUT, object_id=str(victim.pk))
    assert lockouts.exists()
    assert set(lockouts.values_list("client_address", flat=True)) <= {*ATTACKERS, OWNER}


def test_the_wait_doubles_up_to_the_maximum(settings: Any) -> None:
    settings.REGIE_LOCKOUT_FAILURES = 5
    settings.REGIE_LOGIN_MAX_DELAY_SECONDS = 60
    waits = [throttle.delay_after(n) for n in range(1, 13)]
    assert waits == [0, 0, 0, 0, 2, 4, 8, 16, 32, 60, 60, 60]


def test_attempts_sent_at_once_after_a_wait_get_one_try(clock: Clock, settings: Any) -> None:
    for _ in range(settings.REGIE_LOCKOUT_FAILURES):
        throttle.record_failure("iemand")
    assert throttle.reserve_attempt("iemand") > 0
    clock.advance(seconds=settings.REGIE_LOGIN_MAX_DELAY_SECONDS)
    assert throttle.reserve_attempt("iemand") == 0
    assert throttle.reserve_attempt("IEMAND") > 0  # the same name, in other capitals


def test_the_owner_gets_one_mail_per_window(settings: Any, clock: Clock, victim: User) -> None:
    client = Client()
    for _ in range(settings.REGIE_LOCKOUT_FAILURES + 3):
        password_login(client, victim.username, "fout")
        clock.advance(seconds=settings.REGIE_LOGIN_MAX_DELAY_SECONDS)
    assert [m.to for m in mail.outbox] == [[victim.email]]
    assert victim.username in mail.outbox[0].body
    clock.advance(minutes=settings.REGIE_LOCKOUT_MINUTES + 1)
    for _ in range(settings.REGIE_LOCKOUT_FAILURES):
        password_login(client, victim.username, "fout")
    assert len(mail.outbox) == 2


def test_an_unknown_name_is_slowed_down_like_a_real_one(settings: Any, clock: Clock) -> None:
    client = Client()
    for _ in range(settings.REGIE_LOCKOUT_FAILURES):
        password_login(client, "bestaat-niet", "fout")
    assert was_throttled(password_login(client, "bestaat-niet", "fout"))
    assert not mail.outbox


def test_one_address_trying_many_accounts_is_locked_out(
    settings: Any, maassluis: Organisation, member: Callable[..., User]
) -> None:
    settings.REGIE_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 3
    users = [member(maassluis, Role.RAADPLEGER) for _ in range(4)]
    hammer = Client()
    for user in users[:3]:
        password_login(hammer, user.username, "fout", ATTACKERS[0])
    response = password_login(hammer, users[3].username, PASSWORD, ATTACKERS[0])
    assert response.status_code == 429
    assert not logged_in(hammer)
    # Everyone else, and the same accounts from elsewhere, log in as usual.
    elsewhere = Client()
    assert password_login(elsewhere, users[3].username, PASSWORD, OWNER).status_code == 302
    assert AuditEntry.objects.filter(
        action=AuditAction.LOCKOUT, client_address=ATTACKERS[0]
    ).exists()


@pytest.mark.parametrize(("proxies", "expected"), [(0, PROXY), (1, ATTACKERS[0])])
def test_the_proxy_header_counts_only_with_a_proxy_count(
    settings: Any, victim: User, proxies: int, expected: str
) -> None:
    settings.REGIE_PROXY_COUNT = proxies
    password_login(Client(), victim.username, "fout", ATTACKERS[0])
    failure = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert failure.client_address == expected
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [expected]


# --- 4. Audit of security events ------------------------------------------------------------


def test_failed_logins_are_audited_with_a_short_name_and_the_address(victim: User) -> None:
    client = Client(REMOTE_ADDR="198.51.100.20")
    client.post(reverse("accounts:login"), {"username": "x" * 100, "password": "fout"})
    client.post(reverse("accounts:login"), {"username": victim.username, "password": "fout"})
    unknown, known = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("id")
    assert len(unknown.actor_label) <= events.ATTEMPTED_NAME_LENGTH + 1
    assert unknown.client_address == "198.51.100.20"
    assert unknown.object_id == ""
    assert known.object_id == str(victim.pk)  # about the account, so its beheerders see it


def test_security_events_carry_the_client_address_and_organisation(
    maassluis: Organisation, attacker: User, login: Any
) -> None:
    address = "198.51.100.30"
    beheer = login(attacker)
    beheer.defaults["REMOTE_ADDR"] = address
    beheer.post(member_list(maassluis), {"email": "nieuw@example.org", "role": Role.RAADPLEGER})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body)
    assert link is not None
    newcomer = Client(REMOTE_ADDR=address)
    newcomer.post(
        link.group(1),
        {
            "username": "nieuwkomer",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "first_name": "",
            "last_name": "",
        },
    )
    user = User.objects.get(username="nieuwkomer")
    membership = Membership.objects.get(user=user)
    detail = reverse("beheer:member_detail", kwargs={"org": maassluis.slug, "user_id": user.pk})
    beheer.post(detail, {"role": Role.ADVISEUR, "edit_token": edit_token(membership)})
    newcomer.post(reverse("accounts:logout"))
    newcomer.post(reverse("accounts:login"), {"username": "nieuwkomer", "password": "fout"})
    newcomer.post(reverse("accounts:password_reset"), {"email": "nieuw@example.org"})
    entries = AuditEntry.objects.filter(client_address=address)
    for action in (
        AuditAction.INVITATION,
        AuditAction.LINK_CONSENT,
        AuditAction.ROLE_CHANGE,
        AuditAction.LOGIN,
        AuditAction.LOGOUT,
        AuditAction.LOGIN_FAILED,
        AuditAction.RESET_REQUESTED,
    ):
        assert entries.filter(action=action).exists(), action
    for action in (AuditAction.INVITATION, AuditAction.LINK_CONSENT, AuditAction.ROLE_CHANGE):
        assert entries.filter(action=action, organisation=maassluis).exists(), action


def test_beheerders_see_the_security_events_of_their_members_only(
    maassluis: Organisation,
    alblasserdam: Organisation,
    attacker: User,
    victim: User,
    login: Any,
) -> None:
    outsider_event = events.record(AuditAction.LOGIN, account=victim, actor=victim)
    colleague: User = UserFactory(username="collega")
    MembershipFactory(user=colleague, organisation=maassluis, role=Role.ADVISEUR)
    member_event = events.record(AuditAction.PASSWORD_CHANGE, account=colleague, actor=colleague)
    client = login(attacker)
    body = client.get(reverse("beheer:audit_log", kwargs={"org": maassluis.slug})).content.decode()
    assert "collega" in body
    assert "slachtoffer" not in body

    def entry(e: AuditEntry) -> int:
        url = reverse("beheer:audit_entry", kwargs={"org": maassluis.slug, "entry_id": e.pk})
        return int(client.get(url).status_code)

    assert entry(member_event) == 200
    assert entry(outsider_event) == 404
    # When the victim joins Maassluis later, events from before stay out of view.
    MembershipFactory(user=victim, organisation=maassluis, role=Role.RAADPLEGER)
    later = events.record(AuditAction.LOGOUT, account=victim, actor=victim)
    assert entry(outsider_event) == 404
    assert entry(later) == 200
    # Alblasserdam's beheerder sees the victim's events all along.
    url = reverse(
        "beheer:audit_entry", kwargs={"org": alblasserdam.slug, "entry_id": outsider_event.pk}
    )
    assert login(victim).get(url).status_code == 200


def test_the_installation_audit_log_is_for_superusers(
    root: User, attacker: User, victim: User, login: Any
) -> None:
    event = events.record(AuditAction.LOGIN_FAILED, account=victim, actor_label="slachtoffer")
    url = reverse("installatie:audit_log")
    assert login(attacker).get(url).status_code == 403
    response = login(root).get(url, {"action": AuditAction.LOGIN_FAILED})
    assert response.status_code == 200
    assert "slachtoffer" in response.content.decode()
    detail = reverse("installatie:audit_entry", kwargs={"entry_id": event.pk})
    assert login(root).get(detail).status_code == 200
    assert AuditEntry.objects.filter(action=AuditAction.READ, actor=root).exists()


# --- 5. Reset mails, caching, browser features ----------------------------------------------


def test_reset_mails_are_limited_per_account(settings: Any, clock: Clock, victim: User) -> None:
    client = Client()
    responses = [
        client.post(reverse("accounts:password_reset"), {"email": victim.email})
        for _ in range(settings.REGIE_RESET_MAILS_PER_ACCOUNT + 2)
    ]
    assert {r["Location"] for r in responses} == {reverse("accounts:password_reset_done")}
    assert len(mail.outbox) == settings.REGIE_RESET_MAILS_PER_ACCOUNT
    requested = AuditEntry.objects.filter(action=AuditAction.RESET_REQUESTED)
    assert requested.count() == settings.REGIE_RESET_MAILS_PER_ACCOUNT + 2
    clock.advance(hours=1, minutes=1)
    client.post(reverse("accounts:password_reset"), {"email": victim.email})
    assert len(mail.outbox) == settings.REGIE_RESET_MAILS_PER_ACCOUNT + 1


def test_reset_mails_are_limited_per_address(
    settings: Any, maassluis: Organisation, member: Callable[..., User]
) -> None:
    settings.REGIE_RESET_MAILS_PER_ADDRESS = 3
    users = [member(maassluis, Role.RAADPLEGER) for _ in range(5)]
    one_source = Client(REMOTE_ADDR="203.0.113.50")
    for user in users:
        response = one_source.post(reverse("accounts:password_reset"), {"email": user.email})
        assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 3
    Client(REMOTE_ADDR="198.51.100.50").post(
        reverse("accounts:password_reset"), {"email": users[4].email}
    )
    assert len(mail.outbox) == 4


def test_sensitive_pages_are_not_stored_in_caches(victim: User, login: Any) -> None:
    for response in (
        Client().get(reverse("accounts:login")),
        Client().get(reverse("accounts:password_reset")),
        login(victim).get(reverse("accounts:profile")),
    ):
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
    static = Client().get("/static/regie/regie.css")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")


def test_every_response_denies_unused_browser_features(victim: User, login: Any) -> None:
    for response in (Client().get(reverse("accounts:login")), login(victim).get("/")):
        policy = response["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
            assert f"{feature}=()" in policy
