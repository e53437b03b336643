"""Council reports benchmark: the yearly evaluation of a plan with 50 indicators and 100 actions
as PDF, Word and Excel, against the HTML page of the same report in the same run.

On a throwaway SQLite database (a file in a temporary directory) a worker process:

1. migrates and loads the demo (organisations, accounts, areas, the shipped figures) and the
   policy benchmark's seeded figures for Maassluis (GM0556, ``setup_gemeente(full=False)`` of
   ``bench/policy_benchmark.py``: no other gemeenten), then builds that benchmark's plan: 4
   priorities, 10 themes, 15 goals, 50 indicators over police, CBS, survey, derived and local
   measures, all five target kinds, every status, four overrides — each indicator with its
   chart and table in the report;
2. makes the uitvoeringsprogramma 2024 of that plan with 100 actions through
   ``regie.programme.services`` (``create_programme``, ``save_action`` with one to three goals,
   owner, partners, planning, budget, result and lessons; ``adopt``; two progress notes per
   action with ``add_progress``, which set status and spending; ``save_evaluation``);
3. makes the report through ``regie.reports.services``: ``create_report(kind="evaluatie",
   period="2024")``, ``save_texts`` (the three text blocks) and ``lock`` (the snapshot);
4. times, interleaved per round after warm-up rounds:
   - **the baseline**: the report page ``/gm0556/rapportage/<id>/`` through Django's test
     ``Client`` as the demo adviseur of Maassluis (logged in, past two-factor verification),
     with the cache emptied before each call: the page keeps its preview per report version,
     and the first visit builds it (composes the document from the snapshot, draws the charts
     as SVG, renders the HTML); beside it the same page with its preview cached;
   - ``regie.reports.services.render(report, fmt)`` for ``pdf``, ``docx`` and ``xlsx`` (what
     the build job and ``regie report build`` call, without storing the file);
   - as diagnostics, ``compose.document(report)`` alone and ``render_html`` of the document;
   and, through the renderers' own ``progress`` callback, how long each step of a build takes.

A second worker process on the same database builds the PDF ten times in a row and reads, after
each build, the peak resident set size so far (``getrusage``) and the resident set size at that
moment (``/proc/self/statm``, after ``gc.collect()``): memory is *flat* when the 10th build does
not raise the peak above the 2nd build's by more than the margin (:data:`MEMORY_MARGIN_MB`); the
resident set size after each build and the growth per build are reported beside it.

Times are wall-clock seconds of the call alone (the report is read from the database before it,
outside the timer), with the CPU time of the worker process beside them. Targets on this machine:
PDF median at most 10 s, DOCX and XLSX at most 3 s each, memory flat; it prints PASS/FAIL per
target, a markdown section that it puts into ``docs/performance.md`` between its markers, and
exits with status 1 when a target fails.

    .venv/bin/python bench/bench_reports.py [--repeat 5] [--warmup 1] [--builds 10] [--no-doc]
        [--profile FMT]

``--profile pdf`` (or docx, xlsx, html) runs the product once more under cProfile after the
timings and prints the 30 most expensive functions (cumulative) to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import platform
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from import_benchmark import ROOT, write_doc

if TYPE_CHECKING:
    from regie.core.models import Organisation
    from regie.policy.models import Plan
    from regie.reports.models import Report

BEGIN, END = "<!-- BEGIN reports-benchmark -->", "<!-- END reports-benchmark -->"
#: seconds, median on this machine
TARGETS = {"pdf": 10.0, "docx": 3.0, "xlsx": 3.0}
#: the 10th build may use at most this much more memory than the 2nd (MB): a process that keeps
#: nothing stays well below it (vl-convert's drawing alone: +4 MB from its 2nd to 12th round)
MEMORY_MARGIN_MB = 8.0
TIME_LIMIT = 1800  # seconds per worker; the process is killed by SIGALRM after that
ACTIONS = 100
PERIOD = "2024"
USER = "adviseur.maassluis"
FORMATS = ("pdf", "docx", "xlsx")

# --- The uitvoeringsprogramma: 100 actions ------------------------------------------------------

#: (title, description) of the kinds of action; each is used for several goals and wijken
KINDS = (
    ("Buurtpreventie uitbreiden", "Nieuwe buurtpreventieteams werven en toerusten."),
    ("Inbraakpreventie-avonden", "Voorlichting over hang- en sluitwerk per wijk."),
    ("Cameratoezicht evalueren", "Nut en noodzaak van de camera's opnieuw wegen."),
    ("Jongerenwerk op hotspots", "Straatwerk in de avonduren op de bekende plekken."),
    ("Aanpak huiselijk geweld", "Casusoverleg met Veilig Thuis en de wijkteams."),
    ("Barrièremodel horeca", "Bibob-toets bij vergunningaanvragen in de horeca."),
    ("Drugspanden sluiten", "Handhaving artikel 13b Opiumwet met de politie."),
    ("Cyberveiligheid ouderen", "Workshops phishing en WhatsApp-fraude in de bibliotheek."),
    ("Verkeershandhaving", "Snelheidscontroles en gesprekken met de buurt."),
    ("Persoonsgerichte aanpak", "Regie op de top-X met het Zorg- en Veiligheidshuis."),
)
OWNERS = ("Team OOV", "Politie Maassluis", "Wijkteams", "Veilig Thuis", "Team Handhaving")
PARTNERS = ("Politie, Buurtpreventie", "OM, Politie", "Welzijn, Scholen", "Woningcorporatie", "")
#: statuses (at the end of the year) in a realistic mix
STATUSES = ("gereed",) * 5 + ("loopt",) * 2 + ("vertraagd", "niet_gestart", "vervallen")
QUARTERS = ("1234", "12", "34", "23", "4")


def _say(what: str) -> None:
    print(f"reports    {what}", file=sys.stderr, flush=True)


def build_programme(plan: Plan, user: Any) -> Any:
    """The uitvoeringsprogramma 2024 of ``plan``: 100 actions, adopted, with progress notes."""
    from regie.core.concurrency import edit_token
    from regie.policy.models import Goal
    from regie.programme import services

    goals = list(
        Goal.objects.filter(theme__priority__plan=plan)
        .select_related("theme__priority")
        .order_by("theme__priority__position", "theme__position", "position")
    )
    programme = services.create_programme(
        plan=plan,
        period=PERIOD,
        title="Uitvoeringsprogramma Integrale Veiligheid 2024 (benchmark, 100 acties)",
        summary="Honderd acties bij de vijftien doelen van het plan.",
    )
    actions = []
    for n in range(ACTIONS):
        title, description = KINDS[n % len(KINDS)]
        chosen = [goals[(n + k * 7) % len(goals)] for k in range(1 + n % 3)]
        budget = Decimal(2500 + (n * 1375) % 48000)
        actions.append(
            services.save_action(
                programme,
                goals=chosen,
                title=f"{title} ({n + 1})",
                description=f"{description} Wijk {1 + n % 8}.",
                owner=OWNERS[n % len(OWNERS)],
                partners=PARTNERS[n % len(PARTNERS)],
                start=dt.date(2024, 1 + (n % 4) * 3, 1),
                end=dt.date(2024, 12, 31),
                quarters=QUARTERS[n % len(QUARTERS)],
                budget=budget if n % 9 else None,  # some actions without a budget of their own
            )
        )
    programme = services.adopt(
        programme, adopted_on=dt.date(2024, 2, 13), version=edit_token(programme)
    )
    for n, action in enumerate(actions):
        final = STATUSES[n % len(STATUSES)]
        budget = action.budget or Decimal(0)
        services.add_progress(
            action,
            version=edit_token(action),
            moment="2024H1",
            text="Gestart volgens planning; eerste bijeenkomsten gehouden.",
            status="loopt" if final != "niet_gestart" else "niet_gestart",
            spent=(budget * Decimal("0.4")).quantize(Decimal("1")),
            user=user,
        )
        action.refresh_from_db()
        services.add_progress(
            action,
            version=edit_token(action),
            moment="2024H2",
            text="Stand aan het eind van het jaar, besproken in de driehoek.",
            status=final,
            spent=(budget * Decimal("0.9" if final == "gereed" else "0.6")).quantize(Decimal("1")),
            user=user,
        )
        action.refresh_from_db()
        services.save_action(
            programme,
            action=action,
            version=edit_token(action),
            result="Uitgevoerd in vier wijken; 120 deelnemers." if final == "gereed" else "",
            lessons="Eerder beginnen met werven; partners vroeg betrekken.",
        )
    programme.refresh_from_db()
    return services.save_evaluation(
        programme,
        version=edit_token(programme),
        summary="De meeste acties zijn uitgevoerd; drie liepen vertraging op.",
        proposals="Buurtpreventie voortzetten; cyberveiligheid uitbreiden naar ondernemers.",
    )


def build_report(gemeente: Organisation, user: Any) -> Report:
    """The evaluation 2024, its texts written and its figures locked."""
    from regie.core.concurrency import edit_token
    from regie.reports import services

    report = services.create_report(
        organisation=gemeente, kind="evaluatie", period=PERIOD, user=user
    )
    report = services.save_texts(
        report,
        version=edit_token(report),
        texts={
            "inleiding": "Deze evaluatie beschrijft wat er van het uitvoeringsprogramma 2024 "
            "terecht is gekomen (inspanning) en hoe de cijfers zich ontwikkelden (effect).\n\n" * 3,
            "conclusies": "De inspanning lag grotendeels op schema. Het effect is gemengd: "
            "woninginbraken dalen, geweld niet.\n\n" * 4,
            "voorstellen": "Wij stellen voor de buurtpreventie voort te zetten en de aanpak "
            "van cybercrime uit te breiden.\n\n" * 2,
        },
    )
    return services.lock(report, version=edit_token(report), user=user)


def setup() -> tuple[int, dict[str, Any]]:
    """Demo, figures, plan, programme and locked report; returns the report's id and counts."""
    from django.core.management import call_command
    from policy_benchmark import add_figures, build_plan

    from regie.accounts.models import User
    from regie.core import audit
    from regie.core.models import Organisation
    from regie.demo import services as demo
    from regie.policy.models import Indicator

    call_command("migrate", interactive=False, verbosity=0)
    demo.build_demo()
    demo.load_figures()
    gemeente = Organisation.objects.get(cbs_code="GM0556")
    with audit.acting_as(None, "bench"):
        add_figures(gemeente, full=False)
    plan = build_plan(gemeente)  # checks every indicator's intended status itself
    user = User.objects.get(username=USER)
    with audit.acting_as(user, None):
        programme = build_programme(plan, user)
        report = build_report(gemeente, user)
    if report.plan_id != plan.pk or report.programme_id != programme.pk:
        raise SystemExit("the report is not of the benchmark's plan and programme")
    snap = report.snapshot
    counts = {
        "indicators": Indicator.objects.filter(goal__theme__priority__plan=plan).count(),
        "goals": len(snap.get("goals", [])),
        "actions": len(snap.get("actions", [])),
        "charts": sum(1 for i in snap.get("indicators", []) if i.get("chart")),
        "snapshot_kb": len(json.dumps(snap)) / 1024,
    }
    if counts["indicators"] != 50 or counts["actions"] != ACTIONS:
        raise SystemExit(f"the report does not hold 50 indicators and {ACTIONS} actions: {counts}")
    return report.pk, counts


