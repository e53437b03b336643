"""``regie plan export|import|status|diff``: a plan as a YAML file, its statuses, its changes."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from regie.core import audit
from regie.core.commands import find_organisation
from regie.policy import diff, engine, plan_file, selectors, services, status
from regie.policy.models import Plan, StatusSnapshot


def plan_for(code: str, version: int | None = None) -> Any:
    """The newest plan of the gemeente with CBS code (or slug) ``code``; CommandError if none."""
    organisation = find_organisation(code)
    if organisation is None:
        raise CommandError(_("No gemeente with code %(code)s.") % {"code": code})
    plan = selectors.current_plan(organisation, version=version)
    if plan is None:
        if version is not None and selectors.current_plan(organisation) is not None:
            raise CommandError(
                _("%(name)s has no plan version %(version)d.")
                % {"name": organisation.name, "version": version}
            )
        raise CommandError(_("%(name)s has no plan yet.") % {"name": organisation.name})
    return plan


class Command(BaseCommand):
    help = (
        "A gemeente's safety plan. 'export GM0482' prints the newest plan as YAML (redirect it to "
        "a file); 'import FILE' reads such a file as a new plan (nothing is stored when anything "
        "in it is wrong: exit code 1 with the place of each problem); 'status GM0482' prints "
        "every status with its explanation (--json for machines); 'diff GM0482' prints what "
        "changed in the newest version (or --version N) since the version before it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="print the plan as YAML")
        export.add_argument("gemeente", help="CBS code, e.g. GM0482")
        export.add_argument("--version", dest="plan_version", type=int, help="a former version")
        imp = sub.add_parser("import", help="read a plan file as a new plan")
        imp.add_argument("file", help="the YAML file, or - for standard input")
        stat = sub.add_parser("status", help="every status of the plan, with its explanation")
        stat.add_argument("gemeente", help="CBS code, e.g. GM0556")
        stat.add_argument("--since", default=None, help="period of the previous report, e.g. 2023")
        stat.add_argument("--json", action="store_true", help="print as JSON")
        stat.add_argument(
            "--snapshot",
            default=None,
            help="the statuses as frozen in this status momentopname (its label, e.g. "
            "'Evaluatie 2024'), as JSON",
        )
        changes = sub.add_parser("diff", help="what changed since the previous version")
        changes.add_argument("gemeente", help="CBS code, e.g. GM0482")
        changes.add_argument(
            "--version", dest="plan_version", type=int, help="this version (default: the newest)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "export":
            plan = plan_for(options["gemeente"], options.get("plan_version"))
            self.stdout.write(plan_file.export_yaml(plan), ending="")
        elif action == "import":
            self._import(options["file"])
        elif action == "diff":
            self._diff(plan_for(options["gemeente"], options.get("plan_version")))
        else:
            plan = plan_for(options["gemeente"])
            if options["snapshot"]:
                self._snapshot(plan, options["snapshot"])
                return
            result = status.evaluate_plan(plan, since=options["since"])
            if options["json"]:
                self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
                return
            self._print(result)

    def _snapshot(self, plan: Plan, label: str) -> None:
        """A momentopname of the plan (or of an earlier version of it) exactly as it was frozen."""
        found = (
            StatusSnapshot.objects.filter(plan__organisation=plan.organisation, label=label)
            .order_by("-plan__start_year", "-plan__version", "-taken_at")
            .first()
        )
        if found is None:
            raise CommandError(
                _("%(name)s has no status snapshot “%(label)s”.")
                % {"name": plan.organisation.name, "label": label}
            )
        self.stdout.write(json.dumps(found.payload, ensure_ascii=False, indent=2))

    def _import(self, name: str) -> None:
        try:
            if name == "-":
                text = plan_file.read_text(sys.stdin.buffer)
            else:
                with Path(name).open("rb") as stream:  # never more than a plan file's size
                    text = plan_file.read_text(stream)
        except OSError as exc:
            message = _("Cannot read %(file)s: %(error)s") % {"file": name, "error": exc}
            raise CommandError(message) from exc
        except plan_file.PlanFileError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": name, "error": exc.problems[0]}
            ) from exc
        try:
            with audit.acting_as(None, "regie plan import"):
                plan = services.import_plan(text=text)
        except plan_file.PlanFileError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            raise CommandError(
                _("The plan was not imported (%(count)d problems).") % {"count": len(exc.problems)}
            ) from exc
        self.stdout.write(
            _("Imported as a new plan: %(plan)s of %(gemeente)s.")
            % {"plan": plan, "gemeente": plan.organisation.name}
        )

    def _diff(self, plan: Plan) -> None:
        changes = diff.plan_changes(plan)
        if changes is None or plan.predecessor is None:
            raise CommandError(
                _("%(plan)s has no previous version to compare with.") % {"plan": plan}
            )
        self.stdout.write(
            _("%(plan)s compared with version %(version)d:")
            % {"plan": plan, "version": plan.predecessor.version}
        )
        self.stdout.write(diff.as_text(changes))

    def _print(self, result: status.PlanEvaluation) -> None:
        self.stdout.write(f"{result.plan} — {result.plan.organisation.name}")
        label = _("Plan")
        self.stdout.write(f"{label}: {engine.status_label(result.status)}")
        # the roll-up is counts per status (and how many could not be judged), not one verdict
        self.stdout.write(f"  {result.explanation}")
        for priority in result.priorities:
            self.stdout.write(f"\n{priority.title}: {engine.status_label(priority.status)}")
            self.stdout.write(f"  {priority.explanation}")
            for theme in priority.children:
                for goal in theme.children:
                    self.stdout.write(
                        f"  {theme.title} > {goal.title}: {engine.status_label(goal.status)}"
                    )
                    for item in goal.indicators:
                        self.stdout.write(f"    - {item.indicator.name} [{item.label}]")
                        self.stdout.write(f"      {item.explanation}")
