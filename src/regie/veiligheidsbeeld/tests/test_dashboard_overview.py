"""The veiligheidsbeeld overview through HTTP (issue 15): one heading per theme, the last year
against the year before, High Impact Crimes with the components that exist, themes without
figures saying why, sentences and tables from the same figures, comparison areas without a
figure named, and no raw measure code outside the technical details."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from regie.accounts.models import Role
from regie.areas.models import Area, AreaLevel, Population
from regie.core.models import Organisation
from regie.monitor.sources.base import Status
from regie.monitor.tests.factories import load
from regie.veiligheidsbeeld import dashboard

pytestmark = pytest.mark.django_db

#: A measure code as stored (``politie:1.1.1``, ``cbs:T001161``, ``local:…``): never visible text.
RAW_CODE = re.compile(r"\b(?:politie|cbs|local|vm|overlast|derived):[A-Za-z0-9_.\-]+")
#: A year with a thousands separator ("2.025", "2,025").
GROUPED_YEAR = re.compile(r"\b20[0-3][0-9]?[.,]\d{3}\b|\b2[.,]0[0-3]\d\b")


class _Visible(HTMLParser):
    """The page's visible text outside <details>, <script> and <style>, and its headings."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = {"details": 0, "script": 0, "style": 0}
        self.heading: list[str] | None = None
        self.headings: list[str] = []
        self.outside: list[str] = []
        self.all_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.depth:
            self.depth[tag] += 1
        if tag in ("h1", "h2", "h3", "h4"):
            self.heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.depth:
            self.depth[tag] -= 1
        if tag in ("h1", "h2", "h3", "h4") and self.heading is not None:
            self.headings.append(" ".join("".join(self.heading).split()))
            self.heading = None

    def handle_data(self, data: str) -> None:
        if self.depth["script"] or self.depth["style"]:
            return
        self.all_text.append(data)
        if self.heading is not None:
            self.heading.append(data)
        if not self.depth["details"]:
            self.outside.append(data)


def _parse(html: str) -> _Visible:
    parser = _Visible()
    parser.feed(html)
    return parser


@pytest.fixture
def client(areas: Any, maassluis: Organisation, member: Any) -> Client:
    from conftest import verified_client

    client = verified_client(member(maassluis, Role.ADVISEUR))
    # Assertions name the msgids (English); the Dutch page is read by
    # tests/test_veiligheidsbeeld.py on the demo and by the crawl of tests/test_page_words.py.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _people(area: Area, years: range, value: int = 34110) -> None:
    for year in years:
        Population.objects.get_or_create(
            area=area, year=year, defaults={"value": value, "source": "test"}
        )


def _overview(client: Client) -> str:
    response = client.get("/gm0556/veiligheidsbeeld/")
    assert response.status_code == 200
    return response.content.decode()


def _section_html(html: str, key: str) -> str:
    start = html.index(f'aria-labelledby="section-{key}"')
    end = html.find('<section class="regie-section regie-beeld-section"', start)
    return html[start : end if end != -1 else len(html)]


def _text(html: str) -> str:
    return " ".join(" ".join(_parse(html).all_text).split())


def test_every_theme_has_one_heading_and_no_heading_repeats(client: Client) -> None:
    load(*[("GM0556", "politie:0.0.0", str(y), 1100 + y) for y in range(2019, 2026)], table="P")
    html = _overview(client)
    parsed = _parse(html)
    for key, title in dashboard.section_titles():
        assert f'id="section-{key}"' in html, key
        assert parsed.headings.count(title) == 1, (title, parsed.headings)
    duplicates = {h for h in parsed.headings if parsed.headings.count(h) > 1}
    assert not duplicates, parsed.headings


def test_total_crime_compares_the_last_year_with_the_year_before(client: Client) -> None:
    values = {2021: 1181, 2022: 1234, 2023: 1135, 2024: 1219, 2025: 1222}
    load(*[("GM0556", "politie:0.0.0", str(y), v) for y, v in values.items()], table="47022NED")
    section = _text(_section_html(_overview(client), "total"))
    assert "1,222 in 2025 against 1,219 in 2024" in section, section
    # a line over the five years: every year in the table, no year grouped
    for year in values:
        assert str(year) in section
    assert not GROUPED_YEAR.search(section), section


