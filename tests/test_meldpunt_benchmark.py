"""The Meldpunt benchmark (bench/bench_meldpunt.py) works, at a small scale; no timing here."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import pytest

from regie.cases.models import Signal, SignalEvent, Subject, SubjectKey
from regie.privacy import crypto

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import bench_meldpunt as bench
import meldpunt_data as data

pytestmark = pytest.mark.django_db
COUNT = 2_000


@pytest.fixture
def world(settings: Any) -> data.World:
    settings.ROOT_URLCONF = "loadsite.urls"  # the load benchmark's bare view
    made = data.setup_world()
    found = data.generate(
        made,
        COUNT,
        end=bench.NOW - dt.timedelta(days=1),
        batch_size=500,
        other=50,
        say=lambda _text: None,
    )
    assert found["signals"] == COUNT
    return made


def test_the_generator_writes_encrypted_signals_with_subjects_keys_and_repeats(
    world: data.World,
) -> None:
    signals = Signal.objects.filter(organisation=world.gemeente)
    assert signals.count() == COUNT
    assert Signal.objects.filter(organisation=world.other).count() == 50
    assert Subject.objects.filter(signal__organisation=world.gemeente).count() == COUNT
    assert SubjectKey.objects.filter(signal__organisation=world.gemeente).count() >= 3 * COUNT
    assert SignalEvent.objects.count() > COUNT
    # hermeldingen exist: some person digests occur in more than one signal
    persons = SubjectKey.objects.filter(kind="person").values_list("digest", flat=True)
    assert len(set(persons)) < len(list(persons))
    # statuses, outcomes and a named reporter now and then
    assert set(signals.values_list("status", flat=True)) == {
        "ontvangen",
        "in_behandeling",
        "afgehandeld",
    }
    assert signals.filter(outcome="niet_opgepakt").exists()
    assert signals.exclude(reporter_email=None).exists()
    # encrypted in the database, readable through the model
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT surname FROM cases_subject LIMIT 1")
        raw = bytes(cursor.fetchone()[0])
    assert raw[:1] == crypto.VERSION
    assert Subject.objects.first().surname in data.SURNAMES  # type: ignore[union-attr]


def test_every_measurement_runs(world: data.World) -> None:
    client = bench.client_for(world.user)
    assert len(bench.bare(client, 3)) == 3
    lookups = bench.hermelding_lookups(world.gemeente, 10)
    assert len(lookups["hermeldingen"]) == len(lookups["count_earlier"]) == 10
    found = bench.intakes(world, 6)
    assert len(found["encrypted"]) == len(found["plain"]) == 6
    assert crypto.encrypt.__module__ == "regie.privacy.crypto"  # the pass-through is undone
    assert Signal.objects.filter(organisation=world.gemeente).count() == COUNT  # rolled back
    pages = bench.queue_page(client, world.gemeente, 5)
    assert sum(len(v) for v in pages.values()) == 5
    summary = bench.summary(found["encrypted"])
    assert summary["p50"] <= summary["p95"] <= summary["max"]


def test_the_pass_through_keeps_the_stored_shape() -> None:
    with bench.plaintext():
        sealed = crypto.encrypt(b"tekst", context="cases.signal.description")
        assert sealed == b"\x00tekst"
        assert crypto.decrypt(sealed, context="cases.signal.description") == b"tekst"
    real = crypto.encrypt(b"tekst", context="cases.signal.description")
    assert real != b"\x00tekst"


def test_retention_runs_over_the_generated_signals(world: data.World) -> None:
    found = bench.retention_run(bench.NOW.date(), trace=True)
    assert found["counts"]["cases.destroyed"] > 0
    assert found["signals_after"] == found["signals_before"] - found["counts"]["cases.destroyed"]
    assert set(found["at"]) == {"10%", "50%", "100%"}
    assert found["traced_peak"] > 0


def test_the_proposed_fixes_run_and_are_undone(world: data.World) -> None:
    from regie.cases import queue
    from regie.cases.services import intake

    client = bench.client_for(world.user)
    with bench.proposed_fixes(), bench.proposed_queue():
        assert len(bench.intakes(world, 2)["encrypted"]) == 2
        assert sum(len(v) for v in bench.queue_page(client, world.gemeente, 5).values()) == 5
        counts = queue.status_counts(Signal.objects.filter(organisation=world.gemeente))
        assert max(counts.values()) <= bench.COUNT_CAP + 1  # bounded
    assert intake._next_reference is not bench.indexed_next_reference
    assert queue.status_counts is not bench.capped_status_counts


def test_references_stay_within_the_products_format_in_a_big_year() -> None:
    import re

    total = 120_000
    refs = [data.reference_for("GM0556", 2026, i, total) for i in range(total)]
    assert len(set(refs)) == total
    assert all(re.fullmatch(r"[A-Z0-9]{2,12}-\d{4}-\d{5}", ref) for ref in refs)
    assert refs[-1] == "GM0556-2026-50000"  # the intake continues the gemeente's own series
    assert refs[0] == "GM0556R2-2026-00001"
