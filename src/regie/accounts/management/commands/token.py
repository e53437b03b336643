"""``regie token``: create, list and revoke API tokens of an organisation (ADR 0017)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from regie.accounts import selectors, services
from regie.accounts.models import ApiToken, ApiTokenScope, User
from regie.accounts.services import api_tokens
from regie.core import audit
from regie.core.commands import add_org_option, organisation_option, unknown_organisation
from regie.core.errors import ServiceError
from regie.core.models import Organisation

#: How the audit log names this command as the actor.
ACTOR = "regie token"


def _organisation(slug: str) -> Organisation:
    organisation = organisation_option(slug)
    if organisation is None:  # --org is required; argparse refuses an absent one
        raise CommandError(unknown_organisation(slug))
    return organisation


def _when(value: Any) -> str:
    if value is None:
        return "–"
    return str(formats.date_format(timezone.localtime(value), "j F Y H:i"))


def _status(token: ApiToken) -> str:
    if token.revoked_at is not None:
        return _("revoked")
    if token.is_expired:
        return _("expired")
    return _("active")


class Command(BaseCommand):
    help = (
        "API tokens of an organisation: create (the token is printed once), list, revoke. "
        "A token reads the JSON API for its organisation only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="create a token and print it once")
        add_org_option(create, required=True, help="short name of the organisation (gm0556)")
        create.add_argument("--name", required=True, help="what the token is for")
        create.add_argument("--description", default="", help="a longer description")
        create.add_argument(
            "--user",
            help="username: a personal token that acts with this user's role in the organisation "
            "(default: an organisation token, a machine that reads as a raadpleger)",
        )
        create.add_argument(
            "--scope", choices=ApiTokenScope.values, default=ApiTokenScope.READ, help="read|write"
        )
        create.add_argument(
            "--expires-days",
            type=int,
            default=api_tokens.DEFAULT_DAYS,
            help=f"days the token is valid (default {api_tokens.DEFAULT_DAYS}, "
            f"at most {api_tokens.MAX_DAYS})",
        )
        listing = actions.add_parser("list", help="list the tokens of an organisation")
        add_org_option(listing, required=True, help="short name of the organisation")
        revoke = actions.add_parser("revoke", help="revoke a token by its number (see list)")
        revoke.add_argument("id", type=int, help="number of the token")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options)
        elif action == "list":
            self._list(options)
        else:
            self._revoke(options)

    def _create(self, options: dict[str, Any]) -> None:
        organisation = _organisation(options["org"])
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(
                    _("There is no account with the username %(user)r.") % {"user": options["user"]}
                )
        try:
            with audit.acting_as(None, ACTOR):
                created = services.create_token(
                    organisation=organisation,
                    name=options["name"],
                    description=options["description"],
                    scope=options["scope"],
                    user=user,
                    created_by=None,
                    days=options["expires_days"],
                )
        except ServiceError as exc:
            raise CommandError(str(exc)) from exc
        token = created.token
        self.stdout.write(
            _("API token %(id)s “%(name)s” of %(org)s created, valid until %(until)s.")
            % {
                "id": token.pk,
                "name": token.name,
                "org": organisation.name,
                "until": _when(token.expires_at),
            }
        )
        self.stdout.write(
            _("The token is shown only now; keep it somewhere safe (Authorization: Bearer …):")
        )
        self.stdout.write(created.secret)

    def _list(self, options: dict[str, Any]) -> None:
        organisation = _organisation(options["org"])
        tokens = list(selectors.api_tokens(organisation))
        if not tokens:
            self.stdout.write(_("%(org)s has no API tokens.") % {"org": organisation.name})
            return
        for token in tokens:
            owner = token.user.get_username() if token.user else _("the organisation")
            self.stdout.write(
                _(
                    "%(id)s  %(name)s  scope %(scope)s  acts as %(owner)s  created %(created)s  "
                    "valid until %(until)s  last used %(used)s  %(status)s"
                )
                % {
                    "id": token.pk,
                    "name": token.name,
                    "scope": token.scope,
                    "owner": owner,
                    "created": _when(token.created_at),
                    "until": _when(token.expires_at),
                    "used": _when(token.last_used_at),
                    "status": _status(token),
                }
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = ApiToken.objects.select_related("organisation").filter(pk=options["id"]).first()
        if token is None:
            raise CommandError(
                _("There is no API token with number %(id)s.") % {"id": options["id"]}
            )
        if token.revoked_at is not None:
            self.stdout.write(
                _("API token %(id)s “%(name)s” was already revoked.")
                % {"id": token.pk, "name": token.name}
            )
            return
        with audit.acting_as(None, ACTOR):
            services.revoke_token(token=token, revoked_by=None)
        self.stdout.write(
            _("API token %(id)s “%(name)s” of %(org)s revoked.")
            % {"id": token.pk, "name": token.name, "org": token.organisation.name}
        )
