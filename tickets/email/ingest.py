"""The one inbound service: ESP webhooks, the `ingest_email` pipe and IMAP polling all call it.

1. `inbound_store` keeps the raw bytes first (an InboundEmail row in its own commit), so a
   mail is never lost, whatever happens next.
2. `inbound_process` parses and decides in one transaction, under an advisory lock on the
   mail's dedup key (Message-ID, else the hash of the bytes) so two deliveries of one mail
   cannot both become messages. An exception rolls the decision back and leaves the row
   FAILED with the error, listed for staff and retryable.

The decision, in order:
- same Message-ID already handled -> DUPLICATE;
- a bounce (DSN or mailer-daemon report) -> BOUNCE, the failed addresses are suppressed;
- from one of the helpdesk's own addresses, or our own notification come back -> IGNORED;
- no usable From, a deactivated sender, or a sender over the rate limit -> HELD;
- a reply (reply token, In-Reply-To / any References id, ticket number in the subject; see
  tickets.email.threading) from the ticket's requester or a CC -> a message on that ticket
  (the survivor if it was merged). Automatic replies (RFC 3834) to a ticket are recorded as a
  staff-only system note: they neither reopen the ticket nor get an answer;
- a reply to a CLOSED ticket, or from someone who is not the requester or a CC -> a NEW
  ticket for the sender, linked to the ticket it referred to, with a staff-only note saying
  why (a stranger can never post into someone else's ticket by quoting its number);
- anything else -> a new ticket (channel EMAIL, the sender becomes a customer if new).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import BooleanField, Exists, Subquery, Value
from django.db.models.functions import Lower
from django.utils import timezone

from panel1.accounts.models import User
from panel1.accounts.services import customer_get_or_create
from panel1.actors import Actor
from panel1.db_reads import CompiledRead, EqualsAny
from panel1.db_writes import NO_FLUSH_WAIT, may_skip_flush_wait, update_sql
from panel1.events import bus
from panel1.exceptions import DomainError
from panel1.tenants.models import Tenant
from panel1.tenants.services import current_tenant
from panel1.text import clean_one_line, clean_text
from tickets.email import safety
from tickets.email.addresses import is_own_address, split_address
from tickets.email.authentication import _domain as _domain_of
from tickets.email.authentication import known_customer_domain, spoofed_known_customer
from tickets.email.parsing import EmailParseError, ParsedAttachment, ParsedEmail, parse_message
from tickets.email.storage import (
    _raw_bytes,
    inbound_max_bytes,
    inbound_store,
    inbound_too_large_reason,
)
from tickets.email.threading import ThreadMatch, thread_match
from tickets.models import (
    Channel,
    InboundEmail,
    InboundOutcome,
    InboundStatus,
    Message,
    MessageType,
    OutboundEmail,
    Status,
    Ticket,
)
from tickets.scanning import scan_or_defer
from tickets.services import (
    AttachmentInput,
    attachments_prepare,
    message_write,
    ticket_link,
    ticket_resolve_merged,
    ticket_write,
)
from tickets.services.attachment_policy import attachment_blocked_reason, blocked_extensions
from tickets.services.messages import MAX_CONTENT_LENGTH

logger = logging.getLogger(__name__)

MAX_CC_FOLLOWERS = 10
MAX_STORED_HTML = 500_000
NO_TEXT = "(This email had no text.)"
TRUNCATED_NOTE = "\n\n[Truncated: the full text is in the original email.]"
_HANDLED = (
    InboundStatus.PROCESSED,
    InboundStatus.HELD,
    InboundStatus.BOUNCE,
    InboundStatus.IGNORED,
)


@dataclass
class _Decision:
    status: str
    reason: str = ""
    outcome: str = InboundOutcome.NONE
    ticket: Ticket | None = None
    message: Message | None = None


# --------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------


def inbound_receive(
    *, raw: bytes, source: str, envelope_recipient: str = "", size: int | None = None
) -> InboundEmail:
    """Store the raw mail, then process it; returns the row with its status and links.

    `size` is the full size when the caller read only the first EMAIL_INBOUND_MAX_BYTES.
    """
    inbound = inbound_store(
        raw=raw, source=source, envelope_recipient=envelope_recipient, size=size
    )
    return inbound_finish(inbound)


def inbound_finish(inbound: InboundEmail) -> InboundEmail:
    """Process a mail `inbound_store` has just kept, unless it was refused as too large."""
    if inbound.status != InboundStatus.RECEIVED:
        return inbound
    return inbound_process(inbound=inbound)


def inbound_process(*, inbound: InboundEmail, release: bool = False) -> InboundEmail:
    """Parse and route a stored mail; `release=True` lets held mail past the rate limit.

    Never raises for a bad mail: the failure is recorded on the row (status FAILED), with
    the sender and subject when they could be read, so staff can find and retry it.
    """
    attempts = inbound.attempts + 1
    if inbound.raw_size > inbound_max_bytes():
        reason = inbound_too_large_reason(inbound.raw_size)
        InboundEmail.objects.filter(pk=inbound.pk).update(
            status=InboundStatus.FAILED, error=reason, reason=reason, attempts=attempts
        )
        inbound.refresh_from_db(fields=_RESULT_FIELDS)
        return inbound
    envelope: dict = {}
    try:
        parsed = parse_message(_raw_bytes(inbound))
        envelope = _envelope(inbound, parsed)
        _decide_and_finish(inbound, parsed, release=release, attempts=attempts)
    except Exception as exc:
        if not isinstance(exc, EmailParseError):
            logger.exception("Inbound email %s failed", inbound.pk)
        error = f"{type(exc).__name__}: {exc}"[:5000]
        # What the mail says about itself is kept even when the decision failed.
        InboundEmail.objects.filter(pk=inbound.pk).update(
            **envelope, status=InboundStatus.FAILED, error=error, attempts=attempts
        )
        # Everything but the raw bytes (they can be megabytes and never change).
        inbound.refresh_from_db(fields=_RESULT_FIELDS)
    return inbound  # on success the row in memory is what was written


# --------------------------------------------------------------------------
# The decision
# --------------------------------------------------------------------------


def _decide_and_finish(
    inbound: InboundEmail, parsed: ParsedEmail, *, release: bool, attempts: int
) -> None:
    """Decide and write the result in one transaction, with one dispatch after commit for
    every event of the mail (customer, ticket, message). The ticket services write inside
    this transaction and batch (`ticket_write`, `message_write`: no savepoints of their own;
    a failure rolls the decision back). New customers are created without a savepoint
    (`known_absent`): when another mail or request created the same address meanwhile, the
    decision runs once more and finds the account."""
    for attempt in range(2):
        try:
            with transaction.atomic(), bus.batch():
                decision = _decide(inbound, parsed, release=release)
                _finish(inbound, decision, attempts=attempts)
            return
        except IntegrityError:
            if attempt:
                raise


def _decide(inbound: InboundEmail, parsed: ParsedEmail, *, release: bool) -> _Decision:
    tenant = current_tenant()
    _lock(inbound.dedup_key, redone=inbound.status == InboundStatus.RECEIVED)
    facts, known_sender = _facts(inbound, parsed, release=release)
    early = _early_decision(inbound, parsed, tenant, facts, release=release)
    if early is not None:
        return early
    sender, created = _sender(parsed, known_sender)
    # "Never seen before": created by this mail, or a customer who never signed in nor
    # verified the address (a forged From makes such users): acknowledgements are limited.
    inbound.sender_is_new = created or (
        sender.is_customer and sender.last_login is None and not sender.email_verified
    )
    if not sender.is_active:
        return _Decision(InboundStatus.HELD, reason="The sender's account is deactivated.")
    match = thread_match(parsed, envelope_recipient=inbound.envelope_recipient)
    if match is None:
        return _new_ticket(inbound, parsed, tenant, sender)
    return _reply(inbound, parsed, tenant, sender, match)


def _facts(
    inbound: InboundEmail, parsed: ParsedEmail, *, release: bool
) -> tuple[dict, User | None]:
    """What the decision asks the database, in one query: an earlier delivery of this mail, a
    message or a notification of ours with its Message-ID, the sender's rate limit, whether
    customers are known at the sender's domain (the spoofing check), and the sender's account
    (the query's row when the sender is known)."""
    message_id, email = parsed.message_id, parsed.from_email
    shape = (
        bool(message_id),
        bool(email),
        bool(email) and bool(_domain_of(email)),
        release,
        safety.sender_limit_settings(),
    )
    sql, slots = _facts_statement(shape)
    params = _facts_params(
        slots,
        {
            _FACT_PK: inbound.pk,
            _FACT_KEY: inbound.dedup_key,
            _FACT_MID: message_id,
            _FACT_SENDER: email,
            _FACT_BARE_SENDER: email,
        },
        domain=_domain_of(email),
        shift=timezone.now() - _FACT_NOW,
    )
    if not email:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return dict(zip(_FACT_NAMES, cursor.fetchone(), strict=True)), None
    return _facts_with_sender(sql, params, email)


# The facts' query is built and compiled once per shape (which questions are asked, the
# rate-limit settings) and process: the ORM's building and compiling cost more Python than
# the rest of the decision. It is compiled with these stand-ins for the mail's values, which
# `_facts_params` replaces; time parameters (the rate-limit window) are shifted from _FACT_NOW
# to the current time.
_FACT_PK = uuid.UUID("00000000-0000-4000-8000-0000000fac75")
_FACT_KEY = "facts-stand-in-dedup-key"
_FACT_MID = "facts-stand-in-message-id"
_FACT_DOMAIN = "facts-stand-in.invalid"
_FACT_SENDER = f"sender@{_FACT_DOMAIN}"
_FACT_BARE_SENDER = "facts-stand-in-sender"  # a From without a domain
_FACT_NOW = datetime(2000, 1, 1, tzinfo=UTC)
_FACT_NAMES = (
    "earlier_id",
    "earlier_status",
    "on_ticket",
    "ours",
    "over_limit",
    "customer_domain",
)
_FACT_STATEMENTS: dict[tuple, tuple[str, list]] = {}


def _facts_statement(shape: tuple) -> tuple[str, list]:
    """The facts' SQL for `shape` and its parameters (stand-ins where the mail's values go)."""
    cached = _FACT_STATEMENTS.get(shape)
    if cached is not None:
        return cached
    has_message_id, has_sender, has_domain, release, _limits = shape
    message_id = _FACT_MID if has_message_id else None
    sender = (_FACT_SENDER if has_domain else _FACT_BARE_SENDER) if has_sender else ""
    earlier = (
        InboundEmail.objects.filter(dedup_key=_FACT_KEY, status__in=_HANDLED)
        .exclude(pk=_FACT_PK)
        .order_by("received_at")
    )
    never = Value(False, output_field=BooleanField())
    checks = {
        "earlier_id": Subquery(earlier.values("pk")[:1]),
        "earlier_status": Subquery(earlier.values("status")[:1]),
        "on_ticket": (
            Exists(Message.objects.filter(email_message_id=message_id)) if message_id else never
        ),
        "ours": (
            Exists(OutboundEmail.objects.filter(message_id=message_id)) if message_id else never
        ),
        "over_limit": (
            never if release else safety.sender_limit_reached(sender, _FACT_PK, now=_FACT_NOW)
        ),
        "customer_domain": never if release else known_customer_domain(sender),
    }
    assert tuple(checks) == _FACT_NAMES
    query = InboundEmail.objects.filter(pk=_FACT_PK).values(**checks).query
    sql, params = query.sql_with_params()
    for param in params:
        if isinstance(param, str) and "facts-stand-in" in param:
            known = (_FACT_KEY, _FACT_MID, _FACT_SENDER, _FACT_BARE_SENDER)
            if param not in known and _FACT_DOMAIN not in param:
                raise RuntimeError(f"Unexpected facts parameter {param!r}.")
    _FACT_STATEMENTS[shape] = (sql, list(params))
    return sql, list(params)


def _facts_params(slots: list, values: dict, *, domain: str, shift) -> list:
    """The compiled parameters with the mail's values in place of the stand-ins."""
    params = []
    for param in slots:
        if isinstance(param, str | uuid.UUID) and param in values:
            param = values[param]
        elif isinstance(param, str) and _FACT_DOMAIN in param:
            # "@domain" for the customer-domain check (the SQL escapes it for its LIKE).
            param = param.replace(_FACT_DOMAIN, domain)
        elif isinstance(param, datetime):
            param += shift
        params.append(param)
    return params


def _facts_with_sender(sql: str, params: list, email: str) -> tuple[dict, User | None]:
    """The facts' row with the sender's account joined to it (NULL columns when there is
    none): one round trip whether or not the sender is known. The address is matched
    case-insensitively, the first by address when several differ only in case."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    quote = wrapper.ops.quote_name
    column = quote(User._meta.get_field("email").column)
    # The account's columns by name (not `u.*`): the statement's text says which columns
    # come back, so their names are read from the first answer only.
    user_columns = ", ".join(f"u.{quote(f.column)}" for f in User._meta.concrete_fields)
    statement = (
        f"SELECT {user_columns}, f.* FROM ({sql}) AS f LEFT JOIN {quote(User._meta.db_table)} "
        f"AS u ON UPPER(u.{column}::text) = UPPER(%s) ORDER BY u.{column} LIMIT 1"
    )
    adapt = wrapper.ops.adapt_unknown_value  # as a raw queryset passes its parameters
    # Not a prepared statement: PostgreSQL takes its generic plan after five runs, and there
    # the domain check's LIKE pattern is a parameter, which the reversed-address index cannot
    # serve (a scan of every user for a domain without customers).
    with wrapper.cursor() as cursor:
        cursor.execute(statement, [adapt(value) for value in [*params, email]])
        values = cursor.fetchone()
        reader = _sender_row_reader(statement, cursor)
    if values is None:
        raise StopIteration  # as next() over the raw queryset's rows (never: the row exists)
    row = reader.user(values)
    return {name: getattr(row, name) for name in _FACT_NAMES}, row if row.pk is not None else None


def _sender_row_reader(statement: str, cursor) -> _RawUserReader:
    """The reader of the rows of the facts' `statement` (which has just run on `cursor`),
    made once per statement and connection from the columns it answers."""
    wrapper = connections[DEFAULT_DB_ALIAS]
    readers = wrapper.__dict__.setdefault("panel1_inbound_sender_readers", {})
    reader = readers.get(statement)
    if reader is None:
        convert = wrapper.introspection.identifier_converter  # as the raw queryset names them
        columns = tuple([convert(column.name) for column in cursor.description])
        reader = readers[statement] = _RawUserReader(columns, wrapper)
    return reader


class _RawUserReader:
    """What `User.objects.raw(...)` does with each row (the same converters, the same
    instance, the extra columns as attributes), worked out once for the columns instead of
    for every mail."""

    def __init__(self, columns: tuple[str, ...], wrapper) -> None:
        fields_by_column = {f.column: f for f in User._meta.concrete_fields}
        init = [f for f in User._meta.concrete_fields if f.column in columns]
        self.names = [f.attname for f in init]
        self.positions = [columns.index(f.column) for f in init]
        self.extra = [(c, pos) for pos, c in enumerate(columns) if c not in fields_by_column]
        compiler = wrapper.ops.compiler("SQLCompiler")(User.objects.all().query, wrapper, None)
        fields = [fields_by_column.get(c) for c in columns]
        self.converters = list(
            compiler.get_converters(
                [f.get_col(f.model._meta.db_table) if f else None for f in fields]
            ).items()
        )
        self.wrapper = wrapper

    def user(self, values) -> User:
        if self.converters:
            values = list(values)
            for pos, (convs, expression) in self.converters:
                value = values[pos]
                for converter in convs:
                    value = converter(value, expression, self.wrapper)
                values[pos] = value
        user = User.from_db(DEFAULT_DB_ALIAS, self.names, [values[p] for p in self.positions])
        for column, pos in self.extra:
            setattr(user, column, values[pos])
        return user


def _early_decision(
    inbound: InboundEmail, parsed: ParsedEmail, tenant: Tenant, facts: dict, *, release: bool
) -> _Decision | None:
    """Duplicates, bounces, our own mail and held mail: everything that creates no message."""
    duplicate = _duplicate_of(facts)
    if duplicate:
        return _Decision(InboundStatus.DUPLICATE, reason=duplicate)
    if parsed.is_bounce:
        safety.bounce_record(
            addresses=parsed.bounced_recipients, reason=f"{parsed.subject} ({inbound.pk})"
        )
        listed = ", ".join(parsed.bounced_recipients) or "no recipient named"
        return _Decision(InboundStatus.BOUNCE, reason=f"Delivery failure for {listed}.")
    if is_own_address(tenant, parsed.from_email):
        return _Decision(InboundStatus.IGNORED, reason="Sent from the helpdesk's own address.")
    if facts["ours"]:
        return _Decision(InboundStatus.IGNORED, reason="Our own notification came back.")
    if not parsed.from_email:
        return _Decision(InboundStatus.HELD, reason="The email has no usable From address.")
    spoofed = (
        None
        if release
        else spoofed_known_customer(
            parsed.headers,
            parsed.from_email,
            inbound=inbound,
            domain_known=facts["customer_domain"],
        )
    )
    if spoofed:
        return _Decision(InboundStatus.HELD, reason=spoofed)
    if facts["over_limit"]:
        return _Decision(
            InboundStatus.HELD,
            reason=f"Rate limit: {parsed.from_email} sent too many emails; release to process.",
        )
    return None


def _reply(
    inbound: InboundEmail, parsed: ParsedEmail, tenant: Tenant, sender: User, match: ThreadMatch
) -> _Decision:
    ticket = ticket_resolve_merged(match.ticket)
    found = f"{ticket.number} (matched by {match.via})"
    if not _is_participant(ticket, sender):
        note = (
            f"This email referred to {found}, but {sender.email} is not its requester or a CC, "
            "so it was filed as a new ticket."
        )
        return _new_ticket(inbound, parsed, tenant, sender, related=ticket, note=note)
    if ticket.status == Status.CLOSED:
        note = f"This email replied to {found}, which is closed; filed as a new ticket."
        return _new_ticket(inbound, parsed, tenant, sender, related=ticket, note=note)
    if parsed.auto_submitted_reason:
        message = message_write(
            ticket=ticket,
            actor=Actor.system(),
            author=sender,
            message_type=MessageType.SYSTEM,
            content=_limit(
                f"Automatic reply from {sender.email} ({parsed.auto_submitted_reason}):\n\n"
                + (parsed.reply_text or parsed.text or NO_TEXT)
            ),
            channel=Channel.EMAIL,
            email_message_id=parsed.message_id or "",
        )
        return _Decision(
            InboundStatus.PROCESSED,
            reason=f"Automatic reply on {found}; noted, not answered.",
            outcome=InboundOutcome.AUTO_REPLY_RECORDED,
            ticket=ticket,
            message=message,
        )
    inputs, notes = _attachment_inputs(parsed)
    message = message_write(
        ticket=ticket,
        actor=sender,
        message_type=MessageType.CUSTOMER_REPLY,
        content=_body(parsed.reply_text or parsed.text, has_files=bool(inputs)),
        attachments=inputs,
        channel=Channel.EMAIL,
        email_message_id=parsed.message_id or "",
    )
    _system_note(ticket, notes + _defect_notes(parsed, inbound))
    return _Decision(
        InboundStatus.PROCESSED,
        reason=f"Reply on {found}.",
        outcome=InboundOutcome.REPLY_ADDED,
        ticket=ticket,
        message=message,
    )


def _new_ticket(
    inbound: InboundEmail,
    parsed: ParsedEmail,
    tenant: Tenant,
    sender: User,
    *,
    related: Ticket | None = None,
    note: str = "",
) -> _Decision:
    inputs, notes = _attachment_inputs(parsed)
    ticket = ticket_write(
        actor=sender,
        requester=sender,
        subject=(parsed.subject or "(no subject)")[:255],
        content=_body(parsed.text, has_files=bool(inputs)),
        channel=Channel.EMAIL,
        attachments=inputs,
        cc=_cc_followers(parsed, tenant, sender),
        email_message_id=parsed.message_id or "",
    )
    if related is not None:
        ticket_link(ticket=ticket, other=related, actor=Actor.system())
    _system_note(ticket, ([note] if note else []) + notes + _defect_notes(parsed, inbound))
    reason = note or "New ticket."
    if parsed.auto_submitted_reason:
        reason += f" Automated mail ({parsed.auto_submitted_reason}): not acknowledged."
    return _Decision(
        InboundStatus.PROCESSED,
        reason=reason,
        outcome=InboundOutcome.TICKET_CREATED,
        ticket=ticket,
        message=ticket.initial_message,
    )


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------


_RESULT_FIELDS = [
    "status",
    "outcome",
    "reason",
    "error",
    "attempts",
    "processed_at",
    "ticket",
    "ticket_message",
    "sender_is_new",
    "message_id",
    "dedup_key",
    "sender",
    "subject",
    "auto_submitted_reason",
    "defects",
    "html",
]
_ENVELOPE_FIELDS = [
    "message_id",
    "dedup_key",
    "sender",
    "subject",
    "auto_submitted_reason",
    "defects",
    "html",
]


def _envelope(inbound: InboundEmail, parsed: ParsedEmail) -> dict:
    """What the mail says about itself, set on the row in memory; written with the decision
    (or with the failure), in the same statement."""
    values = {
        "message_id": (parsed.message_id or "")[:998],
        "dedup_key": f"mid:{parsed.message_id[:990]}" if parsed.message_id else inbound.dedup_key,
        "sender": (parsed.from_email or "")[:320],
        "subject": clean_one_line(parsed.subject)[:300],
        "auto_submitted_reason": (parsed.auto_submitted_reason or "")[:64],
        "defects": parsed.defects,
        "html": clean_text(parsed.html or "")[:MAX_STORED_HTML],
    }
    for name, value in values.items():
        setattr(inbound, name, value)
    return values


def _lock(key: str, *, redone: bool = False) -> None:
    """The decision's first statement: the lock of the mail's dedup key, and, for a mail
    the stuck-mail job would process again (`redone`: committed RECEIVED before) decided in
    a transaction of its own, a commit that does not wait for the disk flush
    (`may_skip_flush_wait`): a database crash that takes the decision back leaves the mail
    RECEIVED. (A release or retry by staff waits: nothing would redo it.)"""
    # Advisory locks are database-wide: the schema is part of the key.
    digest = hashlib.sha256(f"{connection.schema_name}:{key}".encode()).digest()
    no_wait = f", {NO_FLUSH_WAIT}" if redone and may_skip_flush_wait() else ""
    with connection.cursor() as cursor:
        key_id = int.from_bytes(digest[:8], "big", signed=True)
        cursor.execute(f"SELECT pg_advisory_xact_lock(%s){no_wait}", [key_id])


def _duplicate_of(facts: dict) -> str:
    if facts["earlier_id"] is not None:
        status = InboundStatus(facts["earlier_status"]).label
        return f"Already received as {facts['earlier_id']} ({status})."
    if facts["on_ticket"]:
        return "A message with this Message-ID is already on a ticket."
    return ""


def _sender(parsed: ParsedEmail, known: User | None) -> tuple[User, bool]:
    if known is not None:
        return known, False
    # `_facts` looked the sender up in this transaction and found nobody.
    return customer_get_or_create(
        email=parsed.from_email, name=parsed.from_name[:200], known_absent=True
    )


def _is_participant(ticket: Ticket, user: User) -> bool:
    return ticket.requester_id == user.pk or ticket.cc.filter(pk=user.pk).exists()


def _cc_followers(parsed: ParsedEmail, tenant: Tenant, sender: User) -> list[User]:
    """Other people the customer addressed (To/Cc) follow the new ticket, if the tenant allows."""
    if not tenant.customers_can_cc or parsed.auto_submitted_reason:
        return []  # never make a mailing list or a robot a follower of the ticket
    own_domains = _own_domains(tenant)
    addresses = [
        address
        for address in dict.fromkeys(a.strip().lower() for a in [*parsed.to, *parsed.cc])
        if address != sender.email.lower()
        and not is_own_address(tenant, address)
        and split_address(address)[1] not in own_domains
    ]
    known = _users_by_address(addresses)
    followers: list[User] = []
    for address in addresses:
        if len(followers) >= MAX_CC_FOLLOWERS:
            break
        user = known.get(address)
        if user is None:
            try:
                # Looked up with the others just above, in this transaction.
                user, _created = customer_get_or_create(email=address, known_absent=True)
            except DomainError:
                continue
        if user.is_active:
            followers.append(user)
    return followers


# Compiled once per connection: the queryset's building cost more Python than the read.
_USERS_BY_ADDRESS = CompiledRead(
    lambda addresses: User.objects.annotate(address=Lower("email")).filter(
        EqualsAny(Lower("email"), Value(addresses))
    ),
    "addresses",
)


def _users_by_address(addresses: list[str]) -> dict[str, User]:
    """The accounts of `addresses` (lowercase), in one query; matched case-insensitively, as
    `customer_get_or_create` does."""
    if not addresses:
        return {}
    return {user.address: user for user in _USERS_BY_ADDRESS.all(addresses=list(addresses))}


def _own_domains(tenant: Tenant) -> set[str]:
    """The tenant's mail and web domains, read once per Tenant object (a request, a task, a
    batch of the ingest command)."""
    domains = getattr(tenant, "_own_mail_domains", None)
    if domains is None:
        domains = {split_address(a)[1] for a in (tenant.support_email,) if a}
        domains |= set(tenant.domains.values_list("domain", flat=True))
        tenant._own_mail_domains = domains
    return domains


def _attachment_inputs(parsed: ParsedEmail) -> tuple[list[AttachmentInput], list[str]]:
    """Attachments within the ticket limits; the others are named in a note (the raw mail
    keeps them)."""
    accepted: list[AttachmentInput] = []
    skipped: list[str] = []
    total = 0
    blocked = blocked_extensions() if parsed.attachments else frozenset()
    for item in parsed.attachments:
        size = len(item.content)
        if size > settings.ATTACHMENT_MAX_FILE_SIZE:
            skipped.append(f"{item.filename} ({size} bytes: over the per-file limit)")
            continue
        if total + size > settings.ATTACHMENT_MAX_MESSAGE_SIZE:
            skipped.append(f"{item.filename} ({size} bytes: over the per-message limit)")
            continue
        if attachment_blocked_reason(item.filename, item.content, blocked=blocked):
            skipped.append(f"{item.filename} (file type blocked by the attachment policy)")
            continue
        # No verdict yet (scanner down, or asynchronous): stored held, rescanned by a job.
        verdict = scan_or_defer(item.content)
        if verdict.infected:
            skipped.append(f"{item.filename} (quarantined: malware {verdict.signature})")
            continue
        total += size
        accepted.append(replace(_as_input(item), scan_status=verdict.status))
    notes = []
    if skipped:
        notes.append(
            "Attachments not stored on the ticket (kept in the original email): "
            + "; ".join(skipped)
        )
    return attachments_prepare(accepted, scan=False, check_policy=False), notes


def _as_input(item: ParsedAttachment) -> AttachmentInput:
    return AttachmentInput(
        filename=item.filename,
        content=item.content,
        declared_content_type=item.content_type,
        inline=item.inline,
    )


def _defect_notes(parsed: ParsedEmail, inbound: InboundEmail) -> list[str]:
    lost = [d for d in parsed.defects if "dropped" in d or "ignored" in d or "kept as" in d]
    if not lost:
        return []
    return [f"Problems reading the email (original kept as {inbound.pk}): " + "; ".join(lost)]


def _system_note(ticket: Ticket, notes: list[str]) -> None:
    if notes:
        message_write(
            ticket=ticket,
            actor=Actor.system(),
            message_type=MessageType.SYSTEM,
            content=_limit("\n\n".join(notes)),
        )


def _body(text: str, *, has_files: bool) -> str:
    if not (text or "").strip():
        return "(This email had no text; see the attachments.)" if has_files else NO_TEXT
    return _limit(text)


def _limit(text: str) -> str:
    if len(text) <= MAX_CONTENT_LENGTH:
        return text
    return text[: MAX_CONTENT_LENGTH - len(TRUNCATED_NOTE)] + TRUNCATED_NOTE


def _finish(inbound: InboundEmail, decision: _Decision, *, attempts: int) -> None:
    inbound.status = decision.status
    inbound.reason = decision.reason
    inbound.outcome = decision.outcome
    inbound.ticket = decision.ticket
    inbound.ticket_message = decision.message
    inbound.error = "" if decision.status != InboundStatus.FAILED else decision.reason
    inbound.attempts = attempts
    inbound.processed_at = timezone.now()
    dropped = []
    if decision.status == InboundStatus.DUPLICATE and inbound.raw_size:
        inbound.raw = b""  # the first delivery keeps the bytes; never a second copy
        dropped = ["raw"]
    fields = [
        *dropped,
        *_ENVELOPE_FIELDS,
        "status",
        "reason",
        "outcome",
        "ticket",
        "ticket_message",
        "error",
        "attempts",
        "processed_at",
        "sender_is_new",
    ]
    # With the decision's other writes in one statement (nothing else writes this row).
    if not bus.defer_statement(*update_sql(inbound, fields)):
        inbound.save(update_fields=fields)