def test_a_gap_before_the_last_year_is_named_and_not_compared(client: Client) -> None:
    load(
        ("GM0556", "politie:0.0.0", "2016", 1500),
        ("GM0556", "politie:0.0.0", "2022", 1234),
        table="47013NED",
    )
    section = _text(_section_html(_overview(client), "total"))
    assert "There is no figure for 2021, the year before, so no change is given" in section
    assert "against 1,500 in 2016" not in section, section


def test_hic_shows_the_components_that_exist_and_names_the_missing_ones(client: Client) -> None:
    codes = ("politie:1.1.1", "politie:1.4.5", "politie:1.4.4", "politie:1.4.2")
    load(
        *[("GM0556", code, str(y), 40 + i) for i, code in enumerate(codes) for y in (2024, 2025)],
        table="47018NED",
    )
    section = _section_html(_overview(client), "hic")
    text = _text(section)
    for code in codes:
        assert f"/veiligheidsbeeld/{code}/" in section, code
    assert "No High Impact Crimes total is computed" in text, text
    outside = " ".join(_parse(section).outside)
    assert (
        "the loaded police figures do not hold straatroof, overval and openlijk geweld tegen "
        "personen" in " ".join(outside.split())
    ), outside
    assert "1.4.6" not in outside, outside
    assert "47013NED" not in outside, outside
    # the source that would give them: in the technical details
    details = section.split('<details class="regie-technical">', 1)[1].split("</details>")[0]
    for code in ("47013NED", "1.4.6 (straatroof)", "1.4.7 (overval)", "1.4.3"):
        assert code in details, code
    assert "derived:hic" not in section  # no total without all its components


def test_hic_total_appears_when_every_component_exists(client: Client) -> None:
    load(
        *[
            ("GM0556", code, str(y), 10)
            for code, _name in dashboard.HIC_CODES
            for y in (2024, 2025)
        ],
        table="47013NED",
    )
    section = _section_html(_overview(client), "hic")
    assert "/veiligheidsbeeld/derived:hic-breed/" in section
    assert "No High Impact Crimes total" not in section
    # the section's sentence is about the total, the year before included
    assert "High impact crimes (brede definitie): 70 in 2025 against 70 in 2024" in _text(section)


def test_a_theme_without_figures_says_which_source_would_give_them(client: Client) -> None:
    load(("GM0556", "politie:3.1.1", "2025", 7), ("GM0556", "politie:3.1.1", "2024", 7), table="P")
    html = _overview(client)
    cyber = _text(_section_html(html, "digital"))
    assert "No figures: the loaded police figures hold no cybercrime" in cyber
    assert "3.7.4 (cybercrime)" in cyber  # in the technical details
    assert "3.7.4" not in " ".join(_parse(_section_html(html, "digital")).outside)
    ondermijning = _text(_section_html(html, "ondermijning"))
    assert "Drugshandel" in ondermijning
    assert "No figures for mensensmokkel, wapenhandel and mensenhandel" in ondermijning
    assert "the loaded police figures do not hold these crime types" in ondermijning
    for key in ("hic", "overlast", "local", "perception"):
        assert "No figures:" in _text(_section_html(html, key)), key


def test_sentence_and_table_come_from_the_same_whole_years(client: Client) -> None:
    """A half year after the last whole year is named, never put against the yearly table."""
    load(
        ("GM0556", "local:huiselijk_geweld_aangiften", "2019", 64),
        ("GM0556", "local:huiselijk_geweld_aangiften", "2020", 48),
        ("GM0556", "local:huiselijk_geweld_aangiften", "2021", 33),
        ("GM0556", "local:huiselijk_geweld_aangiften", "2022H1", 27),
        table="lokaal",
    )
    section = _section_html(_overview(client), "local")
    text = _text(section)
    assert "33 in 2021 against 48 in 2020" in text, text
    assert "27 in" not in text.split("also has figures")[0]  # the lead sentence: whole years
    assert "also has figures for part of a later year (latest: 1e halfjaar 2022)" in text
    assert "No figures published" not in section


