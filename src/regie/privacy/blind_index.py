"""Blind indexes: a keyed HMAC-SHA-256 over a normalised identifier
(:mod:`regie.privacy.normalise`).

Equal identifiers give equal digests, so earlier signals about the same person, address,
organisation or vehicle are found by an exact match on an indexed column, while the database
holds no identifier itself. The key (``REGIE_BLIND_INDEX_KEY``) is not an encryption key; the
digest is truncated to 128 bits (ample for exact matching). The *kind* is part of the message:
a postcode and a phone number never share a digest.
"""

from __future__ import annotations

import hashlib
import hmac

from regie.privacy.keys import keyring

KINDS = ("bsn", "person", "address", "bag", "kvk", "phone", "email", "kenteken")
DIGEST_CHARS = 32


def digest(kind: str, normalised: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown identifier kind {kind!r}")
    message = f"{kind}\x1f{normalised}".encode()
    return hmac.new(keyring().blind_index, message, hashlib.sha256).hexdigest()[:DIGEST_CHARS]
