from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Builds the demo installation (Maassluis and Alblasserdam). Sits on top of every app."""

    name = "regie.demo"
    label = "demo"
    verbose_name = _("Demo")

    def ready(self) -> None:
        from regie.accounts.models import User
        from regie.core.models import Organisation
        from regie.demo import checks  # noqa: F401 - registers the deploy check of demo accounts

        post_save.connect(_organisation_saved, sender=Organisation, dispatch_uid="regie-demo-org")
        post_save.connect(_user_saved, sender=User, dispatch_uid="regie-demo-user")


def _organisation_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    from regie.demo import services

    if created and not kwargs.get("raw") and instance.slug not in services.demo_slugs():
        services.no_longer_a_demo()


def _user_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    from regie.demo import services

    if created and not kwargs.get("raw") and instance.username not in services.demo_usernames():
        services.no_longer_a_demo()