def test_comparison_areas_without_a_figure_are_named(client: Client, areas: Any) -> None:
    vr = Area.objects.create(
        code="VR17", name="Rotterdam-Rijnmond", level=AreaLevel.VEILIGHEIDSREGIO, source="test"
    )
    Area.objects.filter(pk=areas["gm"].pk).update(veiligheidsregio=vr)
    _people(areas["gm"], range(2023, 2026))
    _people(areas["nl"], range(2023, 2026), 17_900_000)
    load(
        *[("GM0556", "politie:0.0.0", str(y), 1200) for y in (2023, 2024, 2025)],
        ("NL01", "politie:0.0.0", "2023", 790_000),
        table="47022NED",
    )
    section = _text(_section_html(_overview(client), "total"))
    # the year where most comparison areas have a figure (NL: 2023), with its source
    assert (
        "Totaal misdrijven per 1,000 inhabitants in 2023 (Police (crime), table 47022NED): "
        "comparison" in section
    ), section
    assert "Without a figure for 2023:" in section
    # the true reason: the figures of its gemeente are loaded, the region's population is not
    assert (
        "Politie-eenheid Rotterdam (its gemeenten have figures for 2023, but the region's "
        "population on 1 January 2023 is not known, so they are not added up)" in section
    )
    assert "Veiligheidsregio Rotterdam-Rijnmond (its gemeenten have figures for 2023" in section
    assert "exact 95% Poisson intervals" in section  # never "95%%"
    assert "%%" not in section


def test_no_raw_measure_code_outside_the_technical_details(client: Client) -> None:
    load(
        *[("GM0556", "politie:1.1.1", str(y), 40 + y % 7) for y in range(2016, 2026)],
        *[("GM0556", "cbs:T001161", "2022", 1245)],
        *[("GM0556", "politie:0.0.0", str(y), 1200 + y % 5) for y in range(2021, 2026)],
        table="47018NED",
    )
    pages = {
        "overview": client.get("/gm0556/veiligheidsbeeld/").content.decode(),
        "measure": client.get("/gm0556/veiligheidsbeeld/politie:1.1.1/").content.decode(),
        "per 1,000": client.get(
            "/gm0556/veiligheidsbeeld/politie:1.1.1/?weergave=per1000"
        ).content.decode(),
        "cbs": client.get("/gm0556/veiligheidsbeeld/cbs:T001161/").content.decode(),
    }
    for name, html in pages.items():
        parsed = _parse(html)
        outside = " ".join(parsed.outside)
        assert not RAW_CODE.search(outside), (name, RAW_CODE.findall(outside))
        assert not any(RAW_CODE.search(h) for h in parsed.headings), name
        assert not GROUPED_YEAR.search(" ".join(parsed.all_text)), name
        assert "%%" not in " ".join(parsed.all_text), name
    # the measure page keeps its code, in the technical details
    details = pages["measure"].split('<details class="regie-technical">', 1)[1]
    assert "politie:1.1.1" in details.split("</details>", 1)[0]


def _member(code: str, name: str, region: Area) -> Area:
    return Area.objects.create(
        code=code, name=name, level=AreaLevel.GEMEENTE, politie_eenheid=region, source="test"
    )


