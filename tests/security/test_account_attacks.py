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

from regie.accounts import events, known_device, throttle
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
    response = login(root).post(url)
    assert response.status_code == 200
    assert response.context["code"]
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
    existing = TOTPDevice.objects.get(user=victim, name="telefoon")
    form = {"password": PASSWORD, "current_code": code_for(existing), "token": code}
    assert client.post(reverse("accounts:setup_2fa"), form).status_code == 302
    assert TOTPDevice.objects.filter(user=victim, confirmed=True).count() == 3  # + test device
    assert client.session.session_key != before
    assert AuditEntry.objects.filter(
        action=AuditAction.DEVICE_ADDED, object_id=str(victim.pk)
    ).exists()


def test_the_owner_removes_an_own_device_but_not_the_last(victim: User, login: Any) -> None:
    client = login(victim)
    devices = list(TOTPDevice.objects.filter(user=victim, confirmed=True))
    first = reverse("accounts:device_remove", kwargs={"device_id": devices[0].pk})
    form = {"password": PASSWORD, "current_code": code_for(devices[0])}
    assert client.post(first, form).status_code == 302
    second = reverse("accounts:device_remove", kwargs={"device_id": devices[1].pk})
    form = {"password": PASSWORD, "current_code": code_for(devices[1])}
    response = client.post(second, form)
    assert response.status_code == 200  # refused: the role requires an app
    assert "enige authenticator-app" in response.content.decode()
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
    # The owner, at the same moment from a new address on a new device, is asked to wait too,
    # without the exact wait (which told an attacker when to take the next turn) …
    owner = Client()
    response = password_login(owner, victim.username, PASSWORD, OWNER)
    assert was_throttled(response)
    said = str(response.context["form"].non_field_errors())
    assert not re.search(r"\b(2|4|8|16|32|60)\b|second", said), said
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
    assert throttle.reserve_attempt("iemand").wait > 0
    clock.advance(seconds=settings.REGIE_LOGIN_MAX_DELAY_SECONDS)
    assert throttle.reserve_attempt("iemand").wait == 0
    assert throttle.reserve_attempt("IEMAND").wait > 0  # the same name, in other capitals


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


def test_one_address_trying_many_accounts_is_slowed_down_not_locked_out(
    settings: Any, clock: Clock, maassluis: Organisation, member: Callable[..., User]
) -> None:
    """M7: one source spraying many accounts waits; it is not a lock-out of the whole NAT."""
    settings.REGIE_PROXY_COUNT = 1
    settings.REGIE_LOCKOUT_ADDRESS_FAILURES = 3
    users = [member(maassluis, Role.RAADPLEGER) for _ in range(5)]
    colleague = users[4]
    # The colleague logged in on this computer before (a known device), behind the same NAT.
    regular = Client()
    assert password_login(regular, colleague.username, address=ATTACKERS[0]).status_code == 302
    cookie = regular.cookies[known_device.COOKIE_NAME].value
    hammer = Client()
    for user in users[:3]:
        password_login(hammer, user.username, "fout", ATTACKERS[0])
    response = password_login(hammer, users[3].username, PASSWORD, ATTACKERS[0])
    assert response.status_code == 200
    assert was_throttled(response)
    assert not logged_in(hammer)
    # The colleague's known device goes around the slow-down of the shared address …
    known = Client()
    known.cookies[known_device.COOKIE_NAME] = cookie
    assert password_login(known, colleague.username, address=ATTACKERS[0]).status_code == 302
    # … the same accounts from elsewhere log in as usual …
    elsewhere = Client()
    assert password_login(elsewhere, users[3].username, PASSWORD, OWNER).status_code == 302
    # … and after the wait the address gets a turn again: slowed down, never locked out.
    clock.advance(seconds=settings.REGIE_LOGIN_MAX_DELAY_SECONDS)
    again = Client()
    assert password_login(again, users[3].username, PASSWORD, ATTACKERS[0]).status_code == 302
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


