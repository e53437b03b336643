"""The uitvoeringsprogramma pages through HTTP: every page for every staff role, writes for
editors only, another gemeente's ids a 404, the adopted programme's frozen fields, stale edits,
Dutch amounts, input kept on errors, and effort next to effect (never one status)."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from regie.accounts.models import Role, User
from regie.core.concurrency import edit_token
from regie.core.models import Organisation
from regie.demo import services as demo_services
from regie.policy import selectors as policy_selectors
from regie.policy.models import CapacityLine, Goal, Plan
from regie.programme import services
from regie.programme.models import Action, ActionStatus, Programme, ProgressNote
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(demo_figures: Any) -> dict[str, Plan]:  # noqa: F811 - the fixture imported above
    demo_services.load_plans()
    return {p.organisation.slug: p for p in Plan.objects.select_related("organisation")}


@pytest.fixture
def as_role(
    plans: dict[str, Plan], member: Callable[[Organisation, str], User], login: Any
) -> Callable[..., Client]:
    def make(role: str, slug: str = "gm0482") -> Client:
        return login(member(plans[slug].organisation, role))  # type: ignore[no-any-return]

    return make


def _goal(plan: Plan) -> Goal:
    goal = Goal.objects.filter(theme__priority__plan=plan, indicators__isnull=False).first()
    assert goal is not None
    return goal


@pytest.fixture
def programme(plans: dict[str, Plan]) -> Programme:
    """A concept programme 2024 of Alblasserdam with one action tied to a goal, with a note."""
    plan = plans["gm0482"]
    existing = Programme.objects.filter(plan=plan, period="2024").first()
    if existing is not None:  # the demo may bring its own programme 2024
        existing.delete()
    made = services.create_programme(plan=plan, period="2024", title="Uitvoering 2024")
    action = services.save_action(
        made,
        goals=[_goal(plan)],
        title="Buurtpreventie uitbreiden",
        owner="Team OOV",
        quarters="12",
        budget=Decimal("12000"),
    )
    action.refresh_from_db()
    services.add_progress(
        action,
        version=edit_token(action),
        moment="2024H1",
        text="Twee nieuwe groepen gestart.",
        status=ActionStatus.RUNNING,
        spent=Decimal("4000"),
    )
    return made


def url(name: str, programme: Programme | None = None, org: str = "", **kwargs: Any) -> str:
    if programme is not None:
        kwargs = {"programme_id": programme.pk, **kwargs}
        org = org or programme.organisation.slug
    return reverse(f"programme:{name}", kwargs={"org": org, **kwargs})


def text(response: Any) -> str:
    body = response.content.decode()
    body = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def _action(programme: Programme) -> Action:
    action = programme.actions.first()
    assert action is not None
    return action


def _pages(programme: Programme) -> list[str]:
    action = _action(programme)
    return [
        url("index", org=programme.organisation.slug),
        url("programme_detail", programme),
        url("evaluation", programme),
        url("action_detail", programme, action_id=action.pk),
    ]


def _edit_pages(programme: Programme) -> list[str]:
    action = _action(programme)
    return [
        url("programme_create", org=programme.organisation.slug),
        url("programme_edit", programme),
        url("programme_adopt", programme),
        url("programme_next", programme),
        url("evaluation_edit", programme),
        url("action_create", programme),
        url("action_edit", programme, action_id=action.pk),
        url("action_delete", programme, action_id=action.pk),
        url("action_progress", programme, action_id=action.pk),
    ]


@pytest.mark.parametrize("role", [Role.ADVISEUR, Role.RAADPLEGER, Role.BEHEERDER])
def test_every_page_renders_for_staff(
    programme: Programme, as_role: Callable[..., Client], role: str
) -> None:
    client = as_role(role)
    for page in _pages(programme):
        response = client.get(page)
        assert response.status_code == 200, page
        if role == Role.RAADPLEGER:  # reads only: no edit, add or delete links
            body = response.content.decode()
            assert not re.search(r"/(bewerken|nieuw|verwijderen|voortgang|vaststellen)/", body)
    for page in _edit_pages(programme):
        expected = 200 if role != Role.RAADPLEGER else 403
        assert client.get(page).status_code == expected, page


def test_the_empty_list_says_what_to_do(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    Programme.objects.filter(organisation=plans["gm0556"].organisation).delete()
    page = text(as_role(Role.ADVISEUR, "gm0556").get(url("index", org="gm0556")))
    assert "Nieuw uitvoeringsprogramma" in page or "New uitvoeringsprogramma" in page
    reader = text(as_role(Role.RAADPLEGER, "gm0556").get(url("index", org="gm0556")))
    assert "/uitvoering/nieuw/" not in reader


def test_a_raadpleger_cannot_write(programme: Programme, as_role: Callable[..., Client]) -> None:
    client = as_role(Role.RAADPLEGER)
    action = _action(programme)
    for page in _edit_pages(programme):
        assert client.post(page, {"title": "x", "text": "x", "moment": "2024H2"}).status_code == 403
    action.refresh_from_db()
    assert action.title == "Buurtpreventie uitbreiden"
    assert action.notes.count() == 1
    assert Action.objects.filter(pk=action.pk).exists()


def test_another_gemeentes_programme_and_action_are_not_found(
    programme: Programme, plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    """An adviseur of Maassluis reaches nothing of Alblasserdam's programme, whichever way."""
    own_plan = plans["gm0556"]
    own = services.create_programme(plan=own_plan, period="2025", title="Eigen 2025")
    client = as_role(Role.ADVISEUR, "gm0556")
    action = _action(programme)
    before = (action.title, action.status, action.notes.count())
    # The other gemeente's slug: not a member there.
    for page in _pages(programme) + _edit_pages(programme):
        if "/uitvoering/nieuw/" in page or page.endswith("/uitvoering/"):
            continue
        assert client.get(page).status_code == 404, page
    # The own slug with the other programme's id, and the other action under the own programme.
    mixed = {"org": "gm0556"}
    for name in ("programme_detail", "programme_edit", "programme_adopt", "evaluation"):
        assert client.get(url(name, programme, **mixed)).status_code == 404
    for name in ("action_detail", "action_edit", "action_delete", "action_progress"):
        assert client.get(url(name, programme, action_id=action.pk, **mixed)).status_code == 404
        assert client.get(url(name, own, action_id=action.pk)).status_code == 404
    # The attack: posting to B's action through A's own programme or slug changes nothing.
    data = {
        "edit_token": edit_token(action),
        "title": "Gekaapt",
        "owner": "X",
        "status": ActionStatus.DONE,
        "moment": "2024H2",
        "text": "Gekaapt",
    }
    for name in ("action_edit", "action_progress", "action_delete"):
        assert client.post(url(name, own, action_id=action.pk), data).status_code == 404
        assert client.post(url(name, programme, action_id=action.pk), data).status_code == 404
    assert client.post(url("programme_adopt", programme, **mixed), data).status_code == 404
    action.refresh_from_db()
    assert (action.title, action.status, action.notes.count()) == before
    # The create form offers only the own gemeente's plans.
    other_plan = plans["gm0482"]
    response = client.post(
        url("programme_create", org="gm0556"), {"plan": other_plan.pk, "period": "2026"}
    )
    assert response.status_code == 200
    assert "plan" in response.context["form"].errors
    assert not Programme.objects.filter(plan=other_plan, period="2026").exists()


