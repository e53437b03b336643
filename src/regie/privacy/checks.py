"""System checks: a deployment needs its own encryption and blind index keys."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from regie.privacy.keys import keyring


@checks.register(checks.Tags.security, deploy=True)
def keys_configured(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        ring = keyring()
    except ImproperlyConfigured as exc:
        return [
            checks.Error(
                f"No usable encryption keys: {exc}",
                hint="Set REGIE_ENCRYPTION_KEYS and REGIE_BLIND_INDEX_KEY (docs/privacy.md).",
                id="privacy.E001",
            )
        ]
    if ring.source != "environment":
        return [
            checks.Error(
                "The encryption keys come from the demo keys file, not from the environment.",
                hint="Set REGIE_ENCRYPTION_KEYS and REGIE_BLIND_INDEX_KEY (docs/privacy.md).",
                id="privacy.E002",
            )
        ]
    return []
