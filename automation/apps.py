from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "automation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from automation import demo, engine, plugin_actions, plugin_fields, privacy, services, tasks
        from automation.models import TRIGGER_EVENTS
        from automation.routing import demo as routing_demo
        from automation.routing import subscribers as routing_subscribers
        from panel1 import jobs
        from panel1.crypto import register_encrypted_field
        from panel1.events import bus
        from panel1.tenants import provisioning
        from sla.business_hours import validate_business_hours
        from tickets.availability import register_working_hours_validator
        from tickets.services.routing import creation_router_register

        privacy.register()
        register_encrypted_field(label="automation.webhook_secrets", rotate=services.secrets_rotate)
        for event_name in TRIGGER_EVENTS:
            bus.subscribe(event_name, key="automation.engine", handler=engine.handle_event)
        plugin_actions.plugin_actions_register()
        plugin_fields.plugin_fields_register()
        from panel1.plugins.registry import registry

        # Plugins registered later (development, the test kit) bring theirs too.
        registry.on_change(plugin_actions.plugin_actions_register)
        registry.on_change(plugin_fields.plugin_fields_register)
        # After the engine (subscribers of an event run in registration order): a ticket
        # a rule assigned is not routed.
        for event_name, handler in routing_subscribers.SUBSCRIPTIONS:
            bus.subscribe(event_name, key="automation.routing", handler=handler)
        creation_router_register(routing_subscribers.new_ticket_router)
        register_working_hours_validator("sla.business_hours", validate_business_hours)
        provisioning.register_demo_step("routing", routing_demo.demo_routing_create)
        provisioning.register_step("auto-response templates", services.default_templates_create)
        provisioning.register_demo_step("automation rules", demo.demo_rules_create)
        jobs.register_schedule(
            name="automation.idle_rules",
            func="automation.tasks.idle_rules_task",
            minutes=5,
            per_tenant=True,
            due=tasks.idle_rules_due,
        )
        jobs.register_schedule(
            name="automation.webhook_retries",
            func="automation.tasks.webhook_retries_task",
            minutes=1,
            per_tenant=True,
            due=tasks.webhook_retries_due,
        )
        jobs.register_schedule(
            name="automation.prune_runs",
            func="automation.tasks.rule_runs_prune_task",
            minutes=24 * 60,
            per_tenant=True,
        )
