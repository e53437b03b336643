"""The tiles at the top of the overview: total, High Impact Crimes and the survey's mark, each
against the rest of its politie-eenheid and of the Netherlands."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext as _

from regie import stats
from regie.areas.models import Area, AreaLevel
from regie.core.models import Organisation
from regie.monitor import selectors
from regie.monitor.models import Measure, Unit
from regie.veiligheidsbeeld import insight, wording
from regie.veiligheidsbeeld.dashboard.model import TOTAL_CODES, Tile
from regie.veiligheidsbeeld.dashboard.sentences import _latest, whole_years

_TOTALS = TOTAL_CODES


_HIC = ("derived:hic-breed", "derived:hic-kern", "local:high_impact_crimes")


def _pick(
    area: Area,
    loaded: dict[tuple[int, int], selectors.Series],
    measures: list[Measure],
    codes: Sequence[str],
) -> selectors.Series | None:
    by_code = {m.code: m for m in measures}
    for code in codes:
        measure = by_code.get(code)
        if measure is not None:
            series = loaded[(area.pk, measure.pk)]
            if any(p.value is not None for p in series.years()):
                return series
    return None


def _tiles(
    organisation: Organisation,
    area: Area,
    loaded: dict[tuple[int, int], selectors.Series],
    measures: list[Measure],
) -> list[Tile]:
    tiles: list[Tile] = []
    total = _pick(area, loaded, measures, _TOTALS)
    if total is not None:
        tiles.append(_count_tile(organisation, "totaal", _("Total registered crime"), total))
    hic = _pick(area, loaded, measures, _HIC)
    if hic is not None:
        tiles.append(_count_tile(organisation, "hic", _("High impact crimes"), hic))
    perception = [m for m in measures if m.unit == Unit.GRADE]
    for measure in perception[:1]:
        series = loaded[(area.pk, measure.pk)]
        latest = series.latest()
        if latest is None:
            continue
        margin = latest.margin
        tiles.append(
            Tile(
                key="beleving",
                title=measure.name,
                value=wording.num(latest.value, 1),
                detail=[
                    latest.label,
                    _("95%% margin of the survey: %(low)s–%(high)s")
                    % {"low": wording.num(margin[0], 1), "high": wording.num(margin[1], 1)}
                    if margin is not None
                    else _(
                        "The survey's margin is not in the data: small differences may be chance."
                    ),
                ],
                sources=[latest.source_line],
                measure=measure.code,
            )
        )
    return tiles


def _count_tile(organisation: Organisation, key: str, title: str, series: selectors.Series) -> Tile:
    years = [p for p in series.years() if p.value is not None]
    latest = years[-1]
    area = series.area
    detail: list[str] = [latest.label]
    sources = [latest.source_line]
    people = selectors.populations([area], [latest.year], organisation=organisation)
    own_rate = insight.rate(latest, people.get((area.pk, latest.year)), kind=series.kind)
    if own_rate is not None:
        detail.append(
            _("%(rate)s per 1,000 inhabitants (95%% interval %(low)s–%(high)s)")
            % {
                "rate": wording.num(own_rate.value, 1),
                "low": wording.num(own_rate.lower, 1),
                "high": wording.num(own_rate.upper, 1),
            }
        )
        for region in _regions(area):
            region_series = selectors.load_series(organisation, [region], [series.measure])[
                (region.pk, series.measure.pk)
            ]
            point = next(
                (
                    p
                    for p in selectors.area_years(
                        organisation, region, series.measure, region_series, years=[latest.year]
                    )
                    if p.year == latest.year
                ),
                None,
            )
            region_people = selectors.populations(
                [region], [latest.year], organisation=organisation
            ).get((region.pk, latest.year))
            region_rate = (
                insight.rate(point, region_people, kind=series.kind) if point is not None else None
            )
            if region_rate is None or point is None:
                continue
            rest = _rest_of_region(point.value, region_rate.population, latest.value, own_rate)
            if rest is None:
                continue  # the region is this area itself: nothing to compare with
            rest_count, rest_people = rest
            test = stats.compare_counts(
                rest_count,
                latest.value or 0.0,
                exposure_before=float(rest_people),
                exposure_after=float(own_rate.population),
            )
            detail.append(
                _(
                    "%(region)s: %(rate)s per 1,000; %(area)s against the rest of the region "
                    "(%(rest)s per 1,000): %(verdict)s"
                )
                % {
                    "region": region.name
                    if region.level == AreaLevel.NL
                    else f"{region.get_level_display()} {region.name}",
                    "rate": wording.num(region_rate.value, 1),
                    "area": area.name,
                    "rest": wording.num(1000.0 * rest_count / rest_people, 1),
                    "verdict": _relative(test),
                }
            )
            sources.append(f"{region.name}: {point.source_line}")
    change = _latest(whole_years(series))
    if change is not None:
        detail.append(change.sentence)
    return Tile(
        key=key,
        title=title,
        value=wording.num(latest.value),
        detail=detail,
        sources=sources,
        measure=series.measure.code,
    )


def _rest_of_region(
    region_count: float | None,
    region_people: int,
    own_count: float | None,
    own_rate: stats.Rate,
) -> tuple[float, int] | None:
    """The region without the area (count, inhabitants); None when nothing else is left (the
    region is the area itself) or the figures do not add up."""
    if region_count is None or own_count is None:
        return None
    rest_count = region_count - own_count
    rest_people = region_people - own_rate.population
    if rest_people <= 0 or rest_count < 0 or not float(rest_count).is_integer():
        return None
    return rest_count, rest_people


def _relative(test: stats.CountComparison) -> str:
    if test.verdict == stats.Verdict.HIGHER:
        return _("higher, beyond chance")
    if test.verdict == stats.Verdict.LOWER:
        return _("lower, beyond chance")
    return _("no difference beyond chance")


def _regions(area: Area) -> list[Area]:
    """The politie-eenheid and the Netherlands: each once, never the area itself."""
    regions = [a for a in (area.politie_eenheid,) if a is not None]
    nl = Area.objects.filter(level=AreaLevel.NL).first()
    if nl is not None:
        regions.append(nl)
    return list({a.pk: a for a in regions if a.pk != area.pk}.values())
