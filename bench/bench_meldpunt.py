"""Meldpunt benchmark (issue 18): a million encrypted signals, against the load benchmark's bare
view measured in the same run.

On a SQLite file that is kept between runs (``var/bench-meldpunt.sqlite3``; made again only
when its signal count differs, or with ``--fresh``; PostgreSQL when ``DATABASE_URL`` is set) the
benchmark:

1. migrates and generates the signals with ``bench/meldpunt_data.py`` (timed);
2. times in one process, with the load benchmark's settings (``bench/loadsite``: the product
   plus the bare view ``/bench/bare/``), through Django's test ``Client`` as a verified adviseur
   of the gemeente with every family grant:
   - **the baseline**: ``GET /bench/bare/`` (same middleware, login required, no query, no
     template: the bare view of ``bench/load_benchmark.py``);
   - **intake with enrichment**: ``regie.cases.services.receive(SignalIn(...))`` of a signal
     with one person and a location; in three of ten the person (and address) of an existing
     signal, so that hermeldingen are found. Each intake runs in a transaction that is rolled
     back after the timer stops (the database stays as generated). The gemeente's reference
     counter of the year is made first, once and committed, as the first real intake would
     (:func:`reference_counter`, which also times that one-off initialisation);
   - **the same intake without encryption**, interleaved with the encrypted one:
     ``regie.privacy.crypto.encrypt``/``decrypt`` replaced by a pass-through (a marker byte and
     the plaintext);
   - **hermelding lookup**: ``regie.cases.selectors.hermeldingen(signal)`` of a random signal
     (the signal read before the timer), and ``services.count_earlier`` of its identifiers;
   - **werkvoorraad**: ``GET`` of the ``cases:queue`` page, with no filter and with a status,
     family, overdue and deadline-order filter;
3. runs ``regie.privacy.services.run_retention`` on a *copy* of the database in a process of
   its own, over the million and over a second database of ``--small`` signals, with the
   resident set size sampled during the run (``--trace-retention``: ``tracemalloc`` too, several
   times slower): memory is *flat* when the peak hardly grows during the run and the growth over
   the million is at most :data:`FLAT_RATIO` times (or :data:`FLAT_MARGIN_MB` more than) the
   growth over the small one.

Every time is in ms, with its ratio to the bare view's p95 of the same run. It prints PASS/FAIL
per target and puts a section into ``docs/performance.md`` between its markers.

    .venv/bin/python bench/bench_meldpunt.py [--signals 1000000] [--fresh] [--intakes 300]
        [--lookups 500] [--pages 100] [--small 100000] [--no-retention] [--trace-retention]
        [--note TEXT] [--report-only] [--no-doc]

Each step's result is kept under ``var/bench-meldpunt-results/<signals>/``; ``--report-only``
rebuilds the report from them, and ``--no-retention`` reports the kept retention results (with
the day they were made) when there are any.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
BEGIN, END = "<!-- BEGIN meldpunt-benchmark -->", "<!-- END meldpunt-benchmark -->"
#: fixed keys of the benchmark's fictitious data (never used elsewhere), so a kept database
#: decrypts in the next run
BENCH_KEYS = "bench1:" + "Q" * 42 + "A"
BENCH_BLIND_KEY = "R" * 42 + "A"
#: ms, absolute (issue 18, deliverable 8)
TARGETS = {"intake": 100.0, "hermelding": 20.0, "queue": 150.0}
ENCRYPTION_RATIO = 1.3
FLAT_RATIO = 1.5
QUEUE_FILTERS = (
    "",
    "status=in_behandeling",
    "familie=zorg_veiligheid",
    "te_laat=1",
    "status=ontvangen&volgorde=deadline",
)
#: the benchmark's "now" (fixed, so a kept database gives the same work): the generated signals
#: end a day before it; the timed intakes are received at it; retention runs as of its day
NOW = dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC)


def _say(what: str) -> None:
    print(f"meldpunt   {what}", file=sys.stderr, flush=True)


def configure(db: Path | None) -> str:
    """Environment for Django (before ``django.setup()``); the database kind."""
    for path in (str(ROOT / "src"), str(BENCH)):
        if path not in sys.path:
            sys.path.insert(0, path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "loadsite.settings")
    os.environ.setdefault("REGIE_DEBUG", "0")
    os.environ.setdefault("REGIE_ENCRYPTION_KEYS", BENCH_KEYS)
    os.environ.setdefault("REGIE_BLIND_INDEX_KEY", BENCH_BLIND_KEY)
    if db is not None:
        os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    url = os.environ.get("DATABASE_URL", "sqlite")
    return "PostgreSQL" if url.startswith("postgres") else "SQLite"


# --- Statistics --------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": statistics.median(values),
        "p95": pct(values, 0.95),
        "max": max(values),
    }


def timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


# --- The measurements --------------------------------------------------------------------------


def client_for(user: Any) -> Any:
    """A test client logged in as ``user`` past two-factor verification (as conftest's)."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _get(client: Any, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")


def bare(client: Any, n: int) -> list[float]:
    _get(client, "/bench/bare/")
    return [timed(lambda: _get(client, "/bench/bare/")) for _ in range(n)]


def queue_page(client: Any, organisation: Any, n: int) -> dict[str, list[float]]:
    from django.urls import reverse

    url = reverse("cases:queue", kwargs={"org": organisation.slug})
    out: dict[str, list[float]] = {f: [] for f in QUEUE_FILTERS}
    for query in QUEUE_FILTERS:
        _get(client, f"{url}?{query}")  # warm-up
    for i in range(n):
        query = QUEUE_FILTERS[i % len(QUEUE_FILTERS)]
        out[query].append(timed(lambda q=query: _get(client, f"{url}?{q}")))  # type: ignore[misc]
    return out


def random_signals(organisation: Any, count: int, seed: int) -> list[Any]:
    """``count`` random signals of ``organisation`` (read before any timer)."""
    from django.db.models import Max, Min

    from regie.cases.models import Signal

    rows = Signal.objects.filter(organisation=organisation)
    bounds = rows.aggregate(lo=Min("pk"), hi=Max("pk"))
    rng = random.Random(seed)  # noqa: S311 - a seeded sample, no secret
    ids = {rng.randint(bounds["lo"], bounds["hi"]) for _ in range(count * 2)}
    found = list(rows.filter(pk__in=ids))
    rng.shuffle(found)
    return found[:count]


def hermelding_lookups(organisation: Any, n: int) -> dict[str, list[float]]:
    from regie.cases import selectors, services
    from regie.cases.keys import Identifier
    from regie.cases.models import SubjectKey

    out: dict[str, list[float]] = {"hermeldingen": [], "count_earlier": []}
    hits = 0
    for signal in random_signals(organisation, n, seed=5):
        found: list[Any] = []
        out["hermeldingen"].append(
            timed(lambda s=signal, f=found: f.extend(selectors.hermeldingen(s)))  # type: ignore[misc]
        )
        hits += any(h.count for h in found)
        idents = [
            Identifier(k, d)
            for k, d in SubjectKey.objects.filter(signal=signal).values_list("kind", "digest")
        ]
        out["count_earlier"].append(
            timed(
                lambda s=signal, i=idents: services.count_earlier(  # type: ignore[misc]
                    organisation, i, before=s.received_at, exclude_signal=s.pk
                )
            )
        )
    out["with_hit"] = [float(hits)]
    return out


def _intake_data(world: Any, template: Any | None, rng: random.Random) -> Any:
    """A new signal; with ``template`` (a stored subject) about that person and address."""
    from meldpunt_data import PHRASES, Maker

    from regie.cases.services import AddressIn, SignalIn, SubjectIn

    if template is not None:
        person = SubjectIn(
            kind="persoon",
            surname=template.surname,
            tussenvoegsel=template.tussenvoegsel,
            first_names=template.first_names,
            birth_date=template.birth_date,
            bsn=template.bsn,
            address=AddressIn(
                street=template.street,
                house_number=template.house_number,
                addition=template.addition,
                postcode=template.postcode,
                city=template.city,
            ),
        )
    else:
        made = Maker(seed=rng.randint(0, 10**9)).person()
        a = made.address
        person = SubjectIn(
            kind="persoon",
            surname=made.surname,
            tussenvoegsel=made.tussenvoegsel,
            first_names=made.first_names,
            birth_date=made.birth_date,
            bsn=made.bsn,
            address=AddressIn(
                street=a.street,
                house_number=a.house_number,
                addition=a.addition,
                postcode=a.postcode,
                city=a.city,
            ),
        )
    return SignalIn(
        organisation=world.gemeente,
        channel="professioneel",
        category=rng.choice(world.categories),
        description=" ".join(rng.sample(PHRASES, 3)),
        received_at=NOW,
        location=person.address,
        reporter_type="medewerker",
        reporter_name="Bench Medewerker",
        reporter_phone="0612345678",
        reporter_email="medewerker@example.org",
        subjects=[person],
    )


@contextmanager
def plaintext() -> Iterator[None]:
    """Encryption replaced by a pass-through of the same shape (marker byte + plaintext)."""
    from regie.privacy import crypto

    real_encrypt, real_decrypt = crypto.encrypt, crypto.decrypt

    def encrypt(data: bytes, *, context: str) -> bytes:
        return b"\x00" + data

    def decrypt(blob: bytes, *, context: str) -> bytes:
        blob = bytes(blob)
        return blob[1:] if blob[:1] == b"\x00" else real_decrypt(blob, context=context)

    crypto.encrypt, crypto.decrypt = encrypt, decrypt
    try:
        yield
    finally:
        crypto.encrypt, crypto.decrypt = real_encrypt, real_decrypt


class _Rollback(Exception):
    pass


def _intake_once(data: Any, user: Any) -> tuple[float, dict[str, int]]:
    """One intake, timed, in a transaction rolled back after the timer."""
    from django.db import transaction

    from regie.cases import services

    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            started = time.perf_counter()
            result["hits"] = services.receive(data, by=user, label="bench").hits
            ms = (time.perf_counter() - started) * 1000
            raise _Rollback
    except _Rollback:
        pass
    return ms, result["hits"]


def reference_counter(world: Any) -> dict[str, Any]:
    """Make the gemeente's reference counter of the benchmark's year, committed, as the first
    real intake of that year would (the timed intakes are rolled back, counter and all); time
    its one-off initialisation, a read of the highest ``GM0556-<year>-`` number."""
    from django.db import transaction
    from django.db.models import F
    from django.utils import timezone

    from regie.cases.models import ReferenceCounter
    from regie.cases.services import intake

    org = world.gemeente
    year = timezone.localtime(NOW).year
    prefix = f"{org.cbs_code}-{year}-"
    highest: list[int] = []
    ms = timed(lambda: highest.append(intake._highest_number(org, prefix)))
    counters = ReferenceCounter.objects.filter(organisation=org, year=year)
    existed = counters.exists()
    with transaction.atomic():
        intake._next_reference(org, year)  # makes the counter when it is missing
        counters.update(last=F("last") - 1)  # and gives its number back
    return {
        "init_ms": ms,
        "highest": highest[0],
        "last": counters.get().last,
        "existed": existed,
        "year": year,
    }


def intakes(world: Any, n: int, seed: int = 7) -> dict[str, Any]:
    """``n`` intakes with encryption and ``n`` without, interleaved (pairs of the same data,
    each kind first in every other pair)."""
    from regie.cases.models import Subject
    from regie.core import audit

    rng = random.Random(seed)  # noqa: S311 - a seeded sample, no secret
    recent = random_signals(world.gemeente, max(10, n), seed=seed)
    recent = [s for s in recent if s.received_at > NOW - dt.timedelta(days=700)]
    templates = list(Subject.objects.filter(signal__in=recent[: max(3, n // 3)]))
    out: dict[str, Any] = {"encrypted": [], "plain": [], "with_hit": 0}
    with audit.acting_as(world.user, None):
        for i in range(n + 3):  # the first three are warm-up
            template = templates[i % len(templates)] if templates and rng.random() < 0.3 else None
            data = _intake_data(world, template, rng)
            # alternate which goes first: the first of a pair warms the page cache for both
            if i % 2:
                with plaintext():
                    plain, _hits = _intake_once(data, world.user)
                enc, hits = _intake_once(data, world.user)
            else:
                enc, hits = _intake_once(data, world.user)
                with plaintext():
                    plain, _hits = _intake_once(data, world.user)
            if i >= 3:
                out["encrypted"].append(enc)
                out["plain"].append(plain)
                out["with_hit"] += any(hits.values())
    return out


# --- Retention: memory over the run ------------------------------------------------------------


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def retention_run(today: dt.date, trace: bool = True) -> dict[str, Any]:
    """``run_retention`` as of ``today`` with memory sampled every 0.2 s."""
    import regie.cases.retention  # noqa: F401 - registers the Meldpunt's handler
    from regie.cases.models import Signal
    from regie.privacy import services

    gc.collect()
    before_signals = Signal.objects.count()
    samples: list[tuple[float, float, float]] = []
    stop = threading.Event()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()

    def sample() -> None:
        while not stop.wait(0.2):
            current = tracemalloc.get_traced_memory()[0] / 2**20 if trace else 0.0
            samples.append((time.perf_counter() - started, _rss_mb(), current))

    rss_before = _rss_mb()
    watcher = threading.Thread(target=sample, daemon=True)
    watcher.start()
    run = services.run_retention(today=today, dry_run=False, label="bench")
    seconds = time.perf_counter() - started
    stop.set()
    watcher.join()
    traced_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else 0.0
    if trace:
        tracemalloc.stop()
    return {
        "seconds": seconds,
        "counts": run.counts,
        "signals_before": before_signals,
        "signals_after": Signal.objects.count(),
        "rss_before": rss_before,
        "rss_peak": _peak_mb(),
        "traced_peak": traced_peak,
        "at": {f"{p}%": _at(samples, seconds * p / 100) for p in (10, 50, 100)},
    }


def _at(samples: list[tuple[float, float, float]], moment: float) -> dict[str, float]:
    """RSS and traced memory at ``moment`` (the last sample before it), and peaks until then."""
    until = [s for s in samples if s[0] <= moment] or samples[:1] or [(0.0, _rss_mb(), 0.0)]
    return {
        "rss": until[-1][1],
        "rss_max": max(s[1] for s in until),
        "traced": until[-1][2],
        "traced_max": max(s[2] for s in until),
    }


# --- Database and worker processes -------------------------------------------------------------


def _checkpoint() -> None:
    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


def prepare(db: Path | None, count: int, fresh: bool) -> dict[str, Any]:
    """Migrate and generate ``count`` signals unless the kept database holds them already
    (``db`` None: the database of ``DATABASE_URL``, which ``--fresh`` does not empty)."""
    import django
    from django.core.management import call_command

    meta_path = (db or ROOT / "var" / f"bench-meldpunt-{count}-url").with_suffix(".json")
    name = db.name if db else "the DATABASE_URL database"
    if fresh:
        for path in (meta_path, *((db, Path(f"{db}-wal"), Path(f"{db}-shm")) if db else ())):
            path.unlink(missing_ok=True)
    meta_path.parent.mkdir(parents=True, exist_ok=True)
    django.setup()
    from meldpunt_data import generate, setup_world

    from regie.cases.models import Signal

    call_command("migrate", interactive=False, verbosity=0)
    world = setup_world()
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    have = Signal.objects.filter(organisation=world.gemeente).count()
    if have == count and meta.get("signals") == count:
        _say(f"reusing {name}: {count:,} signals (generated in {meta['seconds']:.0f} s)")
        return meta
    if have:
        raise SystemExit(f"{name} holds {have:,} signals, not {count:,}: use --fresh / empty it")
    _say(f"generating {count:,} signals into {name}")
    meta = generate(world, count, end=NOW - dt.timedelta(days=1))
    meta["generated_on"] = dt.date.today().isoformat()
    _checkpoint()
    meta["bytes"] = db.stat().st_size if db and db.exists() else 0
    meta_path.write_text(json.dumps(meta))
    _say(f"generated in {meta['seconds']:.0f} s ({meta['bytes'] / 2**20:,.0f} MB)")
    return meta


def _worker(args: list[str]) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, __file__, *args],
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    found: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def retention_on_copy(db: Path, trace: bool) -> dict[str, Any]:
    """Retention on a copy of ``db`` in a process of its own; the copy is removed after."""
    copy = db.with_name(db.stem + "-retention" + db.suffix)
    shutil.copyfile(db, copy)
    try:
        args = ["--worker=retention", f"--db={copy}"]
        found = _worker([*args, "--trace"] if trace else args)
        found["run_on"] = dt.date.today().isoformat()
        return found
    finally:
        for path in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            path.unlink(missing_ok=True)


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from meldpunt_data import setup_world

    from regie.cases.models import Signal, SubjectKey

    world = setup_world()
    client = client_for(world.user)
    load = [list(os.getloadavg())]
    _say(f"bare view × {args.bare}")
    result: dict[str, Any] = {"bare": summary(bare(client, args.bare))}
    _say(f"hermelding lookups × {args.lookups}")
    lookups = hermelding_lookups(world.gemeente, args.lookups)
    result["hermelding"] = summary(lookups["hermeldingen"])
    result["count_earlier"] = summary(lookups["count_earlier"])
    result["lookups_with_hit"] = int(lookups["with_hit"][0])
    result["counter"] = reference_counter(world)
    _say(f"intakes × {args.intakes} (with and without encryption)")
    found = intakes(world, args.intakes)
    result["intake"] = summary(found["encrypted"])
    result["intake_plain"] = summary(found["plain"])
    result["intakes_with_hit"] = found["with_hit"]
    _say(f"werkvoorraad × {args.pages}")
    pages = queue_page(client, world.gemeente, args.pages)
    result["queue"] = summary([v for values in pages.values() for v in values])
    result["queue_by_filter"] = {k: summary(v) for k, v in pages.items() if v}
    result["bare_after"] = summary(bare(client, args.bare))
    load.append(list(os.getloadavg()))
    result["note"] = args.note
    result["load"] = load
    result["run_on"] = dt.date.today().isoformat()
    result["counts"] = {
        "signals": Signal.objects.count(),
        "keys": SubjectKey.objects.count(),
    }
    return result


# --- Report ------------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def verdicts(r: dict[str, Any]) -> dict[str, tuple[bool | None, str]]:
    out: dict[str, tuple[bool | None, str]] = {}
    for key, label in (
        ("intake", "intake with enrichment p95"),
        ("hermelding", "hermelding lookup p95"),
        ("queue", "werkvoorraad p95"),
    ):
        p95 = r[key]["p95"]
        out[key] = (p95 <= TARGETS[key], f"{label} {_ms(p95)} ms ≤ {TARGETS[key]:.0f} ms")
    ratio = r["intake"]["p95"] / r["intake_plain"]["p95"]
    median_ratio = r["intake"]["p50"] / r["intake_plain"]["p50"]
    out["encryption"] = (
        ratio <= ENCRYPTION_RATIO,
        f"intake with encryption ÷ without: p95 {ratio:.2f}× (median {median_ratio:.2f}×) "
        f"≤ {ENCRYPTION_RATIO}×",
    )
    ret = r.get("retention")
    out["retention"] = _retention_verdict(ret) if ret else (None, "retention not run")
    if ret and ret["big"].get("kept"):
        day = f"{ret['big'].get('run_on')} {ret['big'].get('run_at', '')}".strip()
        out["retention"] = (out["retention"][0], f"{out['retention'][1]} (kept from {day})")
    return out


#: growth of the peak RSS (MB) that counts as flat whatever the ratio: allocator noise
FLAT_MARGIN_MB = 16.0


def _retention_verdict(ret: dict[str, Any]) -> tuple[bool, str]:
    """Flat: over the run, RSS after 10 % of it grows by at most :data:`FLAT_MARGIN_MB` to the
    peak; and, with a smaller database run too, the growth during the big run (peak - before)
    is at most :data:`FLAT_RATIO` × the small run's (or within the margin of it)."""
    big, small = ret["big"], ret.get("small")
    late = big["rss_peak"] - big["at"]["10%"]["rss"]
    ok = late <= FLAT_MARGIN_MB
    text = (
        f"retention over {big['signals_before']:,} signals: peak RSS {big['rss_peak']:.0f} MB, "
        f"{late:+.0f} MB over the RSS at 10 % of the run (margin {FLAT_MARGIN_MB:.0f} MB)"
    )
    if small:
        grow_big = big["rss_peak"] - big["rss_before"]
        grow_small = small["rss_peak"] - small["rss_before"]
        ratio = max(grow_big, 1.0) / max(grow_small, 1.0)
        ok = ok and (ratio <= FLAT_RATIO or grow_big - grow_small <= FLAT_MARGIN_MB)
        text += (
            f"; growth during the run {grow_big:.0f} MB against {grow_small:.0f} MB over "
            f"{small['signals_before']:,} signals ({ratio:.2f}×, limit {FLAT_RATIO}× or "
            f"{FLAT_MARGIN_MB:.0f} MB)"
        )
    return ok, text


ROWS = (
    ("bare", "**baseline**: bare view `GET /bench/bare/` (load benchmark's)"),
    ("intake", "intake with enrichment: `services.receive(SignalIn)`"),
    ("intake_plain", "the same intake, encryption replaced by a pass-through"),
    ("hermelding", "hermelding lookup: `selectors.hermeldingen(signal)`"),
    ("count_earlier", "enrichment counts: `services.count_earlier(...)` of one signal"),
    ("queue", "werkvoorraad `GET cases:queue` (all filters below)"),
)


def _data_text(meta: dict[str, Any]) -> str:
    text = (
        f"What is measured: a database with **{meta['signals']:,} encrypted signals** of one "
        f"gemeente (Maassluis) and {meta['other_signals']:,} of a second, generated by "
        "`bench/meldpunt_data.py` (fictitious; each signal with its description, location and "
        "for 15 % a named reporter, one person with surname, first names, birth date, BSN and "
        "address — about 13 encrypted values per signal — the blind indexes the intake writes "
        f"({meta['subject_keys']:,} in all), and its history; one person and one address in ten "
        "is a recent one again; received over three years, about 333,000 a year; statuses and "
        "outcomes mixed). "
    )
    if meta.get("series"):
        text += (
            "This database was generated while references still had exactly five digits: of "
            f"each year the latest {meta['series']:,} carry the gemeente's own prefix "
            "(`GM0556-2026-00001` … `-50000`), older ones `GM0556R1-…`, `GM0556R2-…`, as an "
            "imported register might; the product's counter starts after the highest "
            "`GM0556-<year>-` number, so the intake continues that series. Generated now, the "
            "references of a year run on in one series (six digits after 99,999). "
        )
    else:
        text += (
            "References are numbered per year as the product numbers them (five digits, six "
            "after 99,999). "
        )
    return text + (
        f"Generated in {meta['seconds']:,.0f} s ({meta['signals'] / meta['seconds']:,.0f} "
        f"signals/s, {meta.get('bytes', 0) / 2**30:.1f} GB on disk). Timed in one process "
        "through the load benchmark's settings (`bench/loadsite`), after warm-up, as a verified "
        "adviseur with every family grant."
    )


RATIOS = (
    "**How to read the ratios.** The issue sets absolute targets; beside each time is its "
    "ratio to the p95 of the load benchmark's *bare view* (same middleware, login and "
    "two-factor checks, no query, no template) measured in the same process and run. The "
    "machine is shared and its speed varies; the ratio says how many bare requests a "
    "measurement costs, so it compares across runs and machines where milliseconds do not. "
    "A target in ms divided by the bare p95 of this run gives the ratio it allows here."
)
TARGET_TEXT = {
    "intake": "p95 ≤ 100 ms",
    "intake_plain": "encrypted ≤ 1.3 × this",
    "hermelding": "≤ 20 ms",
    "queue": "p95 ≤ 150 ms",
}


def _table(r: dict[str, Any]) -> list[str]:
    base = r["bare"]["p95"]
    lines = [
        "| What | n | p50 (ms) | p95 (ms) | max (ms) | p95 ÷ bare p95 | Target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    rows = [(label, r[key], TARGET_TEXT.get(key, "")) for key, label in ROWS]
    rows += [(f"werkvoorraad `?{q}`", x, "") for q, x in r["queue_by_filter"].items()]
    for label, x, target in rows:
        lines.append(
            f"| {label} | {x['n']} | {_ms(x['p50'])} | {_ms(x['p95'])} | {_ms(x['max'])} | "
            f"{x['p95'] / base:.1f}× | {target} |"
        )
    return lines


def _notes(r: dict[str, Any]) -> str:
    text = (
        f"The bare view measured again after the others: p95 {_ms(r['bare_after']['p95'])} ms. "
        f"Intakes: {r['intake']['n']} pairs of the same data, encrypted and pass-through "
        "interleaved (each kind first in every other pair), each in a transaction rolled back "
        "after the timer (so the database stays as generated; the commit is not in the time); "
        "in three of ten the person and address of an existing signal "
        f"({r['intakes_with_hit']} intakes found a hermelding). Lookups: "
        f"{r['hermelding']['n']} random signals ({r['lookups_with_hit']} with a hit). "
    )
    c = r.get("counter")
    if c:
        text += (
            f"Before the intakes the gemeente's reference counter of {c['year']} was made once "
            "and committed, as the first intake of a year makes it (the timed intakes, rolled "
            "back, find it); its one-off initialisation, reading the highest "
            f"`GM0556-{c['year']}-` number ({c['highest']:,}), took {_ms(c['init_ms'])} ms. "
        )
    return text + (
        'The werkvoorraad counts each status up to 1,001 (shown as "1.000+") and its '
        "paginator up to 5,001 rows (`queue.status_counts`, `queue.CappedPaginator`)."
    )


def _retention_part(r: dict[str, Any]) -> list[str]:
    ret, lines = r.get("retention"), list[str]()
    if not ret:
        return lines
    if ret["big"].get("kept"):
        day = f"{ret['big'].get('run_on')} {ret['big'].get('run_at', '')}".strip()
        lines += [
            "",
            "Retention was not run again (`--no-retention`): the results below are kept from "
            f"an earlier run ({day}) on the same database.",
        ]
    lines += ["", *retention_lines(ret)]
    traced = r.get("retention_traced")
    if traced:
        lines += ["", "The same runs again with `tracemalloc` on (Python's own allocations):", ""]
        lines += retention_lines(traced)[2:]
    return lines


def _load_text(r: dict[str, Any]) -> str:
    """The machine's load during the run (1, 5 and 15 minutes; older results: 1 minute)."""
    note = f"{r['note']}; " if r.get("note") else ""
    before, after = r["load"][0], r["load"][-1]
    if isinstance(before, list):
        return (
            f"shared with other work: {note}load average (1/5/15 min) "
            f"{' / '.join(f'{x:.1f}' for x in before)} before and "
            f"{' / '.join(f'{x:.1f}' for x in after)} after"
        )
    return (
        f"shared with other work: {note}load average (1 min) {before:.1f} before and "
        f"{after:.1f} after"
    )


def section(r: dict[str, Any], meta: dict[str, Any], args: argparse.Namespace, db: str) -> str:
    lines = [
        "# Performance: Meldpunt Veiligheid (issue 18)",
        "",
        _data_text(meta),
        "",
        RATIOS,
        "",
        f"Run {r.get('run_on') or dt.date.today().isoformat()} on {platform.system()} "
        f"{platform.machine()}, {os.cpu_count()} cores ({_load_text(r)}), Python "
        f"{platform.python_version()}, {db}; {r['counts']['signals']:,} signals and "
        f"{r['counts']['keys']:,} blind indexes in the database.",
        "",
        *_table(r),
        "",
        _notes(r),
        *_retention_part(r),
        "",
        "Targets:",
        "",
    ]
    for ok, line in verdicts(r).values():
        word = "NOT RUN" if ok is None else ("PASS" if ok else "FAIL")
        lines.append(f"- {line}: **{word}**")
    lines += [
        "",
        "Regenerate with `make bench-meldpunt` (`bench/bench_meldpunt.py`; SQLite by default, "
        "`DATABASE_URL` for PostgreSQL; the generated database `var/bench-meldpunt.sqlite3` is "
        "kept and reused; options `--signals`, `--fresh`, `--intakes`, `--lookups`, `--pages`, "
        "`--small`, `--no-retention`, `--trace-retention`, `--note`, `--report-only`, "
        "`--no-doc`).",
    ]
    return "\n".join(lines)


def retention_lines(ret: dict[str, Any]) -> list[str]:
    lines = [
        "Retention: `run_retention(today=…, dry_run=False)` as of the benchmark's day on a copy "
        "of the database, in a process of its own, the resident set size sampled every 0.2 s "
        "(RSS at 10/50/100 % of the run's time) and the peak from `getrusage`; the same over a "
        "database of fewer signals made by the same generator. `tracemalloc` is off here (it "
        "slows the run several times); traced runs follow when they were made "
        "(`--trace-retention`).",
        "",
        "| Signals | Seconds | Destroyed / anonymised (counts) | Traced peak (MB) | "
        "RSS before (MB) | RSS at 10 % | at 50 % | at 100 % | Peak RSS (MB) |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key in ("small", "big"):
        x = ret.get(key)
        if not x:
            continue
        counts = ", ".join(f"{k} {v:,}" for k, v in sorted(x["counts"].items()) if v)
        peak = f"{x['traced_peak']:.1f}" if x["traced_peak"] else "–"
        lines.append(
            f"| {x['signals_before']:,} | {x['seconds']:,.0f} | {counts} | "
            f"{peak} | {x['rss_before']:.0f} | {x['at']['10%']['rss']:.0f} | "
            f"{x['at']['50%']['rss']:.0f} | {x['at']['100%']['rss']:.0f} | {x['rss_peak']:.0f} |"
        )
    return lines


def write_doc(text: str) -> None:
    doc = ROOT / "docs" / "performance.md"
    body = doc.read_text(encoding="utf-8")
    if BEGIN not in body or END not in body:
        body = body.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    head, rest = body.split(BEGIN, 1)
    _old, tail = rest.split(END, 1)
    doc.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


# --- Driver ------------------------------------------------------------------------------------


def worker(args: argparse.Namespace) -> dict[str, Any]:
    configure(args.db)
    import django

    django.setup()
    from django.utils import translation

    translation.activate("nl")
    if args.worker == "prepare":
        return prepare(args.db, args.signals, args.fresh)
    if args.worker == "retention":
        return retention_run((NOW).date(), trace=args.trace)
    return measure(args)


def _db(count: int) -> Path | None:
    if os.environ.get("DATABASE_URL"):
        return None
    name = "bench-meldpunt.sqlite3" if count == 1_000_000 else f"bench-meldpunt-{count}.sqlite3"
    return ROOT / "var" / name


RESULTS = ROOT / "var" / "bench-meldpunt-results"


def _kept(
    folder: Path, name: str, run: Callable[[], dict[str, Any]], reuse: bool
) -> dict[str, Any]:
    """Run one step, keeping its result under ``var/`` (``--report-only`` reads them back)."""
    path = folder / f"{name}.json"
    if reuse:
        if not path.exists():
            raise SystemExit(f"{path} is missing: run the benchmark first")
        found: dict[str, Any] = json.loads(path.read_text())
        return found
    found = run()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(found, default=str))
    return found


def _read_kept(path: Path) -> dict[str, Any] | None:
    """A kept result, with the day it was made (the file's date when it does not say)."""
    if not path.exists() or not path.stat().st_size:
        return None
    found: dict[str, Any] = json.loads(path.read_text())
    made = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
    found.setdefault("run_on", made.date().isoformat())
    found.setdefault("run_at", made.strftime("%H:%M UTC"))
    return found


def kept_retention(folder: Path, result: dict[str, Any]) -> None:
    """``--no-retention``: the retention results kept from an earlier run, when there are."""
    for group, name in (("retention", "retention-"), ("retention_traced", "retention-traced-")):
        for key in ("big", "small"):
            found = _read_kept(folder / f"{name}{key}.json")
            if found:
                result.setdefault(group, {})[key] = {**found, "kept": True}
        if "big" not in result.get(group, {"big": True}):
            del result[group]  # the comparison needs the big run


def bench(args: argparse.Namespace) -> dict[str, Any]:
    db = _db(args.signals)
    common = [f"--db={db}"] if db else []
    reuse = args.report_only
    folder = RESULTS / str(args.signals)
    meta = _kept(
        folder,
        "prepare",
        lambda: _worker(
            ["--worker=prepare", f"--signals={args.signals}", *common]
            + (["--fresh"] if args.fresh else [])
        ),
        reuse,
    )
    result = _kept(
        folder,
        "measure",
        lambda: _worker(
            [
                "--worker=measure",
                f"--intakes={args.intakes}",
                f"--lookups={args.lookups}",
                f"--pages={args.pages}",
                f"--bare={args.bare}",
                f"--note={args.note}",
                *common,
            ]
        ),
        reuse,
    )
    for key in ("bare", "intake", "intake_plain", "hermelding", "queue"):
        s = result[key]
        _say(f"{key:13} p50 {_ms(s['p50']):>6} ms  p95 {_ms(s['p95']):>6} ms")
    result["meta"] = meta
    if args.no_retention or db is None:
        kept_retention(folder, result)
        return result
    trace = args.trace_retention
    _say(f"retention over {args.signals:,} signals (copy)")
    big = _kept(folder, "retention-big", lambda: retention_on_copy(db, trace), reuse)
    result["retention"] = {"big": big}
    if args.small:
        small_db = _db(args.small)
        if small_db is None:
            raise SystemExit("--small needs SQLite")
        if not reuse:
            _worker(["--worker=prepare", f"--signals={args.small}", f"--db={small_db}"])
        _say(f"retention over {args.small:,} signals (copy)")
        small = _kept(folder, "retention-small", lambda: retention_on_copy(small_db, trace), reuse)
        result["retention"]["small"] = small
    _say(f"retention: {json.dumps(result['retention'])}")
    for key in ("small", "big"):  # runs with tracemalloc on, when made (slower)
        found = _read_kept(folder / f"retention-traced-{key}.json")
        if found:
            result.setdefault("retention_traced", {})[key] = found
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true", help="generate the database again")
    parser.add_argument("--intakes", type=int, default=300)
    parser.add_argument("--lookups", type=int, default=500)
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--bare", type=int, default=300)
    parser.add_argument(
        "--small", type=int, default=100_000, help="signals of the retention comparison database"
    )
    parser.add_argument("--no-retention", action="store_true")
    parser.add_argument(
        "--trace-retention", action="store_true", help="tracemalloc during the retention runs"
    )
    parser.add_argument(
        "--report-only", action="store_true", help="rebuild the report from the kept results"
    )
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/performance.md")
    parser.add_argument(
        "--note", default="", help="what else ran on the machine (shown beside the load average)"
    )
    parser.add_argument(
        "--worker", choices=("prepare", "measure", "retention"), help=argparse.SUPPRESS
    )
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args), default=str))
        return
    result = bench(args)
    kind = configure(None)
    text = section(result, result["meta"], args, kind)
    print(text)
    checks = verdicts(result)
    for name, (ok, line) in checks.items():
        print(f"{'NOT RUN' if ok is None else 'PASS' if ok else 'FAIL'} {name}: {line}")
    if not args.no_doc:
        write_doc(text)
    if not all(ok for ok, _line in checks.values() if ok is not None):
        sys.exit(1)


if __name__ == "__main__":
    main()
