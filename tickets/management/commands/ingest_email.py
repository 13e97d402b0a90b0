"""Ingest raw RFC 5322 mail: `manage.py ingest_email [--schema S] < message.eml`.

Made for an MTA pipe (Postfix `pipe`, Exim `pipe` transport): the message arrives on stdin.
Without --schema the tenant is found from the recipient addresses (tickets.email.routing);
a mail no tenant claims is quarantined and the command exits 67 (EX_NOUSER). When the mail
cannot even be stored, the exit status is 75 (EX_TEMPFAIL) so the MTA retries later. Files
given as arguments are ingested one by one (batch imports, the benchmark).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import CommandError
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from panel1.core.management.base import Panel1Command
from panel1.tenants.models import Tenant

EX_NOUSER = 67
EX_TEMPFAIL = 75
MAX_MESSAGE_BYTES = 64 * 1024 * 1024


class Command(Panel1Command):
    help = "Ingest raw email (stdin or files) into a tenant's helpdesk."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="Message files (default: read stdin).")
        parser.add_argument("--schema", help="Tenant schema (default: route by recipient).")
        parser.add_argument(
            "--recipient", default="", help="Envelope recipient, e.g. Postfix ${recipient}."
        )

    def handle(self, *args, **options):
        tenant = self._tenant(options["schema"])
        failures = 0
        for name, raw in self._messages(options):
            failures += not self._ingest_one(name, raw, tenant, options["recipient"])
        if failures:
            raise CommandError(
                f"{failures} message(s) matched no tenant and were quarantined.",
                returncode=EX_NOUSER,
            )

    def _tenant(self, schema: str | None) -> Tenant | None:
        if not schema:
            return None
        tenant = Tenant.objects.filter(schema_name=schema).first()
        if tenant is None or schema == get_public_schema_name():
            raise CommandError(f"No tenant with schema {schema!r}.")
        return tenant

    def _messages(self, options):
        if options["files"]:
            for name in options["files"]:
                yield name, Path(name).read_bytes()
            return
        stream = options.get("stdin") or sys.stdin.buffer
        raw = stream.read(MAX_MESSAGE_BYTES + 1)
        if len(raw) > MAX_MESSAGE_BYTES:
            raise CommandError("The message is larger than 64 MiB.", returncode=EX_TEMPFAIL)
        yield "<stdin>", raw

    def _ingest_one(self, name: str, raw: bytes, tenant: Tenant | None, recipient: str) -> bool:
        from tickets.email import routing
        from tickets.email.ingest import inbound_receive

        if not raw.strip():
            raise CommandError(f"{name}: empty message.")
        if tenant is None:
            with schema_context(get_public_schema_name()):
                addresses = routing.recipients_of(raw, recipient)
                tenant = routing.tenant_for_recipients(addresses)
            if tenant is None:
                path = routing.quarantine(
                    raw, reason=f"no tenant for recipients {', '.join(addresses) or '(none)'}"
                )
                self.stderr.write(
                    f"{name}: no tenant handles {', '.join(addresses) or 'these recipients'}; "
                    f"kept in {path}"
                )
                return False
        try:
            with tenant_context(tenant):  # the Tenant row itself: no lookup per mail
                inbound = inbound_receive(raw=raw, source="pipe", envelope_recipient=recipient)
                number = inbound.ticket.number if inbound.ticket_id else "-"
        except Exception as exc:  # not even stored: let the MTA keep it and retry
            raise CommandError(
                f"{name}: could not store the message ({exc})", returncode=EX_TEMPFAIL
            ) from exc
        self.stdout.write(
            f"{tenant.schema_name} {inbound.status} {inbound.outcome or '-'} {number} {inbound.pk}"
        )
        return True
