"""Django's ``flush``, refused where the audit log must be kept (ADR 0012).

Erasing every table would erase the append-only audit log. It is allowed only on a database that
may be erased (a demo made by ``regie demo``, or a test database); there the database triggers that
protect the log are lifted for the flush alone.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django.core.management.commands import flush
from django.db import connections
from django.utils.translation import gettext as _

from regie.core import append_only


class Command(flush.Command):
    help = (
        "Erase all data of a demo or test database. Refused on any other database: its audit log "
        "is append-only."
    )

    def handle(self, **options: Any) -> None:
        conn = connections[options["database"]]
        if not append_only.purge_allowed():
            raise CommandError(
                _(
                    "This database is not a demo: erasing it would erase the audit log, which is "
                    "append-only. Nothing has been erased."
                )
            )
        with append_only.purging(conn):
            super().handle(**options)
