"""Reads of the figures store — always tenant-filtered — for every app.

Other apps read figures only through this package and :mod:`regie.monitor.models`: a figure with
its lineage (:mod:`.lineage`), the rules every read follows (:mod:`.figures`), series of figures
(:mod:`.series`), years of areas that are sums of others and populations (:mod:`.areas`),
datasets (:mod:`.datasets`), and the data version that keys cached results
(:func:`data_version`).
"""

from regie.monitor.cache import data_version
from regie.monitor.catalogue import is_unofficial
from regie.monitor.selectors.areas import (
    PopulationFigure,
    area_years,
    gemeente_boundaries,
    members,
    population_figures,
    populations,
    predecessor_years,
    region_years,
    reusing_sums,
    sum_of_parts,
)
from regie.monitor.selectors.datasets import datasets_overview
from regie.monitor.selectors.figures import (
    INCIDENT_FORMATS,
    STATUS_RANK,
    Figure,
    FigureNotFound,
    Lineage,
    MonthPart,
    derived_terms,
    derived_value,
    incomplete_note,
    is_incomplete,
    not_bounds,
    number,
    own_first,
    pickable_measures,
    table_note,
    unofficial_note,
    visible_datasets,
    visible_measures,
    visible_observations,
    year_from_months,
    year_from_months_note,
)
from regie.monitor.selectors.lineage import figure
from regie.monitor.selectors.series import (
    COUNT_UNITS,
    Point,
    Series,
    combine_points,
    load_series,
    status_label,
)

__all__ = [
    "COUNT_UNITS",
    "INCIDENT_FORMATS",
    "STATUS_RANK",
    "Figure",
    "FigureNotFound",
    "Lineage",
    "MonthPart",
    "Point",
    "PopulationFigure",
    "Series",
    "area_years",
    "combine_points",
    "data_version",
    "datasets_overview",
    "derived_terms",
    "derived_value",
    "figure",
    "gemeente_boundaries",
    "incomplete_note",
    "is_incomplete",
    "is_unofficial",
    "load_series",
    "members",
    "not_bounds",
    "number",
    "own_first",
    "pickable_measures",
    "population_figures",
    "populations",
    "predecessor_years",
    "region_years",
    "reusing_sums",
    "status_label",
    "sum_of_parts",
    "table_note",
    "unofficial_note",
    "visible_datasets",
    "visible_measures",
    "visible_observations",
    "year_from_months",
    "year_from_months_note",
]