def test_failed_logins_are_audited_with_a_fixed_label_and_the_address(victim: User) -> None:
    client = Client(REMOTE_ADDR="198.51.100.20")
    client.post(reverse("accounts:login"), {"username": "x" * 100, "password": "fout"})
    client.post(reverse("accounts:login"), {"username": victim.username, "password": "fout"})
    unknown, known = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("id")
    assert unknown.actor_label == events.UNKNOWN_NAME
    assert "x" * 10 not in unknown.object_repr
    assert unknown.client_address == "198.51.100.20"
    assert unknown.object_id == ""
    assert known.object_id == str(victim.pk)  # about the account, so its beheerders see it
    assert known.actor_label == victim.username


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
    # The refusals past the limit are recorded once an hour, not once per request.
    assert requested.count() == settings.REGIE_RESET_MAILS_PER_ACCOUNT + 1
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


# --- 6. The second review: turns, known devices, enrolment, sessions, audit noise ------------
#
# H1 (turns taken at the end of every wait), M7 (address lock-out behind NAT), H2 (one pending
# 2FA key for every session), M2 (a cleared second factor and credential changes left sessions
# valid), M3 (apps added or removed without re-authentication or mail), M4 (typed text and
# anonymous noise in the audit log), L1/L2 (invitations), L4 (readable e-mail change links),
# L5 (current-password checks without throttle or audit).

HOTEL = "198.51.100.99"  # a new address where the owner has never logged in
SECRET_RE = re.compile(r'class="regie-secret">([A-Z2-7]+)<')


def address_headers(address: str | None) -> dict[str, str]:
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address} if address else {}


def full_login(client: Client, user: User, address: str | None = None) -> None:
    """Password and second factor: the browser becomes a known device, the address known."""
    assert password_login(client, user.username, PASSWORD, address).status_code == 302
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    assert device is not None
    response = client.post(
        reverse("accounts:verify"), {"token": code_for(device)}, **address_headers(address)
    )
    assert response.status_code == 302, response


def with_cookie(value: str) -> Client:
    client = Client()
    client.cookies[known_device.COOKIE_NAME] = value
    return client


def account_lane(user: User) -> Any:
    """The shared lane of ``user``."""
    from regie.accounts.models import LoginThrottle, ThrottleScope

    return LoginThrottle.objects.get(
        scope=ThrottleScope.ACCOUNT, key=throttle.key_for(user.username)
    )


def secret_on(client: Client) -> str:
    page = client.get(reverse("accounts:setup_2fa"))
    assert page.status_code == 200, page
    found = SECRET_RE.search(page.content.decode())
    assert found is not None
    return found.group(1)


def totp_of(secret: str) -> str:
    return str(totp(base64.b32decode(secret))).zfill(6)


def test_an_attacker_taking_every_turn_cannot_keep_the_owner_out(
    settings: Any, clock: Clock, victim: User
) -> None:
    """H1: the attacker fires exactly when each wait ends (from ever new addresses, so no limit
    per address stops it) and takes every turn of the account's shared lane. The owner on a known
    device, and the owner from the office address without the cookie, still get in every time."""
    settings.REGIE_PROXY_COUNT = 1
    laptop = Client()
    full_login(laptop, victim, OWNER)  # last week, at the office
    morsel = laptop.cookies.get(known_device.COOKIE_NAME)
    cookie = morsel.value if morsel is not None else ""
    bots = [f"203.0.113.{n}" for n in range(1, 250)]
    for n in range(settings.REGIE_LOCKOUT_FAILURES):
        password_login(Client(), victim.username, "fout", bots[n])
    rounds = 50
    got_in = {"known device": 0, "office": 0, "new device, new address": 0}
    for turn in range(rounds):
        clock.now = account_lane(victim).next_attempt_at  # the moment the wait ends
        response = password_login(Client(), victim.username, "fout", bots[-1 - turn])
        assert not was_throttled(response), "the attacker should get this turn"
        attempts = {
            "known device": (with_cookie(cookie), HOTEL),
            "office": (Client(), OWNER),
            "new device, new address": (Client(), HOTEL),
        }
        for name, (client, address) in attempts.items():
            password_login(client, victim.username, PASSWORD, address)
            got_in[name] += logged_in(client)
    assert got_in["known device"] == rounds
    assert got_in["office"] == rounds
    # What stays (ADR 0004): a new device at a new address shares the attacker's lane.
    assert got_in["new device, new address"] == 0


