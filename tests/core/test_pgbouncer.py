"""Which PgBouncer pooling mode is safe with django-tenants' per-connection `SET search_path`.

django-tenants sets the tenant's search path on its connection once and remembers it; later
queries rely on the server session still having that path. A PgBouncer with one server
connection shows the difference: in session mode a client keeps its server session (and
DISCARD ALL cleans it before the next client), in transaction mode another client's SET
lands on the same server session and the first client silently reads the other tenant.
Skipped without the `pgbouncer` binary (Debian: apt-get install pgbouncer).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("pgbouncer"), reason="pgbouncer is not installed"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def pgbouncer(db):
    """`pgbouncer(mode, servers=1)` -> a conninfo for a PgBouncer with that many server
    connections (one forces clients to share it)."""
    settings = connection.settings_dict
    started: list[subprocess.Popen] = []
    folder = Path(tempfile.mkdtemp(prefix="panel1-pgb-"))
    folder.chmod(0o755)  # PgBouncer drops to the postgres user when started as root

    def start(mode: str, servers: int = 1) -> str:
        port, user = _free_port(), settings["USER"] or "postgres"
        (folder / "users.txt").write_text(f'"{user}" ""\n')
        config = folder / f"{mode}.ini"
        password = f" password={settings['PASSWORD']}" if settings["PASSWORD"] else ""
        config.write_text(
            f"[databases]\n* = host={settings['HOST'] or '127.0.0.1'} "
            f"port={settings['PORT'] or 5432} user={user}{password}\n"
            f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\n"
            f"unix_socket_dir =\nauth_type = trust\nauth_file = {folder / 'users.txt'}\n"
            f"pool_mode = {mode}\ndefault_pool_size = {servers}\nmax_client_conn = 10\n"
            "server_reset_query = DISCARD ALL\n"
        )
        as_postgres = ["-u", "postgres"] if os.geteuid() == 0 else []
        process = subprocess.Popen(
            ["pgbouncer", *as_postgres, str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        started.append(process)
        conninfo = f"host=127.0.0.1 port={port} dbname={settings['NAME']} user={user}"
        for _ in range(50):
            try:
                psycopg.connect(conninfo, connect_timeout=1).close()
                return conninfo
            except psycopg.OperationalError:
                time.sleep(0.1)
        raise RuntimeError("pgbouncer did not start")

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)
    shutil.rmtree(folder, ignore_errors=True)


def _path(conn) -> str:
    return conn.execute("SHOW search_path").fetchone()[0]


def test_transaction_mode_leaks_one_clients_search_path_to_another(pgbouncer):
    conninfo = pgbouncer("transaction")
    with (
        psycopg.connect(conninfo, autocommit=True) as alpha,
        psycopg.connect(conninfo, autocommit=True) as beta,
    ):
        alpha.execute("SET search_path = t_alpha, public")  # what django-tenants does, once
        beta.execute("SET search_path = t_beta, public")
        # alpha never set another path, yet its next query runs in beta's tenant:
        assert _path(alpha) == "t_beta, public"
        assert alpha.execute("SELECT current_schema()").fetchone()[0] == "t_beta"


def test_session_mode_keeps_each_clients_search_path(pgbouncer):
    conninfo = pgbouncer("session")
    with psycopg.connect(conninfo, autocommit=True) as alpha:
        alpha.execute("SET search_path = t_alpha, public")
        for _ in range(3):
            with alpha.transaction():
                assert alpha.execute("SELECT current_schema()").fetchone()[0] == "t_alpha"
    # The same (single) server session serves the next client, reset by DISCARD ALL.
    with psycopg.connect(conninfo, autocommit=True) as beta:
        assert _path(beta) == '"$user", public'
        beta.execute("SET search_path = t_beta, public")
        assert beta.execute("SELECT current_schema()").fetchone()[0] == "t_beta"


def _django_connections(conninfo: str, count: int):
    """Fresh django-tenants connections (as gunicorn workers hold them) through PgBouncer."""
    from django_tenants.postgresql_backend.base import DatabaseWrapper

    port = int(conninfo.split("port=")[1].split()[0])
    settings_dict = {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": port}
    return [DatabaseWrapper(settings_dict, alias=f"bouncer{i}") for i in range(count)]


def _admins(wrapper, schema: str, *, before_query=None) -> set[str]:
    wrapper.set_schema(schema)
    with wrapper.cursor() as cursor:  # django-tenants sends SET search_path here
        if before_query:
            before_query()  # another worker's request runs in between
        cursor.execute("SELECT email FROM accounts_user WHERE role = 'ADMIN'")
        return {email for (email,) in cursor.fetchall()}


@pytest.mark.parametrize("mode", ["session", "transaction"])
def test_django_tenants_over_pgbouncer(pgbouncer, session_tenants, mode):
    """Two gunicorn workers' connections; beta's request runs between alpha's SET and query.

    Session mode: each client owns its server session (two servers for two clients; with
    fewer, a client waits). Transaction mode: autocommit statements of different clients
    share the one server session, so alpha's query runs on beta's search path.
    """
    conninfo = pgbouncer(mode, servers=2 if mode == "session" else 1)
    alpha, beta = _django_connections(conninfo, 2)
    try:
        seen = _admins(alpha, "t_alpha", before_query=lambda: _admins(beta, "t_beta"))
        if mode == "session":
            assert seen == {"admin@alpha.test.localhost"}
        else:
            assert seen == {"admin@beta.test.localhost"}  # tenant beta's rows, served to alpha
    finally:
        alpha.close()
        beta.close()
