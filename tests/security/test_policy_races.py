"""A real race: two transactions saving (or copying) one plan item at the same moment.

Part of :mod:`tests.security.test_policy_attacks` (attack 1: two simultaneous saves both
succeeded); a module of its own because those tests keep the demo figures in a transaction that
stays open for the whole module, which the threads here could not see.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from regie.core.concurrency import StaleEditError
from regie.core.models import Organisation
from regie.policy import services
from regie.policy.models import Plan, Priority

# --- --------------------------------------------


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread (own connection, own transaction) at the same moment."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=20)
            results[index] = call()
        except BaseException as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


needs_row_locks = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="the in-memory SQLite test database locks whole tables between threads; SQLite "
    "serialises write transactions (BEGIN IMMEDIATE), PostgreSQL runs this race for real",
)


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_a_real_race_of_two_saves_lets_exactly_one_through(maassluis: Organisation) -> None:
    plan = Plan.objects.create(organisation=maassluis, title="IVB", start_year=2024, end_year=2027)
    priority = Priority.objects.create(plan=plan, key="p", title="Begin")

    def save(title: str) -> Callable[[], str]:
        def call() -> str:
            services.save(Priority.objects.get(pk=priority.pk), version="0", title=title)
            return title

        return call

    results = _race(save("Eerste"), save("Tweede"))
    won = [r for r in results if isinstance(r, str)]
    lost = [r for r in results if not isinstance(r, str)]
    assert len(won) == 1, results
    assert len(lost) == 1
    assert isinstance(lost[0], StaleEditError), results
    priority.refresh_from_db()
    assert (priority.title, priority.lock_version) == (won[0], 1)


@needs_row_locks
@pytest.mark.django_db(transaction=True)
def test_a_real_race_of_two_new_versions_makes_one_copy(maassluis: Organisation) -> None:
    plan = Plan.objects.create(organisation=maassluis, title="IVB", start_year=2024, end_year=2027)
    Priority.objects.create(plan=plan, key="p", title="Prioriteit")
    services.adopt(plan=plan, adopted_on=dt.date(2024, 1, 1), version="0")

    def copy() -> Plan:
        return services.new_version(plan=Plan.objects.get(pk=plan.pk), version="1")

    results = _race(copy, copy)
    assert sum(isinstance(r, Plan) for r in results) == 1, results
    refused = [r for r in results if not isinstance(r, Plan)]
    assert isinstance(refused[0], services.ServiceError), results
    assert Plan.objects.filter(predecessor=plan).count() == 1