def test_the_known_device_cookie_is_signed_httponly_and_bound_to_the_account(
    settings: Any, victim: User, maassluis: Organisation, member: Callable[..., User]
) -> None:
    client = Client()
    full_login(client, victim)
    morsel = client.cookies[known_device.COOKIE_NAME]
    assert morsel["httponly"]
    assert morsel["samesite"] == "Lax"
    assert int(morsel["max-age"]) == settings.REGIE_KNOWN_DEVICE_DAYS * 24 * 60 * 60
    other = member(maassluis, Role.RAADPLEGER)
    for value in (morsel.value, morsel.value[:-2] + "xx"):
        request = with_cookie(value).get("/").wsgi_request
        assert known_device.device_for(request, other) is None
    request = with_cookie(morsel.value).get("/").wsgi_request
    assert known_device.device_for(request, victim) is not None
    assert not morsel["secure"]  # plain HTTP in the test client …
    from django.http import HttpResponse
    from django.test import RequestFactory

    response = HttpResponse()
    known_device.remember(RequestFactory().get("/", secure=True), response, victim)
    assert response.cookies[known_device.COOKIE_NAME]["secure"]  # … Secure over HTTPS


def test_a_known_device_has_a_small_budget_of_its_own(
    settings: Any, clock: Clock, victim: User
) -> None:
    """A stolen laptop's cookie gives a few guesses, then the shared lane's wait applies."""
    settings.REGIE_PROXY_COUNT = 1
    laptop = Client()
    full_login(laptop, victim, OWNER)
    cookie = laptop.cookies[known_device.COOKIE_NAME].value
    for _ in range(settings.REGIE_LOCKOUT_FAILURES):
        password_login(Client(), victim.username, "fout", ATTACKERS[0])
    thief = with_cookie(cookie)
    for _ in range(settings.REGIE_KNOWN_DEVICE_FAILURES):
        assert not was_throttled(password_login(thief, victim.username, "fout", HOTEL))
    assert was_throttled(password_login(thief, victim.username, "fout", HOTEL))


def test_a_colleague_behind_the_same_nat_cannot_lock_out_other_names(
    settings: Any, maassluis: Organisation, member: Callable[..., User], victim: User
) -> None:
    """M7: django-axes locks a username at an address, not the whole address."""
    settings.REGIE_PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 3
    nat = "198.51.100.77"
    colleague = member(maassluis, Role.RAADPLEGER)
    troublemaker = Client()
    for name in ("eigen-naam", "Eigen-Naam", "EIGEN-NAAM", "eigen-naam"):
        password_login(troublemaker, name, "fout", nat)
    assert password_login(troublemaker, "eigen-naam", "fout", nat).status_code == 429
    assert password_login(Client(), colleague.username, PASSWORD, nat).status_code == 302
    # Someone at another address who hammers the owner's name does not lock the owner out.
    owner = Client()
    full_login(owner, victim, OWNER)
    for _ in range(4):
        password_login(Client(), victim.username, "fout", ATTACKERS[0])
    assert password_login(Client(), victim.username, "fout", ATTACKERS[0]).status_code == 429
    again = with_cookie(owner.cookies[known_device.COOKIE_NAME].value)
    assert password_login(again, victim.username, PASSWORD, OWNER).status_code == 302


def test_each_enrolment_has_its_own_key_and_no_pending_device(maassluis: Organisation) -> None:
    """H2: the password holder (or a stolen session) copies the QR code of the owner's enrolment;
    the owner confirms it; the copy would be a lasting second factor."""
    user: User = UserFactory()
    MembershipFactory(user=user, organisation=maassluis, role=Role.ADVISEUR)
    # A pending device of the old enrolment, as the old code left it.
    TOTPDevice.objects.create(user=user, name="oud", confirmed=False)
    thief, owner = Client(), Client()
    password_login(thief, user.username)
    password_login(owner, user.username)
    copied = secret_on(thief)
    own = secret_on(owner)
    assert copied != own
    assert secret_on(owner) == own  # stable within the enrolment (a wrong code, a reload)
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    assert owner.post(reverse("accounts:setup_2fa"), {"token": totp_of(own)}).status_code == 302
    (device,) = TOTPDevice.objects.filter(user=user)  # the pending one is gone
    assert device.confirmed
    assert device.bin_key == base64.b32decode(own)
    # The copied key is worth nothing at the second factor.
    stranger = Client()
    password_login(stranger, user.username)
    response = stranger.post(reverse("accounts:verify"), {"token": totp_of(copied)})
    assert response.status_code == 200
    assert not AuditEntry.objects.filter(action=AuditAction.VERIFIED, actor=user).exists()