def test_the_comparison_takes_the_measure_and_year_most_areas_have(
    client: Client, areas: Any
) -> None:
    """The police total runs to 2025 for the gemeente only; the CBS total of 2022 is held for
    the peers too: the comparison is the CBS total of 2022, named with its source."""
    peers = [_member(f"GM09{i}", f"Peer {i}", areas["re07"]) for i in range(10, 13)]
    for peer in peers:
        _people(peer, range(2022, 2023), 34000)
    _people(areas["re07"], range(2022, 2023), 34110 + 3 * 34000 + 1)
    load(
        *[("GM0556", "politie:0.0.0", str(y), 1200) for y in (2023, 2024, 2025)],
        ("GM0556", "cbs:T001161", "2022", 1245),
        *[(p.code, "cbs:T001161", "2022", 1000) for p in peers],
        table="83648NED",
    )
    section = _text(_section_html(_overview(client), "total"))
    assert "Misdrijven, totaal per 1,000 inhabitants in 2022 (CBS, table 83648NED): comparison" in (
        section
    ), section
    for peer in peers:
        assert f"Peer {peer.code[-2:]} GM09" in section, peer
    # the region holds figures of all its gemeenten but one inhabitant more than they have:
    # named as what it is, not as "no figure"
    assert (
        "Politie-eenheid Rotterdam (not every gemeente of the region has a figure for 2022, so "
        "they are not added up)" in section
    ), section


def test_a_region_whose_gemeente_lacks_a_population_says_so(client: Client, areas: Any) -> None:
    other = _member("GM0910", "Zonder bevolking", areas["re07"])
    _people(areas["re07"], range(2022, 2023), 70000)
    load(
        ("GM0556", "politie:1.1.1", "2022", 40),
        ("GM0556", "politie:1.1.1", "2021", 44),
        (other.code, "politie:1.1.1", "2022", 30),
        table="47018NED",
    )
    section = _text(_section_html(_overview(client), "hic"))
    # HIC has its comparison too (woninginbraak per 1,000 inhabitants)
    assert "per 1,000 inhabitants in 2022 (Police (crime), table 47018NED): comparison" in (
        section
    ), section
    assert (
        "Politie-eenheid Rotterdam (its gemeenten have figures for 2022, but not every one of "
        "them has a population on 1 January 2022, so they are not added up)" in section
    ), section
    assert "Politie-eenheid Rotterdam (no figure" not in section


def test_the_lead_is_the_series_with_the_most_recent_whole_year(client: Client) -> None:
    """A local seed figure of 2019 never leads over a police series that runs to 2025."""
    load(
        ("GM0556", "politie:1.2.1", "2018", 60),
        ("GM0556", "politie:1.2.1", "2019", 50),
        ("GM0556", "politie:2.2.1", "2024", 120),
        ("GM0556", "politie:2.2.1", "2025", 110),
        table="47018NED",
    )
    section = _section_html(_overview(client), "crime")
    paragraphs = re.findall(r'<p class="utrecht-paragraph">(.*?)</p>', section, re.S)
    lead = " ".join(_text(paragraphs[0]).split())
    assert "110 in 2025 against 120 in 2024" in lead, lead
    assert "in 2019" not in lead


def test_the_lead_rule_is_documented_on_the_page(client: Client) -> None:
    html = _overview(client)
    assert "first measure in the catalogue's order" not in html
    assert "most recent whole year" in html


def test_cybercrime_with_a_series_does_not_say_there_are_no_figures(client: Client) -> None:
    load(
        ("GM0556", "politie:3.7.4", "2021", 12),
        ("GM0556", "politie:3.7.4", "2022", 11),
        table="47013NED",
    )
    section = _text(_section_html(_overview(client), "digital"))
    assert "11 in 2022 against 12 in 2021" in section, section
    assert "No figures" not in section


def test_the_upload_hint_is_only_for_roles_that_may_upload(
    client: Client, maassluis: Organisation, member: Any
) -> None:
    from conftest import verified_client

    upload = "/gm0556/bronnen/uploaden/"
    adviseur = _overview(client)
    assert upload in _section_html(adviseur, "digital")
    raadpleger = verified_client(member(maassluis, Role.RAADPLEGER))
    raadpleger.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = _overview(raadpleger)  # the overview is cached: the hint is kept per permission
    digital = _section_html(html, "digital")
    assert upload not in digital
    assert "No figures: the loaded police figures hold no cybercrime" in _text(digital)


