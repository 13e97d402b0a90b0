"""Ingest raw RFC 5322 mail: `manage.py ingest_email [--schema S] < message.eml`.

Made for an MTA pipe (Postfix `pipe`, Exim `pipe` transport): the message arrives on stdin.
Without --schema the tenant is found from the recipient addresses (tickets.email.routing);
a mail no tenant claims is quarantined and the command exits 67 (EX_NOUSER). When the mail
cannot even be stored, the exit status is 75 (EX_TEMPFAIL) so the MTA retries later. Files
given as arguments are ingested one by one (batch imports, the benchmark); with --schema
their raw bytes are stored STORE_TOGETHER at a time in one transaction (one commit, not one a
mail), then each is processed in its own, as one piped mail is.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import nullcontext
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context, tenant_context

from panel1.core.management.base import Panel1Command
from panel1.events import bus
from panel1.plugins.state import memo_scope
from panel1.tenants.models import Tenant

EX_DATAERR = 65
EX_NOINPUT = 66
EX_NOUSER = 67
EX_TEMPFAIL = 75
CHUNK = 1024 * 1024
HEADER_BYTES = 256 * 1024
# Events of a batch of files dispatched together (a few mails' worth: ~4 events a mail).
DISPATCH_TOGETHER = 100
# Mails of a file batch stored in one transaction. A crash before they are processed leaves
# them RECEIVED, as it leaves one piped mail: the `email.inbound_stuck` job decides them.
STORE_TOGETHER = 50


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
        _check_readable(options["files"])
        # A batch: what is loaded by now (Django, the apps, the libraries) stays, so the
        # collector need not scan it on every full collection (~0.7 ms a mail); given back
        # to it when the batch ends.
        frozen = len(options["files"]) > 1
        if frozen:
            gc.freeze()
        try:
            self._ingest_all(tenant, options)
        finally:
            if frozen:
                gc.unfreeze()

    def _ingest_all(self, tenant: Tenant | None, options) -> None:
        failures = too_large = 0
        # With --schema the tenant is set once for the whole batch, not per message; a batch
        # of files keeps the sender checks' DNS answers, and the mails' notifications and
        # other after-commit work run for several mails at once (`bus.dispatch_together`).
        with (
            memo_scope(),
            _dns_memo() if options["files"] else nullcontext(),
            tenant_context(tenant) if tenant else nullcontext(),
            bus.dispatch_together(limit=DISPATCH_TOGETHER) if options["files"] else nullcontext(),
        ):
            for group in self._groups(options, together=bool(tenant and options["files"])):
                stored = self._store_together(group, options["recipient"])
                for (name, raw, size), inbound in zip(group, stored, strict=True):
                    failures += not self._ingest_one(
                        name, raw, tenant, options["recipient"], size, inbound=inbound
                    )
                    too_large += size > inbound_max_bytes()
        if too_large:
            raise CommandError(
                f"{too_large} message(s) over EMAIL_INBOUND_MAX_BYTES were refused "
                "(the beginning is kept for staff).",
                returncode=EX_DATAERR,
            )
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
        """(name, the first EMAIL_INBOUND_MAX_BYTES bytes, the full size) per message."""
        if options["files"]:
            for name in options["files"]:
                with open(Path(name), "rb") as handle:
                    yield (name, *_bounded_read(handle))
            return
        stream = options.get("stdin") or sys.stdin.buffer
        yield ("<stdin>", *_bounded_read(stream))

    def _groups(self, options, *, together: bool):
        """The messages in groups of STORE_TOGETHER (of one when they are not stored together)."""
        group = []
        for message in self._messages(options):
            group.append(message)
            if not together or len(group) >= STORE_TOGETHER:
                yield group
                group = []
        if group:
            yield group

    def _store_together(self, group: list, recipient: str) -> list:
        """The group's mails stored in one transaction (the tenant is set), or Nones: a single
        mail, or a group one of whose mails could not be stored (none is kept then), goes
        the one-by-one way, which reports its own failure."""
        from tickets.email.ingest import inbound_store

        if len(group) < 2:
            return [None] * len(group)
        try:
            with transaction.atomic():
                return [
                    inbound_store(raw=raw, source="pipe", envelope_recipient=recipient, size=size)
                    for _name, raw, size in group
                ]
        except Exception:
            return [None] * len(group)

    def _ingest_one(
        self,
        name: str,
        raw: bytes,
        tenant: Tenant | None,
        recipient: str,
        size: int,
        *,
        inbound=None,
    ) -> bool:
        """One mail: stored (unless `inbound`, its row, was stored with its group), then
        processed."""
        from tickets.email import routing
        from tickets.email.ingest import inbound_finish, inbound_receive

        if not raw or raw.isspace():  # (no stripped copy of a large message)
            raise CommandError(f"{name}: empty message.")
        if size > inbound_max_bytes():
            self.stderr.write(f"{name}: {size} bytes is over EMAIL_INBOUND_MAX_BYTES; refused")
        if tenant is None:
            with schema_context(get_public_schema_name()):
                # Only the header block names recipients: never parse a whole huge body here.
                head = raw if size <= inbound_max_bytes() else raw[:HEADER_BYTES]
                addresses = routing.recipients_of(head, recipient)
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
            # The Tenant row itself (no lookup per mail), unless the batch already set it.
            with nullcontext() if connection.tenant is tenant else tenant_context(tenant):
                if inbound is None:
                    inbound = inbound_receive(
                        raw=raw, source="pipe", envelope_recipient=recipient, size=size
                    )
                else:
                    inbound = inbound_finish(inbound)
                number = inbound.ticket.number if inbound.ticket_id else "-"
        except Exception as exc:  # not even stored: let the MTA keep it and retry
            raise CommandError(
                f"{name}: could not store the message ({exc})", returncode=EX_TEMPFAIL
            ) from exc
        self.stdout.write(
            f"{tenant.schema_name} {inbound.status} {inbound.outcome or '-'} {number} {inbound.pk}"
        )
        return True


def _check_readable(files: list[str]) -> None:
    """Every file given is a readable file, or nothing of the batch is ingested: a clear error
    naming them (exit 66, EX_NOINPUT), not a traceback halfway through."""
    unreadable = []
    for name in files:
        path = Path(name)
        if not path.is_file() or not os.access(path, os.R_OK):
            unreadable.append(name)
    if unreadable:
        raise CommandError(
            f"cannot read {', '.join(unreadable)}; nothing was ingested.", returncode=EX_NOINPUT
        )


def _dns_memo():
    from tickets.email.sender_auth import dns_memo  # dkimpy and pyspf: only when needed

    return dns_memo()


def _bounded_read(stream) -> tuple[bytes, int]:
    """Read at most EMAIL_INBOUND_MAX_BYTES; count (and drop) the rest in small chunks."""
    limit = inbound_max_bytes()
    raw = stream.read(limit + 1)
    size = len(raw)
    if size <= limit:
        return raw, size
    while chunk := stream.read(CHUNK):
        size += len(chunk)
    return raw, size  # one byte over the limit: inbound_store keeps only the limit


def inbound_max_bytes() -> int:
    return int(settings.EMAIL_INBOUND_MAX_BYTES)
