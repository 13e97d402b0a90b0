from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "panel1.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self):
        from panel1 import db_loaders, jobs
        from panel1.core import url_tag
        from panel1.i18n import template_library

        template_library.install()
        url_tag.install()

        jobs.register_schedule(
            name="jobs.heartbeat", func="panel1.jobs.heartbeat", minutes=1, per_tenant=False
        )
        jobs.connect_worker_signals()
        db_loaders.connect()
