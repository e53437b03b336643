from __future__ import annotations

import logging
import os
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

#: Seconds between two runs of ``regie cleanup`` while the server runs.
CLEANUP_INTERVAL = 60 * 60
#: Largest request body waitress accepts when the settings do not say (uploads are smaller).
DEFAULT_MAX_REQUEST_BYTES = 20 * 1024 * 1024


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


class Command(BaseCommand):
    help = (
        "Run Veiligheidsregie as a web application (waitress WSGI server). Static files are served "
        "by the application itself. Stop with Ctrl+C. At start and then hourly it runs regie "
        "cleanup (stale uploads, old checks, imports whose process stopped)."
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
        # Imports left queued or running by an earlier server process are marked failed now.
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
                # waitress refuses larger bodies before Django reads them (413).
                max_request_body_size=int(
                    getattr(settings, "REGIE_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST_BYTES)
                ),
            )
        finally:
            stop.set()
