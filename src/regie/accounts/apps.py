from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "regie.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from regie.accounts import signals
        from regie.accounts.models import (
            ApiToken,
            EmailChange,
            EnrolmentCode,
            Invitation,
            KnownAddress,
            LoginThrottle,
            Membership,
            User,
        )
        from regie.core import audit

        audit.register(User, exclude=("last_login",), redact=("password", "security_stamp"))
        audit.register(Membership, organisation=lambda m: m.organisation)
        audit.register(Invitation, organisation=lambda i: i.organisation, redact=("token_hash",))
        # Each use is a TOKEN_USE entry of its own (ADR 0017); last_used_at is no change.
        audit.register(
            ApiToken,
            organisation=lambda t: t.organisation,
            redact=("secret_hash",),
            exclude=("last_used_at",),
        )
        # Each failure, slow-down, e-mail change and cleared second factor is an event of its
        # own; rows that anonymous visitors make must not fill the append-only log (ADR 0004).
        events = "recorded as security events; anonymous visitors make these rows (ADR 0004)"
        audit.exempt(LoginThrottle, reason=events)
        audit.exempt(KnownAddress, reason=events)
        audit.exempt(EmailChange, reason="the change is recorded as an EMAIL_CHANGE event")
        audit.exempt(EnrolmentCode, reason="the cleared second factor is recorded as an event")
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
