"""The Dutch catalogue is complete and compiled; the UI is Dutch by default and English on request.

Code and templates use English msgids; ``locale/nl`` gives every one of them its Dutch text. The
compiled ``.mo`` files are committed (a fresh machine may lack GNU gettext), so these tests also
check that they match the ``.po`` files they were compiled from.
"""

from __future__ import annotations

import ast
import gettext
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

LOCALE = Path(django_settings.LOCALE_PATHS[0])
NL_PO = LOCALE / "nl" / "LC_MESSAGES" / "django.po"
NL_MO = LOCALE / "nl" / "LC_MESSAGES" / "django.mo"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
EN_MO = LOCALE / "en" / "LC_MESSAGES" / "django.mo"


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file (the header, msgid "", excluded; obsolete #~ entries skipped)."""
    entries: list[Entry] = []
    entry = Entry()
    target: tuple[str, int] | None = None
    started = False

    def finish() -> None:
        nonlocal entry, target, started
        if started and entry.msgid:
            entries.append(entry)
        entry, target, started = Entry(), None, False

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            assert target is not None, f"{path}:{number}: continuation without keyword"
            value: str = ast.literal_eval(line)
            name, index = target
            if name == "msgstr":
                entry.msgstr[index] += value
            else:
                setattr(entry, name, (getattr(entry, name) or "") + value)
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            if not started:
                started, entry.line = True, number
            if keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
                while len(entry.msgstr) <= index:
                    entry.msgstr.append("")
                entry.msgstr[index] = value
                target = ("msgstr", index)
            else:
                assert keyword in {"msgid", "msgid_plural", "msgctxt"}, f"{path}:{number}"
                setattr(entry, keyword, value)
                target = (keyword, 0)
    finish()
    return entries


def header_is_fuzzy(path: Path) -> bool:
    head = path.read_text(encoding="utf-8").split('msgid ""', 1)[0]
    return "fuzzy" in head


def test_the_dutch_catalogue_translates_every_msgid() -> None:
    entries = parse_po(NL_PO)
    assert len(entries) > 250, "the parser found too few entries"
    assert not header_is_fuzzy(NL_PO)
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert fuzzy == [], "fuzzy entries in locale/nl: check and unflag them"
    untranslated = [e.msgid for e in entries if not e.msgstr or not all(e.msgstr)]
    assert untranslated == [], "untranslated entries in locale/nl"
    plural_without_forms = [e.msgid for e in entries if e.msgid_plural and len(e.msgstr) != 2]
    assert plural_without_forms == []


def test_english_and_dutch_catalogues_have_the_same_msgids() -> None:
    def keys(path: Path) -> set[tuple[str | None, str, str | None]]:
        return {(e.msgctxt, e.msgid, e.msgid_plural) for e in parse_po(path)}

    assert keys(EN_PO) == keys(NL_PO)
    assert not [e.msgid for e in parse_po(EN_PO) if "fuzzy" in e.flags]


@pytest.mark.parametrize(("po", "mo"), [(NL_PO, NL_MO), (EN_PO, EN_MO)])
def test_the_compiled_catalogue_matches_the_po_file(po: Path, mo: Path) -> None:
    """Run `make compilemessages` after changing a .po file."""
    with mo.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for e in parse_po(po):
        if not any(e.msgstr):
            continue  # untranslated (English): gettext returns the msgid itself
        if e.msgid_plural is None:
            got = [
                compiled.pgettext(e.msgctxt, e.msgid) if e.msgctxt else compiled.gettext(e.msgid)
            ]
        else:
            got = [compiled.ngettext(e.msgid, e.msgid_plural, n) for n in (1, 2)]
        if got != e.msgstr:
            stale.append(e.msgid)
    assert stale == [], f"{mo} is older than {po}: run `make compilemessages`"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_the_catalogues_contain_every_msgid_of_the_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """After adding or changing a translatable string: `make messages`, translate, compile."""
    package = LOCALE.parent
    copy = tmp_path / "regie"

    def ignore(directory: str, names: list[str]) -> set[str]:
        skip = {"locale", "data", "node_modules", "__pycache__", "static"}
        return {
            n
            for n in names
            if n in skip
            or ((Path(directory) / n).is_file() and Path(n).suffix not in {".py", ".html", ".txt"})
        }

    shutil.copytree(package, copy, ignore=ignore)
    (copy / "locale" / "nl").mkdir(parents=True)
    settings.LOCALE_PATHS = [copy / "locale"]  # never touch the real catalogue
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["nl"], ignore_patterns=["node_modules"], verbosity=0)

    def keys(path: Path) -> set[tuple[str | None, str, str | None]]:
        return {(e.msgctxt, e.msgid, e.msgid_plural) for e in parse_po(path)}

    in_code = keys(copy / "locale" / "nl" / "LC_MESSAGES" / "django.po")
    in_catalogue = keys(NL_PO)
    assert len(in_code) > 250, "makemessages found too few msgids"
    assert sorted(in_code - in_catalogue, key=str) == [], "msgids missing from locale/nl"
    assert sorted(in_catalogue - in_code, key=str) == [], "obsolete msgids in locale/nl"


