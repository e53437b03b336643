"""The boundaries between apps (ADR 0018): the import-linter contract can fail, and no app
imports another app's private names."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import grimp
import pytest

from tools.boundaries import AppBoundaryContract

SRC = Path(__file__).resolve().parent.parent / "src" / "regie"
APPS = (
    "accounts",
    "areas",
    "cases",
    "demo",
    "monitor",
    "policy",
    "privacy",
    "programme",
    "reports",
    "veiligheidsbeeld",
)


def _contract() -> AppBoundaryContract:
    return AppBoundaryContract(
        name="test",
        session_options={},
        contract_options={
            "container": "fakeproj",
            "apps": ["alpha", "beta"],
            "shared": ["core"],
            "public": ["models", "selectors", "services"],
            "entry_points": ["urls"],
        },
    )


@pytest.fixture
def fake_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "fakeproj"
    for package in ("", "alpha", "beta", "core"):
        (root / package).mkdir(exist_ok=True)
        (root / package / "__init__.py").write_text("")
    (root / "core" / "formats.py").write_text("")
    (root / "alpha" / "models.py").write_text("")
    (root / "alpha" / "views.py").write_text("")
    (root / "beta" / "services.py").write_text(
        "from fakeproj.alpha import models\nfrom fakeproj.core import formats\n"
    )
    (root / "urls.py").write_text("from fakeproj.alpha import views\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    return root


def test_the_contract_keeps_imports_of_public_modules_and_building_blocks(
    fake_project: Path,
) -> None:
    check = _contract().check(grimp.build_graph("fakeproj", cache_dir=None), verbose=False)
    assert check.kept, check.metadata


def test_the_contract_breaks_on_an_import_of_another_apps_views(fake_project: Path) -> None:
    (fake_project / "beta" / "views.py").write_text("from fakeproj.alpha.views import page\n")
    check = _contract().check(grimp.build_graph("fakeproj", cache_dir=None), verbose=False)
    assert not check.kept
    [broken] = check.metadata["broken"]
    assert broken["importer"] == "fakeproj.beta.views"
    assert broken["imported"] == "fakeproj.alpha.views"
    assert "views is not public in alpha" in broken["reason"]


def test_an_app_the_contract_does_not_name_breaks_it(fake_project: Path) -> None:
    """A new app (reports, meldpunt) is checked once it is named, never silently skipped."""
    (fake_project / "gamma").mkdir()
    (fake_project / "gamma" / "__init__.py").write_text("")
    (fake_project / "gamma" / "views.py").write_text("from fakeproj.alpha.views import page\n")
    check = _contract().check(grimp.build_graph("fakeproj", cache_dir=None), verbose=False)
    assert not check.kept
    assert {b["importer"] for b in check.metadata["broken"]} >= {"fakeproj.gamma.views"}


def _private_imports() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC)
        if "tests" in relative.parts or relative.parts[0] not in APPS:
            continue
        own_app = relative.parts[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not node.module:
                continue
            parts = node.module.split(".")
            if parts[0] != "regie" or len(parts) < 2 or parts[1] == own_app:
                continue
            for alias in node.names:
                if alias.name.startswith("_") or any(p.startswith("_") for p in parts[2:]):
                    found.append(f"{relative}:{node.lineno} {node.module}.{alias.name}")
    return found


def test_no_app_imports_another_apps_private_names() -> None:
    assert _private_imports() == []


def test_the_private_name_check_sees_a_private_import(monkeypatch: pytest.MonkeyPatch) -> None:
    real = ast.parse

    def with_private(source: str, *args: object, **kwargs: object) -> ast.Module:
        tree = real(source)
        tree.body.insert(0, real("from regie.areas.selectors import _private\n").body[0])
        return tree

    monkeypatch.setattr(ast, "parse", with_private)
    assert any("regie.areas.selectors._private" in line for line in _private_imports())


def test_statistics_import_no_django() -> None:
    """`regie.stats` is a plain package (the import-linter contract says so too)."""
    import subprocess

    script = "import sys, regie.stats; print(any(m.startswith('django') for m in sys.modules))"
    result = subprocess.run(  # noqa: S603 - a fixed script run by the test's own interpreter
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
