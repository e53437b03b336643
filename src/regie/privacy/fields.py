"""Model fields whose value is encrypted in the database (:mod:`regie.privacy.crypto`).

The value is encrypted when written and decrypted when read; the column holds bytes only. An
empty value is stored as NULL. Such a field cannot be searched or sorted in SQL: use a blind
index (:mod:`regie.privacy.blind_index`) for exact matching.

Audit entries never hold these values: :func:`encrypted_field_names` lists them for
``audit.register(..., redact=...)``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from regie.privacy import crypto


# Subscripting a field class fails at run time (no django-stubs-ext monkeypatch in this project).
class EncryptedField(models.BinaryField):  # type: ignore[type-arg]
    """Base: subclasses convert between the Python value and bytes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs["editable"] = True
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def to_bytes(self, value: Any) -> bytes:  # pragma: no cover - subclasses
        raise NotImplementedError

    def from_bytes(self, data: bytes) -> Any:  # pragma: no cover - subclasses
        raise NotImplementedError

    def empty(self) -> Any:
        return ""

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None or value == "" or value == b"":
            return None
        sealed = crypto.encrypt(self.to_bytes(value), context=self.context)
        return connection.Database.Binary(sealed)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return self.empty()
        return self.from_bytes(crypto.decrypt(bytes(value), context=self.context))

    def to_python(self, value: Any) -> Any:
        return value

    def value_to_string(self, obj: models.Model) -> str:
        return "••••"


class EncryptedTextField(EncryptedField):
    def to_bytes(self, value: Any) -> bytes:
        return str(value).encode("utf-8")

    def from_bytes(self, data: bytes) -> str:
        return data.decode("utf-8")


class EncryptedDateField(EncryptedField):
    def empty(self) -> Any:
        return None

    def to_bytes(self, value: Any) -> bytes:
        if not isinstance(value, dt.date):
            raise TypeError("an encrypted date takes a date")
        return value.isoformat().encode("ascii")

    def from_bytes(self, data: bytes) -> dt.date:
        return dt.date.fromisoformat(data.decode("ascii"))


class EncryptedBytesField(EncryptedField):
    def empty(self) -> Any:
        return b""

    def to_bytes(self, value: Any) -> bytes:
        return bytes(value)

    def from_bytes(self, data: bytes) -> bytes:
        return data


def encrypted_field_names(model: type[models.Model]) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedField))


def encrypted_models() -> list[tuple[type[models.Model], tuple[str, ...]]]:
    """Every installed model with encrypted fields, with their names (key rotation)."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        names = encrypted_field_names(model)
        if names:
            found.append((model, names))
    return sorted(found, key=lambda item: item[0]._meta.label)
