from django.db import connection

from panel1 import jobs
from tests.conftest import in_schema

seen: list[str] = []


def record_schema():
    seen.append(connection.schema_name)
    return connection.schema_name


def test_enqueued_task_runs_in_the_tenant_schema_after_commit(tenant, run_on_commit):
    seen.clear()
    with run_on_commit():
        jobs.enqueue("tests.core.test_jobs.record_schema")
        assert seen == []  # nothing leaves before commit
    assert seen == [tenant.schema_name]


merged: list[list] = []


def record_items(items):
    merged.append(list(items))


def test_merged_jobs_of_a_transaction_run_once_with_every_item(tenant, run_on_commit):
    """`enqueue_merged` gathers a transaction's items for one function into one job (a new
    ticket's mails of `ticket.created` and of its routed `ticket.assigned`)."""
    seen.clear()
    merged.clear()
    with run_on_commit():
        jobs.enqueue_merged("tests.core.test_jobs.record_items", "created")
        jobs.enqueue("tests.core.test_jobs.record_schema")
        jobs.enqueue_merged("tests.core.test_jobs.record_items", "assigned")
        assert merged == []
    assert merged == [["created", "assigned"]]
    assert seen == [tenant.schema_name]
    with run_on_commit():  # the next transaction's items: a job of their own
        jobs.enqueue_merged("tests.core.test_jobs.record_items", "next")
    assert merged == [["created", "assigned"], ["next"]]


def test_items_merged_after_a_mark_are_dropped_with_a_rollback(tenant, run_on_commit):
    """A failed dispatch run is undone and run again (`bus._with_retry`): the items its
    subscribers merged into a job from before are dropped with it, not sent twice."""
    from django.db import transaction

    merged.clear()
    with run_on_commit(), transaction.atomic():
        jobs.enqueue_merged("tests.core.test_jobs.record_items", 1)
        mark = jobs.batches_mark()
        jobs.enqueue_merged("tests.core.test_jobs.record_items", 2)
        jobs.enqueue_merged("tests.core.test_jobs.record_items_too", 3)
        jobs.batches_rollback(mark)
        jobs.enqueue_merged("tests.core.test_jobs.record_items", 2)
    assert merged == [[1, 2]]


def record_items_too(items):
    merged.append(["too", *items])


def test_for_each_tenant_visits_every_tenant(tenant, other_tenant):
    results = jobs.for_each_tenant("tests.core.test_jobs.record_schema")
    assert results[tenant.schema_name] == tenant.schema_name
    assert results[other_tenant.schema_name] == other_tenant.schema_name
    assert "public" not in results


def test_run_in_schema_restores_the_previous_schema(tenant, other_tenant):
    with in_schema(tenant):
        assert jobs.run_in_schema(
            other_tenant.schema_name, "tests.core.test_jobs.record_schema"
        ) == (other_tenant.schema_name)
        assert connection.schema_name == tenant.schema_name


def test_heartbeat_schedule_is_registered():
    names = {spec.name for spec in jobs.registered_schedules()}
    assert {"jobs.heartbeat", "events.sweep"} <= names


def test_jobs_of_a_dispatch_commit_with_its_claim(session_tenants, django_db_blocker, monkeypatch):
    """With the database broker, the jobs an event's subscribers queue are written inside the
    dispatch's own transaction: one commit for the claim and the jobs, none after it."""
    from django.db import transaction
    from django_q.conf import Conf
    from django_q.models import OrmQ

    from panel1.events import bus
    from panel1.events.models import EventRecord
    from panel1.events.names import TICKET_CREATED

    monkeypatch.setattr(Conf, "SYNC", False)  # queued as in production, not run inline
    tenant = session_tenants[0]
    name = TICKET_CREATED  # (of no ticket: the product's own subscribers find nothing to do)

    def subscriber(event):
        jobs.enqueue("tests.core.test_jobs.record_schema", event.payload["n"])

    commits = []
    real_commit = connection.commit
    monkeypatch.setattr(connection, "commit", lambda: (commits.append(1), real_commit())[1])
    bus.subscribe(name, key="tests.jobs.enqueuer", handler=subscriber)
    try:
        with django_db_blocker.unblock(), in_schema(tenant):
            before = OrmQ.objects.order_by("-id").values_list("id", flat=True).first() or 0
            with transaction.atomic(), bus.batch():
                bus.emit(name, payload={"ticket_id": "jobs-1", "n": 1})
                bus.emit(name, payload={"ticket_id": "jobs-2", "n": 2})
            # The write's commit, then the dispatch's: the claim and both jobs.
            assert len(commits) == 2
            queued = OrmQ.objects.filter(id__gt=before)
            func = "tests.core.test_jobs.record_schema"
            ours = [args for args in (job.task["args"] for job in queued) if func in args[1:2]]
            assert sorted(args[-1] for args in ours) == [1, 2]
            queued.delete()
            EventRecord.objects.filter(payload__ticket_id__in=["jobs-1", "jobs-2"]).delete()
    finally:
        bus.unsubscribe(name, key="tests.jobs.enqueuer")


def test_a_spawned_worker_freezes_its_start_up_objects():
    import gc

    from django_q.signals import post_spawn

    gc.unfreeze()
    try:
        post_spawn.send(sender="django_q", proc_name="Process-1")
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_batched_jobs_log_one_line_and_keep_other_django_q_lines(caplog):
    import logging

    caplog.set_level(logging.INFO)
    jobs._collecting.active = True
    try:
        logging.getLogger("django-q").info("Enqueued [panel1] batched")
        logging.getLogger("django-q").error("Failed [x] - boom")
    finally:
        jobs._collecting.active = False
    logging.getLogger("django-q").info("Enqueued [panel1] 1234")
    assert [r.getMessage() for r in caplog.records if r.name == "django-q"] == [
        "Failed [x] - boom",
        "Enqueued [panel1] 1234",
    ]
