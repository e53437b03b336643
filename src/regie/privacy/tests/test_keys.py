"""Encryption keys: the cipher, key rotation (resumable), ``regie keys`` and the deploy check."""

from __future__ import annotations

import io
import json
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command

from regie.cases.models import Signal, Subject
from regie.cases.tests import factories
from regie.core.models import Organisation
from regie.privacy import crypto, keys, rotation
from regie.privacy.fields import encrypted_models
from regie.privacy.models import KeyRotation

OLD = "test1:" + "A" * 42 + "Q"
NEW_KEY = "test2:" + "C" * 42 + "Q"
BLIND = "B" * 42 + "Q"


@pytest.fixture
def fresh_keys(settings: Any) -> Iterator[Any]:
    """Settings whose keys a test changes; the loaded keys are forgotten before and after."""
    keys.reset()
    yield settings
    keys.reset()


def _use(settings: Any, encryption: str, blind: str = BLIND) -> None:
    settings.REGIE_ENCRYPTION_KEYS = encryption
    settings.REGIE_BLIND_INDEX_KEY = blind
    keys.reset()


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command("keys", *args, stdout=out)
    return out.getvalue()


# --- The cipher --------------------------------------------------------------------------------


def test_round_trip_with_a_fresh_nonce() -> None:
    one = crypto.encrypt(b"Jan de Vries", context="cases.signal.description")
    two = crypto.encrypt(b"Jan de Vries", context="cases.signal.description")
    assert one != two
    assert b"Vries" not in one
    assert crypto.decrypt(one, context="cases.signal.description") == b"Jan de Vries"
    assert crypto.key_id_of(one) == "test1"


def test_another_columns_context_does_not_decrypt() -> None:
    blob = crypto.encrypt(b"123456782", context="cases.subject.bsn")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(blob, context="cases.subject.surname")


def test_a_damaged_value_does_not_decrypt() -> None:
    blob = bytearray(crypto.encrypt(b"geheim", context="x.y.z"))
    blob[-1] ^= 1
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(bytes(blob), context="x.y.z")


def test_an_unknown_key_does_not_decrypt(fresh_keys: Any) -> None:
    blob = crypto.encrypt(b"geheim", context="x.y.z")
    _use(fresh_keys, NEW_KEY)  # the old key is gone
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(blob, context="x.y.z")
    forged = b"\x01\x02zz" + blob[8:]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(forged, context="x.y.z")


def test_the_newest_key_encrypts_and_all_decrypt(fresh_keys: Any) -> None:
    old = crypto.encrypt(b"oud", context="x.y.z")
    _use(fresh_keys, f"{NEW_KEY},{OLD}")
    new = crypto.encrypt(b"nieuw", context="x.y.z")
    assert crypto.key_id_of(new) == "test2"
    assert crypto.needs_rotation(old)
    assert not crypto.needs_rotation(new)
    assert crypto.decrypt(old, context="x.y.z") == b"oud"


# --- Rotation ----------------------------------------------------------------------------------


def _key_ids() -> set[str]:
    found: set[str] = set()
    for count in rotation.count_by_key():
        found |= set(count.by_key)
    return found


@pytest.mark.django_db
def test_rotation_puts_every_value_under_the_newest_key(
    fresh_keys: Any, maassluis: Organisation
) -> None:
    signal = factories.make_signal(maassluis, reporter_name="Piet Verzonnen")
    assert _key_ids() == {"test1"}
    _use(fresh_keys, f"{NEW_KEY},{OLD}")

    report = rotation.rotate(batch=2)

    assert report.complete
    assert report.rewritten > 0
    assert _key_ids() == {"test2"}
    _use(fresh_keys, NEW_KEY)  # the old key can go now
    signal = Signal.objects.get(pk=signal.pk)
    assert signal.description == "Verzonnen omschrijving van overlast"
    assert signal.reporter_name == "Piet Verzonnen"
    assert Subject.objects.get(signal=signal).surname == "Vries"
    assert rotation.rotate().rewritten == 0


