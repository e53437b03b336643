"""The committed OpenAPI schema (docs/api/openapi.yaml) matches the API: CI's drift check."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "api" / "openapi.yaml"


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the committed schema is generated on SQLite (make openapi); integer bounds such as "
    "PositiveIntegerField's maximum come from the database backend, so they differ on PostgreSQL",
)
def test_committed_schema_is_current(tmp_path: Path) -> None:
    generated = tmp_path / "openapi.yaml"
    # The same options as `make openapi`; --fail-on-warn: every view documents its JSON.
    with translation.override("en"):
        call_command(
            "spectacular", "--lang", "en", "--validate", "--fail-on-warn", "--file", str(generated)
        )
    assert COMMITTED.is_file(), f"{COMMITTED} is missing: run make openapi"
    assert generated.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8"), (
        "docs/api/openapi.yaml differs from the API: run make openapi and commit the result"
    )