def test_the_migration_removes_pending_devices(victim: User) -> None:
    import importlib

    from django.apps import apps

    TOTPDevice.objects.create(user=victim, name="oud", confirmed=False)
    migration = importlib.import_module("regie.accounts.migrations.0004_security_review")
    migration.remove_pending_devices(apps, None)
    assert not TOTPDevice.objects.filter(confirmed=False).exists()
    assert TOTPDevice.objects.filter(user=victim, confirmed=True).exists()


def test_clearing_the_second_factor_ends_sessions_and_needs_the_enrolment_code(
    victim: User, root: User, login: Any
) -> None:
    """M2: after installation beheer cleared the second factor, whoever had the password enrolled
    first, and sessions from before stayed valid."""
    open_session = Client()
    full_login(open_session, victim)
    cookie = open_session.cookies[known_device.COOKIE_NAME].value
    assert open_session.get(reverse("accounts:profile")).status_code == 200
    url = reverse("installatie:account_reset_2fa", kwargs={"user_id": victim.pk})
    response = login(root).post(url)
    code = response.context["code"]
    assert code in response.content.decode()
    assert [m.to for m in mail.outbox] == [[victim.email]]
    assert code not in mail.outbox[0].body
    # The old session is over, and the old known-device cookie is worthless.
    assert open_session.get(reverse("accounts:profile"))["Location"].startswith(
        reverse("accounts:login")
    )
    request = with_cookie(cookie).get("/").wsgi_request
    assert known_device.device_for(request, User.objects.get(pk=victim.pk)) is None
    # Someone with the password cannot enrol without the code.
    thief = Client()
    assert password_login(thief, victim.username).status_code == 302
    secret = secret_on(thief)
    for tried in ("", "AAAA-BBBB-CCCC-DDDD"):
        form = {"token": totp_of(secret), "enrolment_code": tried}
        assert thief.post(reverse("accounts:setup_2fa"), form).status_code == 200
    assert not TOTPDevice.objects.filter(user=victim).exists()
    # The owner, with the code from installation beheer, enrols.
    owner = Client()
    password_login(owner, victim.username)
    secret = secret_on(owner)
    form = {"token": totp_of(secret), "enrolment_code": code.lower()}
    assert owner.post(reverse("accounts:setup_2fa"), form).status_code == 302
    assert TOTPDevice.objects.filter(user=victim, confirmed=True).count() == 1
    # Used once.
    from regie.accounts.models import EnrolmentCode

    assert not EnrolmentCode.objects.filter(user=victim).exists()


def test_an_enrolment_code_expires_and_wrong_codes_void_it(
    victim: User, root: User, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from regie.accounts.services import two_factor

    url = reverse("installatie:account_reset_2fa", kwargs={"user_id": victim.pk})
    code = login(root).post(url).context["code"]
    thief = Client()
    password_login(thief, victim.username)
    secret = secret_on(thief)
    for _ in range(two_factor.ENROLMENT_CODE_ATTEMPTS):
        form = {"token": totp_of(secret), "enrolment_code": "AAAA-BBBB-CCCC-DDDD"}
        thief.post(reverse("accounts:setup_2fa"), form)
    form = {"token": totp_of(secret), "enrolment_code": code}
    assert thief.post(reverse("accounts:setup_2fa"), form).status_code == 200
    assert not TOTPDevice.objects.filter(user=victim).exists()
    code = login(root).post(url).context["code"]
    later = timezone.now() + two_factor.enrolment_code_validity() + dt.timedelta(minutes=1)
    monkeypatch.setattr(two_factor, "now", lambda: later)
    owner = Client()
    password_login(owner, victim.username)
    form = {"token": totp_of(secret_on(owner)), "enrolment_code": code}
    assert owner.post(reverse("accounts:setup_2fa"), form).status_code == 200
    assert not TOTPDevice.objects.filter(user=victim).exists()


def test_an_email_change_ends_the_other_sessions(victim: User, login: Any) -> None:
    elsewhere = login(victim)
    here = login(victim)
    here.post(
        reverse("accounts:email_change"), {"email": "nieuw@example.org", "password": PASSWORD}
    )
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body)
    assert link is not None
    assert here.post(link.group(1)).status_code == 302
    assert here.get(reverse("accounts:profile")).status_code == 200
    assert elsewhere.get(reverse("accounts:profile"))["Location"].startswith(
        reverse("accounts:login")
    )


