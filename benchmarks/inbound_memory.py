"""Peak memory (RSS) of ingesting one large mail through `manage.py ingest_email`.

DATABASE_URL=... .venv/bin/python benchmarks/inbound_memory.py [MEGABYTES]

Writes mails of about MEGABYTES (default 40, the EMAIL_INBOUND_MAX_BYTES default) to temp
files: one with a large attachment (base64), one with a large plain-text body, one 10 % over
the limit (refused before parsing), plus a tiny mail as the baseline. Each is ingested by its
own `ingest_email --schema` process (the MTA pipe mode), whose peak RSS is read from
getrusage(RUSAGE_CHILDREN). Provisions a throwaway tenant and drops it at the end.
"""

import os
import subprocess
import sys
import tempfile
from email.message import EmailMessage
from pathlib import Path

from _setup import ROOT, django_setup

django_setup()

from django.db import connection  # noqa: E402

from panel1.tenants.models import Tenant  # noqa: E402
from panel1.tenants.services import tenant_provision  # noqa: E402

SCHEMA = "bench_mem"


def _mail(kind: str, size: int, n: int) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"big{n}@bench.example"
    msg["To"] = "support@bench-mem.example"
    msg["Subject"] = f"Large mail {n} ({kind})"
    msg["Message-ID"] = f"<bench-mem-{n}@bench.example>"
    if kind == "text":
        line = "All work and no play makes a large mail. " * 2 + "\n"
        msg.set_content(line * max(size // len(line), 1), cte="7bit")
    else:
        msg.set_content("See the attached log.")
        if kind == "attachment":
            payload = os.urandom(size * 3 // 4)  # base64 grows it back to `size`
            msg.add_attachment(
                payload, maintype="application", subtype="octet-stream", filename="dump.bin"
            )
    return msg.as_bytes()


CHILD = """
import os, resource, sys
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.core.management import call_command
from django.core.management.base import CommandError
try:
    call_command("ingest_email", "--schema", sys.argv[1], sys.argv[2])
except CommandError as exc:
    print(exc)
print("PEAK", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_rss_mb(path: Path) -> tuple[float, str]:
    """Peak RSS of one ingest_email process (production settings: DEBUG off)."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "HTTPS": "false",
        "DJANGO_SETTINGS_MODULE": "panel1.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", CHILD, SCHEMA, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    lines = result.stdout.strip().splitlines()
    peak = next((int(line.split()[1]) for line in lines if line.startswith("PEAK ")), 0)
    outcome = next((line for line in lines if not line.startswith("PEAK ")), result.stderr[-200:])
    return peak / 1024, outcome[:100]


def main() -> None:
    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    limit = megabytes * 1024 * 1024
    os.environ["EMAIL_INBOUND_MAX_BYTES"] = str(limit)
    tenant_provision(
        schema_name=SCHEMA,
        domain="bench-mem.localhost",
        name="Bench memory",
        admin_email="admin@bench-mem.example",
    )
    cases = [
        ("tiny", 1_000),
        ("text", limit - 1024 * 1024),
        ("attachment", limit - 1024 * 1024),
        ("attachment", limit + limit // 10),
    ]
    try:
        with tempfile.TemporaryDirectory() as folder:
            for n, (kind, size) in enumerate(cases):
                path = Path(folder) / f"{n}.eml"
                path.write_bytes(_mail(kind, size, n))
                actual = path.stat().st_size / 1024 / 1024  # MiB, as the limit
                peak, outcome = _peak_rss_mb(path)
                print(f"{kind:10} {actual:7.1f} MB mail: peak RSS {peak:7.1f} MB  ({outcome})")
    finally:
        connection.set_schema_to_public()
        for tenant in Tenant.objects.filter(schema_name=SCHEMA):
            tenant.delete(force_drop=True)


if __name__ == "__main__":
    main()
