from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = (
        "Run Veiligheidsregie as a web application (waitress WSGI server). Static files are served "
        "by the application itself. Stop with Ctrl+C."
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
        self.stdout.write(
            _("Veiligheidsregie is running at %(url)s (Ctrl+C stops it)") % {"url": url}
        )
        serve(application, host=options["host"], port=port, threads=options["threads"], ident=None)
