"""`panel1.db_writes.insert_one`: the same row as `save()`, with the INSERT compiled once."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from panel1.audit.models import AuditEntry
from panel1.db_writes import insert_one, insert_sql, write_together
from tests.factories import CustomerFactory, TicketFactory
from tickets.models import Ticket, TicketEvent


def _row(model, pk) -> dict:
    return model.objects.filter(pk=pk).values().get()


def test_insert_one_writes_what_save_writes(tenant):
    requester = CustomerFactory()
    fields = {
        "subject": "Printer jammed",
        "requester": requester,
        "tags": ["printer", "floor-3"],
        "channel": "EMAIL",
        "language": "de",
    }
    saved = Ticket(number="T-SAVE-1", **fields)
    saved.save(force_insert=True)
    inserted = insert_one(Ticket(number="T-FAST-1", **fields))

    assert not inserted._state.adding
    a, b = _row(Ticket, saved.pk), _row(Ticket, inserted.pk)
    for column in ("id", "number", "created_at", "updated_at", "search_vector"):
        a.pop(column), b.pop(column)
    assert a == b
    # The database computes the search vector; it is not read back, but loads on access.
    assert "search_vector" not in inserted.__dict__
    assert "printer" in inserted.search_vector


def test_an_auto_increment_key_is_read_back_and_values_are_bound(tenant):
    ticket = TicketFactory()
    hostile = 'it\'s "quoted"; DROP TABLE x; -- \u202e'
    with CaptureQueriesContext(connection) as ctx:
        event = insert_one(
            TicketEvent(ticket=ticket, actor_label="system", event="x", after={"v": hostile})
        )
    assert len(ctx.captured_queries) == 1
    assert event.pk is not None
    assert TicketEvent.objects.get(pk=event.pk).after == {"v": hostile}


def test_models_with_save_signals_or_their_own_save_take_save(tenant):
    from panel1.accounts.models import Role, User

    user = insert_one(User(email="signals@customer.test", role=Role.CUSTOMER))
    # The audit log's post_save receiver ran: save() was taken.
    assert AuditEntry.objects.filter(action="user_created", target_id=str(user.pk)).exists()
    entry = insert_one(AuditEntry(actor_label="system", action="x.y"))  # its own save()
    assert entry.pk is not None


def _history(ticket, n: int, label: str) -> list[TicketEvent]:
    return [
        TicketEvent(
            ticket=ticket,
            actor_label=f"{label} {i}",
            event="ticket.updated",
            field="tags",
            before={"n": i, "label": label},
            after=[label, "\u202etxt", i],
            reason=f"reason {i}",
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_batch_inserts_write_each_batchs_own_values(tenant, count):
    """A batch of a shape seen before writes its own rows (JSON, UUIDs, timestamps), not the
    values of the batch its statement was first built for."""
    ticket = TicketFactory()
    insert_sql(TicketEvent, _history(ticket, count, "first"))  # not executed
    sql, params = insert_sql(TicketEvent, _history(ticket, count, "second"))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    stored = TicketEvent.objects.filter(ticket=ticket, event="ticket.updated").order_by(
        "actor_label"
    )
    assert [(e.actor_label, e.before, e.after, e.reason) for e in stored] == [
        (f"second {i}", {"n": i, "label": "second"}, ["second", "\u202etxt", i], f"reason {i}")
        for i in range(count)
    ]


def test_write_together_writes_what_bulk_create_writes(tenant):
    """Several rows of a table in one compiled INSERT (ArrayField, JSON, an auto-increment
    key, a UUID key): the rows `bulk_create` writes."""
    requester = CustomerFactory()
    ticket = TicketFactory()

    def tickets(prefix):
        return [
            Ticket(number=f"{prefix}-{n}", subject=f"s{n}", requester=requester, tags=[f"t{n}"])
            for n in range(3)
        ]

    def events(label):
        hostile = 'it\'s "quoted"; -- \u202e'
        return [
            TicketEvent(ticket=ticket, actor_label=label, event="x", after={"v": hostile, "n": n})
            for n in range(2)
        ]

    Ticket.objects.bulk_create(tickets("BULK"))
    TicketEvent.objects.bulk_create(events("bulk"))
    with CaptureQueriesContext(connection) as ctx:
        write_together({Ticket: tickets("FAST"), TicketEvent: events("fast")})
    assert len(ctx.captured_queries) == 1
    assert "UNNEST" not in ctx.captured_queries[0]["sql"]  # the compiled text, not Django's

    def rows(model, **filters):
        found = list(model.objects.filter(**filters).order_by("pk").values())
        for row in found:
            for column in ("id", "number", "created_at", "updated_at", "actor_label"):
                row.pop(column, None)
        return sorted(found, key=repr)

    assert rows(Ticket, number__startswith="FAST") == rows(Ticket, number__startswith="BULK")
    assert len(rows(Ticket, number__startswith="FAST")) == 3
    assert rows(TicketEvent, actor_label="fast") == rows(TicketEvent, actor_label="bulk")


def test_values_go_as_the_compiler_prepares_them(tenant):
    """Values written as they are (text, booleans, UUIDs, aware datetimes, a foreign key's
    UUID) are exactly what each field's `pre_save` and `get_db_prep_save` give; anything
    else still goes through them (a naive datetime is made aware, with Django's warning)."""
    import datetime
    import warnings

    from django.apps import apps

    from panel1.db_writes import _EXPRESSION, _insert_plan, _prepared_value, _this_connection
    from tickets.models import InboundStatus

    here = _this_connection()
    samples = [
        None,
        "",
        "text",
        InboundStatus.RECEIVED,
        True,
        False,
        7,
        datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 1, 12, 0),
        __import__("uuid").uuid4(),
    ]
    checked = as_they_are = 0
    for model in apps.get_models():
        plan = _insert_plan(model)
        if plan is None:
            continue
        for field, reader in zip(plan.fields, plan.readers, strict=True):
            if field.get_internal_type() in ("FileField", "JSONField", "ArrayField"):
                continue
            for value in samples:
                row = model()
                setattr(row, field.attname, value)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        expected = field.get_db_prep_save(field.pre_save(row, True), here)
                    except Exception:
                        continue  # not a value of this field
                    setattr(row, field.attname, value)
                    got = _prepared_value(field, reader, row, here)
                if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                    continue  # the current time, read twice
                assert got is not _EXPRESSION
                assert type(got) is type(expected), (model, field, value)
                # psycopg's wrappers (Binary, Jsonb) compare by what they wrap.
                assert getattr(got, "obj", got) == getattr(expected, "obj", expected)
                checked += 1
                as_they_are += type(value) in reader.as_is
    assert checked > 500 and as_they_are > 200
