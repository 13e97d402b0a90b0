from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "panel1.privacy"
    label = "privacy"
    verbose_name = _("Privacy requests")

    def ready(self):
        from panel1 import jobs
        from panel1.privacy import core

        core.register()
        jobs.register_schedule(
            name="privacy.retention",
            func="panel1.privacy.tasks.retention_prune_task",
            minutes=24 * 60,
            per_tenant=True,
        )
