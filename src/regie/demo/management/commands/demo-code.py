from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from regie.core.services import ServiceError
from regie.demo import services


class Command(BaseCommand):
    help = (
        "Print the current two-factor (TOTP) code of a demo account, so you can log in to the "
        "demo without a phone. Works only for accounts made by `regie demo`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="demo account, e.g. adviseur.alblasserdam")
        parser.add_argument(
            "--secret",
            action="store_true",
            help="print the secret key instead, to add the account to an authenticator app",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            code = services.current_code(options["username"])
            if options["secret"]:
                self.stdout.write(services.secret_of(options["username"]))
            else:
                self.stdout.write(code)
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
