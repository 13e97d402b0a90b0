"""Drafts: what an agent types is autosaved, restored on reload, and gone once sent."""

from desk.models import ReplyDraft
from tests.desk.conftest import HTMX


def save(client, ticket, **data):
    return client.post(f"/desk/tickets/{ticket.number}/draft/", data, **HTMX)


def test_draft_is_saved_and_restored_on_reload(desk, ticket, agent):
    answer = save(
        desk, ticket, content="Half-written *answer*", internal="on", status_after="ON_HOLD"
    )
    assert b"Draft saved" in answer.content
    draft = ReplyDraft.objects.get(ticket=ticket, user=agent)
    assert (draft.content, draft.is_internal, draft.status_after) == (
        "Half-written *answer*",
        True,
        "ON_HOLD",
    )
    page = desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert ">Half-written *answer*</textarea>" in page
    assert 'id="kind-note" checked' in page
    assert '<option value="ON_HOLD" selected>' in page
    assert "Draft restored" in page


def test_drafts_are_per_agent(tenant_client, desk, ticket, other_agent):
    save(desk, ticket, content="Alice's words")
    page = tenant_client(other_agent).get(f"/desk/tickets/{ticket.number}/").content.decode()
    assert "Alice&#x27;s words" not in page and "Alice's words" not in page


def test_autosave_overwrites_and_empty_text_removes(desk, ticket, agent):
    save(desk, ticket, content="one")
    save(desk, ticket, content="one two")
    assert ReplyDraft.objects.get(user=agent).content == "one two"
    save(desk, ticket, content="   ")
    assert not ReplyDraft.objects.exists()


def test_sending_the_reply_discards_the_draft(desk, ticket):
    save(desk, ticket, content="Final answer")
    desk.post(f"/desk/tickets/{ticket.number}/reply/", {"content": "Final answer"}, **HTMX)
    assert not ReplyDraft.objects.exists()
    assert (
        "Final answer</textarea>"
        not in desk.get(f"/desk/tickets/{ticket.number}/").content.decode()
    )


def test_a_failed_plain_post_keeps_the_text_as_a_draft(desk, ticket, supervisor):
    from tickets import services

    services.ticket_status_change(ticket=ticket, actor=supervisor, status="CLOSED")
    desk.post(f"/desk/tickets/{ticket.number}/reply/", {"content": "Too late?"})
    assert ReplyDraft.objects.get().content == "Too late?"
