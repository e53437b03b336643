"""An import-linter contract: apps meet only through each other's public modules.

``lint-imports`` (run by ``make test``) loads this contract type from ``pyproject.toml``. For every
direct import from one app of ``regie`` into another, the imported module must be one of the
other app's public modules (``models``, ``selectors``, ``services`` and the few the contract
names per app), or a shared building block (``regie.core``, ``regie.stats``). Anything else —
views, the API, pages, forms, commands, another app's helpers — breaks the contract. Test
modules are not checked (a test may use another app's factories). Private *names* imported
across apps are caught by ``tests/test_boundaries.py``.
"""

from __future__ import annotations

from typing import Any

from grimp import ImportGraph
from importlinter import Contract, ContractCheck, fields, output


class AppBoundaryContract(Contract):
    """Options:

    - ``container``: the package whose direct children are the apps (``regie``).
    - ``apps``: the apps checked (children of the container).
    - ``shared``: children anyone may import (``core``, ``stats``).
    - ``public``: module names public in every app (``models``, ``selectors``, ``services``).
    - ``extra_public``: ``app.module`` entries public for one app (``accounts.permissions``).
    - ``entry_points``: children of the container that wire apps together (``urls``); they may
      import anything.
    """

    type_name = "app_boundaries"

    container = fields.StringField()
    apps = fields.ListField(subfield=fields.StringField())
    shared = fields.ListField(subfield=fields.StringField())
    public = fields.ListField(subfield=fields.StringField())
    extra_public = fields.ListField(subfield=fields.StringField(), required=False)
    entry_points = fields.ListField(subfield=fields.StringField(), required=False)

    def _child(self, module: str) -> tuple[str, str] | None:
        """(app, first module below the app) of ``module``; None outside the container."""
        prefix = f"{self.container}."
        if not module.startswith(prefix):
            return None
        parts = module[len(prefix) :].split(".")
        return parts[0], (parts[1] if len(parts) > 1 else "")

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        apps = set(self.apps)  # type: ignore[call-overload]
        shared = set(self.shared)  # type: ignore[call-overload]
        public = set(self.public)  # type: ignore[call-overload]
        extra = set(self.extra_public or [])  # type: ignore[attr-defined]
        entry_points = set(self.entry_points or [])  # type: ignore[attr-defined]
        known = apps | shared | entry_points
        broken: list[dict[str, Any]] = []
        for importer in sorted(graph.modules):
            source = self._child(importer)
            if source is None or ".tests." in f"{importer}.":
                continue
            if source[0] not in known:
                broken.append(_unknown(importer))
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                target = self._child(imported)
                if target is None or target[0] == source[0]:
                    continue
                app, module = target
                if app not in known:
                    broken.append(_unknown(imported))
                    continue
                allowed = module in public or f"{app}.{module}" in extra
                if source[0] in entry_points or app in shared or app not in apps or allowed:
                    continue
                if module == "":
                    reason = "import the app's public module, not the package"
                else:
                    reason = f"{module} is not public in {app}"
                details = graph.get_import_details(importer=importer, imported=imported)
                lines = sorted({d["line_number"] for d in details})
                broken.append(
                    {"importer": importer, "imported": imported, "lines": lines, "reason": reason}
                )
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for item in check.metadata["broken"]:
            lines = ", ".join(f"l.{n}" for n in item["lines"])
            output.print_error(
                f"{item['importer']} -> {item['imported']} ({lines}): {item['reason']}", bold=False
            )
        output.new_line()


def _unknown(module: str) -> dict[str, Any]:
    """A part of the container the contract does not know: a new app is checked only once it
    is named (``apps``), so an unnamed one breaks the contract instead of passing unchecked."""
    return {
        "importer": module,
        "imported": module,
        "lines": [],
        "reason": "not an app, shared package or entry point of the contract: name it",
    }
