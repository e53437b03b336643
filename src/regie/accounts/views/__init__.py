"""Login and two-factor authentication, the own account, an organisation's Beheer section and
the installation's beheer (superusers)."""

from __future__ import annotations

from regie.accounts.views.api_tokens import api_token_list, api_token_revoke
from regie.accounts.views.auth import (
    LoginView,
    PasswordChangeView,
    PasswordResetConfirmView,
    PasswordResetView,
    home,
    setup_2fa,
    verify,
)
from regie.accounts.views.beheer import (
    audit_entry,
    audit_log,
    invitation_cancel,
    member_detail,
    member_list,
    member_remove,
    organisation_settings,
)
from regie.accounts.views.installation import (
    account_detail,
    account_list,
    account_reset_2fa,
    installation_audit_entry,
    installation_audit_log,
    organisation_list,
)
from regie.accounts.views.profile import (
    device_remove,
    email_change,
    email_confirm,
    invitation,
    invitation_respond,
    profile,
)

__all__ = [
    "LoginView",
    "PasswordChangeView",
    "PasswordResetConfirmView",
    "PasswordResetView",
    "account_detail",
    "account_list",
    "account_reset_2fa",
    "api_token_list",
    "api_token_revoke",
    "audit_entry",
    "audit_log",
    "device_remove",
    "email_change",
    "email_confirm",
    "home",
    "installation_audit_entry",
    "installation_audit_log",
    "invitation",
    "invitation_cancel",
    "invitation_respond",
    "member_detail",
    "member_list",
    "member_remove",
    "organisation_list",
    "organisation_settings",
    "profile",
    "setup_2fa",
    "verify",
]
