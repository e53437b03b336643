"""The ``regie`` command: the command line of the whole product (wraps Django's manage.py)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

PRODUCT_COMMANDS = [
    ("demo", "load the demo gemeenten Maassluis and Alblasserdam with accounts (--reset rebuilds)"),
    ("serve", "run the web application (http://127.0.0.1:8000; PORT or --port overrides)"),
    ("worker", "run the background jobs (checks, imports, nightly clean-up); serve starts one"),
    ("cleanup", "remove stale uploads and old checks; mark imports whose process stopped failed"),
    ("createuser", "create a user and give them a role in an organisation"),
    ("token", "API tokens of an organisation: create (shown once), list, revoke"),
    ("demo-code", "print the current two-factor code of a demo account"),
    ("loadareas", "load or refresh the areas (CBS codes, hierarchy, population)"),
    ("import", "import a file of figures (OData, StatLine CSV, local template, incidents)"),
    ("measures", "list the measures catalogue (police, CBS, Veiligheidsmonitor, local, derived)"),
    ("figure", "print one figure with its source, table, vintage and status (--per-1000)"),
    ("compare", "compare two alike periods of a figure (exit 2 when they are not alike)"),
    ("waterbed", "displacement analysis: WDD with its standard error, and WDQ"),
    ("signals", "import a register of signals (CSV/XLSX, Dutch headers) into the Meldpunt"),
    ("retention", "apply the retention rules: destroy what is due, keep tombstones (--dry-run)"),
    ("inzage", "everything held about one person (AVG art. 15) as PDF and JSON"),
    ("keys", "encryption keys: init (demo keys file), status, rotate (resumable)"),
    ("migrate", "create or update the database tables"),
    ("check", "check the configuration (add --deploy for production settings)"),
]


def _(message: str) -> str:
    """Translate a message of this command line, even when Django's settings fail to load.

    Without settings there is no active language: the default language's catalogue (Dutch) is
    read directly, as Django would with ``LANGUAGE_CODE = "nl"``.
    """
    try:
        from django.utils.translation import gettext

        return gettext(message)
    except Exception:
        import gettext as stdlib_gettext

        catalogue = stdlib_gettext.translation(
            "django", Path(__file__).resolve().parent / "locale", ["nl"], fallback=True
        )
        return catalogue.gettext(message)


def _print_help() -> None:
    print("Usage: regie COMMAND [options]   (regie COMMAND --help explains one command)\n")
    print("Veiligheidsregie commands:")
    for name, text in PRODUCT_COMMANDS:
        print(f"  {name:<12} {text}")
    print("\nAll Django management commands are available too: regie help --all")


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "regie"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "regie.settings")
    if len(argv) == 1 or argv[1:] in (["-h"], ["--help"], ["help"]):
        _print_help()
        return
    if argv[1:] == ["help", "--all"]:
        argv = ["regie", "help"]
    from regie.env import ConfigurationError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)
    except KeyboardInterrupt:
        print("\n" + _("Interrupted."), file=sys.stderr)
        sys.exit(130)
    except ConfigurationError as exc:
        print(_("Configuration error: %(error)s") % {"error": exc}, file=sys.stderr)
        sys.exit(1)
    except Exception as exc:
        if "--traceback" in argv:
            raise
        print(_("Error: %(error)s (add --traceback for details)") % {"error": exc}, file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
