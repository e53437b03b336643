"""Links mailed to people (invitations, e-mail changes) carry a random token; only its hash is
stored, so the database alone opens nothing."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
