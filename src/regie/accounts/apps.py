from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "regie.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from regie.accounts import signals
        from regie.accounts.models import Membership, User
        from regie.core import audit

        audit.register(User, exclude=("last_login",), redact=("password",))
        audit.register(Membership, organisation=lambda m: m.organisation)
        audit.register(
            TOTPDevice,
            exclude=(
                "throttling_failure_timestamp",
                "throttling_failure_count",
                "last_t",
                "drift",
                "last_used_at",
                "created_at",
            ),
            redact=("key",),
        )
        signals.connect()
