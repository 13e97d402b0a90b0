"""`panel1.db_writes.update_sql` keeps the compiler's UPDATE text per model and fields and
prepares the values as the compiler does: the same statement Django would send."""

from django.utils import timezone

from panel1.db_writes import _update_compiled, update_sql
from tests.factories import AgentFactory, TicketFactory
from tickets.models import Ticket


def test_update_sql_is_the_compilers_statement(tenant):
    ticket = TicketFactory()
    ticket.assignee_id = AgentFactory().pk
    ticket.routing_reason = "load balanced: Ann 1 open of 5"
    ticket.updated_at = timezone.now()
    ticket.tags = ["billing", "vip"]
    for names in (
        ["assignee", "routing_reason", "updated_at", "version"],
        ["routing_reason", "updated_at", "version"],
        ["tags", "updated_at"],
    ):
        sql, params = update_sql(ticket, names)  # updated_at (auto_now) takes the time now
        fields = [Ticket._meta.get_field(name) for name in names]
        values = [getattr(ticket, field.attname) for field in fields]
        compiled_sql, compiled_params = _update_compiled(ticket, fields, values)
        assert (sql, list(params)) == (compiled_sql, list(compiled_params))


def test_update_sql_writes_the_row(tenant):
    from django.db import connection

    ticket = TicketFactory()
    agent = AgentFactory()
    ticket.assignee_id, ticket.routing_reason = agent.pk, "round robin: Ann"
    ticket.tags = ["x"]
    with connection.cursor() as cursor:
        cursor.execute(*update_sql(ticket, ["assignee", "routing_reason", "tags"]))
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.assignee_id, stored.routing_reason, stored.tags) == (
        agent.pk,
        "round robin: Ann",
        ["x"],
    )
    ticket.assignee_id = None  # NULL: a parameter here, a literal in the compiler's text
    with connection.cursor() as cursor:
        cursor.execute(*update_sql(ticket, ["assignee"]))
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None


def test_update_one_writes_what_save_update_fields_writes(tenant):
    import pytest
    from django.db import DatabaseError, connection
    from django.test.utils import CaptureQueriesContext

    from panel1.accounts.models import User
    from panel1.db_writes import update_one

    ticket = TicketFactory()
    ticket.routing_reason = 'it\'s "quoted"'
    ticket.assignee_id = AgentFactory().pk
    ticket.version += 1
    before = Ticket.objects.values_list("updated_at", flat=True).get(pk=ticket.pk)
    with CaptureQueriesContext(connection) as queries:
        update_one(ticket, ["routing_reason", "assignee", "version", "updated_at"])
    assert len(queries.captured_queries) == 1
    row = Ticket.objects.values("routing_reason", "assignee_id", "version", "updated_at").get(
        pk=ticket.pk
    )
    assert row["routing_reason"] == 'it\'s "quoted"' and row["assignee_id"] == ticket.assignee_id
    assert row["version"] == ticket.version and row["updated_at"] == ticket.updated_at > before

    gone = TicketFactory()
    Ticket.objects.filter(pk=gone.pk).delete()
    with pytest.raises(DatabaseError):
        update_one(gone, ["routing_reason"])  # as save(update_fields=...) refuses

    # A model with save signals takes save() (the audit log's receiver runs).
    user = AgentFactory()
    user.name = "Renamed"
    update_one(user, ["name"])
    assert User.objects.get(pk=user.pk).name == "Renamed"
