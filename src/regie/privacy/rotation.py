"""Key rotation: re-encrypt every stored value that is not under the newest key
(``regie keys rotate``), and count values per key (``regie keys status``).

The values are read and written as raw bytes with SQL, column by column: no model's ``save()``
runs (append-only models and the optimistic-lock version stay untouched, the audit log sees no
change because no value changes), and a value that someone changed between our read and our
write is left alone (it was written under the newest key anyway). Work goes in batches ordered
by primary key, each batch in its own transaction; :class:`~regie.privacy.models.KeyRotation`
keeps the last primary key done per model and target key, so an interrupted rotation resumes
where it stopped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, models, transaction
from django.db.models import F
from django.utils import timezone

from regie.privacy import crypto
from regie.privacy.fields import EncryptedField, encrypted_models
from regie.privacy.keys import keyring
from regie.privacy.models import KeyRotation

DEFAULT_BATCH = 500

Row = tuple[int, list[bytes | None]]


@dataclass
class ModelResult:
    label: str
    rewritten: int = 0
    finished: bool = False


@dataclass
class RotationReport:
    target: str
    models: list[ModelResult] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(item.finished for item in self.models)

    @property
    def rewritten(self) -> int:
        return sum(item.rewritten for item in self.models)


def _fields(model: type[models.Model], names: tuple[str, ...]) -> list[EncryptedField]:
    found = [model._meta.get_field(name) for name in names]
    return [f for f in found if isinstance(f, EncryptedField)]


#: Enough of a stored value to read its key id (version, length, id of at most 32 characters).
PREFIX = 2 + 32


def _rows(
    model: type[models.Model], fields: list[EncryptedField], after: int, limit: int
) -> list[Row]:
    """Up to ``limit`` rows after primary key ``after``: the first bytes (:data:`PREFIX`) of the
    stored values of ``fields`` — enough for their key id, never a whole (large) attachment."""
    qn = connection.ops.quote_name
    pk = qn(model._meta.pk.column)
    columns = ", ".join(f"SUBSTR({qn(f.column)}, 1, {PREFIX})" for f in fields)
    sql = (
        f"SELECT {pk}, {columns} FROM {qn(model._meta.db_table)} "  # noqa: S608 - quoted names
        f"WHERE {pk} > %s ORDER BY {pk} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [after, limit])
        return [
            (int(row[0]), [None if v is None else bytes(v) for v in row[1:]])
            for row in cursor.fetchall()
        ]


def _rewrite_value(model: type[models.Model], item: EncryptedField, key: int) -> int:
    """Re-encrypt one stored value with the newest key (read whole, one at a time)."""
    qn = connection.ops.quote_name
    pk, column = qn(model._meta.pk.column), qn(item.column)
    table = qn(model._meta.db_table)
    binary = connection.Database.Binary  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {pk} = %s", [key])  # noqa: S608
        found = cursor.fetchone()
        if found is None or found[0] is None:
            return 0
        old = bytes(found[0])
        if not crypto.needs_rotation(old):
            return 0
        new = crypto.encrypt(crypto.decrypt(old, context=item.context), context=item.context)
        cursor.execute(
            f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s",  # noqa: S608
            [binary(new), key, binary(old)],
        )
        return int(cursor.rowcount or 0)


def _rewrite(model: type[models.Model], fields: list[EncryptedField], rows: list[Row]) -> int:
    """Re-encrypt the values of ``rows`` not under the newest key; the number rewritten."""
    current = keyring().current.id
    done = 0
    for index, item in enumerate(fields):
        for key, prefixes in rows:
            prefix = prefixes[index]
            if prefix is not None and crypto.key_id_of(prefix) != current:
                done += _rewrite_value(model, item, key)
    return done


def _progress(label: str, target: str) -> KeyRotation:
    progress, _created = KeyRotation.objects.get_or_create(model_label=label, target_key=target)
    return progress


def _rotate_model(
    model: type[models.Model], names: tuple[str, ...], batch: int, budget: list[int | None]
) -> ModelResult:
    """Rotate one model; ``budget`` holds the batches still allowed (None: no limit)."""
    target = keyring().current.id
    result = ModelResult(model._meta.label)
    progress = _progress(model._meta.label, target)
    if progress.finished_at is not None:
        # A process still running with the old key list may have written under an old key
        # since: every run scans again (cheap: the key prefixes only).
        KeyRotation.objects.filter(pk=progress.pk).update(last_pk=0, finished_at=None)
        progress.last_pk, progress.finished_at = 0, None
    fields = _fields(model, names)
    while budget[0] is None or budget[0] > 0:
        if budget[0] is not None:
            budget[0] -= 1
        with transaction.atomic():
            rows = _rows(model, fields, progress.last_pk, batch)
            rewritten = _rewrite(model, fields, rows) if rows else 0
            if rows:
                progress.last_pk = rows[-1][0]
            result.rewritten += rewritten
            finished = len(rows) < batch
            KeyRotation.objects.filter(pk=progress.pk).update(
                last_pk=progress.last_pk,
                rewritten=F("rewritten") + rewritten,
                finished_at=timezone.now() if finished else None,
            )
        if finished:
            result.finished = True
            break
    return result


def rotate(*, batch: int = DEFAULT_BATCH, max_batches: int | None = None) -> RotationReport:
    """Re-encrypt every encrypted value under an older key with the newest key.

    ``max_batches`` stops after that many batches (the next call resumes); the report says
    whether every model is done.
    """
    if batch < 1:
        raise ValueError("batch must be at least 1")
    report = RotationReport(target=keyring().current.id)
    budget: list[int | None] = [max_batches]
    for model, names in encrypted_models():
        report.models.append(_rotate_model(model, names, batch, budget))
    return report


@dataclass
class KeyCount:
    """How many stored values of one model are under which key id."""

    label: str
    by_key: Counter[str] = field(default_factory=Counter)


def count_by_key(*, batch: int = 2_000) -> list[KeyCount]:
    """Per model with encrypted fields: the number of values per key id (empty values left out)."""
    found = []
    for model, names in encrypted_models():
        fields = _fields(model, names)
        count = KeyCount(model._meta.label)
        after = 0
        while rows := _rows(model, fields, after, batch):
            for _pk, values in rows:
                count.by_key.update(crypto.key_id_of(v) for v in values if v is not None)
            after = rows[-1][0]
        found.append(count)
    return found


def in_progress() -> list[KeyRotation]:
    """Rotations started towards the newest key and not finished."""
    target = keyring().current.id
    return list(
        KeyRotation.objects.filter(target_key=target, finished_at__isnull=True).order_by(
            "model_label"
        )
    )
