from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "regie.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from regie.accounts import signals
        from regie.accounts.models import Invitation, LoginThrottle, Membership, User
        from regie.core import audit

        audit.register(User, exclude=("last_login",), redact=("password",))
        audit.register(Membership, organisation=lambda m: m.organisation)
        audit.register(Invitation, organisation=lambda i: i.organisation, redact=("token_hash",))
        # Each failure is an event of its own (LOGIN_FAILED); only the start and end of a
        # slow-down show as a change.
        audit.register(
            LoginThrottle,
            exclude=(
                "failures",
                "last_failure_at",
                "next_attempt_at",
                "unseen_failures",
                "unseen_since",
                "notified_at",
            ),
            redact=("key",),  # an attempted name may be a mistyped password
        )
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