def test_effort_and_effect_are_two_separately_named_statuses(
    programme: Programme, as_role: Callable[..., Client]
) -> None:
    response = as_role(Role.RAADPLEGER).get(url("programme_detail", programme))
    body = response.content.decode()
    goal = _goal(programme.plan)
    block = body.split(f'id="doel-{goal.pk}"', 1)[1].split("</tr>", 1)[0]
    header = body.split('class="utrecht-table utrecht-table--html-table regie-effort-effect"', 1)[1]
    header = header.split("</thead>", 1)[0]
    effort_cell = block.split('data-kind="effort"', 1)[1].split("</td>", 1)[0]
    effect_cell = block.split('data-kind="effect"', 1)[1].split("</td>", 1)[0]
    # Named columns.
    assert "Inspanning" in header or "Effort" in header
    assert "Effect" in header
    # The effort: the goal's one running action (never an indicator status word).
    assert "Volgens planning" in effort_cell or "On schedule" in effort_cell
    assert "regie-status__light" not in effort_cell
    # The effect: the goal's indicator status from the plan evaluation, with its explanation.
    evaluation = policy_selectors.plan_evaluation(programme.plan)
    node = next(
        g
        for p in evaluation.priorities
        for t in p.children
        for g in t.children
        if g.obj.pk == goal.pk
    )
    assert policy_selectors.status_label(node.status.value) in html.unescape(effect_cell)
    assert html.escape(node.explanation) in effect_cell or node.explanation in html.unescape(
        effect_cell
    )
    # The summary counts the two apart.
    page = text(response)
    assert ("Inspanning: acties per status" in body) or ("Effort: actions per status" in body)
    assert ("Effect: indicatoren per status" in body) or ("Effect: indicators per status" in body)
    # The action's row: owner, quarters, budget, spent, latest note.
    assert "Team OOV" in page
    assert "K1–K2" in page or "Q1–Q2" in page  # Dutch once the translations are compiled
    assert "€ 12.000" in page
    assert "€ 4.000" in page
    assert "Twee nieuwe groepen gestart." in page


