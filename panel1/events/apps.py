from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "panel1.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self):
        from panel1 import jobs, tenant_cache
        from panel1.events import bus

        tenant_cache.connect_request_signals()

        jobs.register_schedule(
            name="events.sweep",
            func="panel1.events.bus.sweep_pending_task",
            minutes=1,
            per_tenant=True,
            due=bus.sweep_due,
        )