def test_dutch_is_the_default_language(db: Any) -> None:
    body = Client().get(reverse("accounts:login")).content.decode()
    assert '<html lang="nl"' in body
    assert '<h1 class="utrecht-heading-1">Inloggen</h1>' in body
    assert "Wachtwoord vergeten?" in body
    assert "Forgot your password?" not in body


def test_english_on_request_by_browser_language(db: Any) -> None:
    body = Client().get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en"' in body
    assert '<h1 class="utrecht-heading-1">Log in</h1>' in body
    assert "Forgot your password?" in body
    assert "Inloggen" not in body


def test_english_by_language_cookie_and_the_language_switch(db: Any) -> None:
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("accounts:login")).content.decode()
    assert '<h1 class="utrecht-heading-1">Log in</h1>' in body

    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert client.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = client.get(reverse("accounts:login")).content.decode()
    assert '<h1 class="utrecht-heading-1">Log in</h1>' in body
    client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    body = client.get(reverse("accounts:login")).content.decode()
    assert '<h1 class="utrecht-heading-1">Inloggen</h1>' in body


def test_service_messages_follow_the_active_language(db: Any) -> None:
    from regie.core.services import ServiceError, create_organisation

    with pytest.raises(ServiceError, match="is gereserveerd"):
        create_organisation(name="X", slug="beheer", kind="politie")
    with translation.override("en"), pytest.raises(ServiceError, match="is reserved"):
        create_organisation(name="X", slug="beheer", kind="politie")


#: Variants that docs/glossary.md rules out, as (pattern, the glossary's term). Placeholders
#: (``%(name)s``) are removed before matching.
FORBIDDEN_VARIANTS: list[tuple[str, str]] = [
    (r"\bCOVID-?jaa?r(en)?\b|(?i:\bcovidjaa?r)", "coronajaar, coronajaren"),
    (r"High Impact|(?i:high-impact)", "high impact crimes (HIC)"),
    (r"(?<!\()\bHIC\b|\bHIC\b(?!\))", "high impact crimes (HIC): HIC only in brackets"),
    (r"(?i:\bpolitie ?eenhe)", "politie-eenheid"),
    (r"95%%?-(marges?|grenzen)\b|95 %", "95%-interval"),
    (r"\d %(?![(%])", "5%: a percentage without a space"),
    (r"(?i:per 1000 inwoners|per duizend inwoners)", "per 1.000 inwoners"),
    (r"(?i:waterbed-effect)", "waterbedeffect"),
    (r"\bbinnen marge\b", "binnen de marge"),
    (r"(?i:\bsnapshots?\b)", "momentopname"),
    (r"\bbaseline\b", "nulmeting"),
    (r"(?i:\baudit[ -]log\b)", "auditlog"),
    (r"(?i:\bemail\b|\bemailadres|e-mail adres)", "e-mailadres"),
    (r"Nederland Nederland", "Nederland"),
]


def test_the_dutch_catalogue_uses_the_glossary_terms() -> None:
    """docs/glossary.md: one Dutch term per concept; the variants it names are wrong."""
    import re

    found = []
    for entry in parse_po(NL_PO):
        for text in entry.msgstr:
            plain = re.sub(r"%\(\w+\)[sdr]", "", text)
            found += [
                f"line {entry.line}: {plain!r} → {term}"
                for pattern, term in FORBIDDEN_VARIANTS
                if re.search(pattern, plain)
            ]
    assert found == []


def test_the_glossary_names_every_forbidden_variant_it_tests() -> None:
    glossary = (Path(__file__).resolve().parent.parent / "docs" / "glossary.md").read_text()
    assert "test_the_dutch_catalogue_uses_the_glossary_terms" in glossary
    for _pattern, term in FORBIDDEN_VARIANTS:
        first = term.split(":")[0].split(",")[0].strip()
        assert first.lower() in glossary.lower(), term
