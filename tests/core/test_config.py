"""Production configuration: .env loading, connection ages, `check --deploy`, gunicorn."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_BLOCK = """\
# SLA Settings
DEFAULT_FIRST_RESPONSE_TIME=60  # minutes
DEFAULT_RESOLUTION_TIME=1440    # minutes (24 hours)

# Automation Settings
ENABLE_AUTO_RESPONSES=false
ENABLE_ESCALATIONS=true
"""
PRINT_SETTINGS = (
    "import json, sys; sys.argv = sys.argv[1:] or ['manage.py'];"
    "from django.conf import settings;"
    "print(json.dumps({name: getattr(settings, name) for name in ("
    "'DEFAULT_FIRST_RESPONSE_TIME', 'DEFAULT_RESOLUTION_TIME', 'ENABLE_AUTO_RESPONSES',"
    "'ENABLE_ESCALATIONS')} | {'age': settings.DATABASES['default']['CONN_MAX_AGE']}))"
)


def _env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DEFAULT_", "ENABLE_", "DB_CONN", "DJANGO_SETTINGS", "HTTPS", "SECURE_", "BEHIND_")
        )
    }
    env.update(DJANGO_SETTINGS_MODULE="panel1.settings", ENV_FILE="", DEBUG="false")
    env.setdefault("SECRET_KEY", secrets.token_urlsafe(60))
    env.update(extra)
    return env


def _settings(*argv: str, **env: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS, *argv],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_the_product_descriptions_env_block_works_in_a_dotenv_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(PRODUCT_BLOCK)
    values = _settings(ENV_FILE=str(env_file))
    assert values["DEFAULT_FIRST_RESPONSE_TIME"] == 60
    assert values["DEFAULT_RESOLUTION_TIME"] == 1440
    assert values["ENABLE_AUTO_RESPONSES"] is False


@pytest.mark.slow
def test_real_environment_variables_win_over_the_dotenv_file(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(PRODUCT_BLOCK)
    values = _settings(ENV_FILE=str(env_file), DEFAULT_RESOLUTION_TIME="99  # minutes")
    assert values["DEFAULT_RESOLUTION_TIME"] == 99
    assert values["DEFAULT_FIRST_RESPONSE_TIME"] == 60


@pytest.mark.slow
def test_defaults_are_the_product_descriptions_values():
    values = _settings()
    assert (values["DEFAULT_FIRST_RESPONSE_TIME"], values["DEFAULT_RESOLUTION_TIME"]) == (60, 1440)


@pytest.mark.slow
def test_the_threaded_development_server_does_not_keep_connections():
    assert _settings("manage.py", "runserver")["age"] == 0
    assert _settings("manage.py", "runserver", "--nothreading")["age"] == 60
    assert _settings("gunicorn")["age"] == 60
    assert _settings("manage.py", "runserver", DB_CONN_MAX_AGE="30")["age"] == 30


@pytest.mark.slow
def test_the_job_cluster_keeps_its_connections_across_ticks():
    assert _settings("manage.py", "qcluster")["age"] == 600
    assert _settings("manage.py", "qcluster", DB_CONN_MAX_AGE="120")["age"] == 120


@pytest.mark.slow
def test_check_deploy_is_clean_with_only_the_documented_silenced_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # security.W021 (HSTS preload) is silenced unless SECURE_HSTS_PRELOAD=true: README.
    assert "System check identified no issues (1 silenced)." in output
    readme = (ROOT / "README.md").read_text()
    assert "security.W021" in readme


@pytest.mark.slow
def test_gunicorn_is_installed_and_loads_the_wsgi_app():
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "panel1.wsgi"],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
