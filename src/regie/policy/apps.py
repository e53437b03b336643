from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PolicyConfig(AppConfig):
    name = "regie.policy"
    label = "policy"
    verbose_name = _("Beleid")

    def ready(self) -> None:
        from regie.core import audit
        from regie.policy import models

        audit.register(models.Plan, organisation=lambda o: o.organisation)
        audit.register(models.Priority, organisation=lambda o: o.plan.organisation)
        audit.register(models.Theme, organisation=lambda o: o.priority.plan.organisation)
        audit.register(models.Goal, organisation=lambda o: o.theme.priority.plan.organisation)
        audit.register(
            models.Indicator, organisation=lambda o: o.goal.theme.priority.plan.organisation
        )
        audit.register(
            models.StatusOverride,
            organisation=lambda o: o.indicator.goal.theme.priority.plan.organisation,
        )
        audit.register(models.StatusSnapshot, organisation=lambda o: o.plan.organisation)

        from regie.accounts import navigation
        from regie.policy import selectors

        navigation.register_link(navigation.BELEID, selectors.current_plan_link)
        audit.register(models.Scenario, organisation=lambda o: o.theme.priority.plan.organisation)
        audit.register(
            models.CapacityLine,
            organisation=lambda o: o.scenario.theme.priority.plan.organisation,
        )
        audit.register(models.BudgetLine, organisation=lambda o: o.plan.organisation)
        audit.register(models.StatedFigure, organisation=lambda o: o.plan.organisation)
        for reference in (models.SafetyField, models.SafetyTheme):
            audit.exempt(
                reference,
                reason="reference data of the KBV, loaded from the shipped taxonomy by a command",
            )
