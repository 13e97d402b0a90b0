from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "automation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from automation import demo, engine, services
        from automation.models import TRIGGER_EVENTS
        from panel1 import jobs
        from panel1.events import bus
        from panel1.tenants import provisioning

        for event_name in TRIGGER_EVENTS:
            bus.subscribe(event_name, key="automation.engine", handler=engine.handle_event)
        provisioning.register_step("auto-response templates", services.default_templates_create)
        provisioning.register_demo_step("automation rules", demo.demo_rules_create)
        jobs.register_schedule(
            name="automation.idle_rules",
            func="automation.tasks.idle_rules_task",
            minutes=5,
            per_tenant=True,
        )
        jobs.register_schedule(
            name="automation.webhook_retries",
            func="automation.tasks.webhook_retries_task",
            minutes=1,
            per_tenant=True,
        )
        jobs.register_schedule(
            name="automation.prune_runs",
            func="automation.tasks.rule_runs_prune_task",
            minutes=24 * 60,
            per_tenant=True,
        )
