"""The Meldpunt benchmark (bench/bench_meldpunt.py) works, at a small scale; no timing here."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

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


def test_the_intakes_continue_the_generated_references_through_the_counter(
    world: data.World,
) -> None:
    from regie.cases.converters import ReferenceConverter
    from regie.cases.models import ReferenceCounter

    year = bench.NOW.year
    own = Signal.objects.filter(
        organisation=world.gemeente, reference__startswith=f"GM0556-{year}-"
    )
    highest = max(int(ref.rsplit("-", 1)[1]) for ref in own.values_list("reference", flat=True))
    found = bench.reference_counter(world)
    assert found["highest"] == found["last"] == highest
    assert not found["existed"]
    assert bench.reference_counter(world)["last"] == highest  # made once, its number given back
    assert ReferenceCounter.objects.get(organisation=world.gemeente, year=year).last == highest
    assert len(bench.intakes(world, 2)["encrypted"]) == 2
    assert ReferenceCounter.objects.get(organisation=world.gemeente, year=year).last == highest
    assert all(
        re.fullmatch(ReferenceConverter.regex, ref)
        for ref in Signal.objects.values_list("reference", flat=True)
    )


def test_the_generator_numbers_past_99999_as_the_product_does() -> None:
    from regie.cases.converters import ReferenceConverter

    org = SimpleNamespace(cbs_code="GM0556")
    gen = data.Generator(cast(Any, None), end=bench.NOW)
    gen.numbers[("GM0556", 2026)] = 99_998
    refs = [gen.reference(org, 2026) for _ in range(3)]
    assert refs == ["GM0556-2026-99999", "GM0556-2026-100000", "GM0556-2026-100001"]
    assert all(re.fullmatch(ReferenceConverter.regex, ref) for ref in refs)


def _summary(ms: float) -> dict[str, float]:
    return {"n": 10, "p50": ms, "p95": ms, "max": ms}


def test_the_report_takes_kept_retention_results_with_their_day(tmp_path: Path) -> None:
    run = {
        "seconds": 20.0,
        "counts": {"cases.destroyed": 5, "cases.anonymised": 6},
        "signals_before": 100,
        "signals_after": 95,
        "rss_before": 80.0,
        "rss_peak": 90.0,
        "traced_peak": 0.0,
        "at": {p: {"rss": 89.0} for p in ("10%", "50%", "100%")},
    }
    (tmp_path / "retention-big.json").write_text(json.dumps(run))
    (tmp_path / "retention-small.json").write_text(json.dumps(run))
    result: dict[str, Any] = {
        **{k: _summary(2.0) for k in ("bare", "bare_after", "hermelding", "count_earlier")},
        **{k: _summary(5.0) for k in ("intake", "intake_plain", "queue")},
        "queue_by_filter": {"": _summary(5.0)},
        "intakes_with_hit": 1,
        "lookups_with_hit": 2,
        "load": [[1.5, 2.0, 2.5], [1.8, 2.1, 2.4]],
        "note": "CI",
        "run_on": "2026-12-08",
        "counts": {"signals": 100, "keys": 300},
        "counter": {"init_ms": 200.0, "highest": 50, "last": 50, "existed": False, "year": 2026},
    }
    bench.kept_retention(tmp_path, result)
    assert result["retention"]["big"]["kept"]
    assert "retention_traced" not in result
    meta = {"signals": 100, "other_signals": 5, "subject_keys": 300, "seconds": 2.0}
    text = bench.section(result, meta, argparse.Namespace(), "SQLite")
    assert "Retention was not run again" in text
    assert "CI; load average (1/5/15 min) 1.5 / 2.0 / 2.5" in text
    assert "(kept from " in text
    assert "diagnostic" not in text
    verdicts = bench.verdicts(result)
    assert all(ok for ok, _line in verdicts.values())
