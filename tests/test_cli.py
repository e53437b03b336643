"""The `regie` command: plain help, clear errors without tracebacks, a clean deploy check."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from regie.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``regie ARGS`` in-process, as the shell would."""
    code = 0
    # A management command closes every database connection when it ends; inside a test's
    # transaction on PostgreSQL that would close the test's own connection.
    with mock.patch("django.db.connections.close_all"):
        try:
            main(["regie", *args])
        except SystemExit as exc:
            code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_help_lists_the_product_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys)
    assert code == 0
    for command in ("demo", "serve", "createuser", "demo-code", "loadareas", "import", "figure"):
        assert f"  {command} " in out


@pytest.mark.parametrize(
    "command",
    [
        "demo",
        "serve",
        "createuser",
        "demo-code",
        "loadareas",
        "import",
        "measures",
        "figure",
        "compare",
        "waterbed",
    ],
)
def test_every_command_has_help(capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, out, _ = run_main(capsys, command, "--help")
    assert code == 0
    assert "usage: regie" in out


@pytest.mark.django_db
def test_errors_exit_nonzero_with_a_message_not_a_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run_main(capsys, "createuser", "iemand", "--email", "i@example.org")
    assert code == 1
    assert "Traceback" not in err
    assert "--org" in err
    code, _, err = run_main(capsys, "demo-code", "bestaat.niet")
    assert code == 1
    assert "Traceback" not in err
    code, _, err = run_main(
        capsys,
        "createuser",
        "iemand",
        "--email",
        "i@example.org",
        "--org",
        "nergens",
        "--role",
        "adviseur",
    )
    assert code == 1
    assert "nergens" in err


@pytest.mark.django_db
def test_createuser_gives_a_role(capsys: pytest.CaptureFixture[str], maassluis: Any) -> None:
    from regie.accounts.models import Membership

    code, out, _ = run_main(
        capsys,
        "createuser",
        "j.jansen",
        "--email",
        "j@example.org",
        "--org",
        "gm0556",
        "--role",
        "raadpleger",
    )
    assert code == 0, out
    membership = Membership.objects.get(user__username="j.jansen")
    assert membership.organisation == maassluis
    assert membership.role == "raadpleger"
    assert not membership.user.has_usable_password()


def test_unexpected_errors_are_reported_without_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import django.core.management as management

    def boom(argv: list[str]) -> None:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(management, "execute_from_command_line", boom)
    code, _, err = run_main(capsys, "migrate")
    assert code == 1
    assert "database is locked" in err
    assert "Traceback" not in err


def test_check_deploy_is_clean_with_the_documented_production_variables(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REGIE_", "DATABASE_URL"))}
    env.update(
        REGIE_SECRET_KEY="s3cr3t-" + "k9Xq2" * 12,
        REGIE_HTTPS="true",
        REGIE_ALLOWED_HOSTS="veiligheid.example.nl",
        REGIE_CSRF_TRUSTED_ORIGINS="https://veiligheid.example.nl",
        REGIE_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        REGIE_VAR_DIR=str(tmp_path),
        REGIE_ENCRYPTION_KEYS="k1:" + "C" * 43,
        REGIE_BLIND_INDEX_KEY="D" * 43,
    )
    result = subprocess.run(
        [sys.executable, "-m", "regie.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout + result.stderr
    # Without them, the same check complains (the test above cannot pass by accident).
    env.pop("REGIE_HTTPS")
    result = subprocess.run(
        [sys.executable, "-m", "regie.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode != 0


def test_starting_django_does_not_load_the_statistics_libraries(tmp_path: Path) -> None:
    # scipy and statsmodels are loaded by the functions that compute statistics, not by every
    # process that starts Django (an import, `regie figure`): they cost seconds and 130 MB.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE")}
    env.update(REGIE_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="regie.settings")
    script = (
        "import sys, django; django.setup(); "
        "import regie.policy.engine, regie.monitor.services, regie.veiligheidsbeeld.insight; "
        "from regie import stats; "
        "print(sorted(m for m in ('scipy', 'statsmodels', 'pandas') if m in sys.modules)); "
        "stats.poisson_interval(3); "
        "print('scipy' in sys.modules)"
    )
    result = subprocess.run(  # noqa: S603 - a fixed script run by the test's own interpreter
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    # Nothing loaded at start; scipy once a statistic is asked for (the check can fail both ways).
    assert result.stdout.split() == ["[]", "True"]