def test_an_adviseur_adds_an_action_with_dutch_amounts(
    programme: Programme, as_role: Callable[..., Client]
) -> None:
    client = as_role(Role.ADVISEUR)
    plan = programme.plan
    goal = _goal(plan)
    line = CapacityLine.objects.filter(scenario__theme__priority__plan=plan).first()
    assert line is not None
    page = client.get(url("action_create", programme))
    body = text(page)
    assert f"{line.scenario.theme.title} – Scenario {line.scenario.letter} – {line.label}" in body
    response = client.post(
        url("action_create", programme),
        {
            "title": "Cameratoezicht evalueren",
            "owner": "Team OOV",
            "goals": [goal.pk],
            "quarters": ["3", "4"],
            "budget": "12.000,50",
            "capacity_line": line.pk,
            "start": "01-07-2024",
            "end": "31-12-2024",
            "status": ActionStatus.NOT_STARTED,
        },
    )
    action = Action.objects.get(programme=programme, title="Cameratoezicht evalueren")
    assert response.status_code == 302
    assert response["Location"] == url("action_detail", programme, action_id=action.pk)
    assert action.budget == Decimal("12000.50")
    assert action.quarters == "34"
    assert action.capacity_line == line
    assert list(action.goals.all()) == [goal]
    assert action.start == dt.date(2024, 7, 1)
    assert action.key == "cameratoezicht-evalueren"
    detail = text(client.get(response["Location"]))
    assert "€ 12.000,50" in detail
    assert "K3–K4" in detail or "Q3–Q4" in detail


