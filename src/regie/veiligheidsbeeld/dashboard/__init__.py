"""What the veiligheidsbeeld pages show: tiles, sections and charts, built from :mod:`insight`.

Views stay thin: they parse the request, call one function here and render (or export one of
the charts). Every chart carries its table, so the table alternative, the CSV/XLSX downloads and
the chart itself show the same numbers.

Overview sentences never pick the most striking of many measures (that is selection bias: of 40
crime types tested at 5%, two "change significantly" by chance alone). A section's sentence is
about a fixed measure, chosen by :func:`lead_order`: the series with the **most recent whole
year**, then the most whole years, then catalogue order (source, catalogue position, code); in
High Impact Crimes a total computed from the police types leads when there is one. Beside it
the section says **how many** of its counts of events changed beyond chance, with the caveat
that about 1 in 20 does so by chance alone. A change in a percentage is given in procentpunt.
An area is never compared with itself: a tile compares the area with the **rest** of a region
(the region minus the area), and leaves a region out when it is the area itself or holds
nothing else.

The overview has a fixed list of themes (:func:`section_titles`): the total, High Impact Crimes
(the components that exist; a total only when every component does), ondermijning-related
types, cybercrime, other crime types, nuisance, local figures and the Veiligheidsmonitor. A theme
without figures says why in plain words; the source that would give them (table, type codes)
is in the section's technical details, and the hint to upload them is shown only to roles that
may upload. A theme's sentence, table and chart are all built from the same whole years
(:func:`whole_years`); a whole year is compared with the year right before it only
(:func:`_latest`). The total, High Impact Crimes and ondermijning are compared with regions and
peers in the measure and whole year most comparison areas have (:func:`best_comparison`);
areas without a figure are named with the true reason (:func:`_gap_reason`).

The page is built by the modules of this package: :mod:`.model` (tiles, sections, themes and
type codes), :mod:`.missing` (why figures are missing), :mod:`.sentences` (the sentences and
their fixed order), :mod:`.sections` (the overview), :mod:`.tiles`, :mod:`.comparisons`
(regions and peers per 1,000 inhabitants), :mod:`.measure` (the measure page) and :mod:`.maps`
(its map and wijken/buurten).
"""

from regie.veiligheidsbeeld.dashboard.comparisons import best_comparison, compare_areas
from regie.veiligheidsbeeld.dashboard.maps import boundaries_of
from regie.veiligheidsbeeld.dashboard.measure import (
    MeasurePage,
    measure_page,
    plain_description,
    technical_description,
)
from regie.veiligheidsbeeld.dashboard.missing import Reason
from regie.veiligheidsbeeld.dashboard.model import (
    CYBER_CODES,
    FRAUD_CODES,
    HIC_CODES,
    HIC_TOTALS,
    ONDERMIJNING_CODES,
    POLICE_TABLE,
    SMALL_POPULATION,
    TOTAL_CODES,
    Overview,
    Section,
    Tile,
    and_list,
    section_titles,
    value_column,
    value_label,
)
from regie.veiligheidsbeeld.dashboard.sections import COMPARED_SECTIONS, overview
from regie.veiligheidsbeeld.dashboard.sentences import (
    Latest,
    _latest,
    lead_order,
    section_sentence,
    whole_years,
)

__all__ = [
    "COMPARED_SECTIONS",
    "CYBER_CODES",
    "FRAUD_CODES",
    "HIC_CODES",
    "HIC_TOTALS",
    "ONDERMIJNING_CODES",
    "POLICE_TABLE",
    "SMALL_POPULATION",
    "TOTAL_CODES",
    "Latest",
    "MeasurePage",
    "Overview",
    "Reason",
    "Section",
    "Tile",
    "_latest",
    "and_list",
    "best_comparison",
    "boundaries_of",
    "compare_areas",
    "lead_order",
    "measure_page",
    "overview",
    "plain_description",
    "section_sentence",
    "section_titles",
    "technical_description",
    "value_column",
    "value_label",
    "whole_years",
]
