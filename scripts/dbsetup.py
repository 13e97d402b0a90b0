"""Find or start the PostgreSQL server for `make run` / `make test`; print the DATABASE_URL.

1. DATABASE_URL set: use that server, creating the database if it does not exist.
2. Unset: try the default postgres://postgres@127.0.0.1:5432/panel1.
3. Nothing answers there: start a private embedded PostgreSQL (pgserver) under .data/pg and
   use its Unix socket. It is started with cleanup_mode=None, so it keeps running until
   `python scripts/dbsetup.py --stop` (or a reboot); `make stop-db` does that.

Only the URL goes to stdout (for the Makefile to capture); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/panel1"


def log(message: str) -> None:
    print(message, file=sys.stderr)


def _server_answers(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(_maintenance_url(url), connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def _maintenance_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = urlsplit(url).path.lstrip("/") or "panel1"
    with psycopg.connect(_maintenance_url(url), autocommit=True, connect_timeout=5) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            log(f"created database {name}")


def embedded_url(data_dir: Path) -> str:
    import pgserver

    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(str(data_dir), cleanup_mode=None)
    # Unix socket only: the host part is the socket directory (URL-encoded).
    socket_dir = str(server.pgdata)
    log(f"embedded PostgreSQL running in {socket_dir}")
    return f"postgres://postgres@{quote(socket_dir, safe='')}/panel1"


def stop_embedded(data_dir: Path) -> None:
    import pgserver

    if (data_dir / "postmaster.pid").exists() or (data_dir / "pgdata").exists():
        # Attaching in "stop" mode and detaching as the last handle stops the server.
        server = pgserver.get_server(str(data_dir), cleanup_mode="stop")
        server.cleanup()
        log("embedded PostgreSQL stopped")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT / ".data" / "pg"))
    parser.add_argument("--stop", action="store_true", help="stop the embedded server")
    parser.add_argument(
        "--default-url",
        default=os.environ.get("PANEL1_DEFAULT_DATABASE_URL", DEFAULT_URL),
        help="the address tried when DATABASE_URL is unset",
    )
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    if args.stop:
        stop_embedded(data_dir)
        return 0
    url = os.environ.get("DATABASE_URL", "")
    if url:
        if not _server_answers(url):
            log(f"error: no PostgreSQL answers at DATABASE_URL={url}")
            return 1
    elif _server_answers(args.default_url):
        url = args.default_url
    else:
        log(f"no PostgreSQL at {args.default_url}; starting an embedded one")
        url = embedded_url(data_dir)
    ensure_database(url)
    print(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
