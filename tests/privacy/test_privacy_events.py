"""`privacy.export.completed` and `privacy.erasure.completed`: emitted after commit, with
payloads naming people by id only, so webhooks, plugins and subscribers can react."""

from __future__ import annotations

import json

from panel1.events import bus, names
from panel1.events.models import EventRecord
from panel1.privacy import services
from panel1.privacy.models import DataExport
from panel1.privacy.pseudonyms import pseudonym_name
from tests.privacy.conftest import ALICE_EMAIL, ALICE_NAME, BOB_EMAIL


def test_a_finished_export_emits_privacy_export_completed(shared, api_client, events):
    client = api_client(shared.admin)
    export_id = client.post("/api/v1/privacy/exports/", {"email": BOB_EMAIL}).json()["id"]

    (event,) = [e for e in events if e.name == names.PRIVACY_EXPORT_COMPLETED]
    export = DataExport.objects.get(pk=export_id)
    assert event.payload == {
        "export_id": export_id,
        "subject_id": str(shared.bob.pk),
        "source": export.source,
        "status": "ready",
        "size": export.size,
        "expires_at": export.expires_at.isoformat(),
    }
    assert export.size > 0
    assert EventRecord.objects.filter(name=names.PRIVACY_EXPORT_COMPLETED).count() == 1


def test_a_failed_export_emits_the_event_with_status_failed(
    shared, monkeypatch, events, run_on_commit
):
    def broken(archive, person):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_write_zip", broken)
    with run_on_commit():
        export = services.privacy_export_request(actor=shared.admin, email=BOB_EMAIL, queue=False)
    with run_on_commit():
        services.privacy_export_build(export_id=str(export.pk))

    (event,) = [e for e in events if e.name == names.PRIVACY_EXPORT_COMPLETED]
    assert event.payload["status"] == "failed"
    assert event.payload["expires_at"] is None


def test_a_finished_erasure_emits_privacy_erasure_completed_without_the_person(
    shared, api_client, events
):
    answer = api_client(shared.admin).post(
        "/api/v1/privacy/erasures/", {"email": ALICE_EMAIL, "confirm": True}
    )
    assert answer.status_code == 202

    (event,) = [e for e in events if e.name == names.PRIVACY_ERASURE_COMPLETED]
    assert event.payload["erasure_id"] == answer.json()["id"]
    assert event.payload["subject_id"] == str(shared.alice.pk)
    assert event.payload["pseudonym"] == pseudonym_name(shared.alice.pk)
    assert event.payload["counts"]["tickets"]
    text = json.dumps(event.payload).lower()
    assert ALICE_EMAIL not in text and ALICE_NAME.lower() not in text


def test_subscribers_and_plugin_hooks_may_listen_to_the_privacy_events(shared, api_client):
    received = []
    bus.subscribe(names.PRIVACY_ERASURE_COMPLETED, key="tests.privacy", handler=received.append)
    try:
        api_client(shared.admin).post(
            "/api/v1/privacy/erasures/", {"email": BOB_EMAIL, "confirm": True}
        )
    finally:
        bus.unsubscribe(names.PRIVACY_ERASURE_COMPLETED, key="tests.privacy")
    assert [e.payload["subject_id"] for e in received] == [str(shared.bob.pk)]
    # Not ticket events: automation rules cannot be triggered by them.
    assert names.PRIVACY_ERASURE_COMPLETED in names.NON_TICKET_EVENTS
