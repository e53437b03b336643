"""Use cases for accounts, roles, invitations and 2FA devices. Views and commands call these.

Keep it small: other apps use :func:`create_user` and :func:`set_role`.

Who may change what (ADR 0011): an organisation's beheerder changes roles in that organisation
and invites people; the account itself (name, e-mail, password, 2FA devices) is changed only by
its owner or by the installation's beheer.
"""

from __future__ import annotations

from regie.accounts.services.api_tokens import (
    NewToken,
    create_token,
    revoke_token,
)
from regie.accounts.services.invitations import (
    accept_invitation,
    cancel_invitation,
    create_account_from_invitation,
    decline_invitation,
    invitation_by_token,
    invite,
    is_for_account,
    wrong_address_message,
)
from regie.accounts.services.memberships import (
    remove_membership,
    rename_organisation,
    set_role,
)
from regie.accounts.services.passwords import (
    allowed_reset_recipients,
    record_password_change,
    record_password_reset,
)
from regie.accounts.services.two_factor import (
    TwoFactorReset,
    confirm_totp_enrolment,
    needs_enrolment_code,
    new_enrolment_key,
    remove_device,
    reset_two_factor,
    unsaved_device,
    verify_current_code,
)
from regie.accounts.services.users import (
    change_account,
    change_own_name,
    confirm_email_change,
    create_user,
    remove_finished_email_changes,
    request_email_change,
    user_label,
)

__all__ = [
    "NewToken",
    "TwoFactorReset",
    "accept_invitation",
    "allowed_reset_recipients",
    "cancel_invitation",
    "change_account",
    "change_own_name",
    "confirm_email_change",
    "confirm_totp_enrolment",
    "create_account_from_invitation",
    "create_token",
    "create_user",
    "decline_invitation",
    "invitation_by_token",
    "invite",
    "is_for_account",
    "needs_enrolment_code",
    "new_enrolment_key",
    "record_password_change",
    "record_password_reset",
    "remove_device",
    "remove_finished_email_changes",
    "remove_membership",
    "rename_organisation",
    "request_email_change",
    "reset_two_factor",
    "revoke_token",
    "set_role",
    "unsaved_device",
    "user_label",
    "verify_current_code",
    "wrong_address_message",
]
