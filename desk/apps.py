from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    name = "desk"
    label = "desk"
    verbose_name = _("Agent desk")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from desk import demo, notifications, privacy
        from desk.admin_area.sections import register_desk_sections
        from panel1 import jobs
        from panel1.tenants import provisioning

        privacy.register()
        notifications.connect()
        register_desk_sections()
        provisioning.register_demo_step("desk canned responses and views", demo.desk_demo_create)
        jobs.register_schedule(
            name="desk.presence_prune",
            func="desk.tasks.presence_prune_task",
            minutes=60,
            per_tenant=True,
        )