def test_installation_beheer_changing_an_address_ends_the_accounts_sessions(
    victim: User, root: User, login: Any
) -> None:
    session = login(victim)
    detail = reverse("installatie:account_detail", kwargs={"user_id": victim.pk})
    login(root).post(detail, {"first_name": "", "last_name": "", "email": "nieuw@example.org"})
    assert session.get(reverse("accounts:profile"))["Location"].startswith(
        reverse("accounts:login")
    )


def test_a_password_change_ends_the_other_sessions_and_keeps_this_device_known(
    victim: User, login: Any
) -> None:
    elsewhere = login(victim)
    here = Client()
    full_login(here, victim)
    old_cookie = here.cookies[known_device.COOKIE_NAME].value
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert here.get(reverse("accounts:profile")).status_code == 200
    assert elsewhere.get(reverse("accounts:profile")).status_code == 302
    fresh = User.objects.get(pk=victim.pk)
    stale = with_cookie(old_cookie).get("/").wsgi_request
    assert known_device.device_for(stale, fresh) is None
    current = with_cookie(here.cookies[known_device.COOKIE_NAME].value).get("/").wsgi_request
    assert known_device.device_for(current, fresh) is not None


def test_a_password_reset_ends_every_session(victim: User, login: Any) -> None:
    session = login(victim)
    client = Client()
    client.post(reverse("accounts:password_reset"), {"email": victim.email})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert session.get(reverse("accounts:profile"))["Location"].startswith(
        reverse("accounts:login")
    )


def test_adding_an_app_needs_the_password_and_a_current_code_and_mails_the_owner(
    victim: User, login: Any
) -> None:
    """M3: an open or stolen verified session added an app without re-authentication."""
    client = login(victim)
    secret = secret_on(client)
    existing = TOTPDevice.objects.get(user=victim, name="telefoon")
    url = reverse("accounts:setup_2fa")
    for form in (
        {"token": totp_of(secret)},
        {"token": totp_of(secret), "current_code": code_for(existing)},
        {"token": totp_of(secret), "password": PASSWORD},
        {"token": totp_of(secret), "password": "fout", "current_code": code_for(existing)},
    ):
        assert client.post(url, form).status_code == 200
    assert TOTPDevice.objects.filter(user=victim, confirmed=True).count() == 2
    assert not mail.outbox
    form = {"token": totp_of(secret), "password": PASSWORD, "current_code": code_for(existing)}
    assert client.post(url, form).status_code == 302
    assert TOTPDevice.objects.filter(user=victim, confirmed=True).count() == 3
    (message,) = mail.outbox
    assert message.to == [victim.email]
    assert secret not in message.body
    device = TOTPDevice.objects.filter(user=victim).order_by("-pk").first()
    assert device is not None
    assert device.key not in message.body


def test_a_first_app_long_after_the_login_needs_the_password(maassluis: Organisation) -> None:
    user: User = UserFactory()
    MembershipFactory(user=user, organisation=maassluis, role=Role.RAADPLEGER)
    client = Client()
    client.force_login(user)  # a session whose password step is not recent
    secret = secret_on(client)
    url = reverse("accounts:setup_2fa")
    assert client.post(url, {"token": totp_of(secret)}).status_code == 200
    assert client.post(url, {"token": totp_of(secret), "password": PASSWORD}).status_code == 302
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 1


