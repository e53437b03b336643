"""Every environment variable the code reads is documented in docs/configuration.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_variable_is_documented() -> None:
    code = "\n".join(p.read_text() for p in (ROOT / "src" / "regie").rglob("*.py"))
    code += (
        (ROOT / "tests" / "browser" / "conftest.py").read_text()
        if (ROOT / "tests" / "browser" / "conftest.py").exists()
        else ""
    )
    used = set(re.findall(r"get_(?:str|bool|int|list)\(\s*\"([A-Z_]+)\"", code))
    used |= set(re.findall(r"environ(?:\.get)?\(\s*\"([A-Z_]+)\"", code))
    used |= set(re.findall(r"environ\[\"([A-Z_]+)\"\]", code))
    used -= {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    docs = (ROOT / "docs" / "configuration.md").read_text()
    example = (ROOT / ".env.example").read_text()
    assert used, "no variables found: the pattern is broken"
    assert sorted(v for v in used if f"`{v}`" not in docs) == []
    assert sorted(v for v in used if v != "REGIE_CHROMIUM" and v not in example) == []
