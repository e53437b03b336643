"""Ending an account's sessions after a change of its credentials (ADR 0011).

Clearing the second factor, a password reset or change and a change of e-mail address end the
account's other sessions: a session stolen or left open before the change does not outlive it.
The project keeps sessions in the database (Django's default engine); each row is decoded to
find its account, which is cheap for the few sessions an idle timeout of half an hour leaves.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


def _session_model() -> Any:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        raise ImproperlyConfigured(
            "Ending an account's sessions needs sessions in the database (SESSION_ENGINE "
            "django.contrib.sessions.backends.db or cached_db)."
        )
    return store.get_model_class()


def end_sessions(user: Any, *, keep: str | None = None) -> int:
    """Delete every session of ``user`` except the one with key ``keep``; the number ended."""
    model = _session_model()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for row in model.objects.filter(expire_date__gt=timezone.now()).iterator():
        if keep is not None and row.session_key == keep:
            continue
        data = store().decode(row.session_data)
        if str(data.get(SESSION_KEY, "")) == str(user.pk):
            store(session_key=row.session_key).delete()
            ended += 1
    return ended
