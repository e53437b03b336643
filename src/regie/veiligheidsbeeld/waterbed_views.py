"""The waterbed (displacement) page: choose a measure, areas and windows from what holds figures;
the first visit shows a result with default choices.

Thin: :mod:`.waterbed_data` says what can be chosen and what the defaults are,
:class:`.waterbed_forms.WaterbedForm` checks the choices (every problem at once),
:func:`regie.veiligheidsbeeld.insight.waterbed` computes, as for the API and ``regie waterbed``,
and :mod:`.waterbed_display` words the result.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from regie.accounts.permissions import STAFF_ROLES, org_view
from regie.areas.models import Area
from regie.areas.selectors import area_of_organisation
from regie.core.models import Organisation
from regie.stats import periods
from regie.veiligheidsbeeld import insight, waterbed_data, waterbed_display
from regie.veiligheidsbeeld.waterbed_forms import AREA_FIELDS, WaterbedForm

#: Query parameters that only steer the page, not the analysis.
_STEERING = {"measure", "search", "step"}


@org_view(STAFF_ROLES)
def waterbed(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    gemeente = area_of_organisation(organisation)
    if gemeente is None:
        raise Http404(_("This organisation has no gemeente area."))
    measures = waterbed_data.measures(organisation, gemeente)
    params = request.GET
    by_code = {m.code: m for m in measures}
    measure = by_code.get(params.get("measure", ""))
    default: waterbed_data.Choice | None = None
    if measure is None:
        default = waterbed_data.first_default(organisation, gemeente, measures)
        measure = default.measure if default else (measures[0] if measures else None)
    areas = waterbed_data.areas_with_months(organisation, gemeente, measure) if measure else []
    months = waterbed_data.offered_months(areas)
    # A first visit, or only a (new) measure chosen: the defaults for that measure.
    fresh = not (set(params) - _STEERING) or params.get("step") == "measure"
    if fresh and measure is not None and params.get("measure", measure.code) == measure.code:
        if default is None or default.measure != measure:
            default = waterbed_data.default_choice(organisation, gemeente, measure, areas)
        data: QueryDict | None = _query(default.as_data()) if default else None
        if data is not None and params.get("search"):
            data["search"] = params["search"]
    else:
        data = params if params else None
        default = None
    form = WaterbedForm(
        data,
        measures=measures,
        areas=areas,
        months=months,
        initial={"measure": measure.code} if measure else {},
    )
    result = None
    if form.is_bound and form.is_valid():
        cleaned = form.cleaned_data
        before, after = form.windows()
        try:
            result = insight.waterbed(
                cleaned["measure"],
                target=cleaned["target"],
                displacement=cleaned["displacement"],
                control_target=cleaned["control"],
                control_displacement=cleaned["control_displacement"] or None,
                before=before,
                after=after,
                organisation=organisation,
            )
        except insight.InsightError as exc:
            form.add_error(None, str(exc))
    chosen = _chosen_areas(form, areas)
    context: dict[str, Any] = {
        "organisation": organisation,
        "gemeente": gemeente,
        "nav": "veiligheidsbeeld",
        "form": form,
        "measure": measure,
        "has_measures": bool(measures),
        "no_default": measure is not None and form.is_bound is False,
        "areas": areas,
        "calendar": waterbed_display.calendar(chosen or areas, _windows(form)),
        "calendar_areas": chosen or areas,
        "result": result,
        "suggested": default is not None and data is not None,
        "far_displacement": _far_displacement(default, areas),
        "role_fields": [
            {
                "bound": form[name],
                "groups": form.area_groups(name),
                "optional": name == "control_displacement",
            }
            for name in AREA_FIELDS
        ],
        "periods": [
            _period(form, _("Period before the intervention"), "before_from", "before_to"),
            _period(form, _("Period after the intervention"), "after_from", "after_to"),
        ],
        "month_names": periods.MONTH_NAMES_NL,
        **_problems(form),
    }
    if result is not None:
        context.update(_result_context(result, organisation))
    return render(request, "veiligheidsbeeld/waterbed.html", context)


def _period(form: WaterbedForm, legend: str, first: str, last: str) -> dict[str, Any]:
    return {
        "legend": legend,
        "first": form[first],
        "last": form[last],
        "errors": [*form[first].errors, *form[last].errors],
    }


def _problems(form: WaterbedForm) -> dict[str, Any]:
    """Every problem of the form in one list, each with the field it belongs to."""
    problems: list[dict[str, str]] = []
    for name in ["__all__", *form.fields]:  # in the order of the page
        errors = form.errors.get(name)
        if not errors:
            continue
        anchor = "" if name == "__all__" else f"field-{name}"
        label = "" if name == "__all__" else str(form[name].label)
        if name in ("before_from", "before_to"):
            label = _("Period before the intervention")
        elif name in ("after_from", "after_to"):
            label = _("Period after the intervention")
        problems.extend({"anchor": anchor, "label": label, "message": str(e)} for e in errors)
    return {"problems": problems, "error_count": len(problems)}


def _far_displacement(
    default: waterbed_data.Choice | None, areas: list[waterbed_data.AreaMonths]
) -> str:
    """The name of a suggested displacement gemeente that is no neighbour ("" otherwise)."""
    if default is None:
        return ""
    by_code = {a.code: a for a in areas}
    found = [by_code[c] for c in default.displacement if c in by_code]
    if found and all(a.group == waterbed_data.Group.REGION for a in found):
        return ", ".join(a.name for a in found)
    return ""


def _query(data: dict[str, Any]) -> QueryDict:
    return QueryDict(urlencode(data, doseq=True), mutable=True)


def _chosen_areas(
    form: WaterbedForm, areas: list[waterbed_data.AreaMonths]
) -> list[waterbed_data.AreaMonths]:
    if not form.is_bound:
        return []
    codes = {code for name in AREA_FIELDS for code in form.chosen(name)}
    return [a for a in areas if a.code in codes]


def _windows(form: WaterbedForm) -> tuple[Any, Any] | None:
    if not form.is_bound or form.errors:
        return None
    return form.windows()


def _result_context(result: insight.WaterbedResult, organisation: Organisation) -> dict[str, Any]:
    names = dict(
        Area.objects.filter(
            code__in={c for codes in result.groups.values() for c in codes}
        ).values_list("code", "name")
    )
    counts = result.counts
    rows = [
        (_("Target area"), "target", counts.target_before, counts.target_after),
        (
            _("Displacement area"),
            "displacement",
            counts.displacement_before,
            counts.displacement_after,
        ),
        (
            _("Control area"),
            "control_target",
            counts.control_target_before,
            counts.control_target_after,
        ),
    ]
    if not result.wdd.shared_control:
        rows.append(
            (
                _("Control area of the displacement area"),
                "control_displacement",
                counts.control_displacement_before,
                counts.control_displacement_after,
            )
        )
    query = {
        "org": organisation.slug,
        "measure": result.measure,
        "target": ",".join(result.groups["target"]),
        "displacement": ",".join(result.groups["displacement"]),
        "control": ",".join(result.groups["control_target"]),
        "before": _window_code(result.before),
        "after": _window_code(result.after),
    }
    if not result.wdd.shared_control:
        query["control_displacement"] = ",".join(result.groups["control_displacement"])
    return {
        "explanation": waterbed_display.explain(result),
        "sources": waterbed_display.sources(result),
        "wdd_signed": waterbed_display.signed(result.wdd.value),
        "wdd_lower": waterbed_display.minus(result.wdd.lower, 1),
        "wdd_upper": waterbed_display.minus(result.wdd.upper, 1),
        "wdd_z": waterbed_display.minus(result.wdd.z, 2),
        "rows": [
            {
                "label": label,
                "names": ", ".join(names.get(c, c) for c in result.groups[key]),
                "codes": ", ".join(result.groups[key]),
                "before": before,
                "after": after,
                "change": waterbed_display.signed(after - before),
            }
            for label, key, before, after in rows
        ],
        "before_label": _window_label(result.before),
        "after_label": _window_label(result.after),
        "api_url": f"{reverse('api:waterbed')}?{urlencode(query)}",
        "command": " ".join(
            [
                "regie waterbed",
                result.measure,
                f"--target {query['target']}",
                f"--displacement {query['displacement']}",
                f"--control {query['control']}",
                *(
                    [f"--control-displacement {query['control_displacement']}"]
                    if "control_displacement" in query
                    else []
                ),
                f"--before {query['before']}",
                f"--after {query['after']}",
            ]
        ),
    }


def _window_code(window: Any) -> str:
    first, last = window.months[0], window.months[-1]
    return f"{waterbed_data.month_code(first)}:{waterbed_data.month_code(last)}"


def _window_label(window: Any) -> str:
    first, last = window.months[0], window.months[-1]
    if first == last:
        return waterbed_data.month_label(first)
    return _("%(first)s up to and including %(last)s") % {
        "first": waterbed_data.month_label(first),
        "last": waterbed_data.month_label(last),
    }
