"""The sections of a report, each from its part of the snapshot.

Values stay raw in the tables (numbers as numbers, ``None`` as not available); an indicator's
value is rounded half up at the plan's decimals as a ``Decimal`` (the renderers show a Decimal
with exactly its own decimals), so the report shows it as the Beleid pages do.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from regie.core import formats
from regie.core.charts import Chart, ChartTable, Column
from regie.programme import selectors as programmes
from regie.reports.document import Document, Figure, Heading, Paragraph, Table
from regie.stats import periods


def _money(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _shown(item: dict[str, Any]) -> Decimal | None:
    if item.get("value") is None:
        return None
    return formats.half_up(item["value"], int(item.get("decimals") or 0))


def _goal_names(snap: dict[str, Any]) -> dict[str, str]:
    return {g["path"]: g["aim"] for g in snap.get("goals", [])}


def effort_and_effect(doc: Document, snap: dict[str, Any]) -> None:
    """Two statuses side by side, each named; never one light."""
    if "goals" not in snap:
        return
    doc.add(Heading(_("Effort and effect")))
    doc.add(
        Paragraph(
            _(
                "Effort says whether the actions of the programme were carried out; effect says "
                "whether the figures moved towards the targets. They are shown side by side and "
                "never combined into one status."
            ),
            "note",
        )
    )
    programme = snap.get("programme")
    if programme is not None:
        effort = programme["effort"]
        doc.add(
            Paragraph(
                _("Effort (actions): %(label)s. %(explanation)s")
                % {"label": effort["label"], "explanation": effort["explanation"]}
            )
        )
    status = snap.get("status") or {}
    if status:
        doc.add(
            Paragraph(
                _("Effect (indicators): %(explanation)s")
                % {"explanation": _capital(status.get("explanation", ""))}
            )
        )
    rows = []
    for goal in snap["goals"]:
        effort = goal.get("effort")
        rows.append(
            {
                "theme": goal["theme"],
                "goal": goal["aim"],
                "actions": effort["total"] if effort else 0,
                "effort": _capital(effort["label"]) if effort else _("No programme"),
                "indicators": len(goal["effect"]["indicators"]),
                "effect": _capital(goal["effect"]["label"])
                if goal["effect"]["indicators"]
                else _("No indicator"),
            }
        )
    doc.add(
        Table(
            ChartTable(
                key="inspanning-en-effect",
                title=_("Effort and effect per goal"),
                columns=[
                    Column("theme", _("Theme"), "text"),
                    Column("goal", _("Goal"), "text"),
                    Column("actions", pgettext("programme", "Actions"), "integer"),
                    Column("effort", _("Effort (actions)"), "text"),
                    Column("indicators", _("Indicators"), "integer"),
                    Column("effect", _("Effect (indicators)"), "text"),
                ],
                rows=rows,
                sources=[_("Status momentopname of %(date)s") % {"date": _taken(snap)}],
            )
        )
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _period(code: str) -> str:
    """A period code as people read it (``2024H1`` → "1e halfjaar 2024", a briefing's
    ``2024-10`` → "oktober 2024"); as it is otherwise."""
    try:
        return periods.label(periods.parse(code.replace("-", "M") if len(code) == 7 else code))
    except periods.PeriodError:
        return code


def _indicator_period(code: str | None, snap: dict[str, Any]) -> str:
    """The period of an indicator's latest figure, marked when it lies after the report's."""
    if not code:
        return "–"
    shown = _period(code)
    try:
        later = periods.parse(code).end.year > int(snap["period"][:4])
    except periods.PeriodError:
        later = False
    return _("%(period)s (after the report period)") % {"period": shown} if later else shown


def _taken(snap: dict[str, Any]) -> str:
    import datetime as dt

    return formats.date(dt.datetime.fromisoformat(snap["taken_at"]))


def indicators(doc: Document, snap: dict[str, Any], *, charts: bool) -> None:
    items = snap.get("indicators") or []
    if not items:
        return
    doc.add(Heading(_("Indicators")))
    goals = _goal_names(snap)
    rows = []
    sources: list[str] = []
    for item in items:
        rows.append(
            {
                "indicator": item["name"],
                "goal": goals.get(item["goal"], ""),
                "area": item["area"]["name"],
                "target": item["target"],
                "period": _indicator_period(item["period"], snap),
                "value": _shown(item),
                "status": item["label"],
            }
        )
        if item.get("source") and item["source"] not in sources:
            sources.append(item["source"])
    doc.add(
        Table(
            ChartTable(
                key="indicatoren",
                title=_("Indicators: latest figure and status"),
                columns=[
                    Column("indicator", _("Indicator"), "text"),
                    Column("goal", _("Goal"), "text"),
                    Column("area", _("Area"), "text"),
                    Column("target", _("Target"), "text"),
                    Column("period", _("Period"), "text"),
                    Column("value", _("Value"), "number"),
                    Column("status", _("Status"), "text"),
                ],
                rows=rows,
                sources=sources,
                note=_(
                    "Values as the plan shows them (its decimals, rounded half up). Each status "
                    "is judged on the latest figure known when the figures were locked "
                    "(%(date)s); a figure of a later period than %(period)s is marked."
                )
                % {"date": _taken(snap), "period": snap["period"][:4]},
            )
        )
    )
    if charts:
        seen: set[str] = set()
        for item in items:
            chart = item.get("chart")
            if not chart:
                continue
            # one indicator of a measure and area under several goals: one chart, not three
            same = json.dumps([chart["title"], chart["rows"], chart["note"]], sort_keys=True)
            if same not in seen:
                seen.add(same)
                doc.add(Figure(_chart(chart)))


def _chart(data: dict[str, Any]) -> Chart:
    table = ChartTable(
        key=data["key"],
        title=data["title"],
        columns=[
            Column(c["key"], c["label"], c["kind"], c.get("decimals")) for c in data["columns"]
        ],
        rows=[dict(r) for r in data["rows"]],
        sources=list(data.get("sources") or []),
        note=data.get("note", ""),
    )
    return Chart(table=table, spec=data.get("spec"), description=data.get("description", ""))


def _planning(action: dict[str, Any]) -> str:
    import datetime as dt

    start = formats.date(dt.date.fromisoformat(action["start"])) if action["start"] else ""
    end = formats.date(dt.date.fromisoformat(action["end"])) if action["end"] else ""
    text = f"{start} – {end}" if start or end else ""
    if action.get("quarters"):
        quarters = programmes.quarters_text(action["quarters"])
        text = f"{text} ({quarters})" if text else quarters
    return text or "–"


def actions(doc: Document, snap: dict[str, Any], *, results: bool) -> None:
    items = snap.get("actions")
    if items is None:
        return
    doc.add(Heading(_("Actions of the uitvoeringsprogramma")))
    if not items:
        doc.add(Paragraph(_("The programme has no actions.")))
        return
    themes = {g["path"]: g["theme"] for g in snap.get("goals", [])}
    rows = [
        {
            "action": a["title"],
            "goals": "; ".join(dict.fromkeys(themes.get(g, g) for g in a["goals"]))
            or _("(no goal)"),
            "owner": a["owner"],
            "planning": _planning(a),
            "budget": _money(a["budget"]),
            "spent": _money(a["spent"]),
            "status": a["status_label"],
            "progress": (a["progress"] or {}).get("text", ""),
        }
        for a in items
    ]
    doc.add(
        Table(
            ChartTable(
                key="acties",
                title=_("Actions and their status"),
                columns=[
                    Column("action", pgettext("programme", "Action"), "text"),
                    Column("goals", _("Theme"), "text"),
                    Column("owner", _("Owner"), "text"),
                    Column("planning", _("Planning"), "text"),
                    Column("budget", _("Budget (€)"), "number", 0),
                    Column("spent", _("Spent (€)"), "number", 0),
                    Column("status", _("Status"), "text"),
                    Column("progress", _("Latest progress"), "text"),
                ],
                rows=rows,
                sources=[snap.get("programme", {}).get("title", "")],
            )
        )
    )
    if results:
        finished = [a for a in items if a["result"] or a["lessons"]]
        if finished:
            doc.add(
                Table(
                    ChartTable(
                        key="resultaten",
                        title=_("Results and lessons per action"),
                        columns=[
                            Column("action", pgettext("programme", "Action"), "text"),
                            Column("status", _("Status"), "text"),
                            Column("result", _("Result"), "text"),
                            Column("lessons", _("Lessons"), "text"),
                        ],
                        rows=[
                            {
                                "action": a["title"],
                                "status": a["status_label"],
                                "result": a["result"],
                                "lessons": a["lessons"],
                            }
                            for a in finished
                        ],
                    )
                )
            )


def budget(doc: Document, snap: dict[str, Any]) -> None:
    rows = snap.get("budget")
    costs = snap.get("costs")
    if not rows and not costs:
        return
    doc.add(Heading(_("Budget")))
    if rows:
        _budget_table(doc, rows, snap)
    if costs:
        _costs_table(doc, costs, snap)


def _budget_table(doc: Document, rows: list[dict[str, Any]], snap: dict[str, Any]) -> None:
    shown = [
        {
            "theme": r["theme"] or _("(no theme)"),
            "priority": r.get("priority", ""),
            "scenario": r["scenario"] or "–",
            "planned": _money(r["planned"]),
            "spent": _money(r["spent"]),
            "actions": r["actions"],
            "unknown": r["unknown_spent"],
        }
        for r in rows
    ]
    shown.append(
        {
            "theme": _("Total"),
            "priority": "",
            "scenario": "",
            "planned": sum((_money(r["planned"]) or Decimal(0) for r in rows), Decimal(0)),
            "spent": sum((_money(r["spent"]) or Decimal(0) for r in rows), Decimal(0)),
            "actions": sum(r["actions"] for r in rows),
            "unknown": sum(r["unknown_spent"] for r in rows),
        }
    )
    note = _(
        "Each action counts once: under the theme of the scenario line it is paid from, else "
        "under the theme of its first goal. The budget of a dropped action is not counted as "
        "planned."
    )
    if str(snap.get("programme", {}).get("period", "")).find("H") > 0:
        note += " " + _("The programme covers a half year: so do its budget and spending.")
    doc.add(
        Table(
            ChartTable(
                key="budget-per-thema",
                title=_("Budget planned and spent per theme and scenario"),
                columns=[
                    Column("theme", _("Theme"), "text"),
                    Column("priority", _("Priority"), "text"),
                    Column("scenario", _("Scenario"), "text"),
                    Column("planned", _("Planned (€)"), "number", 0),
                    Column("spent", _("Spent (€)"), "number", 0),
                    Column("actions", pgettext("programme", "Actions"), "integer"),
                    Column("unknown", _("Without spending entered"), "integer"),
                ],
                rows=shown,
                note=note,
                sources=[snap.get("programme", {}).get("title", "")],
            )
        )
    )


def _costs_table(doc: Document, costs: dict[str, Any], snap: dict[str, Any]) -> None:
    year = int(snap["period"][:4])
    doc.add(
        Table(
            ChartTable(
                key="kosten-scenarios",
                title=_("Costs of the chosen scenarios per whole year"),
                columns=[
                    Column("year", _("Year"), "period"),
                    Column("costs", _("Costs (€)"), "number", 0),
                    Column("fte", _("Extra formation (fte)"), "number", 2),
                    Column("budget", _("Current budget in the plan (€)"), "number", 0),
                ],
                rows=[
                    {
                        "year": y["year"],
                        "costs": Decimal(str(y["with_caps"])),
                        "fte": Decimal(y["fte"]),
                        "budget": Decimal(str(y["budget"])),
                    }
                    for y in costs["years"]
                    if y["year"] <= year
                ],
                note=_(
                    "Whole plan years as the council chose the scenarios (pro rata from their "
                    "start); the current budget is the plan's budget lines before the scenarios."
                ),
                sources=[_("Scenario choice of the council in the plan")],
            )
        )
    )


def capacity(doc: Document, snap: dict[str, Any]) -> None:
    """Meldingen per category against the formation (the Uitvoering page's own table)."""
    data = snap.get("capacity")
    if not data:
        return
    doc.add(Heading(_("Enforcement and capacity")))
    doc.add(Table(programmes.capacity_table(data)))


def programme_evaluation(doc: Document, snap: dict[str, Any]) -> None:
    programme = snap.get("programme")
    if not programme:
        return
    if programme.get("evaluation_summary"):
        doc.add(Heading(_("What came of the programme")))
        doc.text(programme["evaluation_summary"])
    if programme.get("evaluation_proposals"):
        doc.add(Heading(_("Proposals from the evaluation")))
        doc.text(programme["evaluation_proposals"])


def months(doc: Document, snap: dict[str, Any]) -> None:
    data = (snap.get("briefing") or {}).get("months") or []
    doc.add(Heading(_("Latest months against the same months a year before")))
    if not data:
        doc.add(Paragraph(_("No monthly figures of counted events are available.")))
        return
    rows = []
    for row in data:
        change = None
        if row["now"] is not None and row["before"]:
            change = 100 * (row["now"] - row["before"]) / row["before"]
        rows.append(
            {
                "measure": row["name"],
                "area": row["area"],
                "months": _span(row["months"][0], row["months"][-1]),
                "now": row["now"],
                "before": row["before"],
                "change": change,
                "note": row.get("note", ""),
            }
        )
    doc.add(
        Table(
            ChartTable(
                key="maanden",
                title=_("Registered events in the latest three months"),
                columns=[
                    Column("measure", _("Figure"), "text"),
                    Column("area", _("Area"), "text"),
                    Column("months", _("Months"), "text"),
                    Column("now", _("This year"), "integer"),
                    Column("before", _("A year before"), "integer"),
                    Column("change", _("Change (%)"), "percent", 1),
                    Column("note", _("Note"), "text"),
                ],
                rows=rows,
                sources=sorted({r["source"] for r in data if r.get("source")}),
                note=_(
                    "Counts of events only; a month that is not published whole is not compared."
                ),
            )
        )
    )


def _span(first: str, last: str) -> str:
    """``2026M03``, ``2026M05`` → "maart 2026 – mei 2026"."""
    return f"{periods.label(periods.parse(first))} – {periods.label(periods.parse(last))}"


def changed(doc: Document, snap: dict[str, Any]) -> None:
    data = (snap.get("briefing") or {}).get("changed") or {}
    doc.add(Heading(_("Statuses changed since the previous briefing")))
    if data.get("previous") is None:
        doc.add(Paragraph(_("This is the first briefing: there is nothing to compare with.")))
        return
    changes = data["changes"]
    if not changes:
        doc.add(
            Paragraph(
                _("No status changed since the briefing of %(period)s.")
                % {"period": _period(data["previous"])}
            )
        )
        return
    doc.add(
        Paragraph(
            ngettext(
                "%(n)s status changed since the briefing of %(period)s.",
                "%(n)s statuses changed since the briefing of %(period)s.",
                len(changes),
            )
            % {"n": len(changes), "period": _period(data["previous"])}
        )
    )
    doc.add(
        Table(
            ChartTable(
                key="gewijzigde-statussen",
                title=_("Changed statuses"),
                columns=[
                    Column("name", _("Indicator"), "text"),
                    Column("before", _("Before"), "text"),
                    Column("now", _("Now"), "text"),
                    Column("value", _("Latest value"), "text"),
                ],
                rows=[
                    {
                        "name": c["name"],
                        "before": c["before"],
                        "now": c["now"],
                        "value": f"{c['value_text']} ({_period(c['period'])})"
                        if c["period"]
                        else "–",
                    }
                    for c in changes
                ],
            )
        )
    )


def cases(doc: Document, snap: dict[str, Any]) -> None:
    data = (snap.get("briefing") or {}).get("cases")
    doc.add(Heading(_("Escalated cases")))
    if data is None:
        doc.add(
            Paragraph(
                _("The Meldpunt Veiligheid is not in use yet: there are no cases to count."),
                "note",
            )
        )
