"""Where the keys come from (docs/configuration.md, docs/privacy.md).

Two kinds of key, never the same:

- **encryption keys** (``REGIE_ENCRYPTION_KEYS``): a comma-separated list of ``id:key`` with a
  32-byte key in URL-safe base64, newest first. The newest encrypts; every listed key decrypts,
  so a new key is added in front and ``regie keys rotate`` re-encrypts the old values before the
  old key is removed.
- **the blind index key** (``REGIE_BLIND_INDEX_KEY``): one 32-byte key in URL-safe base64 for the
  keyed hashes that find earlier signals about the same person or address.

Without them in the environment the keys file ``REGIE_KEYS_FILE`` (JSON, written by
``regie keys init``; ``make run`` writes ``var/privacy-keys.json`` for the demo) is read. A
deployment must configure keys (``regie check --deploy`` fails otherwise).
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
#: Key ids are short ASCII names stored in front of every value (at most 32 characters).
MAX_ID = 32


@dataclass(frozen=True)
class Key:
    id: str
    secret: bytes


@dataclass(frozen=True)
class Keyring:
    encryption: tuple[Key, ...]
    blind_index: bytes
    source: str  # "environment", "file" or "none"

    @property
    def current(self) -> Key:
        return self.encryption[0]

    def by_id(self, key_id: str) -> Key | None:
        for key in self.encryption:
            if key.id == key_id:
                return key
        return None


def decode_key(text: str, *, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{what} is not valid base64") from exc
    if len(raw) != KEY_BYTES:
        raise ImproperlyConfigured(f"{what} must be {KEY_BYTES} bytes, not {len(raw)}")
    return raw


def encode_key(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def parse_encryption_keys(text: str) -> tuple[Key, ...]:
    keys: list[Key] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key_id, sep, value = part.partition(":")
        if not sep or not key_id or len(key_id) > MAX_ID or not key_id.isascii():
            raise ImproperlyConfigured("REGIE_ENCRYPTION_KEYS: each key is id:base64 (id ASCII)")
        if any(k.id == key_id for k in keys):
            raise ImproperlyConfigured(f"REGIE_ENCRYPTION_KEYS: key id {key_id} twice")
        keys.append(Key(key_id, decode_key(value, what=f"encryption key {key_id}")))
    return tuple(keys)


def new_key_text(key_id: str) -> str:
    return f"{key_id}:{encode_key(secrets.token_bytes(KEY_BYTES))}"


def _from_file(path: Path) -> tuple[str, str] | None:
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return str(data.get("encryption_keys", "")), str(data.get("blind_index_key", ""))


@functools.cache
def keyring() -> Keyring:
    """The configured keys; :class:`ImproperlyConfigured` when there are none."""
    enc_text = settings.REGIE_ENCRYPTION_KEYS
    blind_text = settings.REGIE_BLIND_INDEX_KEY
    source = "environment"
    if not enc_text:
        found = _from_file(Path(settings.REGIE_KEYS_FILE))
        if found is None:
            raise ImproperlyConfigured(
                "No encryption key is configured: set REGIE_ENCRYPTION_KEYS and "
                "REGIE_BLIND_INDEX_KEY, or run `regie keys init` (docs/privacy.md)."
            )
        enc_text, blind_text = found
        source = "file"
    encryption = parse_encryption_keys(enc_text)
    if not encryption:
        raise ImproperlyConfigured("REGIE_ENCRYPTION_KEYS holds no key")
    if not blind_text:
        raise ImproperlyConfigured("REGIE_BLIND_INDEX_KEY is not configured")
    blind = decode_key(blind_text, what="REGIE_BLIND_INDEX_KEY")
    if any(blind == k.secret for k in encryption):
        raise ImproperlyConfigured("the blind index key must differ from every encryption key")
    return Keyring(encryption=encryption, blind_index=blind, source=source)


def reset() -> None:
    """Forget the loaded keys (after a settings change in tests, or a new keys file)."""
    keyring.cache_clear()
    from regie.privacy import crypto

    crypto.cipher.cache_clear()


def write_keys_file(path: Path) -> bool:
    """Write a new keys file at ``path`` (mode 0600) unless one exists; True when written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "encryption_keys": new_key_text("k1"),
        "blind_index_key": encode_key(secrets.token_bytes(KEY_BYTES)),
        "note": "Demo keys written by `regie keys init`. Losing them loses the encrypted data.",
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    return True
