from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SlaConfig(AppConfig):
    name = "sla"
    verbose_name = _("SLA")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from panel1 import jobs
        from panel1.events import bus, names
        from panel1.tenants import provisioning
        from sla import demo, fanout, profile_cache, subscribers  # noqa: F401 (signals)

        for name, handler in (
            (names.TICKET_CREATED, subscribers.on_ticket_created),
            (names.TICKET_STATUS_CHANGED, subscribers.on_status_changed),
            (names.TICKET_UPDATED, subscribers.on_ticket_updated),
            (names.MESSAGE_ADDED, subscribers.on_message_added),
        ):
            bus.subscribe(name, key=f"sla.{name}", handler=handler, in_transaction=True)
        jobs.register_schedule(
            name="sla.monitor",
            func="sla.monitor.sla_monitor_task",
            minutes=1,
            per_tenant=True,
            due=fanout.sla_monitor_due,
        )
        provisioning.register_step("default SLA profile", demo.default_profile_create)
        provisioning.register_demo_step("business-hours SLA profiles", demo.demo_profiles_create)