def test_removing_an_app_needs_the_password_and_a_code_and_mails_the_owner(
    settings: Any, victim: User, login: Any
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own wait after a wrong code
    client = login(victim)
    phone = TOTPDevice.objects.get(user=victim, name="telefoon")
    url = reverse("accounts:device_remove", kwargs={"device_id": phone.pk})
    assert client.post(url).status_code == 200
    assert client.post(url, {"password": PASSWORD, "current_code": "123456"}).status_code == 200
    assert (
        client.post(url, {"password": "fout", "current_code": code_for(phone)}).status_code == 200
    )
    assert TOTPDevice.objects.filter(pk=phone.pk).exists()
    form = {"password": PASSWORD, "current_code": code_for(phone)}
    assert client.post(url, form).status_code == 302
    assert not TOTPDevice.objects.filter(pk=phone.pk).exists()
    (message,) = mail.outbox
    assert message.to == [victim.email]
    assert "telefoon" in message.body


def _audit_text() -> str:
    return " ".join(
        f"{e.actor_label} {e.object_repr} {e.before} {e.after}" for e in AuditEntry.objects.all()
    )


def test_typed_text_of_unknown_names_never_reaches_the_audit_log(
    settings: Any, clock: Clock
) -> None:
    """M4: people type passwords in the name field."""
    typed = "Geheim-Wachtwoord-Van-Iemand-77"
    client = Client()
    for _ in range(settings.REGIE_LOCKOUT_FAILURES + 3):
        password_login(client, typed, "fout")
    assert AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).exists()
    assert "Geheim" not in _audit_text()
    assert "geheim" not in _audit_text()
    from axes.models import AccessAttempt

    from regie.accounts.models import LoginThrottle

    assert {str(row) for row in LoginThrottle.objects.all()} == {events.UNKNOWN_NAME}
    kept = [row.key for row in LoginThrottle.objects.all()]
    kept += list(AccessAttempt.objects.values_list("username", flat=True))
    assert not [key for key in kept if "geheim" in key.casefold()]


def test_a_slow_down_is_recorded_once_per_window_not_per_attempt(
    settings: Any, clock: Clock, victim: User
) -> None:
    client = Client()
    for _ in range(settings.REGIE_LOCKOUT_FAILURES):
        password_login(client, victim.username, "fout")
    before = AuditEntry.objects.count()
    for _ in range(10):
        assert was_throttled(password_login(client, victim.username, "fout"))
    refusals = AuditEntry.objects.filter(action=AuditAction.LOCKOUT).order_by("id")[1:]
    assert AuditEntry.objects.count() - before == 1
    assert len(refusals) == 1
    # A new window, a new entry.
    clock.advance(minutes=settings.REGIE_LOCKOUT_MINUTES + 1)
    password_login(client, victim.username, "fout")  # a turn: a failure
    for _ in range(3):
        password_login(client, victim.username, "fout")
    assert AuditEntry.objects.filter(action=AuditAction.LOCKOUT).count() <= 4


def test_a_lock_out_at_an_address_is_recorded_once_per_window(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 2
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(12):
        client.post(reverse("accounts:login"), {"username": "iemand", "password": "fout"})
    lockouts = AuditEntry.objects.filter(action=AuditAction.LOCKOUT)
    assert lockouts.count() == 1
    assert lockouts.get().actor_label == events.UNKNOWN_NAME


def test_reset_requests_for_unknown_addresses_are_bounded_and_leave_the_address_out(
    settings: Any,
) -> None:
    settings.REGIE_RESET_MAILS_PER_ADDRESS = 3
    client = Client(REMOTE_ADDR="203.0.113.10")
    for n in range(20):
        client.post(reverse("accounts:password_reset"), {"email": f"geheim{n}@example.org"})
    entries = AuditEntry.objects.filter(action=AuditAction.RESET_REQUESTED)
    assert entries.count() == settings.REGIE_RESET_MAILS_PER_ADDRESS + 1
    assert "geheim" not in _audit_text()


def test_an_invitation_is_accepted_only_by_the_account_it_was_sent_to(
    maassluis: Organisation, attacker: User, victim: User, login: Any
) -> None:
    """L1: a forwarded or intercepted link gave its role to whichever account opened it."""
    login(attacker).post(member_list(maassluis), {"email": victim.email, "role": Role.ADVISEUR})
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[-1].body)
    assert link is not None
    other: User = UserFactory(email="iemand-anders@example.org")
    client = login(other)
    page = client.get(link.group(1))
    assert page.context["wrong_account"]
    assert 'value="accept"' not in page.content.decode()
    client.post(link.group(1), {"answer": "accept"})
    assert not Membership.objects.filter(user=other, organisation=maassluis).exists()
    invitation = Invitation.objects.get(email=victim.email)
    assert invitation.is_pending
    from regie.accounts import services
    from regie.core.errors import ServiceError

    with pytest.raises(ServiceError):
        services.accept_invitation(invitation=invitation, user=other)
    # The address's own account, in other capitals, accepts.
    victim.email = victim.email.upper()
    victim.save()
    assert login(victim).post(link.group(1), {"answer": "accept"}).status_code == 302
    assert Membership.objects.filter(user=victim, organisation=maassluis).exists()


