"""Security events about accounts, written to the audit log (ADR 0011).

An event names the account it is about in ``object_id`` (``object_type`` "event"), so that the
beheerders of the organisations where that account is a member can see it, and the installation's
beheer sees all of them. The client address is added by :func:`regie.core.audit.write_entry`.
"""

from __future__ import annotations

from typing import Any

from regie.core import audit
from regie.core.models import AuditEntry, Organisation

#: How a login attempt for a name that is no account is recorded: a fixed label, never the typed
#: text (people type passwords in the name field).
UNKNOWN_NAME = "onbekende gebruikersnaam"
#: ``object_type`` of events (the same as :func:`regie.core.services.record_event` writes).
EVENT = "event"


def record(
    action: str,
    *,
    account: Any | None,
    description: str = "",
    organisation: Organisation | None = None,
    actor: Any | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Write one security event about ``account`` (None: no known account).

    ``actor`` is who did it; by default the user of the current request (or the account itself
    when nobody is logged in, as at a login). ``actor_label`` names an actor without an account.
    """
    who: audit.Actor | None = None
    if actor is not None:
        who = audit.Actor(user=actor, label=actor.get_username())
    elif actor_label is not None:
        who = audit.Actor(user=None, label=actor_label)
    elif audit.current_actor() is None and account is not None:
        who = audit.Actor(user=account, label=account.get_username())
    text = description
    if account is not None:
        text = (
            f"{account.get_username()} – {description}" if description else account.get_username()
        )
    return audit.write_entry(
        action=action,
        object_type=EVENT,
        object_id=str(account.pk) if account is not None else "",
        object_repr=text,
        organisation=organisation,
        actor=who,
    )


def attempted_name(account: Any | None) -> str:
    """How the actor of a login attempt is named in the log: the account's username, or a fixed
    label when the typed name is no account (the typed text is never written)."""
    if account is None:
        return UNKNOWN_NAME
    return str(account.get_username())