# --- Measuring ---------------------------------------------------------------------------------


def _fresh(pk: int) -> Report:
    from regie.reports.models import Report

    return Report.objects.select_related("organisation").get(pk=pk)


def _client(pk: int) -> tuple[Any, str]:
    """A test client logged in as the demo adviseur past two-factor checks, and the page URL."""
    from django.test import Client
    from django.urls import reverse
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from regie.accounts.models import User

    user = User.objects.get(username=USER)
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="bench", defaults={"confirmed": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    report = _fresh(pk)
    url = reverse(
        "reports:report_detail", kwargs={"org": report.organisation.slug, "report_id": pk}
    )
    return client, url


class Steps:
    """A ``progress`` callback that notes when each step of a build begins."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.marks: list[tuple[float, str]] = []

    def __call__(self, _percent: int, text: str) -> None:
        name = re.sub(r"\d+", "N", str(text))
        if not self.marks or self.marks[-1][1] != name:
            self.marks.append((time.perf_counter(), name))

    def durations(self, end: float) -> dict[str, float]:
        """Seconds per step (steps of the same name summed); before the first: composing."""
        out: dict[str, float] = {}
        edges = [(self.start, "(compose the document from the snapshot)"), *self.marks]
        for (begin, name), (finish, _next) in zip(edges, [*edges[1:], (end, "")], strict=True):
            out[name] = out.get(name, 0.0) + finish - begin
        return out


def _runs(pk: int) -> dict[str, Callable[[Report, Steps], Any]]:
    from regie.reports import compose, services
    from regie.reports.render import render_html

    client, url = _client(pk)

    def page(_report: Report, _steps: Steps) -> bytes:
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        content: bytes = response.content
        return content

    def fmt(name: str) -> Callable[[Report, Steps], bytes]:
        def run(report: Report, steps: Steps) -> bytes:
            return services.render(report, name, progress=steps)

        return run

    return {
        "html": page,  # the page's preview cache is emptied before each call (see measure)
        "html_cached": page,
        **{name: fmt(name) for name in FORMATS},
        "compose": lambda report, _steps: compose.document(report),
        "fragment": lambda report, _steps: render_html(compose.document(report)),
    }


def _pages(content: bytes) -> int:
    import io

    import pypdf

    return len(pypdf.PdfReader(io.BytesIO(content)).pages)


def measure(pk: int, repeat: int, warmup: int) -> dict[str, Any]:
    """Interleaved timings (wall clock and CPU) of the page, the three formats and the parts."""
    from django.core.cache import cache

    runs = _runs(pk)
    result: dict[str, Any] = {name: {"s": [], "cpu": [], "steps": []} for name in runs}
    for round_ in range(warmup + repeat):
        for name, run in runs.items():
            if name == "html":
                cache.clear()  # the first visit after locking: the preview is built
            report = _fresh(pk)
            steps = Steps()
            wall, cpu = time.perf_counter(), time.process_time()
            out = run(report, steps)
            end = time.perf_counter()
            cpu_s = time.process_time() - cpu
            if round_ < warmup:
                if isinstance(out, bytes):
                    result[name]["bytes"] = len(out)
                    if name == "pdf":
                        result[name]["pages"] = _pages(out)
                continue
            result[name]["s"].append(end - wall)
            result[name]["cpu"].append(cpu_s)
            if name in FORMATS:
                result[name]["steps"].append(steps.durations(end))
        _say(f"round {round_ + 1}/{warmup + repeat}" + (" (warm-up)" if round_ < warmup else ""))
    for item in result.values():
        item["median"] = statistics.median(item["s"])
        item["max"] = max(item["s"])
        item["cpu_median"] = statistics.median(item["cpu"])
        if item["steps"]:
            names = list(dict.fromkeys(n for s in item["steps"] for n in s))
            item["steps"] = {
                n: statistics.median(s.get(n, 0.0) for s in item["steps"]) for n in names
            }
        else:
            item.pop("steps")
    return result


def profile(pk: int, fmt: str) -> None:
    """The product once under cProfile; the 30 most expensive functions to stderr."""
    import cProfile
    import pstats

    run = _runs(pk)[fmt]
    report = _fresh(pk)
    profiler = cProfile.Profile()
    profiler.enable()
    run(report, Steps())
    profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def memory(pk: int, builds: int) -> dict[str, Any]:
    """Peak and current RSS after each of ``builds`` PDF builds in a row (a fresh process)."""
    from regie.reports import services

    before = {"peak": _peak_mb(), "rss": _rss_mb()}
    rows = []
    for _ in range(builds):
        report = _fresh(pk)
        started = time.perf_counter()
        services.render(report, "pdf")
        seconds = time.perf_counter() - started
        gc.collect()
        rows.append({"peak": _peak_mb(), "rss": _rss_mb(), "s": seconds})
    return {"before": before, "builds": rows}


def work(args: argparse.Namespace) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regie.settings")
    import django

    django.setup()
    from django.utils import translation

    translation.activate("nl")
    if args.worker == "setup":
        started = time.perf_counter()
        pk, counts = setup()
        return {"report": pk, "counts": counts, "setup_seconds": time.perf_counter() - started}
    if args.worker == "memory":
        return memory(args.report, args.builds)
    load_before = os.getloadavg()[0]
    result = measure(args.report, args.repeat, args.warmup)
    result["load"] = [load_before, os.getloadavg()[0]]
    if args.profile:
        profile(args.report, args.profile)
    return result


# --- The driver --------------------------------------------------------------------------------


def _worker(env: dict[str, str], *args: str) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [sys.executable, __file__, *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    found: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return found


def bench(args: argparse.Namespace) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="regie-bench-reports-"))
    (tmp / "static").mkdir()  # the static files are not collected: no page asks for them
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'regie.sqlite3'}",
        "REGIE_VAR_DIR": str(tmp),
        "REGIE_DEBUG": "0",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]),
    }
    try:
        _say("migrate, demo, figures, plan (50 indicators), programme (100 actions), report")
        made = _worker(env, "--worker=setup")
        _say(f"set up in {made['setup_seconds']:.0f} s: {made['counts']}")
        pk = str(made["report"])
        timing_args = [f"--repeat={args.repeat}", f"--warmup={args.warmup}"]
        if args.profile:
            timing_args.append(f"--profile={args.profile}")
        result = _worker(env, "--worker=time", f"--report={pk}", *timing_args)
        for name in ("html", *FORMATS):
            r = result[name]
            _say(f"{name:5} median {r['median']:6.2f} s  max {r['max']:6.2f} s")
        _say(f"{args.builds} PDF builds in a row in a fresh process")
        result["memory"] = _worker(
            env, "--worker=memory", f"--report={pk}", f"--builds={args.builds}"
        )
        result["counts"] = made["counts"]
        result["setup_seconds"] = made["setup_seconds"]
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def verdicts(result: dict[str, Any]) -> dict[str, tuple[bool, str]]:
    """Per target: passed, and the line that says so."""
    out: dict[str, tuple[bool, str]] = {}
    for fmt, limit in TARGETS.items():
        median = result[fmt]["median"]
        out[fmt] = (
            median <= limit,
            f"{fmt.upper()} median {median:.2f} s (max {result[fmt]['max']:.2f} s) ≤ {limit:.0f} s",
        )
    builds = result["memory"]["builds"]
    second, last = builds[1], builds[-1]
    peak = last["peak"] - second["peak"]
    out["memory"] = (
        peak <= MEMORY_MARGIN_MB,
        f"memory flat: peak RSS after PDF build {len(builds)} {last['peak']:.0f} MB, after build "
        f"2 {second['peak']:.0f} MB (+{peak:.1f} MB; margin {MEMORY_MARGIN_MB:.0f} MB)",
    )
    return out


_LABELS = {
    "html": "**baseline**: report page, GET as adviseur, preview not cached (first visit)",
    "html_cached": "report page, GET as adviseur, preview cached (later visits)",
    "pdf": 'PDF: `services.render(report, "pdf")`',
    "docx": 'Word: `services.render(report, "docx")`',
    "xlsx": 'Excel: `services.render(report, "xlsx")`',
    "compose": "diagnostic: `compose.document(report)` alone",
    "fragment": "diagnostic: `render_html(compose.document(report))`",
}


def _s(value: float) -> str:
    return f"{value:.2f}" if value < 10 else f"{value:.1f}"


def _ratio(value: float) -> str:
    return f"{value:.1f}×" if value >= 1 else f"{value:.2f}×"


def _size(r: dict[str, Any]) -> str:
    if "bytes" not in r:
        return ""
    text = f"{r['bytes'] / 1024:,.0f} KB"
    return f"{text}, {r['pages']} pages" if "pages" in r else text


def section(result: dict[str, Any], args: argparse.Namespace) -> str:
    counts, base = result["counts"], result["html"]["median"]
    checks = verdicts(result)
    lines = [
        "# Performance: Council reports (issue 17)",
        "",
        "What is measured: the yearly *evaluatie* of a plan with "
        f"{counts['indicators']} indicators ({counts['goals']} goals; the plan of the policy "
        "benchmark above: every target kind and status, overrides, police, CBS, survey, derived "
        f"and local figures; {counts['charts']} indicators with their chart and table) and an "
        f"uitvoeringsprogramma 2024 with {counts['actions']} actions (one to three goals each, "
        "owner, partners, planning, budget, two progress notes, result and lessons; made "
        "through `regie.programme.services`, adopted), made with `create_report(kind="
        '"evaluatie")`, its three text blocks written and its figures locked (`lock`: '
        f"snapshot of {counts['snapshot_kb']:,.0f} KB of JSON). Timed in one process, "
        "interleaved: **the baseline**, the HTML page of that report (`GET /gm0556/rapportage/"
        "<id>/` through Django's test `Client` as the demo adviseur, logged in and past "
        "two-factor verification), with the page's preview cache emptied before each call: the "
        "page keeps its preview per report version, and the first visit after locking builds "
        "it (composing the document from the snapshot, drawing its charts as SVG, rendering "
        "the HTML) — the same work as a file minus the file format; beside it the same page "
        "with the preview cached. Then `regie.reports.services.render(report, fmt)` for "
        "PDF (WeasyPrint, PDF/UA-1), DOCX (python-docx) and XLSX (XlsxWriter) — what the build "
        "job and `regie report build` call, without storing the file.",
        "",
        f"Run {dt.date.today().isoformat()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} cores (shared with other work: load average (1 min) "
        f"{result['load'][0]:.1f} before and {result['load'][1]:.1f} after the timed calls), "
        f"Python {platform.python_version()}, a fresh SQLite database; {args.warmup} untimed "
        f"round(s), then {args.repeat} timed rounds; wall-clock seconds of the call alone (the "
        "report is read before it) and the CPU time of the process.",
        "",
        "| What | Median (s) | Max (s) | CPU median (s) | ÷ baseline (median) | Output |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name in ("html", "html_cached", *FORMATS, "compose", "fragment"):
        r = result[name]
        lines.append(
            f"| {_LABELS[name]} | {_s(r['median'])} | {_s(r['max'])} | {_s(r['cpu_median'])} | "
            f"{_ratio(r['median'] / base)} | {_size(r)} |"
        )
    lines += [
        "",
        "Where a build's time goes (medians of the renderers' own progress steps, named as the "
        "build page shows them; the time before the first step is composing the document):",
        "",
    ]
    for fmt in FORMATS:
        steps = ", ".join(f"{name} {_s(sec)} s" for name, sec in result[fmt]["steps"].items())
        lines.append(f"- **{fmt.upper()}**: {steps}.")
    mem = result["memory"]
    builds = mem["builds"]
    lines += [
        "",
        f"Memory: {len(builds)} PDF builds in a row in a fresh process (after setting up "
        f"Django: RSS {mem['before']['rss']:.0f} MB). Peak RSS so far (`getrusage`) and RSS "
        "after each build (after `gc.collect()`), MB:",
        "",
        "| Build | " + " | ".join(str(i) for i in range(1, len(builds) + 1)) + " |",
        "|---|" + "---:|" * len(builds),
        "| Peak RSS | " + " | ".join(f"{b['peak']:.0f}" for b in builds) + " |",
        "| RSS after | " + " | ".join(f"{b['rss']:.0f}" for b in builds) + " |",
        "| Seconds | " + " | ".join(f"{b['s']:.1f}" for b in builds) + " |",
        "",
        f"From build 2 to {len(builds)}: peak RSS "
        f"+{builds[-1]['peak'] - builds[1]['peak']:.1f} MB "
        f"({(builds[-1]['peak'] - builds[1]['peak']) / (len(builds) - 2):.1f} MB per build), "
        f"RSS after the build +{builds[-1]['rss'] - builds[1]['rss']:.1f} MB. The first build "
        "of a process (what `regie report build` pays) includes loading WeasyPrint, the fonts "
        "and vl-convert's JavaScript engine.",
        "",
        "Targets on this machine:",
        "",
    ]
    for ok, line in checks.values():
        lines.append(f"- {line}: **{'PASS' if ok else 'FAIL'}**")
    lines += [
        "",
        "Regenerate with `make bench-reports` (`bench/bench_reports.py`; SQLite only, no "
        "PostgreSQL needed; options `--repeat`, `--warmup`, `--builds`, `--no-doc`, "
        "`--profile pdf|docx|xlsx|html`).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first")
    parser.add_argument("--builds", type=int, default=10, help="PDF builds for the memory check")
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/performance.md")
    parser.add_argument(
        "--profile", choices=("html", *FORMATS), help="profile one build after the timings"
    )
    parser.add_argument("--worker", choices=("setup", "time", "memory"), help=argparse.SUPPRESS)
    parser.add_argument("--report", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.builds < 2:
        parser.error("--builds must be at least 2")
    if args.worker:
        signal.alarm(TIME_LIMIT)
        print(json.dumps(work(args)))
        return
    result = bench(args)
    text = section(result, args)
    print(text)
    checks = verdicts(result)
    for name, (ok, line) in checks.items():
        print(f"{'PASS' if ok else 'FAIL'} {name}: {line}")
    if not args.no_doc:
        write_doc(text, BEGIN, END)
    if not all(ok for ok, _line in checks.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
