"""scripts/dbsetup.py: the database finder of `make run` / `make test`."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "dbsetup.py"


def run(*args, env=None):
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def test_existing_server_gets_its_database_created():
    name = "panel1_dbsetup_probe"
    url = f"postgres://postgres@127.0.0.1:5432/{name}"
    try:
        result = run(env={"DATABASE_URL": url})
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == url
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres") as conn:
            assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    finally:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name}")


def test_unreachable_database_url_is_a_clear_error():
    result = run(env={"DATABASE_URL": "postgres://postgres@127.0.0.1:1/panel1"})
    assert result.returncode == 1
    assert "no PostgreSQL answers" in result.stderr


@pytest.mark.slow
def test_embedded_postgres_starts_when_nothing_answers(tmp_path):
    data_dir = Path("/tmp") / f"p1pg-{os.getpid()}"  # socket paths must stay short
    env = {"DATABASE_URL": "", "PANEL1_DEFAULT_DATABASE_URL": "postgres://postgres@127.0.0.1:1/x"}
    try:
        result = run("--data-dir", str(data_dir), env=env)
        assert result.returncode == 0, result.stderr
        url = result.stdout.strip()
        assert "embedded PostgreSQL" in result.stderr
        host = str(data_dir).replace("/", "%2F")
        assert url == f"postgres://postgres@{host}/panel1"
        with psycopg.connect(dbname="panel1", user="postgres", host=str(data_dir)) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        # Running it again reuses the running server and database.
        assert run("--data-dir", str(data_dir), env=env).stdout.strip() == url
    finally:
        run("--data-dir", str(data_dir), "--stop")
        subprocess.run(["rm", "-rf", str(data_dir)], check=False)
