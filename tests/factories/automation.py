"""Factories for automation rules (created through the service, so they are validated)."""

import factory


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "automation.Rule"

    name = factory.Sequence(lambda n: f"Rule {n}")
    trigger_event = "ticket.created"
    conditions = factory.LazyFunction(list)
    actions = factory.LazyFunction(lambda: [{"type": "add_tags", "parameters": {"tags": ["auto"]}}])
    is_active = True
    stop_processing = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from automation.services import rule_create

        return rule_create(actor=kwargs.pop("actor", None), **kwargs)


def cond(field, operator, value=None):
    leaf = {"field": field, "operator": operator}
    if operator not in ("is_set", "is_not_set"):
        leaf["value"] = value
    return leaf


def act(type_, **parameters):
    return {"type": type_, "parameters": parameters}
