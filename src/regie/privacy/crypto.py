"""Authenticated encryption of one value (AES-256-GCM, a random 96-bit nonce per value).

A stored value is ``b"\\x01" + len(key id) + key id + nonce + ciphertext-with-tag``. The
associated data is the value's *context* (``app.model.field``): a value copied into another
column does not decrypt there.
"""

from __future__ import annotations

import functools
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from regie.privacy.keys import keyring

VERSION = b"\x01"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A stored value could not be decrypted (unknown key, damaged, or another column's)."""


@functools.lru_cache(maxsize=16)
def cipher(key_id: str) -> AESGCM:
    key = keyring().by_id(key_id)
    if key is None:
        raise DecryptionError(f"unknown key id {key_id!r}")
    return AESGCM(key.secret)


def encrypt(data: bytes, *, context: str) -> bytes:
    key_id = keyring().current.id
    nonce = os.urandom(NONCE_BYTES)
    sealed = cipher(key_id).encrypt(nonce, data, context.encode("utf-8"))
    ident = key_id.encode("ascii")
    return VERSION + bytes([len(ident)]) + ident + nonce + sealed


def key_id_of(blob: bytes) -> str:
    if len(blob) < 2 or blob[:1] != VERSION:
        raise DecryptionError("not an encrypted value")
    size = blob[1]
    return bytes(blob[2 : 2 + size]).decode("ascii")


def decrypt(blob: bytes, *, context: str) -> bytes:
    blob = bytes(blob)
    key_id = key_id_of(blob)
    start = 2 + len(key_id)
    nonce, sealed = blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :]
    try:
        return cipher(key_id).decrypt(nonce, sealed, context.encode("utf-8"))
    except InvalidTag as exc:
        raise DecryptionError("value damaged or not of this column") from exc


def needs_rotation(blob: bytes) -> bool:
    """Whether ``blob`` was encrypted with another key than the newest."""
    return key_id_of(bytes(blob)) != keyring().current.id
