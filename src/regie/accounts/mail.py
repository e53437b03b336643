"""The mails of the accounts app: each a subject and a plain-text body template."""

from __future__ import annotations

from typing import Any

from django.core.mail import send_mail
from django.template.loader import render_to_string


def send(template: str, *, to: str, context: dict[str, Any]) -> None:
    """Send ``accounts/email/<template>.txt`` (and ``…_subject.txt``) to one address."""
    if not to:
        return
    subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
    body = render_to_string(f"accounts/email/{template}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [to])