def test_a_provisional_year_is_named_in_last_year_against_the_year_before(
    client: Client,
) -> None:
    load(
        ("GM0556", "politie:0.0.0", "2023", 1135),
        ("GM0556", "politie:0.0.0", "2024", 1219, Status.VOORLOPIG),
        table="47022NED",
    )
    section = _text(_section_html(_overview(client), "total"))
    assert "1,219 in 2024 (provisional) against 1,135 in 2023" in section, section


def test_two_totals_are_told_apart_by_name_and_source(client: Client) -> None:
    load(
        *[("GM0556", "politie:0.0.0", str(y), 1200 + y % 7) for y in range(2021, 2026)],
        table="47022NED-jaarsom",
    )
    load(("GM0556", "cbs:T001161", "2022", 1245), table="83648NED")
    section = _section_html(_overview(client), "total")
    police = "Totaal misdrijven – Police (crime), table 47022NED-jaarsom"
    cbs = "Misdrijven, totaal – CBS, table 83648NED"
    text = _text(section)
    assert police in text, text
    assert cbs in text, text
    # one chart, a line per total with a legend naming each
    spec = section.split("data-chart-spec", 1)[1]
    assert '"color"' in spec
    assert "count the total differently" in text  # the sentence on the difference stays


def test_the_measure_page_opens_with_a_plain_description(client: Client) -> None:
    from regie.monitor.models import Measure

    load(("GM0556", "politie:1.1.1", "2022", 40), table="47018NED")
    Measure.objects.filter(code="politie:1.1.1").update(
        description="A20 Gekwal. Diefstal in/uit woning A30 Diefstal in/uit woning B30 …"
    )
    html = client.get("/gm0556/veiligheidsbeeld/politie:1.1.1/").content.decode()
    outside = " ".join(_parse(html).outside)
    assert "A20" not in outside
    assert "B30" not in outside
    details = html.split('<details class="regie-technical">')[-1].split("</details>")[0]
    assert "A20 Gekwal. Diefstal in/uit woning" in details


def test_the_map_title_names_the_kind_of_region(client: Client, areas: Any) -> None:
    other = _member("GM0910", "Buurgemeente", areas["re07"])
    _people(other, range(2022, 2023), 20000)
    load(
        ("GM0556", "politie:1.1.1", "2022", 40),
        (other.code, "politie:1.1.1", "2022", 30),
        table="47018NED",
    )
    text = _text(client.get("/gm0556/veiligheidsbeeld/politie:1.1.1/").content.decode())
    assert "per 1,000 inhabitants in 2022: gemeenten of politie-eenheid Rotterdam" in text, text


def test_a_negative_trend_and_its_interval_use_one_minus_sign() -> None:
    from django.utils import translation

    from regie import stats
    from regie.veiligheidsbeeld import wording

    with translation.override("nl"):
        result = stats.poisson_trend(
            [2016, 2017, 2018, 2019, 2020, 2021, 2022],
            [150.0, 140.0, 120.0, 100.0, 90.0, 80.0, 70.0],
            [34000.0] * 7,
        )
        text = wording.trend(result)
    assert "\u2212" in text, text
    assert not re.search(r"(?<![\w])-\d", text), text  # never a hyphen before a number


def test_the_count_of_changes_agrees_with_its_first_number(
    areas: Any, maassluis: Organisation
) -> None:
    """Dutch: "1 van de 4 aantallen veranderde …" (the verb agrees with the first number).
    The Dutch text comes from the compiled catalogue."""
    from django.utils import translation

    from regie.veiligheidsbeeld.tests.test_dashboard_honesty import _crime_measures

    measures = _crime_measures(4)
    rows = []
    for measure in measures:
        rows += [("GM0556", measure.code, "2022", 100), ("GM0556", measure.code, "2023", 102)]
    rows[-1] = ("GM0556", measures[-1].code, "2023", 300)  # one change beyond chance
    load(*rows, table="POL")
    with translation.override("nl"):
        page = dashboard.overview(maassluis, areas["gm"])
    sentence = next(s for s in page.sections if s.key == "crime").sentence
    assert "1 van de 4 aantallen veranderde meer" in sentence, sentence
