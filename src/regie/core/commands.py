"""Building blocks of ``regie`` commands: the ``--org`` option, read the same way everywhere.

A command that acts for one organisation adds the option with :func:`add_org_option` and reads
it with :func:`organisation_option`: the organisation by its short name (``gm0556``), its CBS
code (``GM0556``) as a convenience, or None when the option is left out (open data only, or the
command's own default). An unknown name is refused with the same Dutch sentence in every command.
"""

from __future__ import annotations

from argparse import ArgumentParser

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from regie.core.models import Organisation


def add_org_option(parser: ArgumentParser, *, help: str, required: bool = False) -> None:
    """``--org SLUG``: the organisation the command acts for (see the Beheer page for names)."""
    parser.add_argument("--org", default="", required=required, metavar="SLUG", help=help)


def find_organisation(text: str) -> Organisation | None:
    """The organisation named by ``text`` (short name, or CBS code), or None."""
    text = text.strip()
    if not text:
        return None
    return (
        Organisation.objects.filter(slug=text.lower()).first()
        or Organisation.objects.filter(cbs_code=text.upper()).first()
    )


def organisation_option(text: str) -> Organisation | None:
    """The organisation of ``--org``; None when the option was left out. An unknown name is a
    :class:`CommandError` naming it."""
    if not text.strip():
        return None
    organisation = find_organisation(text)
    if organisation is None:
        raise CommandError(unknown_organisation(text))
    return organisation


def unknown_organisation(text: str) -> str:
    return _("Unknown organisation %(slug)s.") % {"slug": text.strip()}
