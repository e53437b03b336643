from __future__ import annotations

import getpass
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from regie.accounts import services
from regie.accounts.models import Role
from regie.core import audit
from regie.core.commands import add_org_option, organisation_option
from regie.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "Create a user account and give it a role in an organisation. Without --password-prompt "
        "the account gets no password: the user sets one with 'Wachtwoord vergeten' (e-mail)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="login name, e.g. j.jansen")
        parser.add_argument("--email", required=True, help="e-mail address for password resets")
        parser.add_argument("--first-name", default="", help="first name")
        parser.add_argument("--last-name", default="", help="last name")
        add_org_option(
            parser, help="short name (slug) of the organisation, e.g. gm0556 (see the Beheer page)"
        )
        parser.add_argument(
            "--role",
            choices=Role.values,
            help="role in that organisation: " + ", ".join(Role.values),
        )
        parser.add_argument(
            "--superuser",
            action="store_true",
            help="installation manager: may create organisations (no access to their data)",
        )
        parser.add_argument(
            "--password-prompt", action="store_true", help="ask for a password (typed twice)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if bool(options["org"]) != bool(options["role"]):
            raise CommandError(_("Give --org and --role together (or neither)."))
        organisation = organisation_option(options["org"])
        if not organisation and not options["superuser"]:
            raise CommandError(_("Give an organisation and a role (--org, --role) or --superuser."))
        password = None
        if options["password_prompt"]:
            if not sys.stdin.isatty():
                raise CommandError(_("--password-prompt needs a terminal."))
            password = getpass.getpass(_("Password: "))
            if password != getpass.getpass(_("Again: ")):
                raise CommandError(_("The passwords are not the same; nothing has been created."))
        try:
            with audit.acting_as(None, "regie createuser"), transaction.atomic():
                user = services.create_user(
                    username=options["username"],
                    email=options["email"],
                    first_name=options["first_name"],
                    last_name=options["last_name"],
                    password=password,
                    is_superuser=options["superuser"],
                )
                if organisation is not None:
                    services.set_role(user=user, organisation=organisation, role=options["role"])
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        if organisation is not None:
            message = _("User %(user)s created as %(role)s in %(org)s.") % {
                "user": user.username,
                "role": options["role"],
                "org": organisation,
            }
        else:
            message = _("User %(user)s created.") % {"user": user.username}
        self.stdout.write(message)