def test_declining_does_not_name_the_account_to_the_inviting_organisation(
    maassluis: Organisation, attacker: User, victim: User, login: Any
) -> None:
    """L2: the decline wrote the declining account's username into the gemeente's log."""
    victim.email = "v.persoon@alblasserdam.example"
    victim.save()
    login(attacker).post(member_list(maassluis), {"email": victim.email, "role": Role.ADVISEUR})
    invitation = Invitation.objects.get(email=victim.email)
    respond = reverse("accounts:invitation_respond", kwargs={"invitation_id": invitation.pk})
    declining = login(victim)
    declining.defaults["REMOTE_ADDR"] = "198.51.100.61"
    declining.post(respond, {"answer": "decline"})
    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    seen = AuditEntry.objects.filter(organisation=maassluis)
    assert seen.filter(action__in=[AuditAction.INVITATION, AuditAction.UPDATE]).count() >= 2
    for entry in seen:
        text = f"{entry.actor_label} {entry.object_repr} {entry.before} {entry.after}"
        assert victim.username not in text
        assert entry.actor != victim
        assert entry.client_address != "198.51.100.61"


def test_the_email_change_link_shows_neither_address_and_expires(
    victim: User, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """L4: the signed (not encrypted) token showed both addresses in the URL."""
    from regie.accounts.models import EmailChange
    from regie.accounts.services import users as user_services

    client = login(victim)
    client.post(
        reverse("accounts:email_change"), {"email": "nieuw@example.org", "password": PASSWORD}
    )
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body)
    assert link is not None
    token = link.group(1).rstrip("/").rsplit("/", 1)[-1]
    decoded = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    for shown in (link.group(1).encode(), decoded):
        assert b"nieuw" not in shown
        assert b"slachtoffer" not in shown
    change = EmailChange.objects.get(user=victim)
    assert change.token_hash != token
    assert token not in change.token_hash
    later = timezone.now() + user_services.EMAIL_CHANGE_VALIDITY + dt.timedelta(minutes=1)
    monkeypatch.setattr(user_services, "now", lambda: later)
    assert client.post(link.group(1)).status_code == 200
    victim.refresh_from_db()
    assert victim.email == "slachtoffer@alblasserdam.example"


def test_current_password_checks_are_throttled_and_audited(
    settings: Any, clock: Clock, victim: User, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """L5: a stolen session could guess the password on the e-mail and password forms."""
    checked: list[str] = []
    original = ModelBackend.authenticate

    def spy(self: Any, request: Any, username: Any = None, password: Any = None, **kw: Any) -> Any:
        checked.append(str(password))
        return original(self, request, username=username, password=password, **kw)

    monkeypatch.setattr(ModelBackend, "authenticate", spy)
    client = login(victim)
    guesses = settings.REGIE_LOCKOUT_FAILURES
    for n in range(guesses):
        client.post(
            reverse("accounts:email_change"), {"email": "boef@example.org", "password": f"g{n}"}
        )
    failures = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED, object_id=str(victim.pk))
    assert failures.count() == guesses
    checked.clear()
    response = client.post(
        reverse("accounts:email_change"), {"email": "boef@example.org", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert checked == []  # refused during the wait, not even compared
    assert not [m for m in mail.outbox if "boef@example.org" in m.to]
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert checked == []
    assert User.objects.get(pk=victim.pk).check_password(PASSWORD)
    clock.advance(seconds=settings.REGIE_LOGIN_MAX_DELAY_SECONDS)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": "fout", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert failures.count() == guesses + 1


def test_invitations_per_organisation_are_limited_per_hour(
    maassluis: Organisation, attacker: User, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A beheerder cannot use the installation to send mail in bulk."""
    from regie.accounts.services import invitations

    monkeypatch.setattr(invitations, "INVITATIONS_PER_HOUR", 3)
    client = login(attacker)
    for n in range(5):
        client.post(member_list(maassluis), add_member_form("", f"adres{n}@example.org"))
    assert Invitation.objects.filter(organisation=maassluis).count() == 3
    assert len([m for m in mail.outbox if m.to[0].startswith("adres")]) == 3
    response = client.post(
        member_list(maassluis), add_member_form("", "nog.een@example.org"), follow=True
    )
    assert "in het afgelopen uur" in response.content.decode()
