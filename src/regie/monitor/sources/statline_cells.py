"""StatLine's words: the dimension names, labels and values of a StatLine download (see
:mod:`regie.monitor.sources.statline_csv`)."""

from __future__ import annotations

import re

from regie.monitor.sources.base import clean_label
from regie.monitor.sources.files import normalise_header
from regie.monitor.sources.xlsx import Cell
from regie.stats import periods

PERIOD, AREA, MEASURE, TOPIC, MARGIN, UNIT, BREAKDOWN = (
    "period",
    "area",
    "measure",
    "topic",
    "margin",
    "unit",
    "breakdown",
)
#: StatLine dimension names (lower case) → (role, detail: region level or measure kind)
DIMENSIONS: dict[str, tuple[str, str | None]] = {
    "perioden": (PERIOD, None),
    "periode": (PERIOD, None),
    "regio's": (AREA, None),
    "regio’s": (AREA, None),
    "regios": (AREA, None),
    "regio": (AREA, None),
    "wijken en buurten": (AREA, None),
    "gemeenten": (AREA, "gemeente"),
    "gemeente": (AREA, "gemeente"),
    "wijken": (AREA, "wijk"),
    "buurten": (AREA, "buurt"),
    "provincies": (AREA, "provincie"),
    "politie-eenheden": (AREA, "politie_eenheid"),
    "politie eenheden": (AREA, "politie_eenheid"),
    "regionale eenheden": (AREA, "politie_eenheid"),
    "veiligheidsregio's": (AREA, "veiligheidsregio"),
    "veiligheidsregios": (AREA, "veiligheidsregio"),
    "soort misdrijf": (MEASURE, "misdrijf"),
    "soort misdrijven": (MEASURE, "misdrijf"),
    "soort overlast": (MEASURE, "overlast"),
    "onderwerp": (TOPIC, None),
    "onderwerpen": (TOPIC, None),
    "marges": (MARGIN, None),
    "geslacht": (BREAKDOWN, None),
    "leeftijd": (BREAKDOWN, None),
    "burgerlijke staat": (BREAKDOWN, None),
}
#: kept for callers of the former module layout
PERIOD_HEADERS = frozenset({"perioden"})
AREA_HEADERS = frozenset(k for k, (role, _) in DIMENSIONS.items() if role == AREA)
MEASURE_HEADERS: dict[str, str] = {
    k: detail or "" for k, (role, detail) in DIMENSIONS.items() if role == MEASURE
}
#: OData key-style headers; a file with these is ``odata-csv``, not a StatLine export
#: ("ID" alone is not one: older StatLine CSV exports start with an "ID" column too)
ODATA_HEADERS = frozenset({"regios", "soortmisdrijf", "wijkenenbuurten", "measure"})
NOT_PUBLISHED = frozenset({".", "x", "?", ".."})
#: region level of a label suffix (StatLine adds it when a name is not unique)
SUFFIX_LEVELS = {"pv": "provincie", "re": "politie_eenheid", "gemeente": "gemeente"}
#: the region level of the tables whose region column holds one level (besides Nederland)
TABLE_LEVELS = {"47013NED": "gemeente"}
#: table titles (lower case, start) → table id
TITLES: tuple[tuple[str, str], ...] = (
    ("geregistreerde criminaliteit; soort misdrijf", "83648NED"),
    ("geregistreerde misdrijven en aangiften; soort misdrijf, gemeente", "47013NED"),
    ("geregistreerde misdrijven; soort misdrijf, wijk, buurt, jaarcijfers", "47018NED"),
    ("geregistreerde misdrijven; soort misdrijf, wijk, buurt, maandcijfers", "47022NED"),
    ("geregistreerde misdrijven; soort misdrijf, regio", "47025NED"),
    ("geregistreerde overlast; soort overlast", "47021NED"),
    ("bevolking; geslacht, leeftijd en burgerlijke staat", "03759NED"),
    ("bevolking op 1 januari en gemiddeld", "03759NED"),
    ("bevolkingsontwikkeling; regio per maand", "37230NED"),
    ("regionale kerncijfers nederland", "70072NED"),
)
POPULATION_TABLES = frozenset({"03759NED", "37230NED", "70072NED"})
POPULATION_TITLES = {
    "03759NED": "Bevolking op 1 januari (CBS 03759ned)",
    "37230NED": "Bevolkingsontwikkeling; regio per maand (CBS 37230ned)",
    "70072NED": "Regionale kerncijfers Nederland (CBS 70072ned)",
}
POPULATION = "cbs:bevolking"
#: population topics (lower case, without unit) → years to add (end of year Y = 1 January Y+1)
POPULATION_TOPICS = {
    "bevolking op 1 januari": 0,
    "totale bevolking": 0,
    "bevolking aan het begin van de periode": 0,
    "bevolking aan het einde van de periode": 1,
    "bevolking aan het eind van de periode": 1,
}
#: header cells that are units (a unit row or the unit column of a table view)
_UNIT_WORDS = re.compile(
    r"^(aantal|%|x ?1 ?000|per 1 ?000( inwoners)?|rapportcijfer|euro|promille|"
    r"aantal per .*|% .*|gemiddelde|index.*|km2|ha)$",
    re.IGNORECASE,
)
FOOTER = re.compile(
    r"^(bron\b|bron:|©|\(c\)|centraal bureau voor de statistiek|verklaring van symbolen|"
    r"voetnoten?\b|toelichting\b|opmerkingen?\b|\*{1,2}\s*[=:]?\s*\w|gewijzigd op|"
    r"gegevens (zijn )?ontleend|cbs statline)",
    re.IGNORECASE,
)
FILTER_LINE = re.compile(r"^([^:]{2,60}):\s*(.*)$")
LABEL_SUFFIX = re.compile(r"\((pv|re|gemeente|cr|ld)\)\s*$", re.IGNORECASE)
WIJK_LABEL = re.compile(r"^wijk \d{2}\b", re.IGNORECASE)
_INT = re.compile(r"^-?[0-9]+$")
_COMMA = re.compile(r"^-?[0-9]+,[0-9]+$")
_POINT = re.compile(r"^-?[0-9]+\.[0-9]+$")
_UNIT = re.compile(r"\s*\([^()]*(\([^()]*\)[^()]*)*\)\s*$")
TOPIC_LABEL = re.compile(r"\)\s*$")
TABLE_ID = re.compile(r"(?<![0-9A-Za-z])([0-9]{5}(?:NED|ENG)|[0-9]{5}ned)(?![0-9A-Za-z])", re.I)


