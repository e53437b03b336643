"""Load benchmark: the veiligheidsbeeld overview under 8 concurrent clients, against a bare view.

Per database (a fresh PostgreSQL database on 127.0.0.1 and/or a SQLite file in a temporary
directory) the benchmark:

1. migrates, loads the demo (``regie demo``) and imports the national gemeente × month × crime
   type file of ``bench/generate_national_months.py`` (3.7 million figures), so that every
   region without a published figure is summed from all of its gemeenten;
2. starts the product's own server (``regie serve``: waitress, 8 threads, one process) with
   ``bench/loadsite`` settings: the product unchanged, plus a bare view ``/bench/bare/`` (same
   middleware, login required, no query, no template) and a ``Server-Timing`` header with the
   time spent inside Django;
3. asks each page once with nothing cached (*cold*: the first visitor after an import);
4. runs locust headless per scenario and page, one after the other, 8 users (verified adviseurs
   of Maassluis) for ``--seconds`` each, on the bare view (the baseline), the gemeente overview
   and one measure page. Two scenarios: *readers* pause about ``--think`` seconds (half to one
   and a half times) between pages, as people do; *closed loop* asks for the next page at once
   (the server's ceiling, and what ``wrk -c 8`` would measure).

It reports per page the requests, the p50/p95/p99 of the server time (``Server-Timing``) and of
the response time seen by locust, and the ratio of the p95 server time to the bare view's, and
puts the table in ``docs/performance.md``. Only 127.0.0.1 is used.

    .venv/bin/python bench/load_benchmark.py [--databases postgresql sqlite] [--seconds 30]
        [--think 1.0] [--no-doc]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from import_benchmark import DEFAULT_DATA, PG_SERVER, ROOT, _psql, write_doc

BIN = Path(sys.executable).parent
BEGIN, END = "<!-- bench:load -->", "<!-- /bench:load -->"
USER = "adviseur.maassluis"
PAGES = {
    "bare": ("/bench/bare/", "bare Django view (baseline)"),
    "overview": ("/gm0556/veiligheidsbeeld/", "gemeente overview (Maassluis)"),
    "measure": ("/gm0556/veiligheidsbeeld/politie:1.1.1/", "measure page (woninginbraak)"),
}
CLIENTS = 8
SCENARIOS = {"readers": "8 readers", "closed": "8 clients, closed loop"}
_DURATION = re.compile(r"app;dur=([0-9.]+)")


def _regie(env: dict[str, str], *args: str, quiet: bool = True) -> None:
    subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(BIN / "regie"), *args],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def _sessions(env: dict[str, str], count: int) -> list[str]:
    """Session keys of ``count`` logins of the benchmark user, each past two-factor checks."""
    code = (
        "from django.test import Client\n"
        "from django_otp import DEVICE_ID_SESSION_KEY\n"
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "from regie.accounts.models import User\n"
        f"user = User.objects.get(username={USER!r})\n"
        "device, _ = TOTPDevice.objects.get_or_create(user=user, name='bench',"
        " defaults={'confirmed': True})\n"
        "keys = []\n"
        f"for _ in range({count}):\n"
        "    client = Client()\n"
        "    client.force_login(user)\n"
        "    session = client.session\n"
        "    session[DEVICE_ID_SESSION_KEY] = device.persistent_id\n"
        "    session.save()\n"
        "    keys.append(session.session_key)\n"
        "print(','.join(keys))\n"
    )
    out = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(BIN / "regie"), "shell", "-c", code],
        env=env,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1].split(",")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, session: str) -> tuple[float, float]:
    """(server ms, client ms) of one GET."""
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})  # noqa: S310
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - 127.0.0.1 only
        response.read()
        header = response.headers.get("Server-Timing", "")
    client = (time.perf_counter() - started) * 1000
    found = _DURATION.search(header)
    if response.status != 200 or found is None:
        raise SystemExit(f"{url}: HTTP {response.status}, Server-Timing {header!r}")
    return float(found.group(1)), client


def _wait_for(url: str, session: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            _get(url, session)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _locust(
    host: str, path: str, sessions: list[str], seconds: int, think: float, env: dict[str, str]
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="regie-locust-") as tmp:
        prefix = Path(tmp) / "stats"
        subprocess.run(  # noqa: S603 - our own command, fixed arguments
            [
                str(BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "--users",
                str(CLIENTS),
                "--spawn-rate",
                str(CLIENTS),
                "--run-time",
                f"{seconds}s",
                "--host",
                host,
                "--csv",
                str(prefix),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={
                **env,
                "BENCH_PATH": path,
                "BENCH_SESSIONS": ",".join(sessions),
                "BENCH_THINK": str(think),
            },
            check=False,  # locust exits 1 when a request failed; the failures are reported
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,  # its summary; the numbers are read from the CSV
        )
        with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
            rows = {(r["Type"], r["Name"]): r for r in csv.DictReader(handle)}
    client, server = rows[("GET", path)], rows[("SERVER", path)]

    def pick(row: dict[str, str]) -> dict[str, float]:
        return {k: float(row[k]) for k in ("50%", "95%", "99%")}

    return {
        "requests": int(client["Request Count"]),
        "failures": int(client["Failure Count"]),
        "rps": float(client["Requests/s"]),
        "kb": float(client["Average Content Size"]) / 1000,
        "client": pick(client),
        "server": pick(server),
    }


def bench_database(kind: str, data: Path, seconds: int, think: float) -> dict[str, Any]:
    tmp = Path(tempfile.mkdtemp(prefix="regie-load-"))
    pg_name = f"bench_load_{os.getpid()}"
    if kind == "sqlite":
        url = f"sqlite:///{tmp / 'regie.sqlite3'}"
    else:
        _psql(f'CREATE DATABASE "{pg_name}"')
        url = f"{PG_SERVER}/{pg_name}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REGIE_VAR_DIR": str(tmp),
        "REGIE_DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "loadsite.settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "bench")]),
    }
    server = None
    try:
        _say(kind, "migrate, demo, collectstatic")
        _regie(env, "migrate", "--noinput")
        _regie(env, "collectstatic", "--noinput")
        _regie(env, "demo")
        _say(kind, f"import {data.name}")
        _regie(env, "import", str(data), "--format", "odata-csv", "--table", "47013NED")
        sessions = _sessions(env, CLIENTS)
        port = _free_port()
        host = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [str(BIN / "regie"), "serve", "--port", str(port), "--threads", str(CLIENTS)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
        )
        _wait_for(f"{host}{PAGES['bare'][0]}", sessions[0])
        result: dict[str, Any] = {"cold": {}, "readers": {}, "closed": {}}
        for key, (path, _label) in PAGES.items():
            result["cold"][key] = _get(f"{host}{path}", sessions[0])
            _say(kind, f"cold {key}: {result['cold'][key][0]:.0f} ms server time")
        for scenario, pause in (("readers", think), ("closed", 0.0)):
            for key, (path, _label) in PAGES.items():
                found = _locust(host, path, sessions, seconds, pause, env)
                result[scenario][key] = found
                _say(kind, f"{scenario} {key}: {json.dumps(found)}")
        return result
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if kind != "sqlite":
            _psql(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)


def _say(kind: str, what: str) -> None:
    print(f"{kind:10} {what}", file=sys.stderr, flush=True)


_DB = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def _ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def table(results: dict[str, dict[str, Any]], data: Path, seconds: int, think: float) -> str:
    lines = [
        f"Run {dt.date.today().isoformat()} on {platform.system()} {platform.machine()}, "
        f"{os.cpu_count()} cores (locust runs on the same machine), Python "
        f"{platform.python_version()}; national file `{data.name}` imported; {CLIENTS} locust "
        f"users, {seconds} s per page and scenario: *readers* pause {think:g} s on average "
        "between pages, *closed loop* not at all; server `regie serve` (waitress, 8 threads, "
        "one process). Times in ms: *server* is the `Server-Timing` of the response (inside "
        "Django), *client* what locust saw; *cold* is the first request after the import.",
        "",
        "| Database | Scenario | Page | Cold | Requests | Req/s | KB | Server p50 | Server p95 | "
        "Server p99 | Client p95 | p95 ÷ bare | Failures |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, res in results.items():
        for scenario, scenario_label in SCENARIOS.items():
            base = res[scenario]["bare"]["server"]["95%"]
            for key, (_path, label) in PAGES.items():
                r = res[scenario][key]
                ratio = r["server"]["95%"] / base if base else float("nan")
                lines.append(
                    f"| {_DB[kind]} | {scenario_label} | {label} | {_ms(res['cold'][key][0])} | "
                    f"{r['requests']:,} | {r['rps']:.1f} | {r['kb']:,.0f} | "
                    f"{_ms(r['server']['50%'])} | {_ms(r['server']['95%'])} | "
                    f"{_ms(r['server']['99%'])} | {_ms(r['client']['95%'])} | {ratio:.1f}× | "
                    f"{r['failures']} |"
                )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--databases", nargs="+", choices=("sqlite", "postgresql"), default=["postgresql", "sqlite"]
    )
    parser.add_argument("--seconds", type=int, default=30, help="locust run time per page")
    parser.add_argument(
        "--think", type=float, default=1.0, help="readers' average pause between pages (s)"
    )
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/performance.md")
    args = parser.parse_args()
    if not args.data.exists():
        raise SystemExit(f"{args.data} is missing: run bench/generate_national_months.py first")
    results = {
        kind: bench_database(kind, args.data, args.seconds, args.think) for kind in args.databases
    }
    text = table(results, args.data, args.seconds, args.think)
    print(text)
    if not args.no_doc:
        write_doc(text, BEGIN, END)


if __name__ == "__main__":
    main()
