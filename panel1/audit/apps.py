from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "panel1.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self):
        from panel1.audit import receivers

        receivers.connect()