def cell_text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return clean_label(str(cell))


def _split_path(header: str) -> list[str]:
    """Split a StatLine topic path on ``/`` outside parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in header:
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        if char == "/" and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [clean_label(part) for part in parts if clean_label(part)]


def label_candidates(header: str) -> list[str]:
    """Labels to try for a topic, most specific first (whole, last path part, without unit)."""
    full = clean_label(header)
    parts = _split_path(full)
    last = parts[-1] if parts else full
    out: list[str] = []
    for text in (full, last, _UNIT.sub("", full), _UNIT.sub("", last)):
        text = clean_label(text)
        if text and text not in out:
            out.append(text)
    return out


def parse_value(text: str | Cell, decimal: str = ",") -> float | None:
    """A StatLine number (raises ValueError); ``.``/``x``/``?`` → None, ``-`` → 0."""
    if isinstance(text, bool):
        raise ValueError(str(text))
    if isinstance(text, int | float):
        value = float(text)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(str(text))
        return value
    raw = cell_text(text).replace("\u00a0", "").replace(" ", "")
    if raw.lower() in NOT_PUBLISHED or raw == "":
        return None
    if raw == "-":
        return 0.0
    if _INT.match(raw):
        return float(raw)
    if _COMMA.match(raw):
        return float(raw.replace(",", "."))
    if decimal == "." and _POINT.match(raw):
        return float(raw)
    raise ValueError(raw)


def value_like(cell: Cell) -> bool:
    if cell is None:
        return False
    try:
        parse_value(cell, ".")
    except ValueError:
        return False
    return cell_text(cell) != ""


def dimension_of(text: str) -> tuple[str, str | None] | None:
    return DIMENSIONS.get(normalise_header(text).rstrip(":").strip())


def is_unit(text: str) -> bool:
    return bool(_UNIT_WORDS.match(clean_label(text)))


def period_of(text: str) -> periods.LabelledPeriod | None:
    try:
        return periods.from_label(text)
    except periods.PeriodError:
        return None


def margin_suffix(margin: str) -> str | None:
    text = clean_label(margin).lower()
    if text in ("waarde", "", "waarden"):
        return ""
    if text.startswith("ondergrens"):
        return ".ondergrens"
    if text.startswith("bovengrens"):
        return ".bovengrens"
    return None


def population_shift(topic: str) -> int | None:
    for candidate in label_candidates(topic):
        shift = POPULATION_TOPICS.get(candidate.lower())
        if shift is not None:
            return shift
    return None


def count_topic(topics: list[str]) -> str:
    lowered = {topic: topic.lower() for topic in topics}

    def per_inhabitant(text: str) -> bool:
        return "per 1" in text or "relatief" in text or "(%)" in text

    for topic, text in lowered.items():
        if per_inhabitant(text):
            continue
        if "geregistreerd" in text or "geregisteerd" in text or "registraties" in text:
            return topic
    counts = [t for t, text in lowered.items() if "(aantal)" in text]
    return counts[0] if counts else topics[0]
