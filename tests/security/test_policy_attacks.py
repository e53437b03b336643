"""Attacks on the Beleid (policy) app, each reproduced, each refused.

1. Two saves of one item at once both succeeded (the edit token was compared in the form, not at
   the write) and a delete carried no token at all: now every update and delete claims the
   version the user saw at the write (:func:`regie.core.concurrency.claim`).
2. A plan file's YAML was loaded unbounded: aliases expanded a few lines into gigabytes ("billion
   laughs"), deep nesting gave a 500 (RecursionError), and a file could be 2 MB. Now it is checked
   before it is loaded, in the browser and on the command line.
3. A plan file could attribute a status override to any member of the organisation at any date.
   Now the file's author and time are kept only for a faithful copy of an override that exists.
4. A value YAML cannot convert (``2024-13-45``, ``!!float abc``, 5,000 digits) or the database
   cannot hold (a year of -1, an amount of 10^400, a 300-character title, a NUL character) gave a
   500 page and a traceback on the command line; YAML's own English problem text was shown on
   the Dutch page. Now each is a problem in the user's language at its place in the file; a
   fuzz of random and mutated plan files never raises anything else.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regie.accounts.models import Role, User
from regie.core.concurrency import (
    ConcurrencyFormMixin,
    StaleEditError,
    Versioned,
    edit_token,
)
from regie.core.models import Organisation
from regie.demo import services as demo_services
from regie.policy import plan_file, services
from regie.policy.engine import Status
from regie.policy.models import (
    BudgetLine,
    CapacityLine,
    Goal,
    Indicator,
    Plan,
    Priority,
    Scenario,
    StatedFigure,
    StatusOverride,
    Theme,
)
from tests.test_cli import run_main
from tests.test_monitor_cli import demo_figures  # noqa: F401 - the module fixture

Member = Callable[[Organisation, str], User]
Login = Callable[[User], Client]

STALE_NL = "Iemand anders heeft dit gegeven gewijzigd nadat u het opende."


@pytest.fixture
def plans(demo_figures: Any) -> dict[str, Plan]:  # noqa: F811 - the fixture imported above
    demo_services.load_plans()
    return {p.organisation.cbs_code: p for p in Plan.objects.select_related("organisation")}


def url(name: str, plan: Plan, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org": plan.organisation.slug, "plan_id": plan.pk, **kwargs})


def page(response: Any) -> str:
    import html

    return html.unescape(response.content.decode())


# --- 1. optimistic locking at the write ----------------------------------------------------------

#: Every model the Beleid pages edit or delete, with a field to change and where to find one.
EDITED: list[tuple[type[Versioned], str, dict[str, Any]]] = [
    (Plan, "title", {"organisation__cbs_code": "GM0556"}),
    (Priority, "title", {"plan__organisation__cbs_code": "GM0556"}),
    (Theme, "title", {"priority__plan__organisation__cbs_code": "GM0556"}),
    (Goal, "aim", {"theme__priority__plan__organisation__cbs_code": "GM0556"}),
    (Indicator, "name", {"goal__theme__priority__plan__organisation__cbs_code": "GM0556"}),
    (Scenario, "title", {"theme__priority__plan__organisation__cbs_code": "GM0482"}),
    (CapacityLine, "label", {"scenario__theme__priority__plan__organisation__cbs_code": "GM0482"}),
    (BudgetLine, "note", {"plan__organisation__cbs_code": "GM0482"}),
    (StatedFigure, "note", {"plan__organisation__cbs_code": "GM0482"}),
]


def _one(model: type[Versioned], where: dict[str, Any]) -> Any:
    return model._default_manager.filter(**where).order_by("pk").first()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field", "where"), EDITED, ids=lambda v: getattr(v, "__name__", "")
)
def test_two_saves_of_one_version_one_wins_the_other_is_refused(
    plans: dict[str, Plan], model: type[Versioned], field: str, where: dict[str, Any]
) -> None:
    mine, theirs = _one(model, where), _one(model, where)  # two people opened the same form
    assert mine is not None
    seen = edit_token(mine)
    assert seen == edit_token(theirs)
    services.save(mine, version=seen, **{field: "Eerste"})
    with pytest.raises(StaleEditError):
        services.save(theirs, version=seen, **{field: "Tweede"})
    stored = model._default_manager.get(pk=mine.pk)
    assert getattr(stored, field) == "Eerste"
    assert stored.lock_version == int(seen) + 1
    # An update always needs the version: there is no way around the check.
    with pytest.raises(TypeError):
        services.save(stored, **{field: "Zonder versie"})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "field", "where"), EDITED[1:], ids=lambda v: getattr(v, "__name__", "")
)
def test_a_delete_of_a_changed_item_or_without_its_version_is_refused(
    plans: dict[str, Plan], model: type[Versioned], field: str, where: dict[str, Any]
) -> None:
    stale = _one(model, where)
    seen = edit_token(stale)
    changed = model._default_manager.get(pk=stale.pk)
    services.save(changed, version=seen, **{field: "Door een collega gewijzigd"})
    for version in (seen, "", "abc"):
        with pytest.raises(StaleEditError):
            services.delete(stale, version=version)
    assert model._default_manager.filter(pk=stale.pk).exists()
    services.delete(stale, version=edit_token(changed))
    assert not model._default_manager.filter(pk=stale.pk).exists()


@pytest.mark.django_db
def test_an_item_of_a_plan_adopted_meanwhile_is_not_changed(plans: dict[str, Plan]) -> None:
    priority = Priority.objects.select_related("plan").filter(plan=plans["GM0556"]).first()
    assert priority is not None
    assert not priority.plan.is_frozen  # the page was loaded before the adoption
    adopted = Plan.objects.get(pk=plans["GM0556"].pk)
    services.adopt(plan=adopted, adopted_on=dt.date(2024, 1, 1), version=edit_token(adopted))
    with pytest.raises(services.PlanFrozen):
        services.save(priority, version=edit_token(priority), title="Te laat")
    with pytest.raises(services.PlanFrozen):
        services.delete(priority, version=edit_token(priority))
    priority.refresh_from_db()
    assert priority.title != "Te laat"


@pytest.mark.django_db
def test_two_overrides_over_the_same_history_one_is_refused(plans: dict[str, Plan]) -> None:
    indicator = Indicator.objects.filter(goal__theme__priority__plan=plans["GM0556"]).first()
    assert indicator is not None
    seen = services.history_version(indicator)
    services.override_status(
        indicator=indicator, status=Status.AT_RISK, reason="Eerste", user=None, version=seen
    )
    with pytest.raises(StaleEditError):
        services.override_status(
            indicator=indicator, status=Status.ACHIEVED, reason="Tweede", user=None, version=seen
        )
    assert list(StatusOverride.objects.filter(indicator=indicator).values_list("reason")) == [
        ("Eerste",)
    ]


@pytest.mark.django_db
def test_two_new_versions_of_one_plan_make_one_copy(plans: dict[str, Plan]) -> None:
    plan = plans["GM0556"]
    services.adopt(plan=plan, adopted_on=dt.date(2024, 1, 1), version=edit_token(plan))
    first, second = Plan.objects.get(pk=plan.pk), Plan.objects.get(pk=plan.pk)
    copy = services.new_version(plan=first, version=edit_token(first))
    with pytest.raises(services.ServiceError, match="nieuwere versie"):
        services.new_version(plan=second, version=edit_token(second))
    assert list(Plan.objects.filter(predecessor=plan)) == [copy]


@pytest.mark.django_db
def test_a_change_made_by_another_use_case_also_makes_an_open_form_stale(
    plans: dict[str, Plan],
) -> None:
    # Recording the council's choice with a date changes the plan's decision date (a field of
    # the plan form) through a partial save: the plan's version must go up in the database too.
    plan = plans["GM0482"]
    seen = edit_token(plan)
    theme = Theme.objects.get(priority__plan=plan, key="handhaving")
    choice = Scenario.objects.get(theme=theme, letter="A")
    services.choose_scenario(
        scenario=choice, decided_on=dt.date(2024, 6, 1), version=services.choice_version(theme)
    )
    assert edit_token(Plan.objects.get(pk=plan.pk)) != seen
    with pytest.raises(StaleEditError):
        services.save(Plan.objects.get(pk=plan.pk), version=seen, decision_date=None)
    assert Plan.objects.get(pk=plan.pk).decision_date == dt.date(2024, 6, 1)


@pytest.mark.django_db
def test_new_rows_and_copies_start_at_version_zero(plans: dict[str, Plan]) -> None:
    plan = plans["GM0556"]
    services.adopt(plan=plan, adopted_on=dt.date(2024, 1, 1), version=edit_token(plan))
    copy = services.new_version(plan=plan, version=edit_token(plan))
    for model, _field, _where in EDITED:
        lookup = {
            Plan: "pk",
            Priority: "plan",
            Theme: "priority__plan",
            Goal: "theme__priority__plan",
            Indicator: "goal__theme__priority__plan",
            Scenario: "theme__priority__plan",
            CapacityLine: "scenario__theme__priority__plan",
            BudgetLine: "plan",
            StatedFigure: "plan",
        }[model]
        for imported in (plans["GM0482"], copy):  # the demo import and the copy
            versions = set(
                model._default_manager.filter(**{lookup: imported.pk}).values_list(
                    "lock_version", flat=True
                )
            )
            assert versions <= {0}, (model, versions)


# --- the same through the pages -----------------------------------------------------------------


def _form_data(response: Any) -> dict[str, Any]:
    form = response.context["form"]
    data: dict[str, Any] = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    return data


@pytest.fixture
def two(plans: dict[str, Plan], member: Member, login: Login) -> tuple[Client, Client]:
    """Two adviseurs of Maassluis, each in their own browser."""
    organisation = plans["GM0556"].organisation
    return login(member(organisation, Role.ADVISEUR)), login(member(organisation, Role.ADVISEUR))


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["plan", "prioriteit", "indicator"])
def test_two_people_saving_one_item_at_once_the_second_is_told(
    plans: dict[str, Plan], two: tuple[Client, Client], monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    plan = plans["GM0556"]
    obj: Any
    if kind == "plan":
        obj, edit, field = plan, url("policy:plan_edit", plan), "title"
    else:
        model = Priority if kind == "prioriteit" else Indicator
        obj = _one(model, EDITED[1 if kind == "prioriteit" else 4][2])
        edit = url("policy:item_edit", plan, kind=kind, item_id=obj.pk)
        field = "title" if kind == "prioriteit" else "name"
    first, second = two
    mine, theirs = _form_data(first.get(edit)), _form_data(second.get(edit))
    # Both posts pass the form's early check before either writes (the race the check missed).
    monkeypatch.setattr(ConcurrencyFormMixin, "check_concurrency", lambda self: None)
    assert first.post(edit, {**mine, field: "Van de eerste"}).status_code == 302
    response = second.post(edit, {**theirs, field: "Van de tweede"})
    assert response.status_code == 200
    assert STALE_NL in page(response)
    assert 'value="Van de tweede"' in page(response)  # the input is kept
    obj.refresh_from_db()
    assert getattr(obj, field) == "Van de eerste"


@pytest.mark.django_db
def test_a_delete_confirmed_after_someone_changed_the_item_deletes_nothing(
    plans: dict[str, Plan], two: tuple[Client, Client]
) -> None:
    plan = plans["GM0556"]
    theme = Theme.objects.filter(priority__plan=plan).first()
    assert theme is not None
    first, second = two
    delete = url("policy:item_delete", plan, kind="thema", item_id=theme.pk)
    confirm = _form_data(first.get(delete))
    assert confirm == {"edit_token": edit_token(theme)}
    edit = url("policy:item_edit", plan, kind="thema", item_id=theme.pk)
    data = _form_data(second.get(edit))
    assert second.post(edit, {**data, "title": "Nieuwe titel"}).status_code == 302
    response = first.post(delete, confirm)
    assert response.status_code == 200
    assert STALE_NL in page(response)
    assert "Nieuwe titel" in page(response)  # the page shows what would be deleted now
    assert Theme.objects.filter(pk=theme.pk).exists()
    # A delete without the confirmation page's version (a forged or old form) deletes nothing.
    response = first.post(delete, {})
    assert STALE_NL in page(response)
    assert Theme.objects.filter(pk=theme.pk).exists()
    # With the version of the page as it is now, it goes.
    assert first.post(delete, _form_data(response)).status_code == 302
    assert not Theme.objects.filter(pk=theme.pk).exists()


@pytest.mark.django_db
def test_adopting_a_plan_someone_changed_meanwhile_is_refused(
    plans: dict[str, Plan], two: tuple[Client, Client]
) -> None:
    plan = plans["GM0556"]
    first, second = two
    adopt = url("policy:plan_adopt", plan)
    seen = _form_data(first.get(adopt))
    edit = url("policy:plan_edit", plan)
    assert second.post(edit, {**_form_data(second.get(edit)), "title": "Gewijzigd"}).status_code
    response = first.post(adopt, {**seen, "adopted_on": "2024-01-01", "confirm": "on"})
    assert response.status_code == 200
    assert STALE_NL in page(response)
    plan.refresh_from_db()
    assert not plan.is_frozen


@pytest.mark.django_db
def test_two_people_recording_a_status_at_once_the_second_is_told(
    plans: dict[str, Plan], two: tuple[Client, Client]
) -> None:
    plan = plans["GM0556"]
    indicator = Indicator.objects.filter(goal__theme__priority__plan=plan).first()
    assert indicator is not None
    override = url("policy:indicator_override", plan, indicator_id=indicator.pk)
    first, second = two
    mine, theirs = _form_data(first.get(override)), _form_data(second.get(override))
    post = {"status": Status.AT_RISK.value, "reason": "Politie meldt stijging"}
    assert first.post(override, {**mine, **post}).status_code == 302
    response = second.post(override, {**theirs, "status": "achieved", "reason": "Gehaald"})
    assert response.status_code == 200
    assert "Gehaald" in page(response)  # the input is kept
    assert list(StatusOverride.objects.filter(indicator=indicator).values_list("reason")) == [
        ("Politie meldt stijging",)
    ]


@pytest.mark.django_db
def test_two_people_choosing_a_scenario_at_once_the_second_is_told(
    plans: dict[str, Plan], member: Member, login: Login
) -> None:
    plan = plans["GM0482"]
    clients = [login(member(plan.organisation, Role.ADVISEUR)) for _ in range(2)]
    theme = Theme.objects.get(priority__plan=plan, key="handhaving")
    a, c = (Scenario.objects.get(theme=theme, letter=letter) for letter in "AC")
    scenarios = url("policy:scenarios", plan)
    tokens = []
    for client in clients:
        comparisons = client.get(scenarios).context["comparisons"]
        [shown] = [item for item in comparisons if item.theme.pk == theme.pk]
        tokens.append(shown.columns[0].form["edit_token"].value())
    assert tokens[0] == tokens[1] == services.choice_version(theme)
    choose = "policy:scenario_choose"
    response = clients[0].post(url(choose, plan, scenario_id=a.pk), {"edit_token": tokens[0]})
    assert response.status_code == 302
    response = clients[1].post(
        url(choose, plan, scenario_id=c.pk), {"edit_token": tokens[1]}, follow=True
    )
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    a.refresh_from_db()
    c.refresh_from_db()
    assert (a.chosen, c.chosen) == (True, False)


# --- a real race of two transactions: tests/security/test_policy_races.py (a module of its own:
# the demo figures of this module stay in an open transaction that other threads cannot see).


# --- 2. a plan file is bounded before it is loaded -----------------------------------------------


def _billion_laughs(levels: int = 9) -> str:
    lines = [f"format: {plan_file.FORMAT}", 'lol0: &a0 ["lol","lol","lol","lol","lol"]']
    for level in range(1, levels + 1):
        refs = ",".join([f"*a{level - 1}"] * 10)
        lines.append(f"lol{level}: &a{level} [{refs}]")
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_plan_file_is_refused_at_its_first_anchor() -> None:
    with pytest.raises(plan_file.PlanFileError) as refused:
        plan_file.parse(_billion_laughs())
    [problem] = refused.value.problems
    assert problem.startswith("regel 2, kolom 7: ")
    assert "&a0" in problem
    # An alias alone (without an anchor it would be a YAML error anyway) is refused by name too.
    with pytest.raises(plan_file.PlanFileError):
        plan_file.parse(f"format: {plan_file.FORMAT}\nsummary: *nergens\n")


def _deep(levels: int) -> str:
    return f"format: {plan_file.FORMAT}\nsummary: {'[' * levels}{']' * levels}\n"


def test_deep_nesting_too_many_values_and_long_values_are_refused() -> None:
    with pytest.raises(plan_file.PlanFileError) as refused:
        plan_file.parse(_deep(10_000))
    assert refused.value.problems[0].startswith("regel 2, kolom ")
    assert "20" in refused.value.problems[0]
    plan_file.parse(_deep(plan_file.MAX_DEPTH - 1))  # the mapping is one level: 20 in all
    many = f"format: {plan_file.FORMAT}\nsummary: [{','.join(['0'] * plan_file.MAX_NODES)}]\n"
    with pytest.raises(plan_file.PlanFileError) as refused:
        plan_file.parse(many)
    assert "200.000" in refused.value.problems[0]
    long = f"format: {plan_file.FORMAT}\nsummary: {'x' * (plan_file.MAX_SCALAR + 1)}\n"
    with pytest.raises(plan_file.PlanFileError) as refused:
        plan_file.parse(long)
    assert "50.000" in refused.value.problems[0]
    with pytest.raises(plan_file.PlanFileError):
        plan_file.parse(f"format: {plan_file.FORMAT}\n" + "#" * plan_file.MAX_BYTES)


def _importer(plan: Plan) -> str:
    return reverse("policy:plan_import", kwargs={"org": plan.organisation.slug})


@pytest.mark.django_db
def test_the_import_page_refuses_a_deep_file_with_a_message_not_a_500(
    plans: dict[str, Plan], member: Member, login: Login
) -> None:
    plan = plans["GM0556"]
    client = login(member(plan.organisation, Role.ADVISEUR))
    before = Plan.objects.count()
    upload = SimpleUploadedFile("plan.yaml", _deep(10_000).encode())
    response = client.post(_importer(plan), {"file": upload})
    assert response.status_code == 200
    [problem] = response.context["problems"]
    assert problem.startswith("regel 2, kolom ")
    laughs = SimpleUploadedFile("plan.yaml", _billion_laughs(levels=4).encode())
    response = client.post(_importer(plan), {"file": laughs})
    assert response.status_code == 200
    assert "&a0" in response.context["problems"][0]
    assert Plan.objects.count() == before


def _padded(plan: Plan, size: int) -> bytes:
    """A valid plan file made ``size`` bytes long by a comment."""
    body = plan_file.export_yaml(plan).encode()
    return body + b"#" + b"x" * (size - len(body) - 2) + b"\n"


@pytest.mark.django_db
def test_the_import_page_refuses_a_file_over_1_mb_before_reading_it(
    plans: dict[str, Plan], member: Member, login: Login, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plans["GM0556"]
    client = login(member(plan.organisation, Role.ADVISEUR))

    def never(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("an oversize upload was read")

    monkeypatch.setattr(plan_file, "read_text", never, raising=False)
    before = Plan.objects.count()
    upload = SimpleUploadedFile("plan.yaml", _padded(plan, 1024 * 1024 + 1))
    response = client.post(_importer(plan), {"file": upload})
    assert response.status_code == 200
    [error] = response.context["form"].errors.as_data()["file"]
    assert error.code == "size"
    assert "1,0\xa0MB" in error.messages[0]
    assert Plan.objects.count() == before


@pytest.mark.django_db
def test_the_command_refuses_an_oversize_or_deep_file(
    plans: dict[str, Plan], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = Plan.objects.count()
    big = tmp_path / "big.yaml"
    big.write_bytes(_padded(plans["GM0556"], 1024 * 1024 + 1))
    code, _out, err = run_main(capsys, "plan", "import", str(big))
    assert code == 1
    assert "1 MB" in err
    deep = tmp_path / "deep.yaml"
    deep.write_text(_deep(10_000), encoding="utf-8")
    code, _out, err = run_main(capsys, "plan", "import", str(deep))
    assert code == 1
    assert "regel 2, kolom " in err
    assert "Traceback" not in err
    assert Plan.objects.count() == before
    # A file just within the limit still reads.
    fits = tmp_path / "fits.yaml"
    fits.write_bytes(_padded(plans["GM0556"], 1024 * 1024))
    code, _out, err = run_main(capsys, "plan", "import", str(fits))
    assert code == 0, err


# --- 3. a plan file cannot forge who made a status override, or when ---------------------------


def _with_override(plan: Plan, override: dict[str, Any]) -> dict[str, Any]:
    data = plan_file.export_plan(plan)
    indicator = data["priorities"][0]["themes"][0]["goals"][0]["indicators"][0]
    indicator["overrides"] = [override]
    return data


def _imported_override(plan: Plan) -> StatusOverride:
    return StatusOverride.objects.select_related("created_by").get(
        indicator__goal__theme__priority__plan=plan
    )


@pytest.mark.django_db
def test_a_forged_override_is_recorded_as_the_importers_with_the_claim_visible(
    plans: dict[str, Plan], member: Member, login: Login
) -> None:
    plan = plans["GM0556"]
    colleague = member(plan.organisation, Role.BEHEERDER)
    importer = member(plan.organisation, Role.ADVISEUR)
    claimed = "2019-01-01T09:00:00+00:00"
    forged = {
        "status": "achieved",
        "reason": "Doel gehaald",
        "by": colleague.username,
        "at": claimed,
    }
    text = plan_file.dump(_with_override(plan, forged))
    started = timezone.now().replace(microsecond=0)
    response = login(importer).post(
        _importer(plan), {"file": SimpleUploadedFile("plan.yaml", text.encode())}
    )
    assert response.status_code == 302
    new = Plan.objects.exclude(pk__in=[p.pk for p in plans.values()]).get()
    override = _imported_override(new)
    assert override.created_by == importer
    assert override.created_at >= started
    assert override.reason.startswith("Doel gehaald (")
    assert colleague.username in override.reason
    assert claimed in override.reason


@pytest.mark.django_db
def test_a_forged_override_from_the_command_line_is_the_systems(
    plans: dict[str, Plan], member: Member, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    plan = plans["GM0556"]
    colleague = member(plan.organisation, Role.BEHEERDER)
    forged = {
        "status": "at_risk",
        "reason": "Zorgen",
        "by": colleague.username,
        "at": "2020-02-02T10:00:00+00:00",
    }
    path = tmp_path / "plan.yaml"
    path.write_text(plan_file.dump(_with_override(plan, forged)), encoding="utf-8")
    code, _out, err = run_main(capsys, "plan", "import", str(path))
    assert code == 0, err
    new = Plan.objects.exclude(pk__in=[p.pk for p in plans.values()]).get()
    override = _imported_override(new)
    assert override.created_by is None
    assert override.created_at.year >= timezone.now().year
    assert colleague.username in override.reason
    assert "2020-02-02T10:00:00+00:00" in override.reason


@pytest.mark.django_db
def test_a_genuine_copy_keeps_its_author_and_time_and_a_tampered_one_does_not(
    plans: dict[str, Plan], member: Member, login: Login
) -> None:
    plan = plans["GM0556"]
    colleague = member(plan.organisation, Role.BEHEERDER)
    importer = member(plan.organisation, Role.ADVISEUR)
    indicator = Indicator.objects.filter(goal__theme__priority__plan=plan).order_by(
        "goal__theme__priority__position", "goal__theme__position", "goal__position", "position"
    )[0]
    original = services.override_status(
        indicator=indicator, status=Status.AT_RISK, reason="Stijging", user=colleague, version="0"
    )
    StatusOverride.objects.filter(pk=original.pk).update(
        created_at=dt.datetime(2023, 5, 4, 3, 2, 1, 123456, tzinfo=dt.UTC)
    )
    exported = plan_file.export_yaml(plan)
    client = login(importer)
    response = client.post(
        _importer(plan), {"file": SimpleUploadedFile("plan.yaml", exported.encode())}
    )
    assert response.status_code == 302
    copy = Plan.objects.exclude(pk__in=[p.pk for p in plans.values()]).get()
    kept = _imported_override(copy)
    assert kept.created_by == colleague
    assert kept.created_at == dt.datetime(2023, 5, 4, 3, 2, 1, tzinfo=dt.UTC)
    assert kept.reason == "Stijging"
    assert plan_file.export_yaml(copy) == exported  # the round trip stays byte for byte
    # The same override a day earlier is not a copy of anything: it becomes the importer's.
    tampered = exported.replace("2023-05-04T03:02:01", "2023-05-03T03:02:01")
    assert tampered != exported
    response = client.post(
        _importer(plan), {"file": SimpleUploadedFile("plan.yaml", tampered.encode())}
    )
    assert response.status_code == 302
    newest = Plan.objects.exclude(pk__in=[p.pk for p in plans.values()]).exclude(pk=copy.pk).get()
    moved = _imported_override(newest)
    assert moved.created_by == importer
    assert "2023-05-03T03:02:01" in moved.reason


# --- 4. a value YAML or the database cannot take is a problem at its place, not a 500 -----------

PLACEHOLDER = "H23PLACEHOLDER"


def _with_raw(data: dict[str, Any], path: tuple[str | int, ...], raw: str) -> str:
    """``data`` as a plan file, the value at ``path`` written as the raw YAML ``raw``."""
    data = copy.deepcopy(data)
    node: Any = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = PLACEHOLDER
    text = plan_file.dump(data)
    assert text.count(PLACEHOLDER) == 1
    return text.replace(PLACEHOLDER, raw)


def _line_of(text: str, raw: str) -> int:
    return text[: text.index(raw)].count("\n") + 1


#: Values YAML itself cannot convert: (where, raw YAML, the msgid of the problem).
UNCONVERTIBLE = [
    (("adopted_on",), "2024-13-45", "not a valid date or time: %(value)s"),
    (("adopted_on",), "2024-02-30", "not a valid date or time: %(value)s"),
    (("adopted_on",), "!!timestamp garbage", "not a valid date or time: %(value)s"),
    (
        ("adopted_on",),
        "!!timestamp 2024-01-01 10:00:00 +99:00",
        "not a valid date or time: %(value)s",
    ),
    (
        ("version",),
        "1" * 5000,
        "a number of more than %(digits)d digits; no value of a plan is that large",
    ),
    (
        ("version",),
        "0x" + "f" * 5000,
        "a number of more than %(digits)d digits; no value of a plan is that large",
    ),
    (("version",), "!!float abc", "not a number: %(value)s"),
    (("version",), "!!int 0b2", "not a whole number: %(value)s"),
    (("summary",), "!!bool maybe", "not true or false: %(value)s"),
    (
        ("summary",),
        '"a\\0b"',
        "the text holds a NUL character or another character that cannot be stored; remove it",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "raw", "msgid"), UNCONVERTIBLE, ids=lambda v: str(v)[:30])
def test_a_value_yaml_cannot_convert_is_a_problem_at_its_place(
    plans: dict[str, Plan], path: tuple[str, ...], raw: str, msgid: str
) -> None:
    text = _with_raw(plan_file.export_plan(plans["GM0482"]), path, raw)
    with pytest.raises(plan_file.PlanFileError) as refused:  # was ValueError, AttributeError …
        plan_file.parse(text)
    [problem] = refused.value.problems
    assert problem.startswith(f"regel {_line_of(text, raw)}, kolom ")
    assert gettext(msgid).split("%")[0] in problem


@pytest.mark.django_db
def test_the_import_page_and_the_command_show_each_such_problem_not_a_500(
    plans: dict[str, Plan],
    member: Member,
    login: Login,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    plan = plans["GM0482"]
    client = login(member(plan.organisation, Role.ADVISEUR))
    before = Plan.objects.count()
    data = plan_file.export_plan(plan)
    for path, raw, msgid in UNCONVERTIBLE:
        text = _with_raw(data, path, raw)
        upload = SimpleUploadedFile("plan.yaml", text.encode())
        response = client.post(_importer(plan), {"file": upload})
        assert response.status_code == 200, raw
        [problem] = response.context["problems"]
        assert problem.startswith(f"regel {_line_of(text, raw)}, kolom "), problem
        assert gettext(msgid).split("%")[0] in page(response)
        file = tmp_path / "plan.yaml"
        file.write_text(text, encoding="utf-8")
        code, _out, err = run_main(capsys, "plan", "import", str(file))
        assert code == 1, raw
        assert "Traceback" not in err
        assert problem in err
    assert Plan.objects.count() == before


#: Values YAML reads but the database cannot hold: (where, raw YAML, place named, msgid).
UNSTORABLE = [
    (
        ("period", "start"),
        "-1",
        "plan.period.start",
        "must be a whole number from %(low)s to %(high)s",
    ),
    (
        ("period", "end"),
        "99999",
        "plan.period.end",
        "must be a whole number from %(low)s to %(high)s",
    ),
    (("version",), "-2", "plan.version", "must be a whole number from %(low)s to %(high)s"),
    (("title",), "x" * 201, "plan.title", "longer than %(count)d characters"),
    (
        ("stated_figures", 0, "amount"),
        "1e400",
        "plan.stated_figures[0].amount",
        "too large: at most %(digits)d digits before the decimal point",
    ),
    (
        ("stated_figures", 0, "amount"),
        "12345678901",
        "plan.stated_figures[0].amount",
        "too large: at most %(digits)d digits before the decimal point",
    ),
    (
        ("stated_figures", 0, "year"),
        "40000",
        "plan.stated_figures[0].year",
        "must be a whole number from %(low)s to %(high)s",
    ),
    (
        ("budget", 0, "amounts", 2024),
        "'1e20'",
        "plan.budget[0].amounts.2024",
        "too large: at most %(digits)d digits before the decimal point",
    ),
    (
        ("priorities", 0, "key"),
        "k" * 61,
        "plan.priorities[0].key",
        "longer than %(count)d characters",
    ),
    (
        ("priorities", 3, "themes", 0, "scenarios", 0, "letter"),
        "ABC",
        "plan.priorities[3].themes[0].scenarios[0].letter",
        "longer than %(count)d characters",
    ),
    (
        ("priorities", 3, "themes", 0, "scenarios", 0, "lines", 0, "fte_extra"),
        "123456",
        "plan.priorities[3].themes[0].scenarios[0].lines[0].fte_extra",
        "too large: at most %(digits)d digits before the decimal point",
    ),
]


def _indicator_path(data: dict[str, Any]) -> tuple[str | int, ...]:
    for p, priority in enumerate(data["priorities"]):
        for t, theme in enumerate(priority["themes"]):
            for g, goal in enumerate(theme["goals"]):
                if goal["indicators"]:
                    return ("priorities", p, "themes", t, "goals", g, "indicators", 0)
    raise AssertionError("the demo plan has no indicator")


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "raw", "place", "msgid"), UNSTORABLE, ids=lambda v: str(v)[:30])
def test_a_value_the_database_cannot_hold_is_a_problem_at_its_place(
    plans: dict[str, Plan], path: tuple[str | int, ...], raw: str, place: str, msgid: str
) -> None:
    plan = plans["GM0482"]
    data = plan_file.export_plan(plan)
    assert data["priorities"][3]["themes"][0]["scenarios"], "the demo plan changed"
    before = Plan.objects.count()
    with pytest.raises(plan_file.PlanFileError) as refused:  # was IntegrityError, DataError …
        services.import_plan(text=_with_raw(data, path, raw), organisation=plan.organisation)
    assert [p for p in refused.value.problems if p.startswith(f"{place}: ")], refused.value
    assert any(gettext(msgid).split("%")[0] in p for p in refused.value.problems)
    assert Plan.objects.count() == before


@pytest.mark.django_db
def test_infinite_values_and_impossible_override_times_are_problems(
    plans: dict[str, Plan],
) -> None:
    plan = plans["GM0482"]
    data = plan_file.export_plan(plan)
    where = _indicator_path(data)
    place = "plan" + "".join(f"[{s}]" if isinstance(s, int) else f".{s}" for s in where)
    indicator = data
    for step in where:
        indicator = indicator[step]
    indicator["baseline"]["value"] = "1e999"  # a Decimal, but no float
    indicator["overrides"] = [
        {"status": None, "reason": "r", "by": None, "at": "0001-01-01T00:00:00+05:00"}
    ]
    with pytest.raises(plan_file.PlanFileError) as refused:  # was OverflowError
        plan_file.import_plan(data, organisation=plan.organisation)
    problems = refused.value.problems
    assert f"{place}.baseline.value: {gettext('not a finite number')}" in problems
    assert [p for p in problems if p.startswith(f"{place}.overrides[0].at: ")], problems


@pytest.mark.parametrize(
    "text",
    [
        "format: x\n  a: [1, 2\n",
        "a: b: c\n",
        "\tkey: 1\n",
        "key: @x\n",
        "key: !onbekend x\n",
        'key: "\\q"\n',
        "key: \x01\n",
        "? [a]\n: b\n",
        'key: "open\n',
        "a: 1\n---\nb: 2\n",
        "a:\n  b: 1\n c: 2\n",
    ],
)
def test_yaml_problems_are_in_the_users_language_with_line_and_column(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as original:
        yaml.safe_load(text)
    english = str(getattr(original.value, "problem", None) or original.value)
    with pytest.raises(plan_file.PlanFileError) as refused:
        plan_file.parse(text)
    [problem] = refused.value.problems
    assert re.match(r"regel \d+, kolom \d+: ", problem), problem
    assert english not in problem  # the parser's English words were appended to the message
    assert (
        "YAML" not in problem
        or gettext("not valid YAML; compare this place with an exported plan file") in problem
    )


# --- the fuzz: random and mutated plan files raise nothing but PlanFileError ---------------------


def _small(data: dict[str, Any]) -> dict[str, Any]:
    """A small valid plan of the demo's: one indicator (with an override), two scenarios, one
    budget line and one stated figure (fast to import many times)."""
    data = copy.deepcopy(data)
    where = _indicator_path(data)
    priority = data["priorities"][where[1]]
    theme = priority["themes"][where[3]]
    goal = theme["goals"][where[5]]
    goal["indicators"] = goal["indicators"][:1]
    goal["indicators"][0]["overrides"] = [
        {"status": "at_risk", "reason": "r", "by": None, "at": "2024-05-01T10:00:00+00:00"}
    ]
    theme["goals"] = [goal]
    theme["scenarios"] = next(
        t["scenarios"][:2] for p in data["priorities"] for t in p["themes"] if t["scenarios"]
    )
    priority["themes"] = [theme]
    data["priorities"] = [priority]
    data["budget"] = data["budget"][:1]
    data["stated_figures"] = data["stated_figures"][:1]
    return data


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if path else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*path, index))
    return found


#: Raw YAML values that once broke something, and the kinds of value a plan holds.
_TRICKY = [
    "2024-13-45",
    "2024-02-30T25:00:00",
    "!!float abc",
    "!!timestamp x",
    "!!int 1.5",
    "!!binary AAAA",
    "!!set {a, b}",
    "!!omap [{a: 1}]",
    "!!pairs [[a, 1]]",
    "!!null x",
    "1" * 5000,
    "0x" + "f" * 30,
    "-1",
    "0",
    "99999",
    "1e400",
    "'1e400'",
    "'-1e-400'",
    ".nan",
    "-.inf",
    "'NaN'",
    "true",
    "null",
    "~",
    "[]",
    "{}",
    "[1, [2, [3]]]",
    "{a: {b: {c: 1}}}",
    '"\\0"',
    "x" * 400,
    "0001-01-01T00:00:00+05:00",
    "9999-12-31T23:59:59-05:00",
    "12:30:45",
    "'2024Q5'",
    "'GM9999'",
    "'onbekend:x'",
    "!onbekend x",
    "<<: {a: 1}",
    "2024",
    "'2024'",
]
_VALUES = st.one_of(
    st.sampled_from(_TRICKY),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=30).map(lambda t: yaml.safe_dump(t, default_style='"').strip()),
)
_YAMLISH = st.lists(
    st.sampled_from(
        [
            *":-[]{},#&*!|>'\"%@`?\n \t0123456789abcTZ.e+\\",
            "  ",
            "- ",
            "title: ",
            "period: ",
            "priorities:\n- ",
            "!!timestamp ",
            "!!int ",
            "2024-13-45",
        ]
    ),
    max_size=60,
).map("".join)


def _never_crashes(text: str, organisation: Organisation) -> None:
    problems: list[str] = ["-"]
    try:
        plan_file.import_plan(plan_file.parse(text), organisation=organisation)
    except plan_file.PlanFileError as refused:
        problems = refused.problems
    assert problems
    assert all(isinstance(p, str) and p for p in problems)


@pytest.mark.django_db
def test_mutated_plan_files_raise_nothing_but_plan_file_errors(plans: dict[str, Plan]) -> None:
    organisation = plans["GM0482"].organisation
    small = _small(plan_file.export_plan(plans["GM0482"]))
    plan_file.import_plan(small, organisation=organisation)  # the small plan itself is valid
    paths = _paths(small)

    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=True,
    )
    @given(path=st.sampled_from(paths), raw=_VALUES)
    def mutated(path: tuple[Any, ...], raw: str) -> None:
        _never_crashes(_with_raw(small, path, raw), organisation)

    mutated()


@pytest.mark.django_db
def test_random_yaml_like_text_raises_nothing_but_plan_file_errors(
    plans: dict[str, Plan],
) -> None:
    organisation = plans["GM0482"].organisation

    @settings(
        max_examples=200,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        derandomize=True,
    )
    @given(text=_YAMLISH, head=st.booleans())
    def random_text(text: str, head: bool) -> None:
        prefix = f"format: {plan_file.FORMAT}\ngemeente: GM0482\n" if head else ""
        _never_crashes(prefix + text, organisation)

    random_text()
