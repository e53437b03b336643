"""Acceptance of issue 15 (words): crawl every page of the demo and read it as a raadslid would.

The demo is built once for the module (both gemeenten, figures, plans, accounts). For each demo
role of both gemeenten the crawl starts at ``/`` and follows every same-site link (GET only; no
logout, language switch, downloads or API), and every HTML page must be free of:

``year grouped``
    a year written with a thousands separator ("2.025", "2 025"). A year is 1990–2039; "2.025"
    alone may be a real count (2.025 misdrijven), so a grouped number only counts as a year
    where the context says year: after a year word or preposition ("in", "sinds", "t/m",
    "januari", "halfjaar", "Q1", …), in a range with another year ("2.019–2.022"), or as the
    whole text of a heading, table header, option, legend, caption or the value of a form field
    named …year…/…jaar… (``start_year``). Real amounts in table cells and running text
    ("2.025 inwoners", "20.123", "1.170 meldingen") are not flagged; the one known false alarm
    would be a count of 1990–2039 right after "in" ("in 2.025 gevallen") — write "bij".
``%%``
    a doubled percent sign anywhere in the visible text.
``raw code``
    a measure code (``cbs:T001161``, ``politie:1.1.1``, ``vm:…``) outside a ``<details>``
    disclosure ("Technische details").
``developer text``
    a ``regie …`` command, a file path, or a hexadecimal fingerprint, outside ``<details>``.
``English``
    a control or heading whose whole text is an English UI word ("Import", "Value", …), or a
    text block with two or more English function words ("the", "with", "cannot", …).
``Nederland Nederland``
    an area level repeated as its name.
``status``
    a link that does not answer 200 (after redirects), with the page that links to it.

The crawl is bounded (:data:`MAX_PAGES`, :data:`MAX_DEPTH`, :data:`MAX_PER_SHAPE` pages per URL
shape such as ``/gm0556/beleid/*/indicator/*/``, :data:`MAX_QUERIES_PER_PATH`): about 350 pages.

A msgid without a Dutch translation shows in English and is reported as such. One assertion at
the end lists every failure with the page, the account and the text found.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.test import Client

from regie.accounts.models import User

pytestmark = pytest.mark.django_db

#: The accounts that crawl, the raadplegers without a second factor (as in the demo).
ACCOUNTS = (
    "beheerder.maassluis",
    "adviseur.maassluis",
    "raadpleger.maassluis",
    "beheerder.alblasserdam",
    "adviseur.alblasserdam",
    "raadpleger.alblasserdam",
)

#: Bounds that keep the crawl short: pages in all, depth from "/", pages per URL shape
#: (the path with ids and codes replaced, per organisation) and query variants per path.
MAX_PAGES = 450
MAX_DEPTH = 4
MAX_PER_SHAPE = 6
MAX_QUERIES_PER_PATH = 2

SKIP = re.compile(
    r"/uitloggen/|/i18n/|/static/|/media/|/api/|^/admin/|[?&](download|format|export)="
    r"|\.(csv|xlsx|json|pdf|png|svg|zip|yaml)(\?|$)"
)

YEAR = r"(?:19[89]|20[0-3])"
#: A year 1990–2039 written with a thousands separator (dot, space, no-break or narrow no-break
#: space): "1.995", "2.025", "2 025"; not part of a longer number ("12.025", "2.025,5").
GROUPED_YEAR = r"\b(?:1[.\u00a0\u202f ]99\d|2[.\u00a0\u202f ]0[0-3]\d)(?![\d]|[,.]\d)"
YEAR_WORDS = (
    r"in|jaar|jaren|sinds|vanaf|van|tot|t/m|tot en met|voor|na|peiljaar|basisjaar|startjaar|"
    r"eindjaar|halfjaar|kwartaal|januari|februari|maart|april|mei|juni|juli|augustus|"
    r"september|oktober|november|december|Q[1-4]|H[12]|year|since|until"
)
YEAR_IN_CONTEXT = re.compile(
    rf"(?i:\b(?:{YEAR_WORDS}))\s+{GROUPED_YEAR}"
    rf"|{GROUPED_YEAR}\s*[–—-]\s*(?:{GROUPED_YEAR}|\b{YEAR}\d\b)"
    rf"|\b{YEAR}\d\s*[–—-]\s*{GROUPED_YEAR}"
)
YEAR_ALONE = re.compile(rf"^\s*\(?{GROUPED_YEAR}\)?\s*$")
#: Elements whose whole text, when it is a grouped number 1990–2039, is a year.
YEAR_ELEMENTS = {"th", "option", "legend", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "time"}
YEAR_ELEMENTS |= {"input"}  # the value of a field named …year… or …jaar…

RAW_CODE = re.compile(
    r"\b(?:cbs|politie|overlast|local|vm|derived):[A-Za-z0-9._-]+"
    # a police crime type code: "(1.4.6)", "soort 3.7.4" / "type 3.7.4" (three-digit groups
    # are Dutch thousands, not codes)
    r"|\(\d\.\d{1,2}\.\d{1,2}\)|\b(?:soort|soorten|type|types) \d\.\d{1,2}\.\d{1,2}\b"
)
DEVELOPER = re.compile(
    # a command ("regie scenario-costs"); "regie" alone is Dutch ("onder regie van")
    r"\bregie (?:cleanup|compare|createuser|demo|demo-code|figure|flush|import|loadareas|"
    r"measures|plan|scenario-costs|serve|waterbed|migrate|check)\b"
    r"|(?<![\w/.])/(?:work|tmp|home|var|usr|srv|opt)/[\w./-]+"  # an absolute path
    r"|\b(?:[\w.-]+/){1,}[\w.-]+\.(?:csv|xlsx|yaml|yml|json|py|txt|zip)\b"  # a file path
    r"|\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)[0-9a-f]{16,}\b"  # a fingerprint
)
#: Whole-text English labels of controls and headings.
ENGLISH_LABELS = {
    "Import",
    "Value",
    "Values",
    "Save",
    "Cancel",
    "Delete",
    "Edit",
    "Search",
    "Apply",
    "Back",
    "Next",
    "Previous",
    "Submit",
    "Overview",
    "Sources",
    "Source",
    "Settings",
    "Area",
    "Period",
    "Measure",
    "Year",
    "Total",
    "Yes",
    "No",
    "Log out",
    "Log in",
    "Download",
}
LABEL_ELEMENTS = {"button", "a", "th", "label", "legend", "summary", "caption", "option", "dt"}
LABEL_ELEMENTS |= {"h1", "h2", "h3", "h4", "h5", "h6"}
ENGLISH_WORDS = re.compile(
    r"\b(the|and|with|this|that|cannot|could|should|must|which|from|into|has|have|been|were|"
    r"are|not|there|than|when|will)\b"
)
#: Words of the demo's own data that look English but are names (table titles, sources).
ENGLISH_ALLOWED = re.compile(
    r"High impact crimes|Wheeler|Ratcliffe|Bowers|Johnson|Misdaad in kaart"
)


class Page(HTMLParser):
    """The links and checkable text of one HTML page: text outside ``<details>``, per element."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "wbr", "area", "col"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.stack: list[str] = []
        self.details = 0
        self.hidden = 0  # <script>, <style>, <template>
        self.blocks: list[tuple[str, str]] = []  # (element, its text), text outside <details>
        self.all_text: list[str] = []  # every visible text, <details> included
        self._open: list[tuple[str, list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(str(attributes["href"]))
        if tag in {"script", "style", "template"}:
            self.hidden += 1
        if tag == "details":
            self.details += 1
        name = attributes.get("name") or ""
        if tag == "input" and re.search(r"year|jaar", name) and not self.details:
            self.blocks.append(("input", attributes.get("value") or ""))  # a year field's value
        if tag == "input" and attributes.get("type") in {"submit", "button"}:
            value = attributes.get("value") or ""
            if not self.details:
                self.blocks.append(("button", value))
        if tag in self.VOID:
            return
        self.stack.append(tag)
        self._open.append((tag, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or tag not in self.stack:
            return
        while self.stack:
            open_tag = self.stack.pop()
            element, parts = self._open.pop()
            text = re.sub(r"\s+", " ", "".join(parts)).strip()
            if text and not self.details and not self.hidden:
                self.blocks.append((element, text))
            if self._open:  # the parent's text includes the child's
                self._open[-1][1].extend(parts)
            if open_tag in {"script", "style", "template"}:
                self.hidden -= 1
            if open_tag == "details":
                self.details -= 1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        self.all_text.append(data)
        if self._open and not self.details:
            self._open[-1][1].append(data)
        elif self._open:
            self._open[-1][1].append("")  # inside <details>: not checked


def problems(body: str) -> Iterator[tuple[str, str]]:
    """(check, excerpt) for every word problem of one page."""
    page = Page()
    page.feed(body)
    page.close()
    visible = html.unescape(" ".join(page.all_text))
    leaves: set[tuple[str, str]] = set(page.blocks)
    outside = " \n ".join(text for _, text in leaves)
    for match in YEAR_IN_CONTEXT.finditer(outside):
        yield "year grouped", _around(outside, match)
    for element, text in leaves:
        if element in YEAR_ELEMENTS and YEAR_ALONE.match(text):
            yield "year grouped", f"«{text}» in: <{element}>"
    if "%%" in visible:
        yield "%%", _around(visible, re.search("%%", visible))
    for match in RAW_CODE.finditer(outside):
        yield "raw code", _around(outside, match)
    for match in DEVELOPER.finditer(outside):
        yield "developer text", _around(outside, match)
    for element, text in leaves:
        if text == "Import" and element != "button":
            continue  # the Dutch noun (an import); as a button it must say "Cijfers importeren"
        if element in LABEL_ELEMENTS and text in ENGLISH_LABELS:
            yield "English", f"<{element}> {text}"
        elif element in {"p", "li", "dd", "td", "label", "legend", "h1", "h2", "h3", "caption"}:
            words = set(ENGLISH_WORDS.findall(ENGLISH_ALLOWED.sub("", text)))
            if len(words) >= 2:
                yield "English", f"<{element}> {text[:140]}"
    for match in re.finditer(r"\b(\w+) \1\b", visible):
        if match.group(1) in {"Nederland"}:
            yield "Nederland Nederland", _around(visible, match)


def _around(text: str, match: re.Match[str] | None, width: int = 50) -> str:
    assert match is not None
    start, end = max(0, match.start() - width), min(len(text), match.end() + width)
    context = re.sub(r"\s+", " ", text[start:end]).strip()
    return f"«{match.group(0)}» in: {context}"


def shape(path: str) -> str:
    """A URL's shape: ids and codes replaced, so /gm0556/plannen/3/ and /4/ are one shape."""
    parts = [
        "*" if re.search(r"\d|:", part) and not re.fullmatch(r"gm\d{4}", part) else part
        for part in path.split("/")
    ]
    return "/".join(parts)


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The whole demo (organisations, accounts, figures, plans), built once for the module."""
    with django_db_blocker.unblock():
        from django.db import transaction

        from regie.demo import services as demo_services

        with transaction.atomic():
            demo_services.build_demo()
            demo_services.load_figures()
            demo_services.load_plans()
            yield
            transaction.set_rollback(True)


def client_for(username: str) -> Client:
    from conftest import verified_client

    user = User.objects.get(username=username)
    if username.startswith("raadpleger."):
        client = Client()
        client.force_login(user)
        return client
    return verified_client(user)


def crawl(accounts: tuple[str, ...]) -> tuple[dict[str, dict[str, str]], int]:
    """Crawl as each account; (check → {page and text → first account}, pages read). A URL is
    read once, by the first account that reaches it; the start page and the pages linked from
    it are read for every account."""
    failures: dict[str, dict[str, str]] = defaultdict(dict)
    seen: set[str] = set()
    per_shape: dict[str, int] = defaultdict(int)
    queries: dict[str, int] = defaultdict(int)
    pages = 0
    for username in accounts:
        client = client_for(username)
        queue: list[tuple[str, int, str]] = [("/", 0, "")]
        local: set[str] = set()
        while queue and pages < MAX_PAGES:
            url, depth, referrer = queue.pop(0)
            if url in local or (url in seen and depth > 1):
                continue
            local.add(url)
            seen.add(url)
            response = client.get(url, follow=True)
            pages += 1
            if response.status_code != 200:
                failures["status"].setdefault(
                    f"{response.status_code} {url} (linked from {referrer})", username
                )
                continue
            if not response.get("Content-Type", "").startswith("text/html"):
                continue
            final = response.request["PATH_INFO"]
            body = response.content.decode()
            for check, excerpt in problems(body):
                found = excerpt.split(" in: ")[0]  # one line per page and text found
                failures[check].setdefault(f"{final}: {found}", f"{username}; {excerpt}")
            if depth >= MAX_DEPTH:
                continue
            page = Page()
            page.feed(body)
            for href in page.links:
                if href.startswith("#"):
                    continue  # this page itself
                target = urldefrag(urljoin(final, html.unescape(href)))[0]
                parts = urlsplit(target)
                if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                    continue
                if SKIP.search(target) or target in local:
                    continue
                if parts.query:
                    if queries[parts.path] >= MAX_QUERIES_PER_PATH:
                        continue
                    queries[parts.path] += 1
                elif target not in seen:
                    key = shape(parts.path)
                    if per_shape[key] >= MAX_PER_SHAPE:
                        continue
                    per_shape[key] += 1
                queue.append((target, depth + 1, final))
    return failures, pages


def test_problems_finds_each_kind_of_word_problem() -> None:
    """The checks themselves, on one made-up page (and real amounts that must pass)."""
    body = """
    <h1>Misdrijven in 2.025</h1><table><tr><th>2.024</th><td>2.019</td></tr></table>
    <p>2.025 inwoners; 1.170 meldingen in 2023; 95%% interval; 20.123 inwoners</p>
    <h2>cbs:T001161</h2>
    <details><summary>Technische details</summary><p>cbs:T001161, /work/x/y.csv</p></details>
    <p>Draai het commando regie scenario-costs op de server.</p>
    <p>Herkomst: src/regie/monitor/data/seed/figures.csv, versie 3f9a0c2be41d77aa</p>
    <button>Import</button><p>The file has a row that cannot be read.</p>
    <p>Nederland Nederland</p><p>2.019–2.022 en Q1 2 025</p>
    <input name="start_year" value="2.023"><input name="amount" value="2.023">
    """
    found = defaultdict(list)
    for check, excerpt in problems(body):
        found[check].append(excerpt)
    # in 2.025, <th>, range, Q1, the start_year field (not the amount)
    assert len(found["year grouped"]) == 5, found["year grouped"]
    matched = sorted(e.split("»")[0].lstrip("«") for e in found["year grouped"])
    assert matched == ["2.019–2.022", "2.023", "2.024", "Q1 2 025", "in 2.025"], matched
    assert found["%%"]
    assert [e.split("»")[0] for e in found["raw code"]] == [
        "«cbs:T001161"
    ]  # the heading, not the disclosure
    assert len(found["developer text"]) == 3  # command, file path, fingerprint
    assert any("Import" in e for e in found["English"])
    assert any("cannot" in e for e in found["English"])
    assert found["Nederland Nederland"]


def test_no_page_shows_grouped_years_doubled_percents_codes_or_developer_text(demo: None) -> None:
    failures, pages = crawl(ACCOUNTS)
    assert pages > 50, "the crawl read too few pages"
    report = "\n".join(
        f"[{check}] {line} ({user})"
        for check in sorted(failures)
        for line, user in sorted(failures[check].items())
    )
    assert not failures, f"{pages} pages read; problems:\n{report}"
