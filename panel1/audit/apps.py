from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "panel1.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from panel1.audit import receivers

        receivers.connect()
