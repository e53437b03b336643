from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from types import FrameType
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

from regie.core import jobs
from regie.core.uploads import largest_request_bytes

logger = logging.getLogger(__name__)

#: Seconds between two runs of ``regie cleanup`` while a server without a worker runs.
CLEANUP_INTERVAL = 60 * 60
#: Largest request body waitress accepts when the settings do not say (uploads are smaller).
#: Seconds the worker gets to finish its running jobs when the server stops.
WORKER_STOP_SECONDS = 30


def run_cleanup() -> None:
    """``regie cleanup`` (stale uploads, old checks, imports whose process died); never raises.

    Called by name, not imported: core knows no app's code.
    """
    try:
        call_command("cleanup", verbosity=0)
    except Exception:
        logger.exception("regie cleanup failed")
    finally:
        connection.close()  # this thread's own connection


def _cleanup_loop(stop: threading.Event, interval: float) -> None:
    while not stop.wait(interval):
        run_cleanup()


def start_cleanup_thread(interval: float = CLEANUP_INTERVAL) -> threading.Event:
    """Run the clean-up every ``interval`` seconds in a daemon thread; set the event to stop."""
    stop = threading.Event()
    threading.Thread(
        target=_cleanup_loop, args=(stop, interval), name="regie-cleanup", daemon=True
    ).start()
    return stop


def start_worker() -> subprocess.Popen[bytes]:
    """``regie worker`` as a child process (same Python, settings and environment).

    In a session of its own: Ctrl+C in the terminal reaches the server only, which then asks the
    worker once to stop (:func:`stop_worker`), so the worker's running jobs finish first.
    """
    return subprocess.Popen([sys.executable, "-m", "regie.cli", "worker"], start_new_session=True)


def stop_worker(worker: subprocess.Popen[bytes], timeout: float = WORKER_STOP_SECONDS) -> None:
    """Ask the worker to stop (its running jobs finish first), and end it after ``timeout``."""
    if worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout)
    except subprocess.TimeoutExpired:
        worker.kill()  # an interrupted job runs again when a worker starts
        worker.wait()


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


class Command(BaseCommand):
    help = (
        "Run Veiligheidsregie as a web application (waitress WSGI server) with a background "
        "worker (regie worker: checks, imports, nightly clean-up) as a child process. Static "
        "files are served by the application itself. Ctrl+C stops both. With --no-worker run "
        "regie worker yourself; the server then runs regie cleanup at start and hourly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument(
            "--port",
            type=int,
            default=None,
            help="port to listen on (default: the PORT variable, else 8000)",
        )
        parser.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
        parser.add_argument(
            "--no-worker",
            action="store_false",
            dest="worker",
            help="do not start regie worker beside the server (run it separately)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from waitress import serve

        from regie.wsgi import application

        port = options["port"]
        if port is None:
            raw = os.environ.get("PORT", "8000")
            if not raw.isdigit():
                raise CommandError(_("PORT must be a number, not %(value)r.") % {"value": raw})
            port = int(raw)
        url = f"http://{options['host']}:{port}/"
        worker = start_worker() if options["worker"] and jobs.is_durable() else None
        previous: Any = None
        if worker is not None and threading.current_thread() is threading.main_thread():
            # SIGTERM (systemd, kill) stops the server like Ctrl+C: the worker is stopped too.
            previous = signal.signal(signal.SIGTERM, _exit_on_signal)
        stop: threading.Event | None = None
        if worker is None:
            # Without a worker of its own the server keeps house itself: at start and hourly.
            run_cleanup()
            stop = start_cleanup_thread()
        self.stdout.write(
            _("Veiligheidsregie is running at %(url)s (Ctrl+C stops it)") % {"url": url}
        )
        try:
            serve(
                application,
                host=options["host"],
                port=port,
                threads=options["threads"],
                ident=None,
                # waitress refuses larger bodies before Django reads them (413); the
                # application bounds each view's own (core.uploads.RequestSizeMiddleware).
                max_request_body_size=largest_request_bytes(),
            )
        finally:
            if stop is not None:
                stop.set()
            if worker is not None:
                stop_worker(worker)
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)
