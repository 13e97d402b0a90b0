"""Instances made from rows without `Model.__init__` (`panel1.model_loading.FastLoad`) are the
instances Django makes: the same field values, deferred fields, state and relations."""

from __future__ import annotations

import pytest
from django.db.models import Model
from django.db.models.signals import post_init

from panel1.accounts.models import User
from panel1.model_loading import FastLoad, _plain
from tests.factories import CustomerFactory, TicketFactory
from tickets.models import Message, Ticket


def _loaded(obj: Model) -> dict:
    return {f.attname: obj.__dict__.get(f.attname, "<deferred>") for f in obj._meta.concrete_fields}


def _django(model, names, values):
    return Model.from_db.__func__(model, "default", names, values)


@pytest.mark.parametrize("model", [Ticket, Message, User])
def test_the_hot_models_load_fast(model):
    assert issubclass(model, FastLoad) and _plain(model)


def test_a_fast_instance_is_the_instance_django_makes(tenant):
    ticket = TicketFactory(requester=CustomerFactory())

    for qs in (
        Ticket.objects.filter(pk=ticket.pk),
        Ticket.objects.filter(pk=ticket.pk).only("id", "subject", "requester_id"),
        Ticket.objects.filter(pk=ticket.pk).select_related("requester", "assignee"),
    ):
        fast = qs.get()
        names = [f.attname for f in Ticket._meta.concrete_fields if f.attname in fast.__dict__]
        slow = _django(Ticket, names, [getattr(fast, name) for name in names])

        assert _loaded(fast) == _loaded(slow)
        assert fast.get_deferred_fields() == slow.get_deferred_fields()
        assert (fast._state.adding, fast._state.db) == (False, "default")
        assert fast == slow and fast.requester == ticket.requester

    partial = Ticket.objects.only("id", "subject").get(pk=ticket.pk)
    assert "status" in partial.get_deferred_fields()
    assert partial.status == ticket.status  # a deferred field still loads on access
    partial.subject = "Changed"
    partial.save(update_fields=["subject"])
    assert Ticket.objects.get(pk=ticket.pk).subject == "Changed"


def test_a_model_someone_listens_to_at_init_gets_django_s_init(tenant):
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    ticket = TicketFactory()
    Ticket.objects.get(pk=ticket.pk)  # the signals' caches now say: nobody listens
    post_init.connect(listener, sender=Ticket)
    try:
        loaded = Ticket.objects.get(pk=ticket.pk)
    finally:
        post_init.disconnect(listener, sender=Ticket)
    Ticket.objects.get(pk=ticket.pk)

    assert seen == [loaded]
