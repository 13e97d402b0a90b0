"""An installation migrated at the old layout (desk models in the tickets app) upgrades to the
desk app with every row of the moved tables, and with their content types and permissions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from desk.models import CannedResponse, ReplyDraft, SavedView, TicketPresence

SCHEMA = "t_desk_upgrade"
OLD = ("tickets", "0003_desk")
MOVE = ("tickets", "0004_desk_models_to_desk_app")
MOVED = ["cannedresponse", "replydraft", "savedview", "ticketpresence"]
NOW = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def _executor() -> MigrationExecutor:
    return MigrationExecutor(connection)


def _old_targets(executor: MigrationExecutor) -> list[tuple[str, str]]:
    """Every app at its latest migration, except what came with (or after) the move."""
    graph = executor.loader.graph
    return [OLD] + [
        leaf
        for leaf in graph.leaf_nodes()
        if leaf[0] not in ("tickets", "desk") and MOVE not in graph.forwards_plan(leaf)
    ]


@pytest.fixture
def old_schema(session_tenants, db):
    """A throw-away tenant schema at the old migration state, inside the test's transaction
    (so the schema and everything in it roll back with the test)."""
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{SCHEMA}"')
    # As django-tenants' migrate_schemas does: the migration table in the schema, not public.
    connection.set_schema(SCHEMA, include_public=False)
    MigrationRecorder(connection).ensure_schema()
    connection.set_schema(SCHEMA)
    executor = _executor()
    state = executor.migrate(_old_targets(executor))
    yield state.apps
    ContentType.objects.clear_cache()
    connection.set_schema_to_public()


def _old_rows(apps) -> dict:
    """One row in every moved table, written through the historical (tickets) models."""
    User = apps.get_model("accounts", "User")
    agent = User.objects.create(email="agent@upgrade.test", name="Agent", role="AGENT")
    customer = User.objects.create(email="customer@upgrade.test", role="CUSTOMER")
    category = apps.get_model("tickets", "Category").objects.create(name="Billing")
    ticket = apps.get_model("tickets", "Ticket").objects.create(
        number="UP-1", subject="Old ticket", requester_id=customer.pk
    )
    rows = {
        "canned": apps.get_model("tickets", "CannedResponse").objects.create(
            title="Refund",
            shortcut="refund",
            content="Hi {{requester.name}}",
            category_id=category.pk,
        ),
        "view": apps.get_model("tickets", "SavedView").objects.create(
            name="Mine", owner_id=agent.pk, is_shared=True, filters={"status": ["OPEN"]}, position=3
        ),
        "draft": apps.get_model("tickets", "ReplyDraft").objects.create(
            ticket_id=ticket.pk, user_id=agent.pk, content="Half a reply", status_after="RESOLVED"
        ),
        "presence": apps.get_model("tickets", "TicketPresence").objects.create(
            ticket_id=ticket.pk, user_id=agent.pk, state="TYPING", expires_at=NOW
        ),
    }
    ContentTypeOld = apps.get_model("contenttypes", "ContentType")
    PermissionOld = apps.get_model("auth", "Permission")
    for model in MOVED:  # what post_migrate made on the old installation
        content_type = ContentTypeOld.objects.create(app_label="tickets", model=model)
        PermissionOld.objects.create(
            content_type_id=content_type.pk, codename=f"change_{model}", name=f"Can change {model}"
        )
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the FKs now, before DDL
    return {"agent": agent, "category": category, "ticket": ticket, **rows}


@pytest.mark.slow
def test_an_old_installation_upgrades_with_its_desk_rows(old_schema):
    old = _old_rows(old_schema)

    executor = _executor()
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()

    canned = CannedResponse.objects.get(pk=old["canned"].pk)
    assert (canned.title, canned.shortcut, canned.category_id) == (
        "Refund",
        "refund",
        old["category"].pk,
    )
    view = SavedView.objects.get(pk=old["view"].pk)
    assert (view.name, view.owner_id, view.is_shared, view.position) == (
        "Mine",
        old["agent"].pk,
        True,
        3,
    )
    assert view.filters == {"status": ["OPEN"]}
    draft = ReplyDraft.objects.get(ticket_id=old["ticket"].pk, user_id=old["agent"].pk)
    assert (draft.content, draft.status_after) == ("Half a reply", "RESOLVED")
    presence = TicketPresence.objects.get(ticket_id=old["ticket"].pk)
    assert (presence.user_id, presence.state, presence.expires_at) == (
        old["agent"].pk,
        "TYPING",
        NOW,
    )
    moved = ContentType.objects.filter(model__in=MOVED)
    assert sorted(moved.values_list("app_label", "model")) == [("desk", m) for m in MOVED]
    assert Permission.objects.filter(content_type__app_label="desk").count() == len(MOVED)
    assert ("desk", "0001_initial") in MigrationRecorder(connection).applied_migrations()