@pytest.mark.django_db
def test_an_interrupted_rotation_resumes(fresh_keys: Any, maassluis: Organisation) -> None:
    for _ in range(3):
        factories.make_signal(maassluis)
    _use(fresh_keys, f"{NEW_KEY},{OLD}")

    first = rotation.rotate(batch=1, max_batches=2)

    assert not first.complete
    started = KeyRotation.objects.filter(target_key="test2", last_pk__gt=0)
    assert started.exists()
    assert {"test1", "test2"} <= _key_ids()
    second = rotation.rotate(batch=1)
    assert second.complete
    assert _key_ids() == {"test2"}
    # Nothing was done twice: the two runs together rewrote each old value once.
    values = sum(sum(c.by_key.values()) for c in rotation.count_by_key())
    assert first.rewritten + second.rewritten == values
    labels = {model._meta.label for model, _names in encrypted_models()}
    done = KeyRotation.objects.filter(target_key="test2", finished_at__isnull=False)
    assert set(done.values_list("model_label", flat=True)) == labels


@pytest.mark.django_db
def test_rotation_leaves_the_lock_version_alone(fresh_keys: Any, maassluis: Organisation) -> None:
    signal = factories.make_signal(maassluis)
    _use(fresh_keys, f"{NEW_KEY},{OLD}")
    rotation.rotate()
    assert Signal.objects.get(pk=signal.pk).lock_version == signal.lock_version


@pytest.mark.django_db
def test_keys_rotate_and_status_commands(fresh_keys: Any, maassluis: Organisation) -> None:
    factories.make_signal(maassluis)
    _use(fresh_keys, f"{NEW_KEY},{OLD}")
    before = _call("status")
    assert "test1" in before
    assert "test2" in before
    assert "cases.Signal" in before
    assert "C" * 42 not in before
    assert "A" * 42 not in before

    out = _call("rotate", "--batch", "1", "--max-batches", "1")
    assert "cases.Signal" in out or "cases." in out
    _call("rotate")
    assert _key_ids() == {"test2"}
    after = _call("status")
    assert "C" * 42 not in after


@pytest.mark.django_db
def test_rotate_refuses_a_batch_of_zero(fresh_keys: Any) -> None:
    with pytest.raises(CommandError):
        _call("rotate", "--batch", "0")


# --- keys init and the deploy check ------------------------------------------------------------


@pytest.mark.django_db
def test_keys_init_writes_a_private_file_once(fresh_keys: Any, tmp_path: Path) -> None:
    path = tmp_path / "var" / "privacy-keys.json"
    fresh_keys.REGIE_KEYS_FILE = str(path)
    fresh_keys.REGIE_ENCRYPTION_KEYS = ""
    fresh_keys.REGIE_BLIND_INDEX_KEY = ""

    out = _call("init")

    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    secret = data["encryption_keys"].split(":", 1)[1]
    assert str(path) in out
    assert secret not in out
    assert data["blind_index_key"] not in out
    keys.reset()
    assert keys.keyring().source == "file"

    content = path.read_text()
    again = _call("init")
    assert path.read_text() == content
    assert str(path) in again


def _deploy_errors() -> set[str]:
    return {m.id for m in run_checks(include_deployment_checks=True) if m.id}


@pytest.mark.django_db
def test_deploy_check_needs_keys_from_the_environment(fresh_keys: Any, tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    fresh_keys.REGIE_KEYS_FILE = str(path)
    assert not {"privacy.E001", "privacy.E002"} & _deploy_errors()

    _use(fresh_keys, "", "")
    assert "privacy.E001" in _deploy_errors()

    keys.write_keys_file(path)
    keys.reset()
    found = _deploy_errors()
    assert "privacy.E002" in found
    assert "privacy.E001" not in found


@pytest.mark.django_db
def test_status_without_keys_is_a_clear_error(fresh_keys: Any, tmp_path: Path) -> None:
    fresh_keys.REGIE_KEYS_FILE = str(tmp_path / "none.json")
    _use(fresh_keys, "", "")
    with pytest.raises(CommandError):
        _call("status")
