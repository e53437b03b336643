"""``regie inzage``: everything held about one person (AVG art. 15), as JSON and PDF.

``regie inzage (--bsn N | --name ACHTERNAAM [--tussenvoegsel de] --first-names JAN
--birthdate 3-2-1980) [--gemeente GM0556] --out DIR [--purpose rechten-betrokkene]`` writes
``DIR/inzage-<date>.json`` and ``DIR/inzage-<date>.pdf`` and prints their paths and the number
of records, never any personal data. Without ``--gemeente`` it searches every gemeente
(installation beheer). Every signal shown is in the read log (surface ``command``) with the
purpose, and the request in the audit log.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from regie.core import audit
from regie.core.commands import find_organisation, unknown_organisation
from regie.core.errors import ServiceError
from regie.core.models import Organisation
from regie.privacy import inzage_document
from regie.privacy import services as privacy
from regie.privacy.models import Surface

LABEL = "regie inzage"


def _write(path: Path, content: bytes) -> None:
    """Write ``content`` readable for the owner only (it is a person's whole file)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)


class Command(BaseCommand):
    help = (
        "Inzage (AVG art. 15): everything held about one person, found by BSN or by surname, "
        "first name and date of birth, written as JSON and PDF into --out. Without --gemeente "
        "all gemeenten are searched. Prints the paths and the number of records only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument("--bsn", help="the person's BSN")
        who.add_argument("--name", help="surname (achternaam), e.g. 'Vries' or 'Vries, de'")
        parser.add_argument("--tussenvoegsel", default="", help="e.g. 'de', 'van der'")
        parser.add_argument("--first-names", default="", help="first names or initials")
        parser.add_argument("--birthdate", default="", help="date of birth, e.g. 3-2-1980")
        parser.add_argument("--gemeente", default="", help="CBS code or short name, e.g. GM0556")
        parser.add_argument("--out", required=True, help="the folder to write the files into")
        parser.add_argument(
            "--purpose",
            default=inzage_document.DEFAULT_PURPOSE,
            help="the code of the processing activity (default: rechten-betrokkene)",
        )

    def _organisation(self, text: str) -> Organisation | None:
        if not text.strip():
            return None
        organisation = find_organisation(text)
        if organisation is None:
            raise CommandError(unknown_organisation(text))
        if not organisation.is_gemeente:
            raise CommandError(_("%(name)s is not a gemeente.") % {"name": organisation.name})
        return organisation

    def _identity(self, options: dict[str, Any]) -> privacy.Identity:
        try:
            return privacy.Identity.of(
                bsn=options["bsn"],
                surname=options["name"],
                tussenvoegsel=options["tussenvoegsel"],
                first_names=options["first_names"],
                birth_date=options["birthdate"],
            )
        except ServiceError as error:
            raise CommandError(str(error)) from error

    def handle(self, *args: Any, **options: Any) -> None:
        identity = self._identity(options)
        organisation = self._organisation(options["gemeente"])
        reader = privacy.Reader(user=None, label=LABEL)
        with audit.acting_as(None, LABEL):
            try:
                result = inzage_document.collect(
                    identity=identity,
                    organisation=organisation,
                    reader=reader,
                    surface=Surface.COMMAND,
                    purpose=options["purpose"],
                )
            except ServiceError as error:
                raise CommandError(str(error)) from error
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        stem = f"inzage-{result.requested_on.isoformat()}"
        json_path = out / f"{stem}.json"
        pdf_path = out / f"{stem}.pdf"
        _write(json_path, inzage_document.to_json(result))
        _write(pdf_path, inzage_document.to_pdf(result))
        self.stdout.write(str(json_path))
        self.stdout.write(str(pdf_path))
        self.stdout.write(
            ngettext("%(n)s record found.", "%(n)s records found.", result.found)
            % {"n": result.found}
        )