def test_invalid_input_keeps_what_was_typed(
    programme: Programme, as_role: Callable[..., Client]
) -> None:
    client = as_role(Role.ADVISEUR)
    goal = _goal(programme.plan)
    before = programme.actions.count()
    response = client.post(
        url("action_create", programme),
        {
            "title": "Handhaving parkeren",
            "owner": "",
            "goals": [goal.pk],
            "quarters": ["2"],
            "budget": "12.000.5",
            "status": ActionStatus.NOT_STARTED,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "owner" in form.errors
    assert "budget" in form.errors
    body = response.content.decode()
    assert 'value="Handhaving parkeren"' in body
    assert 'value="12.000.5"' in body
    assert re.search(rf'value="{goal.pk}"[^>]*checked', body)
    assert re.search(r'value="2"[^>]*checked', body)
    assert "utrecht-alert--error" in body
    assert programme.actions.count() == before


def test_a_stale_edit_is_refused_and_nothing_overwritten(
    programme: Programme, as_role: Callable[..., Client]
) -> None:
    action = _action(programme)
    first, second = as_role(Role.ADVISEUR), as_role(Role.ADVISEUR)
    edit = url("action_edit", programme, action_id=action.pk)
    form_one = first.get(edit).context["form"]
    form_two = second.get(edit).context["form"]
    token = form_one.initial["edit_token"]
    assert token == form_two.initial["edit_token"]
    data = {
        "edit_token": token,
        "title": "Buurtpreventie uitbreiden",
        "owner": "Team OOV",
        "status": ActionStatus.RUNNING,
        "quarters": ["1", "2"],
        "budget": "12.000",
    }
    assert first.post(edit, {**data, "owner": "Eerste"}).status_code == 302
    response = second.post(edit, {**data, "owner": "Tweede"})
    assert response.status_code == 200
    assert "Iemand anders" in text(response) or "Someone else" in text(response)
    assert 'value="Tweede"' in response.content.decode()
    action.refresh_from_db()
    assert action.owner == "Eerste"


def test_an_adopted_programme_refuses_decided_fields_but_takes_status_and_spending(
    programme: Programme, as_role: Callable[..., Client]
) -> None:
    client = as_role(Role.ADVISEUR)
    # Adoption asks for a date in the past and a confirmation.
    future = (dt.date.today() + dt.timedelta(days=3)).strftime("%d-%m-%Y")
    adopt = url("programme_adopt", programme)
    token = client.get(adopt).context["form"].initial["edit_token"]
    response = client.post(adopt, {"adopted_on": future, "confirm": "on", "edit_token": token})
    assert "adopted_on" in response.context["form"].errors
    response = client.post(
        adopt, {"adopted_on": "12-03-2024", "confirm": "on", "edit_token": token}
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.is_frozen
    assert programme.adopted_on == dt.date(2024, 3, 12)
    action = _action(programme)
    edit = url("action_edit", programme, action_id=action.pk)
    page = client.get(edit)
    form = page.context["form"]
    assert set(form.fields) == {"edit_token", "status", "spent", "result", "lessons"}
    assert "12-03-2024" in text(page)
    response = client.post(
        edit,
        {
            "edit_token": form.initial["edit_token"],
            "title": "Iets anders",
            "budget": "99.000",
            "status": ActionStatus.DELAYED,
            "spent": "5.500,25",
            "result": "Vier groepen actief.",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.title == "Buurtpreventie uitbreiden"
    assert action.budget == Decimal("12000")
    assert action.status == ActionStatus.DELAYED
    assert action.spent == Decimal("5500.25")
    assert action.result == "Vier groepen actief."
    # Creating, deleting and editing the programme itself are refused with a message.
    before = programme.actions.count()
    assert client.post(url("action_create", programme), {"title": "x", "owner": "y"}).status_code
    assert programme.actions.count() == before
    delete = url("action_delete", programme, action_id=action.pk)
    assert client.post(delete, {"edit_token": edit_token(action)}).status_code == 302
    assert Action.objects.filter(pk=action.pk).exists()
    # Progress and the evaluation text stay possible.
    progress = url("action_progress", programme, action_id=action.pk)
    response = client.post(
        progress,
        {
            "edit_token": edit_token(action),
            "moment": "2024H2",
            "status": ActionStatus.DONE,
            "spent": "11.000",
            "text": "Afgerond.",
        },
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE
    assert action.spent == Decimal("11000")
    evaluation = url("evaluation_edit", programme)
    token = client.get(evaluation).context["form"].initial["edit_token"]
    response = client.post(
        evaluation,
        {"edit_token": token, "summary": "Goed jaar.", "proposals": "Doorgaan met preventie."},
    )
    assert response.status_code == 302
    page = text(client.get(url("evaluation", programme)))
    assert "Goed jaar." in page
    assert "Vier groepen actief." in page


def test_adoption_is_refused_without_actions(
    plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    empty = services.create_programme(plan=plans["gm0482"], period="2025H1", title="Leeg")
    client = as_role(Role.ADVISEUR)
    adopt = url("programme_adopt", empty)
    page = client.get(adopt)
    assert "zonder acties" in text(page) or "without actions" in text(page)
    response = client.post(
        adopt,
        {"adopted_on": "01-02-2025", "confirm": "on", "edit_token": edit_token(empty)},
    )
    assert response.status_code == 200
    empty.refresh_from_db()
    assert not empty.is_frozen


def test_progress_notes_are_added_and_shown(
    programme: Programme, as_role: Callable[..., Client]
) -> None:
    client = as_role(Role.ADVISEUR)
    action = _action(programme)
    progress = url("action_progress", programme, action_id=action.pk)
    form = client.get(progress).context["form"]
    today = dt.date.today()
    assert form.initial["moment"] == f"{today.year}H{1 if today.month <= 6 else 2}"
    response = client.post(
        progress,
        {
            "edit_token": form.initial["edit_token"],
            "moment": "2024H2",
            "status": ActionStatus.DELAYED,
            "spent": "6.250,75",
            "text": "Vertraagd door personeelstekort.",
        },
    )
    assert response["Location"] == url("action_detail", programme, action_id=action.pk)
    assert ProgressNote.objects.filter(action=action).count() == 2
    action.refresh_from_db()
    assert action.spent == Decimal("6250.75")
    page = text(client.get(response["Location"]))
    assert "Vertraagd door personeelstekort." in page
    assert "Twee nieuwe groepen gestart." in page
    assert page.index("Vertraagd door personeelstekort.") < page.index("Twee nieuwe groepen")
    # An empty text is refused, the rest kept.
    response = client.post(
        progress,
        {"edit_token": edit_token(action), "moment": "2025H1", "status": "loopt", "text": ""},
    )
    assert "text" in response.context["form"].errors
    assert 'value="2025H1"' in response.content.decode()


def test_deleting_an_action_asks_first(
    programme: Programme, as_role: Callable[..., Client]
) -> None:
    client = as_role(Role.ADVISEUR)
    action = _action(programme)
    delete = url("action_delete", programme, action_id=action.pk)
    page = client.get(delete)
    assert action.title in text(page)
    token = page.context["form"].initial["edit_token"]
    assert Action.objects.filter(pk=action.pk).exists()
    # Without the confirmation page's version nothing goes.
    assert client.post(delete, {}).status_code == 200
    assert Action.objects.filter(pk=action.pk).exists()
    assert client.post(delete, {"edit_token": token}).status_code == 302
    assert not Action.objects.filter(pk=action.pk).exists()


def test_create_edit_and_start_the_next_year(
    programme: Programme, plans: dict[str, Plan], as_role: Callable[..., Client]
) -> None:
    client = as_role(Role.ADVISEUR)
    org = programme.organisation.slug
    create = url("programme_create", org=org)
    form = client.get(create).context["form"]
    assert form.initial["plan"] == plans["gm0482"].pk
    response = client.post(create, {"plan": plans["gm0482"].pk, "period": "2026h1"})
    made = Programme.objects.get(plan=plans["gm0482"], period="2026H1")
    assert response["Location"] == url("programme_detail", made)
    # A period outside the plan is refused with the service's words, input kept.
    response = client.post(create, {"plan": plans["gm0482"].pk, "period": "2031"})
    assert "2031" in text(response)
    assert 'value="2031"' in response.content.decode()
    # Edit title and summary.
    edit = url("programme_edit", made)
    token = client.get(edit).context["form"].initial["edit_token"]
    client.post(edit, {"edit_token": token, "title": "Halfjaar 2026", "summary": "Kort."})
    made.refresh_from_db()
    assert made.title == "Halfjaar 2026"
    # Start next year: the open action carries over.
    nxt = url("programme_next", programme)
    page = client.get(nxt)
    assert page.context["form"].initial["period"] == "2025"
    assert "Buurtpreventie uitbreiden" in text(page)
    response = client.post(nxt, {"period": "2025"})
    new = Programme.objects.get(predecessor=programme)
    assert response["Location"] == url("programme_detail", new)
    assert new.period == "2025"
    assert list(new.actions.values_list("title", flat=True)) == ["Buurtpreventie uitbreiden"]
    index = text(client.get(url("index", org=org)))
    assert "Halfjaar 2026" in index
    assert new.title in index
